import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {idTokenKey} from '../../src/lib/auth/identity-token.js';
import {
  impersonatedIdTokenKey,
  impersonatedTokenKey,
  impersonationOf,
  MAX_LIFETIME_SECONDS,
  parseImpersonation,
  parseLifetime,
} from '../../src/lib/auth/credentials/impersonation.js';
import {DEFAULT_SCOPES} from '../../src/lib/auth/tokens/token-service.js';
import {Properties} from '../../src/lib/config/resolver.js';
import {UsageError} from '../../src/lib/errors.js';
import {FileTokenCache, tokenKeyId} from '../../src/lib/store/token-cache.js';
import {impersonationProblem} from '../../src/lib/validators.js';

const SOURCE = 'ci@p.iam.gserviceaccount.com';
const TARGET = 'deployer@p.iam.gserviceaccount.com';
const DELEGATE = 'middle@p.iam.gserviceaccount.com';

describe('the impersonation chain', () => {
  test("gcloud's reading: the last email is the target, the ones before it the delegates", () => {
    expect(parseImpersonation(TARGET)).toEqual({target: TARGET, delegates: []});
    expect(parseImpersonation(` ${DELEGATE} , ${TARGET} `)).toEqual({target: TARGET, delegates: [DELEGATE]});
  });

  test.each([['not-an-email'], [`${TARGET},`], [`${TARGET} x`], ['a@b']])('%j is refused with the accepted form', (value) => {
    expect(impersonationProblem(value)).toMatch(/^expected EMAIL or DELEGATE,\.\.\.,EMAIL/);
  });

  test('valid chains pass', () => {
    expect(impersonationProblem(TARGET)).toBeUndefined();
    expect(impersonationProblem(`${DELEGATE},${TARGET}`)).toBeUndefined();
  });
});

describe('where the chain comes from', () => {
  const props = (flags: Record<string, string>, env: Record<string, string>, values: Record<string, Record<string, string>> = {}) =>
    new Properties({flags, env, values, configuration: 'default'});

  test("flag > GCAUTH_ env > gcloud's CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT > configuration; none means no impersonation", () => {
    const env = {GCAUTH_AUTH_IMPERSONATE_SERVICE_ACCOUNT: `${DELEGATE},${TARGET}`, CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: DELEGATE};
    const values = {auth: {impersonate_service_account: SOURCE}};
    expect(impersonationOf(props({'auth/impersonate_service_account': SOURCE}, env, values))).toEqual({target: SOURCE, delegates: []});
    expect(impersonationOf(props({}, env, values))).toEqual({target: TARGET, delegates: [DELEGATE]});
    expect(impersonationOf(props({}, {CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: TARGET}, values))).toEqual({target: TARGET, delegates: []});
    expect(impersonationOf(props({}, {}, values))).toEqual({target: SOURCE, delegates: []});
    expect(impersonationOf(props({}, {}))).toBeUndefined();
  });

  test('an invalid value is reported with where it came from', () => {
    expect(() => impersonationOf(props({}, {CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: 'nope'}))).toThrow(
      /Invalid value for property \[auth\/impersonate_service_account\].*nope/,
    );
  });
});

describe('--lifetime', () => {
  test('defaults to an hour, takes seconds or s/m/h, up to 12 hours', () => {
    expect(parseLifetime(undefined, false)).toBe(3600);
    expect(parseLifetime(undefined, true)).toBe(3600);
    expect(parseLifetime('600', true)).toBe(600);
    expect(parseLifetime('600s', true)).toBe(600);
    expect(parseLifetime('30m', true)).toBe(1800);
    expect(parseLifetime('12h', true)).toBe(MAX_LIFETIME_SECONDS);
    expect(parseLifetime('43200', true)).toBe(43_200);
  });

  test("without impersonation it is refused in gcloud's words", () => {
    expect(() => parseLifetime('600', false)).toThrow(
      new UsageError(
        'Invalid value for [--lifetime]: Lifetime flag is for service account impersonation only. It must be used together with the --impersonate-service-account flag.',
      ),
    );
  });

  test.each([['0'], ['43201'], ['13h'], ['-5'], ['1.5'], ['ten'], ['']])('%j is out of range or malformed', (value) => {
    expect(() => parseLifetime(value, true)).toThrow(UsageError);
    expect(() => parseLifetime(value, true)).toThrow(/expected seconds from 1 to 43200/);
  });
});

describe('cache keys', () => {
  const own = {account: SOURCE, scopes: DEFAULT_SCOPES};

  test('impersonated tokens are kept under the source, apart from its own token and from each other', () => {
    const ids = new Set([
      tokenKeyId(own),
      tokenKeyId(impersonatedTokenKey(SOURCE, {target: TARGET, delegates: []}, DEFAULT_SCOPES, 3600)),
      tokenKeyId(impersonatedTokenKey(SOURCE, {target: TARGET, delegates: [DELEGATE]}, DEFAULT_SCOPES, 3600)),
      tokenKeyId(impersonatedTokenKey(SOURCE, {target: TARGET, delegates: []}, DEFAULT_SCOPES, 600)),
      tokenKeyId(impersonatedTokenKey(SOURCE, {target: TARGET, delegates: []}, ['https://www.googleapis.com/auth/cloud-platform'], 3600)),
      tokenKeyId(impersonatedTokenKey(SOURCE, {target: DELEGATE, delegates: []}, DEFAULT_SCOPES, 3600)),
      tokenKeyId(impersonatedIdTokenKey(SOURCE, {target: TARGET, delegates: []}, 'https://a', false)),
      tokenKeyId(impersonatedIdTokenKey(SOURCE, {target: TARGET, delegates: []}, 'https://a', true)),
      tokenKeyId(impersonatedIdTokenKey(SOURCE, {target: TARGET, delegates: []}, 'https://b', false)),
      tokenKeyId(idTokenKey(SOURCE, 'https://a')),
      tokenKeyId(idTokenKey(SOURCE, 'https://b')),
    ]);
    expect(ids.size).toBe(11);
    for (const id of ids) expect(id.startsWith(`${SOURCE}.`)).toBe(true);
  });

  test("the account's own keys keep their file names (existing caches stay valid)", () => {
    expect(tokenKeyId(own)).toBe(tokenKeyId({account: SOURCE, scopes: [...DEFAULT_SCOPES].reverse()}));
    expect(tokenKeyId(own)).toMatch(/^ci@p\.iam\.gserviceaccount\.com\.[0-9a-f]{8}$/);
  });

  test('a variant entry is a miss for a key without it, and the source losing its credential removes it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-imp-'));
    try {
      const cache = new FileTokenCache(dir);
      const key = impersonatedTokenKey(SOURCE, {target: TARGET, delegates: []}, DEFAULT_SCOPES, 3600);
      await cache.write({...key, token: 'ya29.imp', expiry: Date.now() + 3600_000});
      expect((await cache.read(key))?.token).toBe('ya29.imp');
      expect(await cache.read(own)).toBeUndefined();
      expect(await cache.read({...key, variant: undefined})).toBeUndefined();
      expect(await cache.read(impersonatedTokenKey(SOURCE, {target: TARGET, delegates: []}, DEFAULT_SCOPES, 600))).toBeUndefined();
      await cache.removeAccount(SOURCE);
      expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toEqual([]);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
