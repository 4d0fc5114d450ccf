import type {IamCredentialsApi} from '../api/iam-credentials.js';
import type {Properties} from '../config/resolver.js';
import {AuthError, UsageError} from '../errors.js';
import {HINTS, scopeUrl} from '../messages.js';
import type {Network} from '../net/network.js';
import type {CredentialStore} from '../store/credential-store.js';
import type {CachedToken} from '../store/token-cache.js';
import {IMPERSONATION_PROPERTY, impersonatedAccessToken, impersonationOf, parseLifetime} from './credentials/impersonation.js';
import {metadataAbsenceNote, type MetadataContext, metadataEmail, metadataEmailIfAny, metadataTokenSource, onGce} from './credentials/metadata.js';
import type {TokenSource} from './credentials/types.js';
import {givenAccessToken, type GivenToken} from './given-token.js';
import {DEFAULT_AUDIENCE, type IdTokenContext, ownIdToken} from './own-id-token.js';
import {DEFAULT_SCOPES, type TokenService, UnknownAccountError} from './tokens/token-service.js';

/**
 * The account a command acts as: its ACCOUNT argument, else `core/account` (flag, env, configuration).
 * @throws AuthError naming the commands that set one.
 */
export function resolveAccount(ctx: {props: Pick<Properties, 'get'>}, positional?: string): string {
  const account = positional || ctx.props.get('core/account');
  if (!account) throw noActiveAccount();
  return account;
}

const noActiveAccount = (note?: string) => new AuthError(note ? `${HINTS.noActiveAccount} ${note}` : HINTS.noActiveAccount);

/** `--account=default` (gcloud's spelling): the VM's service account from the metadata server. */
export const METADATA_ACCOUNT_ALIAS = 'default';

/**
 * The account a command acts as, and whether its tokens come from the metadata server rather than a stored credential;
 * or, when a token was handed to gcauth (given-token.ts), that token, with `account` naming it for messages.
 */
export interface ActingAccount {
  account: string;
  metadata: boolean;
  given?: GivenToken;
}

/**
 * What resolving an account needs of the context: a slice of AppContext, spelled out because importing that type
 * would close a cycle (context.ts builds api/clients.ts, which calls this module).
 */
export type AccountContext = MetadataContext & {props: Pick<Properties, 'get'>; store: Pick<CredentialStore, 'get'>; env: Record<string, string | undefined>; network: Network};

/** What minting the acting account's tokens needs besides: the token service, and IAM Credentials for impersonation. */
export type TokenContext = AccountContext & {
  tokens: TokenService;
  api: {iamCredentials(source?: ActingAccount): Promise<IamCredentialsApi>};
};

/**
 * What acts for a command, gcloud's way: a token handed to gcauth (CLOUDSDK_AUTH_ACCESS_TOKEN, auth/access_token_file),
 * whatever account is named; else the ACCOUNT argument, else `core/account`, else (on GCE) the VM's service account.
 * `default` names the VM's account; an account with no stored credential that is the VM's email is served by the
 * metadata server when its token is asked for (see accountAccessToken).
 * @throws AuthError when no account is set and there is no metadata server; NoMetadataServerError for `default` off GCE;
 *   UsageError for an unreadable token file, or a given token with impersonation.
 */
export async function resolveActingAccount(ctx: AccountContext, positional?: string): Promise<ActingAccount> {
  const given = givenActing(ctx);
  if (given) return given;
  const account = positional || ctx.props.get('core/account');
  if (account === METADATA_ACCOUNT_ALIAS) return {account: await metadataEmail(ctx), metadata: true};
  if (account) return {account, metadata: false};
  // Off GCE with no GCE_METADATA_HOST this reads a file or two and sends nothing: the error comes as fast as before.
  if (await onGce(ctx)) {
    const email = await metadataEmailIfAny(ctx);
    if (email) return {account: email, metadata: true};
  }
  throw noActiveAccount(await metadataAbsenceNote(ctx));
}

/**
 * The acting "account" of a token handed to gcauth (given-token.ts), or undefined when none is: every entry point that
 * picks what acts asks this first.
 * @throws UsageError for an unreadable token file, or a given token with impersonation.
 */
export function givenActing(ctx: Pick<AccountContext, 'env' | 'props'>): ActingAccount | undefined {
  const given = givenAccessToken(ctx);
  if (!given) return undefined;
  // Its impersonated tokens would be cached under no account of their own, and a later token would be served them.
  if (impersonationOf(ctx.props)) {
    throw new UsageError(`An access token ${given.origin} cannot be used with impersonation (${IMPERSONATION_PROPERTY}): unset one of them.`);
  }
  return {account: `the access token ${given.origin}`, metadata: false, given};
}

/** True when account has no stored credential and is the VM's service account (a stored credential wins). */
export async function isVmAccount(ctx: AccountContext, account: string): Promise<boolean> {
  if (await ctx.store.get(account)) return false;
  const email = await metadataEmailIfAny(ctx);
  return email !== undefined && email.toLowerCase() === account.toLowerCase();
}

/** The tokens of an acting account, from wherever they come: a given token, the metadata server, or its stored credential's type. */
export type AccountTokens = TokenSource;

/** The credential acting gives no id tokens. */
export class NoIdTokenError extends UsageError {}

/** A given token as the token service's tokens are shaped; its expiry is unknown (gcloud's `token_expiry: null`). */
export const givenAsCached = (given: GivenToken): CachedToken => ({account: '', scopes: [], token: given.token, expiry: Number.NaN});

/**
 * The one place that decides where the acting account's tokens come from: the metadata server for the VM's account
 * (`default`, or the VM's email with nothing stored for it), else the stored credential through the token service
 * (cached, single-flight) and its credential type. A cached token is served before the store is read.
 */
export function accountTokens(ctx: AccountContext & IdTokenContext, acting: ActingAccount): AccountTokens {
  const vm = metadataTokenSource(ctx, DEFAULT_AUDIENCE);
  if (acting.metadata) return vm;
  const {given} = acting;
  if (given) {
    return {
      accessToken: async () => givenAsCached(given),
      // gcloud's words for it.
      idToken: async () => {
        throw new NoIdTokenError(`No identity token can be obtained from the access token ${given.origin}.`);
      },
    };
  }
  return {
    async accessToken(scopes) {
      try {
        return await ctx.tokens.getAccessToken(acting.account, {scopes});
      } catch (error) {
        if (error instanceof UnknownAccountError && (await isVmAccount(ctx, acting.account))) return vm.accessToken(scopes);
        throw error;
      }
    },
    async idToken(audience) {
      if (await isVmAccount(ctx, acting.account)) return vm.idToken(audience);
      try {
        return await ownIdToken(ctx, acting.account, audience);
      } catch (error) {
        if (error instanceof UsageError && audience === undefined) throw new NoIdTokenError(error.message, {cause: error});
        throw error;
      }
    },
  };
}

/**
 * An access token of the acting account (see accountTokens).
 * @throws AuthError for unknown accounts or refused credentials; NoMetadataServerError; ApiError.
 */
export function accountAccessToken(
  ctx: AccountContext & IdTokenContext,
  acting: ActingAccount,
  scopes?: string[],
): Promise<CachedToken> {
  return accountTokens(ctx, acting).accessToken(scopes);
}

export interface PrintAccessTokenOptions {
  account?: string;
  scopes?: string[];
  /** `--lifetime`, as given: only with impersonation. */
  lifetime?: string;
}

export interface PrintedAccessToken {
  token: string;
  /** ISO 8601 expiry; absent for a given token, whose expiry gcauth does not know. */
  expiry?: string;
}

/**
 * An access token for the active (or given) account, from the cache while more than five minutes remain.
 * @throws AuthError for no active account, an unknown account or refused credentials; ApiError when the token endpoint fails.
 */
export async function printAccessToken(options: PrintAccessTokenOptions, ctx: TokenContext): Promise<PrintedAccessToken> {
  const lifetimeSeconds = parseLifetime(options.lifetime, impersonationOf(ctx.props) !== undefined);
  const acting = await resolveActingAccount(ctx, options.account);
  const token = await actingAccessToken(ctx, acting, {scopes: options.scopes, lifetimeSeconds});
  return {token: token.token, expiry: isoExpiry(token)};
}

/**
 * The access token commands act with: the impersonated target's when impersonation is configured (minted through
 * IAM Credentials as acting), else acting's own (see accountTokens).
 * @throws as printAccessToken.
 */
export function actingAccessToken(ctx: TokenContext, acting: ActingAccount, options: {scopes?: string[]; lifetimeSeconds?: number} = {}): Promise<CachedToken> {
  const chain = impersonationOf(ctx.props);
  if (!chain) return accountAccessToken(ctx, acting, options.scopes);
  const deps = {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => ctx.api.iamCredentials(acting)};
  return impersonatedAccessToken(deps, acting.account, chain, {scopes: options.scopes ?? DEFAULT_SCOPES, lifetimeSeconds: options.lifetimeSeconds});
}

/** A token's expiry as ISO 8601, or undefined when it is not known (a given token). */
export function isoExpiry(token: CachedToken): string | undefined {
  return Number.isFinite(token.expiry) ? new Date(token.expiry).toISOString() : undefined;
}

/** Splits a comma-separated `--scopes` value; short names get Google's scope prefix. */
export function parseScopes(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.includes(':') || s === 'openid' || s === 'email' || s === 'profile' ? s : scopeUrl(s)));
  return scopes.length > 0 ? scopes : undefined;
}
