/**
 * `auth application-default login | print-access-token | revoke | set-quota-project`: Application Default
 * Credentials in the well-known file that Google's client libraries read. None of these touch gcauth's own
 * credential store or active account.
 */
import {rm} from 'node:fs/promises';

import {apiRootUrl} from '../../api/endpoints.js';
import type {AppContext} from '../../context.js';
import {CancelledError, NotFoundError, UsageError} from '../../errors.js';
import {FIX, SCOPES} from '../../messages.js';
import {FileReadError, readRegularFileIfExists, withoutBom} from '../../fs/read-file.js';
import {validateProjectId} from '../../iam/validate.js';
import {fnv1a} from '../../store/token-cache.js';
import {findAdcSource, wellKnownAdcFile} from './read.js';
import {authorizedUserAdc, writeAdcFile} from './write.js';
import {impersonationOf} from '../credentials/impersonation.js';
import type {LoginFlowDeps} from '../login/flow.js';
import {obtainUserGrant} from '../login/login.js';
import {resolveOAuthClient} from '../login/oauth-client.js';
import {revokeRefreshToken, revokeUrlFor} from '../credentials/revoke-user.js';
import {createTransporter, GOOGLE_TOKEN_URL} from '../tokens/transport.js';

/** gcloud's default ADC scopes. */
export const ADC_LOGIN_SCOPES = ['openid', SCOPES.userinfoEmail, SCOPES.cloudPlatform, SCOPES.sqlserviceLogin];

export interface ApplicationDefaultLoginOptions {
  clientIdFile?: string;
  scopes?: string[];
  launchBrowser: boolean;
  port?: number;
  /** Do not add core/project as the quota project. */
  disableQuotaProject?: boolean;
}

export interface ApplicationDefaultLoginResult {
  file: string;
  account: string;
  type: 'authorized_user' | 'impersonated_service_account';
  /** The impersonated service account. */
  target?: string;
  /** The quota project written to the file. */
  quotaProject?: string;
  /** The project that was considered (core/project) and why it was not written. */
  quotaProjectRefused?: {project: string; reason: string};
}

/**
 * `auth application-default login`: the browser login of `auth login`, its refresh token written as an
 * `authorized_user` ADC file (or the source of an `impersonated_service_account` one), atomically, 0600.
 * The token URL is written as `token_uri` when it is not Google's, so that clients which honour it
 * (Python's google-auth, gcauth) refresh at the same endpoint the login used.
 * @throws UsageError for bad scopes or a missing OAuth client; AuthError for a failed login.
 */
export async function loginApplicationDefault(
  options: ApplicationDefaultLoginOptions,
  ctx: AppContext,
  deps?: Partial<LoginFlowDeps>,
): Promise<ApplicationDefaultLoginResult> {
  const scopes = options.scopes ?? ADC_LOGIN_SCOPES;
  if (!scopes.includes(SCOPES.cloudPlatform)) {
    throw new UsageError(`Invalid value for [--scopes]: ${SCOPES.cloudPlatform} scope is required but not requested. Please include it in --scopes.`);
  }
  // The account is read from the id token, which needs these two.
  const requested = [...new Set(['openid', SCOPES.userinfoEmail, ...scopes])];
  const chain = impersonationOf(ctx.props);
  const client = await resolveOAuthClient(options.clientIdFile, ctx);
  if (ctx.env.GOOGLE_APPLICATION_CREDENTIALS) {
    ctx.io.stderr.write(
      `WARNING: The environment variable [GOOGLE_APPLICATION_CREDENTIALS] is set to [${ctx.env.GOOGLE_APPLICATION_CREDENTIALS}]. ` +
        'Credentials in that file will be used over the ones written by this command: unset it to use them.\n',
    );
  }
  const grant = await obtainUserGrant({client, scopes: requested, launchBrowser: options.launchBrowser, port: options.port}, ctx, deps);
  const user = {
    ...authorizedUserAdc({clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: grant.refreshToken}),
    ...(grant.tokenUrl === GOOGLE_TOKEN_URL ? {} : {token_uri: grant.tokenUrl}),
  };
  if (!chain) {
    const project = options.disableQuotaProject ? undefined : currentProject(ctx);
    if (!project) return {file: await writeAdcFile(user, ctx), account: grant.account, type: 'authorized_user'};
    const reason = await quotaProjectProblem(project, grant.accessToken, ctx);
    if (reason) return {file: await writeAdcFile(user, ctx), account: grant.account, type: 'authorized_user', quotaProjectRefused: {project, reason}};
    const file = await writeAdcFile({...user, quota_project_id: project}, ctx);
    return {file, account: grant.account, type: 'authorized_user', quotaProject: project};
  }
  const root = apiRootUrl(ctx.props, 'iamcredentials');
  const file = await writeAdcFile(
    {
      delegates: chain.delegates.map((email) => `projects/-/serviceAccounts/${email}`),
      service_account_impersonation_url: `${root}v1/projects/-/serviceAccounts/${chain.target}:generateAccessToken`,
      source_credentials: user,
      type: 'impersonated_service_account',
    },
    ctx,
  );
  return {file, account: grant.account, type: 'impersonated_service_account', target: chain.target};
}

function currentProject(ctx: AppContext): string | undefined {
  try {
    return ctx.props.get('core/project');
  } catch {
    return undefined;
  }
}

export const SERVICE_USAGE_PERMISSION = 'serviceusage.services.use';

/**
 * gcloud's check before it adds a quota project: the new credentials must hold serviceusage.services.use on it
 * (Resource Manager testIamPermissions). Returns why not, or undefined when they do. Never throws.
 */
async function quotaProjectProblem(project: string, accessToken: string, ctx: AppContext): Promise<string | undefined> {
  const url = `${apiRootUrl(ctx.props, 'cloudresourcemanager')}v1/projects/${encodeURIComponent(project)}:testIamPermissions`;
  try {
    const transporter = await createTransporter({tokenUrl: GOOGLE_TOKEN_URL, log: ctx.log, network: ctx.network, timeoutMs: 10_000});
    const response = await transporter.request<{permissions?: string[]}>({
      url,
      method: 'POST',
      headers: {authorization: `Bearer ${accessToken}`, 'content-type': 'application/json'},
      data: {permissions: [SERVICE_USAGE_PERMISSION]},
      responseType: 'json',
      validateStatus: () => true,
    });
    if (response.status < 200 || response.status >= 300) return `checking it answered HTTP ${response.status}`;
    const granted = response.data?.permissions ?? [];
    return granted.includes(SERVICE_USAGE_PERMISSION) ? undefined : `the account in ADC does not have the "${SERVICE_USAGE_PERMISSION}" permission on this project`;
  } catch (error) {
    return `it could not be checked (${(error as Error).message})`;
  }
}

/** The lines gcloud prints after writing ADC. */
export function adcSavedMessage(file: string): string {
  return `\nCredentials saved to file: [${file}]\n\nThese credentials will be used by any library that requests Application Default Credentials (ADC).`;
}

/** The quota-project note after a login, as gcloud words it. */
export function quotaProjectNote(result: Pick<ApplicationDefaultLoginResult, 'quotaProject' | 'quotaProjectRefused'>): string {
  if (result.quotaProject) return quotaProjectAddedMessage(result.quotaProject);
  if (result.quotaProjectRefused) {
    const {project, reason} = result.quotaProjectRefused;
    return (
      `\nWARNING: \nCannot add the project "${project}" to ADC as the quota project because ${reason}. You might receive a "quota exceeded" ` +
      'or "API not enabled" error. Run $ gcauth auth application-default set-quota-project to add a quota project.'
    );
  }
  return (
    '\nWARNING: \nCannot find a quota project to add to ADC. You might receive a "quota exceeded" or "API not enabled" error. ' +
    'Run $ gcauth auth application-default set-quota-project to add a quota project.'
  );
}

type AdcJson = Record<string, unknown> & {type?: unknown};

/** Reads the well-known ADC file. @throws NotFoundError when absent; UsageError when it is not JSON. */
async function readWellKnownAdc(ctx: AppContext): Promise<{file: string; adc: AdcJson}> {
  const file = wellKnownAdcFile(ctx.env, ctx.homeDir, ctx.platform);
  let text: string | undefined;
  try {
    text = readRegularFileIfExists(file);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new UsageError(`Unable to read the Application Default Credentials file [${file}]: ${error.reason}.`, {cause: error});
  }
  if (text === undefined) {
    throw new NotFoundError(`Application Default Credentials file [${file}] does not exist.`, {hint: `Run ${FIX.adcLogin} first.`});
  }
  try {
    const adc = JSON.parse(withoutBom(text)) as unknown;
    if (adc && typeof adc === 'object' && !Array.isArray(adc)) return {file, adc: adc as AdcJson};
  } catch {
    // reported below
  }
  throw new UsageError(`The Application Default Credentials file [${file}] is not a JSON object.`);
}

/** The refresh token an ADC file can revoke: its own (authorized_user) or its source's (impersonated). */
function userPartOf(adc: AdcJson): AdcJson | undefined {
  if (adc.type === 'authorized_user') return adc;
  const source = adc.source_credentials as AdcJson | undefined;
  if (adc.type === 'impersonated_service_account' && source?.type === 'authorized_user') return source;
  return undefined;
}

export interface RevokeAdcResult {
  file: string;
  /** False when the endpoint could not be reached or refused; the file is removed anyway. */
  revoked: boolean;
}

/**
 * `auth application-default revoke`: revokes the user refresh token of the well-known ADC file at the revoke
 * endpoint, then deletes the file (also when the endpoint cannot be reached, with a warning). Asks first on a
 * terminal; `--quiet` skips the question.
 * @throws NotFoundError without a file; UsageError for service-account ADC or no terminal to ask on; CancelledError on no.
 */
export async function revokeApplicationDefault(ctx: AppContext): Promise<RevokeAdcResult> {
  const {file, adc} = await readWellKnownAdc(ctx);
  const user = userPartOf(adc);
  if (!user || typeof user.refresh_token !== 'string') {
    throw new UsageError(
      `The Application Default Credentials in [${file}] are of type [${String(adc.type)}]: only user credentials can be revoked. ` +
        'Delete the file to stop using them; a service-account key is disabled by deleting it in IAM.',
    );
  }
  if (!ctx.quiet) {
    if (!ctx.canPrompt) {
      throw new UsageError('Revoking the Application Default Credentials needs a confirmation, and there is no terminal to ask on: pass --quiet (-q).');
    }
    ctx.io.stderr.write(`You are about to revoke the credentials stored in: [${file}]\n\n`);
    if (!(await ctx.prompter.confirm('Do you want to continue?', {default: true, flag: '--quiet'}))) {
      throw new CancelledError('Aborted by user.');
    }
  }
  const fileTokenUri = typeof user.token_uri === 'string' && /^https?:\/\//.test(user.token_uri) ? user.token_uri : undefined;
  const tokenUrl = ctx.tokens.explicitTokenUrl() ?? fileTokenUri ?? GOOGLE_TOKEN_URL;
  const outcome = await revokeRefreshToken({refreshToken: user.refresh_token}, revokeUrlFor(tokenUrl), ctx);
  if (!outcome.ok) {
    ctx.io.stderr.write(
      `WARNING: Could not revoke the refresh token: ${outcome.reason}. The file is removed anyway; ` +
        'to cut the token off at Google too, remove the app at https://myaccount.google.com/permissions.\n',
    );
  }
  // Tokens cached for this file are keyed by its identity; drop them before the file goes.
  const source = await findAdcSource({...ctx, env: {...ctx.env, GOOGLE_APPLICATION_CREDENTIALS: undefined}});
  await ctx.cache.removeAccount(`application-default.${fnv1a(source.identity)}`);
  await rm(file, {force: true});
  return {file, revoked: outcome.ok};
}

/**
 * `auth application-default set-quota-project`: adds (or replaces) `quota_project_id` in the user ADC file,
 * keeping every other field, atomically and 0600.
 * @throws UsageError for a bad project id or non-user ADC; NotFoundError without a file.
 */
export async function setApplicationDefaultQuotaProject(project: string, ctx: AppContext): Promise<{file: string; project: string}> {
  validateProjectId(project, 'QUOTA_PROJECT_ID');
  const {file, adc} = await readWellKnownAdc(ctx);
  if (adc.type !== 'authorized_user') {
    throw new UsageError(
      `The Application Default Credentials in [${file}] are of type [${String(adc.type)}]: a quota project can only be added to user credentials ` +
        `(authorized_user). Run ${FIX.adcLogin} first.`,
    );
  }
  await writeAdcFile({...adc, quota_project_id: project}, ctx, file);
  return {file, project};
}

/** gcloud's note after a quota project was added. */
export function quotaProjectAddedMessage(project: string): string {
  return `\nQuota project "${project}" was added to ADC which can be used by Google client libraries for billing and quota. Note that some services may still bill the project owning the resource.`;
}
