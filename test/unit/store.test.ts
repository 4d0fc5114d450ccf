import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {FileCredentialStore, migrateCredentialsFile, type StoredCredential} from '../../src/lib/store/credential-store.js';
import {FileTokenCache, tokenKeyId} from '../../src/lib/store/token-cache.js';
import {withFileLock, writeSecureFile} from '../../src/lib/fs/secure-fs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-store-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const mode = (p: string) => statSync(p).mode & 0o777;
const cred = (account: string): StoredCredential => ({
  type: 'service_account',
  account,
  addedAt: '2026-01-01T00:00:00.000Z',
  key: {type: 'service_account', client_email: account, private_key: 'PEM'},
});

describe('FileCredentialStore', () => {
  test('a damaged entry is named with its account when used, listed by name, and can be removed', async () => {
    const file = path.join(dir, 'credentials.json');
    const good = cred('a@p.iam.gserviceaccount.com');
    writeFileSync(file, JSON.stringify({version: 1, credentials: {[good.account]: good, 'b@p.iam.gserviceaccount.com': {type: 'service_account', account: 'b@p.iam.gserviceaccount.com'}}}));
    const store = new FileCredentialStore(file);
    expect(await store.get(good.account)).toEqual(good);
    await expect(store.get('b@p.iam.gserviceaccount.com')).rejects.toThrow(`Credential store [${file}] has a damaged entry for [b@p.iam.gserviceaccount.com]: it has no "key" object.`);
    await expect(store.list()).rejects.toThrow(/damaged entry for \[b@p/);
    expect(await store.accounts()).toEqual([good.account, 'b@p.iam.gserviceaccount.com']);
    expect(await store.remove('b@p.iam.gserviceaccount.com')).toBe(true);
    expect(await store.list()).toEqual([good]);
    // Names of Object.prototype are no accounts.
    expect(await store.get('constructor')).toBeUndefined();
  });

  test('a credentials.json that is a directory is one error naming it, and nothing is written', async () => {
    const file = path.join(dir, 'credentials.json');
    mkdirSync(file);
    const store = new FileCredentialStore(file);
    await expect(store.get('a@p.iam.gserviceaccount.com')).rejects.toThrow(`Cannot read the credential store [${file}]: it is a directory. Move it aside and activate your credentials again.`);
    await expect(store.put(cred('a@p.iam.gserviceaccount.com'))).rejects.toThrow(/it is a directory/);
    expect(readdirSync(file)).toEqual([]);
  });

  test('keeps one record per account in a 0600 file under a 0700 directory', async () => {
    const file = path.join(dir, 'cfg', 'credentials.json');
    const store = new FileCredentialStore(file);
    await store.put(cred('b@p.iam.gserviceaccount.com'));
    await store.put(cred('a@p.iam.gserviceaccount.com'));
    await store.put(cred('a@p.iam.gserviceaccount.com'));
    expect((await store.list()).map((c) => c.account)).toEqual(['a@p.iam.gserviceaccount.com', 'b@p.iam.gserviceaccount.com']);
    expect(mode(file)).toBe(0o600);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
    expect(await store.remove('a@p.iam.gserviceaccount.com')).toBe(true);
    expect(await store.remove('a@p.iam.gserviceaccount.com')).toBe(false);
    const b = await store.get('b@p.iam.gserviceaccount.com');
    expect(b?.type === 'service_account' && b.key.private_key).toBe('PEM');
  });

  test('a user credential sits beside service accounts in the same schema-1 file, which older files still load as', async () => {
    const file = path.join(dir, 'credentials.json');
    const store = new FileCredentialStore(file);
    await store.put(cred('sa@p.iam.gserviceaccount.com'));
    const user = {type: 'authorized_user' as const, account: 'u@example.com', refreshToken: '1//r', clientId: 'c', clientSecret: 's', addedAt: 'now'};
    await store.put(user);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
    expect(await new FileCredentialStore(file).get('u@example.com')).toEqual(user);
    expect((await store.list()).map((c) => c.type)).toEqual(['service_account', 'authorized_user']);
  });

  test('concurrent writers in one process lose nothing', async () => {
    const store = new FileCredentialStore(path.join(dir, 'credentials.json'));
    await Promise.all(Array.from({length: 15}, (_, i) => store.put(cred(`sa${i}@p.iam.gserviceaccount.com`))));
    expect(await store.list()).toHaveLength(15);
    // no temp files left behind
    expect(readdirSync(dir).sort()).toEqual(['config_sentinel', 'credentials.json']);
  });

  test('refuses a store written by a newer gcauth, and garbage', () => {
    expect(() => migrateCredentialsFile({version: 99, credentials: {}}, 'f')).toThrow(/newer gcauth/);
    expect(() => migrateCredentialsFile('nope', 'f')).toThrow(/not in a format/);
    expect(migrateCredentialsFile({version: 1, credentials: {}}, 'f').version).toBe(1);
  });
});

describe('FileTokenCache', () => {
  test('round-trips an entry per (account, scope set), 0600, and removes by account', async () => {
    const cache = new FileTokenCache(path.join(dir, 'access_tokens'));
    const key = {account: 'a@x.com', scopes: ['s2', 's1']};
    await cache.write({...key, token: 'tok', expiry: 1_900_000_000_000});
    await cache.write({account: 'b@x.com', scopes: ['s1'], token: 'tokb', expiry: 1_900_000_000_000});
    expect(await cache.read({account: 'a@x.com', scopes: ['s1', 's2']})).toEqual({...key, token: 'tok', expiry: 1_900_000_000_000});
    const file = path.join(dir, 'access_tokens', `${tokenKeyId(key)}.json`);
    expect(mode(file)).toBe(0o600);
    expect(mode(path.dirname(file))).toBe(0o700);
    await cache.removeAccount('a@x.com');
    expect(await cache.read(key)).toBeUndefined();
    expect(await cache.read({account: 'b@x.com', scopes: ['s1']})).toBeDefined();
  });

  test('a corrupt entry reads as a miss', async () => {
    const cache = new FileTokenCache(dir);
    const key = {account: 'a@x.com', scopes: ['s']};
    writeFileSync(path.join(dir, `${tokenKeyId(key)}.json`), '{"version":1,"acc');
    expect(await cache.read(key)).toBeUndefined();
  });
});

describe('writeSecureFile', () => {
  test('never replaces what a symlink points at unless it is a regular file', async () => {
    // A device (/dev/zero) is what this guards; a directory is the kind of target a test can offer safely.
    const target = path.join(dir, 'a-directory');
    mkdirSync(target);
    const slot = path.join(dir, 'slot.json');
    symlinkSync(target, slot);
    await expect(writeSecureFile(slot, '{}')).rejects.toThrow(`Cannot write [${slot}]: it is a directory. Move it aside and run the command again.`);
    expect(lstatSync(slot).isSymbolicLink()).toBe(true);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a-directory', 'slot.json']);
  });
});

describe('withFileLock', () => {
  test('serialises critical sections', async () => {
    const file = path.join(dir, 'counter');
    await writeSecureFile(file, '0');
    await Promise.all(
      Array.from({length: 10}, () =>
        withFileLock(file, async () => {
          const n = Number(readFileSync(file, 'utf8'));
          await new Promise((r) => setTimeout(r, 5));
          await writeSecureFile(file, String(n + 1));
        }),
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('10');
  });

  test('recovers a lock left by a killed process once it is stale', async () => {
    const file = path.join(dir, 'entry');
    mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    const started = Date.now();
    await expect(withFileLock(file, async () => 'got it')).resolves.toBe('got it');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
