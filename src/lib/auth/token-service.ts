import {AuthError, ApiError} from '../errors.js';
import type {Logger} from '../log.js';
import type {CredentialStore, StoredCredential} from '../store/credential-store.js';
import type {CachedToken, TokenCache} from '../store/token-cache.js';
import {DEFAULT_RETRY, type RetryPolicy, withRetry} from './retry.js';
import type {MintedToken} from './service-account-refresher.js';
import {TokenEndpointError} from './token-endpoint-error.js';
import {GOOGLE_TOKEN_URL} from './transport.js';

/** Scopes of gcauth's own tokens. */
export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'openid',
];

/** A cached token is used while more than this much of it remains (gcloud's rule). */
export const MIN_REMAINING_MS = 5 * 60 * 1000;

/** Turns a stored credential into a new token; the only code that talks to the token endpoint. */
export type Minter = (credential: StoredCredential, scopes: string[], tokenUrl: string) => Promise<MintedToken>;

export interface TokenServiceDeps {
  store: CredentialStore;
  cache: TokenCache;
  now: () => number;
  log: Logger;
  /** `auth/token_host` when set explicitly (it then beats the key's token_uri), else undefined. */
  tokenHostOverride?: () => string | undefined;
  mint: Minter;
  retry?: RetryPolicy;
}

export interface TokenRequest {
  scopes?: string[];
  /** Mint a new token even when the cached one is fresh. */
  forceRefresh?: boolean;
}

/** True while more than MIN_REMAINING_MS of the token remain. */
export const isFresh = (token: CachedToken | undefined, now: number): token is CachedToken =>
  token !== undefined && token.expiry - now > MIN_REMAINING_MS;

/**
 * The one place that turns an account into an access token: the shared cache first, then a
 * refresh under the entry's cross-process lock, so that of many processes with a stale token
 * exactly one asks the token endpoint and the rest read what it wrote.
 */
export class TokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  /**
   * An access token for account with more than five minutes left.
   * @throws AuthError when the account has no credentials or the endpoint refuses them;
   *   ApiError when the endpoint stays unreachable or failing past the retry budget.
   */
  async getAccessToken(account: string, request: TokenRequest = {}): Promise<CachedToken> {
    const key = {account, scopes: request.scopes ?? DEFAULT_SCOPES};
    const {cache, now} = this.deps;
    if (!request.forceRefresh) {
      const cached = await cache.read(key);
      if (isFresh(cached, now())) return cached;
    }
    return cache.withLock(key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const cached = await cache.read(key);
      if (!request.forceRefresh && isFresh(cached, now())) {
        this.deps.log.debug(`using the token another process refreshed for [${account}]`);
        return cached;
      }
      const credential = await this.deps.store.get(account);
      if (!credential) throw unknownAccount(account);
      const minted = await this.mint(credential, key.scopes);
      const token: CachedToken = {...key, token: minted.token, expiry: minted.expiry};
      await cache.write(token);
      return token;
    });
  }

  /**
   * Mints a token for a credential that is not stored yet (proving it works before it is kept) and caches it.
   * @throws AuthError when the endpoint refuses the credential; ApiError when it stays unreachable.
   */
  async adopt(credential: StoredCredential, scopes: string[] = DEFAULT_SCOPES): Promise<CachedToken> {
    const key = {account: credential.account, scopes};
    return this.deps.cache.withLock(key, async () => {
      const minted = await this.mint(credential, scopes);
      const token: CachedToken = {...key, token: minted.token, expiry: minted.expiry};
      await this.deps.cache.write(token);
      return token;
    });
  }

  /** Token endpoint for a credential: an explicit `auth/token_host` > the key's token_uri > Google's. */
  tokenUrlFor(credential: StoredCredential): string {
    return this.deps.tokenHostOverride?.() ?? credential.key.token_uri ?? GOOGLE_TOKEN_URL;
  }

  private async mint(credential: StoredCredential, scopes: string[]): Promise<MintedToken> {
    const tokenUrl = this.tokenUrlFor(credential);
    try {
      return await withRetry(
        (attempt) => {
          if (attempt > 0) this.deps.log.debug(`retrying the token request for [${credential.account}] (attempt ${attempt + 1})`);
          return this.deps.mint(credential, scopes, tokenUrl);
        },
        (error) => error instanceof TokenEndpointError && error.details.transient,
        this.deps.retry ?? DEFAULT_RETRY,
      );
    } catch (error) {
      throw describeMintFailure(error, credential, tokenUrl);
    }
  }
}

/** @returns the AuthError for an account gcauth holds no credentials for. */
export function unknownAccount(account: string): AuthError {
  return new AuthError(
    `Account [${account}] has no credentials. Activate a key with: gcauth auth activate-service-account ${account} --key-file=FILE`,
  );
}

function describeMintFailure(error: unknown, credential: StoredCredential, tokenUrl: string): Error {
  if (!(error instanceof TokenEndpointError)) return error as Error;
  const {oauthError, transient} = error.details;
  if (oauthError && !transient) {
    const keyId = credential.key.private_key_id ? `key [${credential.key.private_key_id}]` : 'the key';
    return new AuthError(
      `The token endpoint refused ${keyId} of service account [${credential.account}] (${error.message}). ` +
        'The key may have been deleted or the account disabled: create a new key and run gcauth auth activate-service-account --key-file=FILE.',
      {cause: error},
    );
  }
  return new ApiError(`Could not get an access token for [${credential.account}] from ${tokenUrl}: ${error.message}.`, {
    cause: error,
    status: error.details.status,
  });
}
