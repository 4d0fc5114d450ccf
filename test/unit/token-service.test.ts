import {generateKeyPairSync} from 'node:crypto';

import {DEFAULT_SCOPES, isFresh, MIN_REMAINING_MS, remainingRequired, TokenService, type Minter} from '../../src/lib/auth/tokens/token-service.js';
import {TokenEndpointError} from '../../src/lib/auth/tokens/token-endpoint-error.js';
import {ApiError, AuthError} from '../../src/lib/errors.js';
import {createLogger} from '../../src/lib/log.js';
import {MemoryCredentialStore, type StoredCredential} from '../../src/lib/store/credential-store.js';
import {MemoryTokenCache} from '../../src/lib/store/token-cache.js';

const ACCOUNT = 'ci@p.iam.gserviceaccount.com';
const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
const credential: StoredCredential = {
  type: 'service_account',
  account: ACCOUNT,
  addedAt: '2026-01-01T00:00:00.000Z',
  key: {
    type: 'service_account',
    client_email: ACCOUNT,
    private_key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    private_key_id: 'k123',
    token_uri: 'http://127.0.0.1:1/token',
  },
};

function setup(mint: Minter, opts: {now?: number; tokenHostOverride?: string} = {}) {
  let now = opts.now ?? 1_000_000_000_000;
  const store = new MemoryCredentialStore();
  const cache = new MemoryTokenCache();
  const service = new TokenService({
    store,
    cache,
    now: () => now,
    log: createLogger(() => undefined, 'none'),
    tokenHostOverride: () => opts.tokenHostOverride,
    mint,
    retry: {budgetMs: 200, baseDelayMs: 1, maxDelayMs: 5},
  });
  return {service, store, cache, advance: (ms: number) => (now += ms), now: () => now};
}

describe('TokenService', () => {
  test('mints once, then serves the cache while more than five minutes remain', async () => {
    const calls: string[] = [];
    const {service, store, advance, now} = setup(async (_c, _s, url) => {
      calls.push(url);
      return {token: `t${calls.length}`, expiry: now() + 3600_000};
    });
    await store.put(credential);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(3600_000 - MIN_REMAINING_MS - 1000); // 5 min + 1 s left: still fresh
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(2000); // 4 min 59 s left: refresh
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t2');
    expect(calls).toEqual(['http://127.0.0.1:1/token', 'http://127.0.0.1:1/token']);
  });

  test('keep caches a token minted elsewhere under the key getAccessToken reads, writing under its lock', async () => {
    const {service, store, cache, now} = setup(async () => {
      throw new Error('nothing may be minted');
    });
    await store.put(credential);
    const locked: string[] = [];
    const withLock = cache.withLock.bind(cache);
    cache.withLock = (key, fn) => {
      locked.push(key.account);
      return withLock(key, fn);
    };
    const kept = await service.keep(ACCOUNT, {token: 'from-login', expiry: now() + 3600_000});
    expect(kept).toEqual({account: ACCOUNT, scopes: DEFAULT_SCOPES, token: 'from-login', expiry: now() + 3600_000, issued: now()});
    expect(locked).toEqual([ACCOUNT]);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('from-login');
  });

  test('a short-lived token is shared for 30 s after it was minted, then refreshed', async () => {
    let n = 0;
    const {service, store, advance, now} = setup(async () => ({token: `t${++n}`, expiry: now() + 200_000}));
    await store.put(credential);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(29_000);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(2_000);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t2');
  });

  test('an explicit auth/token_host beats the key token_uri', async () => {
    const urls: string[] = [];
    const {service, store, now} = setup(async (_c, _s, url) => (urls.push(url), {token: 't', expiry: now() + 3600_000}), {
      tokenHostOverride: 'http://127.0.0.1:2/override',
    });
    await store.put(credential);
    await service.getAccessToken(ACCOUNT);
    expect(urls).toEqual(['http://127.0.0.1:2/override']);
  });

  test('separate scope sets are separate cache entries', async () => {
    let n = 0;
    const {service, store, now} = setup(async () => ({token: `t${++n}`, expiry: now() + 3600_000}));
    await store.put(credential);
    const a = await service.getAccessToken(ACCOUNT);
    const b = await service.getAccessToken(ACCOUNT, {scopes: ['https://www.googleapis.com/auth/devstorage.read_only']});
    const c = await service.getAccessToken(ACCOUNT, {scopes: [...DEFAULT_SCOPES].reverse()});
    expect([a.token, b.token, c.token]).toEqual(['t1', 't2', 't1']);
  });

  test('concurrent callers in one process share one refresh', async () => {
    let n = 0;
    const {service, store, now} = setup(async () => {
      n++;
      await new Promise((r) => setTimeout(r, 20));
      return {token: `t${n}`, expiry: now() + 3600_000};
    });
    await store.put(credential);
    const tokens = await Promise.all(Array.from({length: 10}, () => service.getAccessToken(ACCOUNT)));
    expect(n).toBe(1);
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['t1']));
  });

  test('retries transient failures, then succeeds', async () => {
    let n = 0;
    const {service, store, now} = setup(async () => {
      if (++n < 3) throw new TokenEndpointError('HTTP 503', {status: 503, transient: true});
      return {token: 'ok', expiry: now() + 3600_000};
    });
    await store.put(credential);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('ok');
    expect(n).toBe(3);
  });

  test('gives up on transient failures past the budget with an ApiError', async () => {
    let n = 0;
    const {service, store} = setup(async () => {
      n++;
      throw new TokenEndpointError('HTTP 503', {status: 503, transient: true});
    });
    await store.put(credential);
    await expect(service.getAccessToken(ACCOUNT)).rejects.toThrow(ApiError);
    expect(n).toBeGreaterThan(1);
  });

  test('a refused grant fails at once, naming the key and the account', async () => {
    let n = 0;
    const {service, store} = setup(async () => {
      n++;
      throw new TokenEndpointError('invalid_grant: Invalid JWT Signature.', {status: 400, oauthError: 'invalid_grant', transient: false});
    });
    await store.put(credential);
    const error = await service.getAccessToken(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('key [k123] of service account [ci@p.iam.gserviceaccount.com]');
    expect((error as Error).message).toContain('invalid_grant');
    expect(n).toBe(1);
  });

  test('an unknown account is an AuthError naming the command that fixes it', async () => {
    const {service} = setup(async () => ({token: 'x', expiry: 0}));
    await expect(service.getAccessToken('nobody@p.iam.gserviceaccount.com')).rejects.toThrow(/gcauth auth activate-service-account/);
  });
});

describe('a freshness requirement (minRemainingMs: the Docker helper asks 30 minutes of every token)', () => {
  const MIN = 30 * 60_000;
  const minute = 60_000;

  test('a token with 20 minutes left is refreshed for the request that requires 30, and still served to every other', async () => {
    let n = 0;
    const {service, store, advance, now} = setup(async () => ({token: `t${++n}`, expiry: now() + 3600_000}));
    await store.put(credential);
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(40 * minute); // 20 minutes left
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    expect((await service.getAccessToken(ACCOUNT, {minRemainingMs: MIN})).token).toBe('t2');
    expect((await service.getAccessToken(ACCOUNT, {minRemainingMs: MIN})).token).toBe('t2');
    advance(29 * minute + 30_000); // 30 min 30 s left of t2: still enough
    expect((await service.getAccessToken(ACCOUNT, {minRemainingMs: MIN})).token).toBe('t2');
    advance(minute); // 29 min 30 s left
    expect((await service.getAccessToken(ACCOUNT, {minRemainingMs: MIN})).token).toBe('t3');
    expect(n).toBe(3);
  });

  test('requiring() gives a service whose every request asks it, over the same cache; an explicit request still wins', async () => {
    let n = 0;
    const {service, store, advance, now} = setup(async () => ({token: `t${++n}`, expiry: now() + 3600_000}));
    await store.put(credential);
    const docker = service.requiring({minRemainingMs: MIN});
    expect((await docker.getAccessToken(ACCOUNT)).token).toBe('t1');
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('t1');
    advance(40 * minute);
    expect((await docker.getAccessToken(ACCOUNT, {minRemainingMs: MIN_REMAINING_MS})).token).toBe('t1');
    expect((await docker.cachedOrMinted({account: ACCOUNT, scopes: DEFAULT_SCOPES}, async () => ({token: 'other', expiry: now() + 3600_000}))).token).toBe('other');
    expect((await service.getAccessToken(ACCOUNT)).token).toBe('other');
  });

  test("a source that hands out its own token until shortly before expiry (a metadata server): one refresh, then that token until gcloud's five minutes", async () => {
    // The source's one token, expiring 60 minutes after the first request, whenever it is asked.
    let asked = 0;
    const {service, store, advance, now} = setup(async () => (asked++, {token: 'vm', expiry: sourceExpiry}));
    const sourceExpiry = now() + 3600_000;
    await store.put(credential);
    const request = {minRemainingMs: MIN};
    expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('vm');
    advance(40 * minute); // 20 minutes left: refreshed once, to the same token
    expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('vm');
    expect(asked).toBe(2);
    for (let i = 0; i < 14; i++) {
      advance(minute);
      expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('vm');
    }
    expect(asked).toBe(2); // 6 minutes left, not one request more
    advance(minute + 1000); // 4:59 left: gcloud's rule refreshes it
    await service.getAccessToken(ACCOUNT, request);
    expect(asked).toBe(3);
  });

  test.each([
    ['an issuer of 15-minute tokens', 15 * minute],
    ['an impersonated token asked with --lifetime=600s', 10 * minute],
    ['a token of exactly the minimum', MIN],
  ])("%s: never refused, served while more than five minutes remain, refreshed no more often than without the requirement", async (_what, lifetime) => {
    let n = 0;
    const {service, store, advance, now} = setup(async () => ({token: `t${++n}`, expiry: now() + lifetime}));
    await store.put(credential);
    const request = {minRemainingMs: MIN};
    expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('t1');
    advance(lifetime - MIN_REMAINING_MS - 1000);
    expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('t1');
    advance(2000);
    expect((await service.getAccessToken(ACCOUNT, request)).token).toBe('t2');
  });

  test('a token the cache wrote without its mint time (an older gcauth) is refreshed under the requirement: its lifetime is unknown', () => {
    const now = 1_000_000_000_000;
    const token = {account: ACCOUNT, scopes: DEFAULT_SCOPES, token: 't', expiry: now + 20 * minute};
    expect(isFresh(token, now, MIN)).toBe(false);
    expect(isFresh(token, now)).toBe(true);
    expect(remainingRequired(token, MIN)).toBe(MIN);
    expect(remainingRequired({...token, issued: now - 40 * minute}, MIN)).toBe(MIN);
    expect(remainingRequired({...token, issued: now - minute}, MIN)).toBe(MIN_REMAINING_MS);
    // gcloud's own rule is unchanged by all this, for tokens of every lifetime.
    expect(remainingRequired({...token, issued: now - minute})).toBe(MIN_REMAINING_MS);
    expect(remainingRequired({...token, issued: now - minute, expiry: now + 2 * minute})).toBe(MIN_REMAINING_MS);
  });

  test('concurrent requests with a token too short for them make one refresh', async () => {
    let n = 0;
    const {service, store, advance, now} = setup(async () => {
      n++;
      await new Promise((r) => setTimeout(r, 20));
      return {token: `t${n}`, expiry: now() + 3600_000};
    });
    await store.put(credential);
    await service.getAccessToken(ACCOUNT);
    advance(40 * minute);
    const tokens = await Promise.all(Array.from({length: 10}, () => service.getAccessToken(ACCOUNT, {minRemainingMs: MIN})));
    expect(n).toBe(2);
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['t2']));
  });
});

describe('TokenService with a user credential', () => {
  const user: StoredCredential = {
    type: 'authorized_user',
    account: 'dev@example.com',
    refreshToken: '1//refresh',
    clientId: 'cid',
    clientSecret: 'secret',
    tokenUri: 'http://127.0.0.1:2/token',
    addedAt: '2026-01-01T00:00:00.000Z',
  };

  test("mints at the credential's tokenUri (an explicit token_host still wins) and caches like a service account", async () => {
    const urls: string[] = [];
    const {service, store, now} = setup(async (_c, _s, url) => (urls.push(url), {token: `u${urls.length}`, expiry: now() + 3600_000}));
    await store.put(user);
    expect((await service.getAccessToken(user.account)).token).toBe('u1');
    expect((await service.getAccessToken(user.account)).token).toBe('u1');
    expect(urls).toEqual(['http://127.0.0.1:2/token']);
    const overridden = setup(async (_c, _s, url) => (urls.push(url), {token: 't', expiry: now() + 3600_000}), {tokenHostOverride: 'http://h/token'});
    await expect(overridden.service.tokenUrlFor(user)).resolves.toBe('http://h/token');
  });

  test('invalid_grant: an AuthError telling the user to log in again, no retry', async () => {
    let calls = 0;
    const {service, store} = setup(async () => {
      calls++;
      throw new TokenEndpointError('invalid_grant: Token has been expired or revoked.', {status: 400, oauthError: 'invalid_grant', transient: false});
    });
    await store.put(user);
    const error = await service.getAccessToken(user.account).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      'The token endpoint refused the credentials of [dev@example.com] (invalid_grant: Token has been expired or revoked.). The refresh token was revoked or has expired: run gcauth auth login again.',
    );
    expect(calls).toBe(1);
  });
});
