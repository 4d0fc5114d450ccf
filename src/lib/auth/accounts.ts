import type {AppContext} from '../context.js';
import {AuthError} from '../errors.js';
import {impersonatedAccessToken, impersonationOf, parseLifetime} from './impersonation.js';
import {DEFAULT_SCOPES} from './token-service.js';

/**
 * The account a command acts as: its ACCOUNT argument, else `core/account` (flag, env, configuration).
 * @throws AuthError naming the commands that set one.
 */
export function resolveAccount(ctx: Pick<AppContext, 'props'>, positional?: string): string {
  const account = positional || ctx.props.get('core/account');
  if (!account) {
    throw new AuthError(
      'You do not currently have an active account selected. Run gcauth auth login, or gcauth auth activate-service-account --key-file=FILE, or gcauth config set account ACCOUNT for one already logged in.',
    );
  }
  return account;
}

export interface PrintAccessTokenOptions {
  account?: string;
  scopes?: string[];
  /** `--lifetime`, as given: only with impersonation. */
  lifetime?: string;
}

export interface PrintedAccessToken {
  token: string;
  /** ISO 8601 expiry. */
  expiry: string;
}

/**
 * An access token for the active (or given) account, from the cache while more than five minutes remain.
 * @throws AuthError for no active account, an unknown account or refused credentials; ApiError when the token endpoint fails.
 */
export async function printAccessToken(options: PrintAccessTokenOptions, ctx: AppContext): Promise<PrintedAccessToken> {
  const chain = impersonationOf(ctx.props);
  const lifetimeSeconds = parseLifetime(options.lifetime, chain !== undefined);
  const account = resolveAccount(ctx, options.account);
  const token = chain
    ? await impersonatedAccessToken(
        {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => ctx.api.iamCredentials()},
        account,
        chain,
        {scopes: options.scopes ?? DEFAULT_SCOPES, lifetimeSeconds},
      )
    : await ctx.tokens.getAccessToken(account, {scopes: options.scopes});
  return {token: token.token, expiry: new Date(token.expiry).toISOString()};
}

/** Splits a comma-separated `--scopes` value; short names get Google's scope prefix. */
export function parseScopes(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.includes(':') || s === 'openid' || s === 'email' || s === 'profile' ? s : `https://www.googleapis.com/auth/${s}`));
  return scopes.length > 0 ? scopes : undefined;
}
