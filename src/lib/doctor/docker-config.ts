import type {AppContext} from '../context.js';
import {loginHosts} from '../docker/configure.js';
import {credHelpersOf, dockerConfigPath, readDockerConfig} from '../docker/docker-config.js';
import {helperBinFor, helperNameFor, isGcauthHelper} from '../docker/helper.js';
import {isGoogleRegistryHost} from '../docker/registries.js';
import {type CheckResult, result} from './types.js';

const CONFIG = 'docker-config';
const AUTHS = 'docker-auths';

/** Which source of config.json answers Docker for a host, in Docker's order. */
export type CredentialSource =
  | {kind: 'credHelpers'; helper: string}
  | {kind: 'credsStore'; helper: string}
  | {kind: 'auths'}
  | {kind: 'none'};

/** Docker's choice for `host`: `credHelpers[host]`, else `credsStore`, else `auths[host]` (docker/cli GetCredentialsStore). */
export function credentialSource(data: Record<string, unknown>, host: string): CredentialSource {
  const helpers = credHelpersOf(data);
  if (Object.hasOwn(helpers, host) && helpers[host] !== '') return {kind: 'credHelpers', helper: helpers[host]!};
  if (typeof data.credsStore === 'string' && data.credsStore !== '' && !Object.hasOwn(helpers, host)) return {kind: 'credsStore', helper: data.credsStore};
  return loginHosts(data).includes(host) ? {kind: 'auths'} : {kind: 'none'};
}

/**
 * A credHelpers entry's helper on `platform`: gcauth's, and runnable there (either name on POSIX, where npm links both
 * bins); gcauth's sh program named on Windows, where npm's shim of it needs /bin/sh; or another helper.
 */
export function credHelperVerdict(helper: string, platform: NodeJS.Platform): 'gcauth' | 'gcauth-sh-on-windows' | 'other' {
  if (!isGcauthHelper(helper)) return 'other';
  return platform === 'win32' && helper !== helperNameFor(platform) ? 'gcauth-sh-on-windows' : 'gcauth';
}

/** The config file Docker reads and which source answers for `host`; then any `auths` secret that is hidden or answers instead of gcauth. */
export async function checkDockerConfig(ctx: Pick<AppContext, 'env' | 'homeDir' | 'platform'>, host: string): Promise<CheckResult[]> {
  const file = dockerConfigPath(ctx.env, ctx.homeDir, ctx.platform);
  const configure = `gcauth auth configure-docker ${host}`;
  let data: Record<string, unknown>;
  let exists: boolean;
  try {
    ({data, exists} = await readDockerConfig(file));
  } catch (error) {
    return [result(CONFIG, 'fail', (error as Error).message, `fix or move ${file}, then: ${configure}`), result(AUTHS, 'skip', `${file} could not be read`)];
  }
  const where = `Docker reads ${file}${exists ? '' : ' (absent)'}`;
  const source = credentialSource(data, host);
  const checks: CheckResult[] = [];
  switch (source.kind) {
    case 'credHelpers':
      const verdict = credHelperVerdict(source.helper, ctx.platform);
      checks.push(
        verdict === 'gcauth'
          ? result(CONFIG, 'ok', `${where}; credHelpers sends ${host} to docker-credential-${source.helper}`)
          : verdict === 'gcauth-sh-on-windows'
            ? result(CONFIG, 'fail', `${where}; credHelpers sends ${host} to docker-credential-${source.helper}, the sh program, which cannot run on Windows`, `${configure}   (it names ${helperBinFor(ctx.platform)})`)
            : result(CONFIG, 'fail', `${where}; credHelpers sends ${host} to docker-credential-${source.helper}, not gcauth`, `${configure} --overwrite`),
      );
      break;
    case 'credsStore':
      checks.push(
        isGcauthHelper(source.helper)
          ? result(CONFIG, 'ok', `${where}; credsStore sends every host, ${host} included, to docker-credential-${source.helper}`)
          : result(CONFIG, 'fail', `${where}; no credHelpers entry for ${host}, so credsStore docker-credential-${source.helper} answers with whatever docker login left there`, configure),
      );
      break;
    case 'auths':
      checks.push(result(CONFIG, 'fail', `${where}; no credHelpers entry for ${host}, so its "auths" entry (a stored login, likely an expired token) answers`, configure));
      break;
    default:
      checks.push(result(CONFIG, 'fail', `${where}; nothing answers for ${host}, so Docker sends no credentials`, configure));
  }

  // Secrets under "auths" for the host looked at, and for Google's hosts in general.
  const logins = loginHosts(data).filter((h) => h === host || isGoogleRegistryHost(h));
  const answering = logins.filter((h) => credentialSource(data, h).kind === 'auths');
  const hidden = logins.filter((h) => !answering.includes(h));
  if (answering.length > 0) {
    checks.push(
      result(AUTHS, 'fail', `"auths" holds a stored secret that Docker sends for ${answering.join(', ')}, because no credHelpers entry names gcauth there`,
        answering.map((h) => `gcauth auth configure-docker ${h} && docker logout ${h}`).join('; ')),
    );
  } else if (hidden.length > 0) {
    checks.push(
      result(AUTHS, 'warn', `"auths" still holds a secret for ${hidden.join(', ')} that a credential helper hides; it comes back into use if that entry is removed`,
        hidden.map((h) => `docker logout ${h}`).join('; ')),
    );
  } else {
    checks.push(result(AUTHS, 'ok', `no stored secret for ${host} or Google's registries under "auths"`));
  }
  return checks;
}
