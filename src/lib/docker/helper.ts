/**
 * What docker-credential-gcauth answers: Google access tokens for Google's registry hosts and the hosts the
 * user listed in `docker/registries`, and "not found" for every other host, so no Google token ever goes to a
 * registry that is not Google's or the user's choice.
 */
import {adcAccessToken, NoApplicationDefaultCredentialsError} from '../auth/adc.js';
import {impersonatedAccessToken, impersonationOf} from '../auth/impersonation.js';
import {DEFAULT_SCOPES} from '../auth/token-service.js';
import type {AppContext} from '../context.js';
import {CredentialsNotFoundError, type HelperBackend, type HelperCredentials} from './credential-helper.js';
import {credHelpersOf, dockerConfigPath, readDockerConfig} from './docker-config.js';
import {isGoogleRegistryHost} from './registries.js';
import {registryHost, splitHostList} from './server-url.js';

/** The credHelpers value that sends a host to docker-credential-gcauth. */
export const HELPER_NAME = 'gcauth';
/** The executable Docker runs for HELPER_NAME. */
export const HELPER_BIN = `docker-credential-${HELPER_NAME}`;
/** The username registries expect with an OAuth2 access token as the password. */
export const TOKEN_USERNAME = 'oauth2accesstoken';

/** The extra hosts of `docker/registries`. @throws UsageError for an invalid value. */
export function extraRegistries(ctx: Pick<AppContext, 'props'>): string[] {
  return splitHostList(ctx.props.get('docker/registries') ?? '');
}

/** True when the helper may hand a Google token to `host` (normalised). */
export function servesHost(host: string, extra: readonly string[]): boolean {
  return isGoogleRegistryHost(host) || extra.includes(host);
}

/**
 * An access token for the helper from `docker/token_source`: the active account (`core/account`), or ADC.
 * With no credentials configured at all it answers "not found" so Docker goes on anonymously (public images
 * still pull), and tells the user on stderr how to authenticate; credentials that exist but fail are errors.
 */
async function helperToken(ctx: AppContext, host: string): Promise<string> {
  if (ctx.props.get('docker/token_source') === 'adc') {
    try {
      return (await adcAccessToken(ctx)).token;
    } catch (error) {
      if (!(error instanceof NoApplicationDefaultCredentialsError)) throw error;
      throw new CredentialsNotFoundError(`${HELPER_BIN}: ${error.message} Docker goes on without credentials for ${host}.`);
    }
  }
  const account = ctx.props.get('core/account');
  if (!account) {
    throw new CredentialsNotFoundError(
      `${HELPER_BIN}: no active gcauth account, so Docker goes on without credentials for ${host}. ` +
        'To authenticate, run: gcauth auth activate-service-account --key-file=FILE',
    );
  }
  const chain = impersonationOf(ctx.props);
  if (chain) {
    // As gcloud's helper: with impersonation configured, registries get the target's token.
    const deps = {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => ctx.api.iamCredentials()};
    return (await impersonatedAccessToken(deps, account, chain, {scopes: DEFAULT_SCOPES})).token;
  }
  return (await ctx.tokens.getAccessToken(account)).token;
}

/** The helper's answers, over a context built on first use (an invocation that needs none never reads config). */
export function gcauthHelperBackend(context: () => Promise<AppContext>): HelperBackend {
  return {
    async get(serverUrl): Promise<HelperCredentials> {
      const host = registryHost(serverUrl);
      const ctx = await context();
      if (!servesHost(host, isGoogleRegistryHost(host) ? [] : extraRegistries(ctx))) throw new CredentialsNotFoundError();
      return {username: TOKEN_USERNAME, secret: await helperToken(ctx, host)};
    },

    // Only Docker's credsStore uses list; it must always be valid JSON, so what cannot be read is left out.
    async list() {
      const ctx = await context();
      const hosts = new Set<string>();
      try {
        const config = await readDockerConfig(dockerConfigPath(ctx.env, ctx.homeDir));
        for (const [host, helper] of Object.entries(credHelpersOf(config.data))) if (helper === HELPER_NAME) hosts.add(host);
      } catch {
        // An unreadable config.json lists nothing from it.
      }
      try {
        for (const host of extraRegistries(ctx)) hosts.add(host);
      } catch {
        // An invalid docker/registries lists nothing from it; get reports it.
      }
      return Object.fromEntries([...hosts].map((host) => [`https://${host}`, TOKEN_USERNAME]));
    },
  };
}
