/** docker-credential-gcauth's answers (protocol core over the gcauth backend) against a fake context and a fake token endpoint. */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {printAccessToken} from '../../src/lib/auth/accounts.js';
import type {Minter} from '../../src/lib/auth/token-service.js';
import type {AppContext} from '../../src/lib/context.js';
import {serveCredentialHelper} from '../../src/lib/docker/credential-helper.js';
import {gcauthHelperBackend} from '../../src/lib/docker/helper.js';
import {fakeContext} from '../helpers/context.js';

const EMAIL = 'ci@demo-project.iam.gserviceaccount.com';
let minted: number;
const mint: Minter = async () => ({token: `ya29.fake-${++minted}`, expiry: Date.UTC(2099, 0, 1)});

let ctx: AppContext;
let configDir: string;
let contexts: number;

async function setUp(env: Record<string, string> = {}, {active = true, stored = true} = {}): Promise<void> {
  minted = 0;
  contexts = 0;
  const fake = await fakeContext({env, mint});
  ({ctx, configDir} = fake);
  if (stored) {
    await ctx.store.put({type: 'service_account', account: EMAIL, key: {type: 'service_account', client_email: EMAIL, private_key: 'unused'}, addedAt: new Date(0).toISOString()});
  }
  if (active) await ctx.configurations.update('default', (values) => void (values.core = {account: EMAIL}));
  // Re-read the configuration the way a new helper process would.
  ({ctx} = await fakeContext({env, mint, configDir}));
}

async function helper(argv: string[], input = '') {
  const out = {stdout: '', stderr: ''};
  const code = await serveCredentialHelper(
    argv,
    {readInput: async () => input, stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t)},
    gcauthHelperBackend(async () => (contexts++, ctx)),
    {name: 'docker-credential-gcauth', packageName: 'gcauth', version: () => '0.0.0'},
  );
  return {code, ...out};
}

const answer = (serverUrl: string, secret: string) => `${JSON.stringify({ServerURL: serverUrl, Username: 'oauth2accesstoken', Secret: secret})}\n`;
const NOT_FOUND = {code: 1, stdout: 'credentials not found in native keychain\n', stderr: ''};

describe('get', () => {
  test.each(['gcr.io', 'https://us.gcr.io/v2/', 'us-docker.pkg.dev/proj/repo/img', 'docker.europe-west1.rep.pkg.dev\n', 'mirror.gcr.io'])(
    '%j: the token of the active account, the one print-access-token prints',
    async (serverUrl) => {
      await setUp();
      const result = await helper(['get'], serverUrl);
      const printed = await printAccessToken({}, ctx);
      expect(result).toEqual({code: 0, stdout: answer(serverUrl.trim(), printed.token), stderr: ''});
      expect(minted).toBe(1);
    },
  );

  test.each(['quay.io', 'ghcr.io', 'docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'gcr.io.evil.example', 'evil.example/gcr.io', '127.0.0.1:5000', 'localhost:5000'])(
    '%j is not a Google host: exactly not-found, and no token is made',
    async (serverUrl) => {
      await setUp();
      expect(await helper(['get'], serverUrl)).toEqual(NOT_FOUND);
      expect(minted).toBe(0);
    },
  );

  test('hosts of docker/registries are served, with their port; others on the same address are not', async () => {
    await setUp({GCAUTH_DOCKER_REGISTRIES: '127.0.0.1:5000,Mirror.Example.com'});
    expect(await helper(['get'], '127.0.0.1:5000')).toEqual({code: 0, stdout: answer('127.0.0.1:5000', 'ya29.fake-1'), stderr: ''});
    expect(await helper(['get'], 'https://mirror.example.com/v2/')).toMatchObject({code: 0});
    expect(await helper(['get'], '127.0.0.1:5001')).toEqual(NOT_FOUND);
    expect(minted).toBe(1);
  });

  test('an invalid docker/registries is an error for hosts it might have listed, never a token', async () => {
    await setUp({GCAUTH_DOCKER_REGISTRIES: 'https://bad/'});
    expect(await helper(['get'], 'quay.io')).toEqual({
      code: 1,
      stdout:
        'docker-credential-gcauth: Invalid value for property [docker/registries] (from GCAUTH_DOCKER_REGISTRIES): "https://bad/": [https://bad/]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000.\n',
      stderr: '',
    });
    expect(await helper(['get'], 'gcr.io')).toMatchObject({code: 0});
  });

  test('no active account: not found, so public images still pull anonymously; the way to authenticate goes to stderr', async () => {
    await setUp({}, {active: false});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
      stderr:
        'docker-credential-gcauth: no active gcauth account, so Docker goes on without credentials for gcr.io. To authenticate, run: gcauth auth activate-service-account --key-file=FILE\n',
    });
  });

  test('an active account without credentials is an error: the user meant to authenticate', async () => {
    await setUp({}, {stored: false});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: `docker-credential-gcauth: Account [${EMAIL}] has no credentials. Log in with: gcauth auth login ${EMAIL}, or activate a key with: gcauth auth activate-service-account ${EMAIL} --key-file=FILE\n`,
      stderr: '',
    });
  });

  test('a refused credential is an error on stdout, one line', async () => {
    await setUp();
    const {TokenEndpointError} = await import('../../src/lib/auth/token-endpoint-error.js');
    ({ctx} = await fakeContext({configDir, mint: async () => Promise.reject(new TokenEndpointError('invalid_grant: Invalid JWT Signature.', {status: 400, oauthError: 'invalid_grant', transient: false}))}));
    const result = await helper(['get'], 'gcr.io');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^docker-credential-gcauth: The token endpoint refused the key of service account \[ci@demo-project\.iam\.gserviceaccount\.com\] \(invalid_grant: Invalid JWT Signature\.\)\. .+\n$/);
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  test('GOOGLE_APPLICATION_CREDENTIALS naming a missing file, with token_source adc: an error, not anonymous', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json'});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: 'docker-credential-gcauth: GOOGLE_APPLICATION_CREDENTIALS names [/nonexistent/key.json], which cannot be read: no such file.\n',
      stderr: '',
    });
  });
});

describe('store, erase, list, version', () => {
  test('store and erase succeed silently and need no configuration at all', async () => {
    await setUp();
    expect(await helper(['store'], '{"ServerURL":"gcr.io","Username":"oauth2accesstoken","Secret":"x"}')).toEqual({code: 0, stdout: '', stderr: ''});
    expect(await helper(['erase'], 'gcr.io')).toEqual({code: 0, stdout: '', stderr: ''});
    expect(await helper(['version'])).toEqual({code: 0, stdout: 'docker-credential-gcauth (gcauth) 0.0.0\n', stderr: ''});
    expect(contexts).toBe(0);
  });

  test("list: Docker's credHelpers hosts that name gcauth, then docker/registries, as https:// keys", async () => {
    await setUp();
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    writeFileSync(path.join(docker, 'config.json'), JSON.stringify({credHelpers: {'gcr.io': 'gcauth', 'ecr.example.com': 'ecr-login', '127.0.0.1:5000': 'gcauth'}}));
    ({ctx} = await fakeContext({configDir, env: {DOCKER_CONFIG: docker, GCAUTH_DOCKER_REGISTRIES: '127.0.0.1:5000,mirror.example.com'}}));
    expect(await helper(['list'], 'unused')).toEqual({
      code: 0,
      stdout: '{"https://gcr.io":"oauth2accesstoken","https://127.0.0.1:5000":"oauth2accesstoken","https://mirror.example.com":"oauth2accesstoken"}\n',
      stderr: '',
    });
  });

  test('list with an unreadable config.json and an invalid docker/registries is still valid JSON', async () => {
    await setUp();
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    writeFileSync(path.join(docker, 'config.json'), '{not json');
    ({ctx} = await fakeContext({configDir, env: {DOCKER_CONFIG: docker, GCAUTH_DOCKER_REGISTRIES: 'https://bad/'}}));
    expect(await helper(['list'])).toEqual({code: 0, stdout: '{}\n', stderr: ''});
    rmSync(docker, {recursive: true});
  });
});
