import {AuthError} from '../../errors.js';
import type {Logger} from '../../log.js';
import {FIX, SCOPES} from '../../messages.js';
import type {CredentialStore, StoredCredential} from '../../store/credential-store.js';
import type {CachedToken, TokenCache, TokenKey} from '../../store/token-cache.js';
import {DEFAULT_RETRY, type RetryPolicy, withRetry} from './retry.js';
import {credentialType} from '../credentials/registry.js';
import type {MintedToken} from '../credentials/service-account-refresher.js';
import {TokenEndpointError, unreachable} from './token-endpoint-error.js';
import {GOOGLE_TOKEN_URL} from './transport.js';

/** Scopes of gcauth's own tokens. */
export const DEFAULT_SCOPES = [SCOPES.cloudPlatform, SCOPES.userinfoEmail, 'openid'];

/** A cached token is used while more than this much of it remains (gcloud's rule). */
export const MIN_REMAINING_MS = 5 * 60 * 1000;

/** Turns a stored credential into a new token; the only code that talks to the token endpoint. */
export type Minter = (credential: StoredCredential, scopes: string[], tokenUrl: string, timeoutMs: number) => Promise<MintedToken>;

/** No single token request may take longer than this (nor outlast the retry budget). */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface TokenServiceDeps {
  store: CredentialStore;
  cache: TokenCache;
  now: () => number;
  log: Logger;
  /** `auth/token_host` when set explicitly (it then beats the key's token_uri), else undefined. */
  tokenHostOverride?: () => string | undefined;
  mint: Minter;
  retry?: RetryPolicy;
  /** What a request that names no requirement of its own requires (default: MIN_REMAINING_MS left): see requiring(). */
  fresh?: Freshness;
}

/** What a cached token must be to be served, else it is refreshed (see servable). */
export interface Freshness {
  /** More than this must remain (see isFresh). */
  minRemainingMs?: number;
  /**
   * It was minted at or after this time (ms since the epoch): a forced refresh (`config config-helper
   * --force-auth-refresh`) names the time it started, so a token another process minted meanwhile, under the same
   * lock, serves it as well as its own would.
   */
  issuedAfter?: number;
}

export interface TokenRequest extends Freshness {
  scopes?: string[];
}

/** A token minted this recently is shared even when its endpoint issues tokens of under five minutes. */
export const SHARE_RECENT_MS = 30_000;

/**
 * How much of token must remain for it to be served under a requirement of minRemainingMs: the requirement, unless
 * the token had no more than that when it was minted. Then its source could give no longer (a metadata server hands
 * out its own token until shortly before it expires, an issuer of 15-minute tokens, `--lifetime=600s`): a refresh
 * would bring the same or as short a token, so gcloud's rule applies to it instead, and a stricter requirement
 * costs one refresh, not one on every call.
 */
export const remainingRequired = (token: CachedToken, minRemainingMs = MIN_REMAINING_MS): number =>
  token.issued !== undefined && token.expiry - token.issued <= minRemainingMs ? Math.min(minRemainingMs, MIN_REMAINING_MS) : minRemainingMs;

/**
 * True while more than remainingRequired of the token remain (by default MIN_REMAINING_MS, gcloud's rule), or
 * (for endpoints that issue short-lived tokens) when it was minted within SHARE_RECENT_MS and a minute of it
 * remains: without that, every process would refresh again, one after another.
 */
export const isFresh = (token: CachedToken, now: number, minRemainingMs = MIN_REMAINING_MS): boolean =>
  token.expiry - now > remainingRequired(token, minRemainingMs) ||
  (token.issued !== undefined && now - token.issued < SHARE_RECENT_MS && token.expiry - now > 60_000);

/** True when token may be served under fresh: isFresh for its minRemainingMs, and minted no earlier than its issuedAfter. */
export const servable = (token: CachedToken, now: number, fresh: Freshness): boolean =>
  isFresh(token, now, fresh.minRemainingMs) && (fresh.issuedAfter === undefined || (token.issued ?? -Infinity) >= fresh.issuedAfter);

/**
 * The one place that turns an account into an access token: the shared cache first, then a
 * refresh under the entry's cross-process lock, so that of many processes with a stale token
 * exactly one asks the token endpoint and the rest read what it wrote.
 */
export class TokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  /**
   * An access token for account with more than five minutes (or request.minRemainingMs) left.
   * @throws AuthError when the account has no credentials or the endpoint refuses them;
   *   ApiError when the endpoint stays unreachable or failing past the retry budget.
   */
  async getAccessToken(account: string, request: TokenRequest = {}): Promise<CachedToken> {
    const key = {account, scopes: request.scopes ?? DEFAULT_SCOPES};
    return this.cachedOrMinted(key, async () => {
      const credential = await this.deps.store.get(account);
      if (!credential) throw unknownAccount(account);
      return this.mint(credential, key.scopes);
    }, request);
  }

  /**
   * The cached token of `key` while it is fresh; otherwise, under the entry's cross-process lock, the token
   * another process wrote meanwhile or a new one from `mint`, cached before it is returned. Any token source
   * (a stored credential, Application Default Credentials) gets the same single-flight refresh this way.
   * `fresh.minRemainingMs` asks for more than gcloud's five minutes (the Docker helper's rule).
   * @throws whatever mint throws.
   */
  async cachedOrMinted(key: TokenKey, mint: () => Promise<MintedToken>, fresh: Freshness = {}): Promise<CachedToken> {
    const {cache, now} = this.deps;
    const required = {...this.deps.fresh, ...definedOnly(fresh)};
    const seen = await cache.read(key);
    if (seen && servable(seen, now(), required)) return seen;
    return cache.withLock(key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const cached = await cache.read(key);
      if (cached && servable(cached, now(), required)) {
        this.deps.log.debug(`using the token another process refreshed for [${key.account}]`);
        return cached;
      }
      const minted = await mint();
      const token: CachedToken = {...key, token: minted.token, expiry: minted.expiry, issued: now()};
      await cache.write(token);
      return token;
    });
  }

  /**
   * This service (the same cache, locks and minter) with every request that names no requirement of its own
   * requiring fresh: the Docker helper's token sources (more time left) and config-helper's (a forced refresh) run on
   * it, whatever credential type they reach.
   */
  requiring(fresh: Freshness): TokenService {
    return new TokenService({...this.deps, fresh: {...this.deps.fresh, ...definedOnly(fresh)}});
  }

  /**
   * Mints a token for a credential that is not stored yet, proving it works before it is kept.
   * Touches nothing on disk: the caller caches the token once the credential is stored.
   * @throws AuthError when the endpoint refuses the credential; ApiError when it stays unreachable.
   */
  async prove(credential: StoredCredential, scopes: string[] = DEFAULT_SCOPES): Promise<CachedToken> {
    const minted = await this.mint(credential, scopes);
    return {account: credential.account, scopes, token: minted.token, expiry: minted.expiry, issued: this.deps.now()};
  }

  /**
   * Caches a token minted outside the service for a credential just stored (the exchange that named an external
   * account at login), under its entry's lock, as a refresh writes it: the next command is served it.
   */
  async keep(account: string, minted: MintedToken, scopes: string[] = DEFAULT_SCOPES): Promise<CachedToken> {
    const key = {account, scopes};
    const token: CachedToken = {...key, token: minted.token, expiry: minted.expiry, issued: this.deps.now()};
    await this.deps.cache.withLock(key, () => this.deps.cache.write(token));
    return token;
  }

  /**
   * Token endpoint for a credential: an explicit `auth/token_host` > the credential's own (a key's token_uri) > Google's;
   * an external account's is always its configuration's STS.
   */
  async tokenUrlFor(credential: StoredCredential): Promise<string> {
    const type = await credentialType(credential);
    const own = type.ownTokenUrl(credential);
    return (type.followsTokenHost ? this.explicitTokenUrl() : undefined) ?? own ?? GOOGLE_TOKEN_URL;
  }

  /** `auth/token_host` when it was set explicitly (flag, environment, configuration), else undefined. */
  explicitTokenUrl(): string | undefined {
    return this.deps.tokenHostOverride?.();
  }

  private async mint(credential: StoredCredential, scopes: string[]): Promise<MintedToken> {
    const tokenUrl = await this.tokenUrlFor(credential);
    try {
      return await withRetry(
        (attempt, remainingMs) => {
          if (attempt > 0) this.deps.log.debug(`retrying the token request for [${credential.account}] (attempt ${attempt + 1})`);
          return this.deps.mint(credential, scopes, tokenUrl, Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs)));
        },
        (error) => error instanceof TokenEndpointError && error.details.transient,
        this.deps.retry ?? DEFAULT_RETRY,
      );
    } catch (error) {
      throw await describeMintFailure(error, credential, tokenUrl);
    }
  }
}

const definedOnly = (fresh: Freshness): Freshness => Object.fromEntries(Object.entries(fresh).filter(([, v]) => v !== undefined));

/** gcauth holds no credentials for the account (the metadata server may still serve it: see accounts.ts). */
export class UnknownAccountError extends AuthError {}

/** @returns the AuthError for an account gcauth holds no credentials for. */
export function unknownAccount(account: string): AuthError {
  return new UnknownAccountError(
    `Account [${account}] has no credentials. Log in with: ${FIX.login(account)}, or activate a key with: ${FIX.activateKey(account)}`,
  );
}

async function describeMintFailure(error: unknown, credential: StoredCredential, tokenUrl: string): Promise<Error> {
  if (!(error instanceof TokenEndpointError)) return error as Error;
  const {oauthError, transient} = error.details;
  if (oauthError && !transient) return (await credentialType(credential)).describeRefusal(error, credential);
  return unreachable('an access token', credential.account, tokenUrl, error);
}
