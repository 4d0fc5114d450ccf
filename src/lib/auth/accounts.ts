import type {IamCredentialsApi} from '../api/iam-credentials.js';
import type {Properties} from '../config/resolver.js';
import {AuthError} from '../errors.js';
import {HINTS, scopeUrl} from '../messages.js';
import type {Network} from '../net/network.js';
import type {CredentialStore} from '../store/credential-store.js';
import type {CachedToken} from '../store/token-cache.js';
import {impersonatedAccessToken, impersonationOf, parseLifetime} from './credentials/impersonation.js';
import {metadataAbsenceNote, metadataAccessToken, type MetadataContext, metadataEmail, metadataEmailIfAny, metadataIdentityToken, onGce} from './credentials/metadata.js';
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

/** The account a command acts as, and whether its tokens come from the metadata server rather than a stored credential. */
export interface ActingAccount {
  account: string;
  metadata: boolean;
}

/**
 * What resolving an account needs of the context: a slice of AppContext, spelled out because importing that type
 * would close a cycle (context.ts builds api/clients.ts, which calls this module).
 */
export type AccountContext = MetadataContext & {props: Pick<Properties, 'get'>; store: Pick<CredentialStore, 'get'>; network: Network};

/** What minting the acting account's tokens needs besides: the token service, and IAM Credentials for impersonation. */
type TokenContext = AccountContext & {
  tokens: TokenService;
  api: {iamCredentials(source?: ActingAccount): Promise<IamCredentialsApi>};
};

/**
 * The account a command acts as, gcloud's way: the ACCOUNT argument, else `core/account`, else (on GCE) the VM's
 * service account. `default` names the VM's account; an account with no stored credential that is the VM's email
 * is served by the metadata server when its token is asked for (see accountAccessToken).
 * @throws AuthError when no account is set and there is no metadata server; NoMetadataServerError for `default` off GCE.
 */
export async function resolveActingAccount(ctx: AccountContext, positional?: string): Promise<ActingAccount> {
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

/** True when account has no stored credential and is the VM's service account (a stored credential wins). */
export async function isVmAccount(ctx: AccountContext, account: string): Promise<boolean> {
  if (await ctx.store.get(account)) return false;
  const email = await metadataEmailIfAny(ctx);
  return email !== undefined && email.toLowerCase() === account.toLowerCase();
}

/** The tokens of an acting account, from wherever they come: the metadata server, or its stored credential's type. */
export interface AccountTokens {
  /** @throws AuthError for unknown accounts or refused credentials; NoMetadataServerError; ApiError. */
  accessToken(scopes?: string[]): Promise<CachedToken>;
  /** An id token for audience (undefined: the type's default). @throws as accessToken; UsageError when the type has none. */
  idToken(audience: string | undefined): Promise<CachedToken>;
}

/**
 * The one place that decides where the acting account's tokens come from: the metadata server for the VM's account
 * (`default`, or the VM's email with nothing stored for it), else the stored credential through the token service
 * (cached, single-flight) and its credential type. A cached token is served before the store is read.
 */
export function accountTokens(ctx: AccountContext & IdTokenContext, acting: ActingAccount): AccountTokens {
  const vm: AccountTokens = {
    accessToken: (scopes) => metadataAccessToken(ctx, scopes),
    // The metadata server's id tokens with format=full carry email and email_verified, as gcloud's do.
    idToken: (audience) => metadataIdentityToken(ctx, audience ?? DEFAULT_AUDIENCE, {format: 'full'}),
  };
  if (acting.metadata) return vm;
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
      return ownIdToken(ctx, acting.account, audience);
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
  /** ISO 8601 expiry. */
  expiry: string;
}

/**
 * An access token for the active (or given) account, from the cache while more than five minutes remain.
 * @throws AuthError for no active account, an unknown account or refused credentials; ApiError when the token endpoint fails.
 */
export async function printAccessToken(options: PrintAccessTokenOptions, ctx: TokenContext): Promise<PrintedAccessToken> {
  const chain = impersonationOf(ctx.props);
  const lifetimeSeconds = parseLifetime(options.lifetime, chain !== undefined);
  const acting = await resolveActingAccount(ctx, options.account);
  const token = chain
    ? await impersonatedAccessToken(
        {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => ctx.api.iamCredentials(acting)},
        acting.account,
        chain,
        {scopes: options.scopes ?? DEFAULT_SCOPES, lifetimeSeconds},
      )
    : await accountAccessToken(ctx, acting, options.scopes);
  return {token: token.token, expiry: new Date(token.expiry).toISOString()};
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
