import {generateKeyPairSync} from 'node:crypto';

import {DEFAULT_SCOPES, MIN_REMAINING_MS, TokenService, type Minter} from '../../src/lib/auth/tokens/token-service.js';
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
    expect(overridden.service.tokenUrlFor(user)).toBe('http://h/token');
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
