/**
 * `auth print-identity-token`: an OpenID Connect id token for a service account (the jwt-bearer grant with
 * `target_audience`), a user (the refresh grant's id token) or the impersonated target (IAM Credentials generateIdToken). Id tokens are cached
 * like access tokens, under their own key (the audience is part of it), so scripts that print one per call
 * do not mint one per call; gcloud mints a fresh one every time.
 */
import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';
import type {CachedToken, TokenKey} from '../store/token-cache.js';
import {isVmAccount, resolveActingAccount} from './accounts.js';
import {impersonatedIdToken, impersonationOf} from './credentials/impersonation.js';
import {metadataIdentityToken} from './credentials/metadata.js';
import {credentialType} from './credentials/registry.js';
import {unreachable} from './credentials/service-account.js';
import {DEFAULT_RETRY, withRetry} from './tokens/retry.js';
import {TokenEndpointError} from './tokens/token-endpoint-error.js';
import {REQUEST_TIMEOUT_MS, unknownAccount} from './tokens/token-service.js';

/**
 * The audience when none is given: the one gcloud's service-account id tokens carry, so a service set up to
 * accept tokens printed by gcloud accepts these.
 */
export const DEFAULT_AUDIENCE = '32555940559.apps.googleusercontent.com';

export interface PrintIdentityTokenOptions {
  account?: string;
  /** `--audiences`: one audience. */
  audiences?: string;
  /** `--include-email`: only with impersonation (a service account's own id tokens always carry it). */
  includeEmail?: boolean;
}

export interface PrintedIdentityToken {
  token: string;
  /** ISO 8601 expiry. */
  expiry: string;
}

/** Cache key of an account's own id token for audience. */
export function idTokenKey(account: string, audience: string): TokenKey {
  return {account, scopes: [], variant: `id_token aud=${audience}`};
}

/**
 * An id token for the active (or given) account (a service account with `aud` = the audience, a user with `aud` = its
 * OAuth client), or for the impersonated one.
 * @throws UsageError for --include-email without impersonation or a bad audience; AuthError for no account, an
 *   unknown one or refused credentials, or --audiences for a user account (UsageError); PermissionDeniedError when impersonation is refused; ApiError.
 */
export async function printIdentityToken(options: PrintIdentityTokenOptions, ctx: AppContext): Promise<PrintedIdentityToken> {
  const chain = impersonationOf(ctx.props);
  const audience = options.audiences?.trim() || undefined;
  if (audience !== undefined && /[\s,]/.test(audience)) {
    throw new UsageError(`Invalid value for [--audiences]: ${JSON.stringify(options.audiences)}: give exactly one audience.`);
  }
  if (options.includeEmail && !chain) {
    throw new UsageError(
      'Invalid value for [--include-email]: It is for service account impersonation only. It must be used together with the --impersonate-service-account flag.',
    );
  }
  const acting = await resolveActingAccount(ctx, options.account);
  const account = acting.account;
  const token = chain
    ? await impersonatedIdToken({tokens: ctx.tokens, log: ctx.log, now: ctx.now, iamCredentials: () => ctx.api.iamCredentials(acting)}, account, chain, {
        audience: audience ?? DEFAULT_AUDIENCE,
        includeEmail: Boolean(options.includeEmail),
      })
    : acting.metadata || (!(await ctx.store.get(account)) && (await isVmAccount(ctx, account)))
      ? // The metadata server's id tokens with format=full carry email and email_verified, as gcloud's do.
        await metadataIdentityToken(ctx, audience ?? DEFAULT_AUDIENCE, {format: 'full'})
      : await ownIdToken(ctx, account, audience);
  return {token: token.token, expiry: new Date(token.expiry).toISOString()};
}

/**
 * A stored account's own id token, cached and minted single-flight with the token endpoint's retries; its type says
 * which audience it carries (a service account's the one asked for, a user's its OAuth client) or why it has none.
 */
async function ownIdToken(ctx: AppContext, account: string, audience: string | undefined): Promise<CachedToken> {
  const credential = await ctx.store.get(account);
  if (!credential) throw unknownAccount(account);
  const type = credentialType(credential);
  const key = idTokenKey(account, type.idTokenAudience(credential, audience, DEFAULT_AUDIENCE));
  return ctx.tokens.cachedOrMinted(key, async () => {
    const tokenUrl = ctx.tokens.tokenUrlFor(credential);
    try {
      return await withRetry(
        (_attempt, remainingMs) =>
          type.mintIdToken(credential, audience ?? DEFAULT_AUDIENCE, {
            tokenUrl,
            log: ctx.log,
            timeoutMs: Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs)),
            now: ctx.now,
            env: ctx.env,
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
