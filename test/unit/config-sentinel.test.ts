/**
 * gcloud's config_sentinel: rewritten by every change of the configuration (a property write, an activation) or of
 * the credentials, never by a read, as gcloud's ActivePropertiesFile.Invalidate(mark_changed=True) does; tools that
 * cache `config config-helper` output read again once it is newer than their cache.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {ConfigurationStore} from '../../src/lib/config/configurations.js';
import {pathsIn} from '../../src/lib/config/paths.js';
import {configSentinelPath, touchConfigSentinel} from '../../src/lib/config/sentinel.js';
import {FileCredentialStore, type StoredCredential} from '../../src/lib/store/credential-store.js';

let dir: string;
let sentinel: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'gcauth-sentinel-')), 'gcauth');
  sentinel = configSentinelPath(dir);
});
afterEach(() => rmSync(path.dirname(dir), {recursive: true, force: true}));

/** Dates the sentinel back to the epoch, so any rewrite shows (no waiting for the clock to tick). */
const backdate = () => utimesSync(sentinel, 0, 0);
const touched = () => existsSync(sentinel) && statSync(sentinel).mtimeMs > 0;

const cred = (account: string): StoredCredential => ({
  type: 'service_account',
  account,
  addedAt: '2026-01-01T00:00:00.000Z',
  key: {type: 'service_account', client_email: account, private_key: 'PEM'},
});

describe('ConfigurationStore', () => {
  test('a property write and an activation rewrite it; create, delete and reads do not', async () => {
    const store = new ConfigurationStore(pathsIn(dir));
    await store.update('default', (v) => {
      v.core = {project: 'p'};
    });
    expect(readFileSync(sentinel, 'utf8')).toBe('');
    expect(statSync(sentinel).mode & 0o777).toBe(0o600);
    expect(touched()).toBe(true);

    backdate();
    await store.create('dev');
    await store.read('default');
    await store.activeName();
    await store.list();
    expect(touched()).toBe(false);

    await store.activate('dev');
    expect(touched()).toBe(true);

    backdate();
    await store.update('dev', (v) => {
      v.core = {account: 'a@x'};
    });
    expect(touched()).toBe(true);

    backdate();
    await store.activate('default');
    expect(touched()).toBe(true);
    backdate();
    await store.delete('dev');
    expect(touched()).toBe(false);
  });

  test('a failed write leaves it alone', async () => {
    const store = new ConfigurationStore(pathsIn(dir));
    await store.update('default', () => undefined);
    backdate();
    await expect(store.update('nosuch', () => undefined)).rejects.toThrow();
    await expect(store.activate('nosuch')).rejects.toThrow();
    expect(touched()).toBe(false);
  });
});

describe('FileCredentialStore', () => {
  test('put and an effective remove rewrite it; reads and a remove of nothing do not', async () => {
    const store = new FileCredentialStore(pathsIn(dir).credentialsFile);
    await store.put(cred('a@p.iam.gserviceaccount.com'));
    expect(touched()).toBe(true);

    backdate();
    await store.get('a@p.iam.gserviceaccount.com');
    await store.list();
    await store.accounts();
    expect(await store.remove('nobody@p.iam.gserviceaccount.com')).toBe(false);
    expect(touched()).toBe(false);

    expect(await store.remove('a@p.iam.gserviceaccount.com')).toBe(true);
    expect(touched()).toBe(true);
  });
});

test('a sentinel slot that cannot be written never fails the change it reports', async () => {
  mkdirSync(sentinel, {recursive: true});
  await expect(touchConfigSentinel(dir)).resolves.toBeUndefined();
  const store = new ConfigurationStore(pathsIn(dir));
  await store.update('default', (v) => {
    v.core = {project: 'p'};
  });
  expect(await store.read('default')).toEqual({core: {project: 'p'}});
});
