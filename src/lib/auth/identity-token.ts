/**
 * `auth print-identity-token`: an OpenID Connect id token for a service account (the jwt-bearer grant with
 * `target_audience`), a user (the refresh grant's id token) or the impersonated target (IAM Credentials generateIdToken). Id tokens are cached
 * like access tokens, under their own key (the audience is part of it), so scripts that print one per call
 * do not mint one per call; gcloud mints a fresh one every time.
 */
import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';
import {accountTokens, resolveActingAccount} from './accounts.js';
import {impersonatedIdToken, impersonationOf} from './credentials/impersonation.js';
import {DEFAULT_AUDIENCE} from './own-id-token.js';

export {DEFAULT_AUDIENCE, idTokenKey} from './own-id-token.js';

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
    : await accountTokens(ctx, acting).idToken(audience);
  return {token: token.token, expiry: new Date(token.expiry).toISOString()};
}

