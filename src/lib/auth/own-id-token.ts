/**
 * A stored account's own id token (print-identity-token without impersonation), whatever its credential type: the
 * type says which audience it carries, mints it, and words a refusal; cached like access tokens under its own key.
 */
import type {Logger} from '../log.js';
import type {Network} from '../net/network.js';
import type {CredentialStore} from '../store/credential-store.js';
import type {CachedToken, TokenKey} from '../store/token-cache.js';
import {credentialType} from './credentials/registry.js';
import {DEFAULT_RETRY, withRetry} from './tokens/retry.js';
import {TokenEndpointError, unreachable} from './tokens/token-endpoint-error.js';
import {REQUEST_TIMEOUT_MS, type TokenService, unknownAccount} from './tokens/token-service.js';

/** What minting an id token needs of the context (spelt out: accounts.ts, which context.ts reaches, imports this). */
export interface IdTokenContext {
  store: Pick<CredentialStore, 'get'>;
  tokens: TokenService;
  log: Logger;
  network: Network;
  now: () => number;
  env: Record<string, string | undefined>;
}

/**
 * The audience when none is given: the one gcloud's service-account id tokens carry, so a service set up to
 * accept tokens printed by gcloud accepts these.
 */
export const DEFAULT_AUDIENCE = '32555940559.apps.googleusercontent.com';

/** Cache key of an account's own id token for audience. */
export function idTokenKey(account: string, audience: string): TokenKey {
  return {account, scopes: [], variant: `id_token aud=${audience}`};
}

/**
 * A stored account's own id token, cached and minted single-flight with the token endpoint's retries; its type says
 * which audience it carries (a service account's the one asked for, a user's its OAuth client) or why it has none.
 */
export async function ownIdToken(ctx: IdTokenContext, account: string, audience: string | undefined): Promise<CachedToken> {
  const credential = await ctx.store.get(account);
  if (!credential) throw unknownAccount(account);
  const type = await credentialType(credential);
  const key = idTokenKey(account, type.idTokenAudience(credential, audience, DEFAULT_AUDIENCE));
  return ctx.tokens.cachedOrMinted(key, async () => {
    const tokenUrl = await ctx.tokens.tokenUrlFor(credential);
    try {
      return await withRetry(
        (_attempt, remainingMs) =>
          type.mintIdToken(credential, audience ?? DEFAULT_AUDIENCE, {
            tokenUrl,
            log: ctx.log,
            timeoutMs: Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs)),
            now: ctx.now,
            env: ctx.env,
            network: ctx.network,
          }),
        (error) => error instanceof TokenEndpointError && error.details.transient,
        DEFAULT_RETRY,
      );
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      if (error.details.oauthError && !error.details.transient) throw type.describeIdTokenRefusal(error, credential);
      throw unreachable('an id token', credential.account, tokenUrl, error);
    }
  });
}
