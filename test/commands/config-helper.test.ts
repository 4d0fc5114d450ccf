/**
 * `config config-helper` and tokens handed to gcauth (CLOUDSDK_AUTH_ACCESS_TOKEN, GCAUTH_AUTH_ACCESS_TOKEN,
 * --access-token-file, auth/access_token_file), through oclif's parser against a fake context and token endpoint.
 * The emulator-backed runs (every credential type, --force-auth-refresh, the 401 of an expired token, kubectl) are in
 * test/integration/token-entry.test.ts.
 */
import {generateKeyPairSync} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ActivateServiceAccount from '../../src/commands/auth/activate-service-account.js';
import PrintAccessToken from '../../src/commands/auth/print-access-token.js';
import PrintIdentityToken from '../../src/commands/auth/print-identity-token.js';
import ConfigHelper from '../../src/commands/config/config-helper.js';
import ConfigSet from '../../src/commands/config/set.js';
import {DEFAULT_AUDIENCE, idTokenKey} from '../../src/lib/auth/identity-token.js';
import {DEFAULT_SCOPES, type Minter} from '../../src/lib/auth/tokens/token-service.js';
import {FileTokenCache} from '../../src/lib/store/token-cache.js';
import {snapshot} from '../helpers/fs.js';
import {runCommand} from '../helpers/run-command.js';

const EMAIL = 'ci@demo-project.iam.gserviceaccount.com';
const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
const keyJson = JSON.stringify({type: 'service_account', client_email: EMAIL, private_key: pem, private_key_id: 'k1', token_uri: 'http://127.0.0.1:9/token'});
const EXPIRY = Date.UTC(2099, 0, 1, 4, 42, 23, 517);

let dir: string;
let configDir: string;
let minted: number;
let mint: Minter;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-config-helper-'));
  configDir = path.join(dir, 'config');
  writeFileSync(path.join(dir, 'key.json'), keyJson);
  minted = 0;
  mint = async () => ({token: `ya29.t${++minted}`, expiry: EXPIRY});
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], env: Record<string, string> = {}) => runCommand(Cmd, argv, {configDir, mint, env});

/** An activated key whose id token (the one config-helper shows) is cached already: no token endpoint is reached for it. */
async function activated(): Promise<void> {
  expect((await run(ActivateServiceAccount, [`--key-file=${path.join(dir, 'key.json')}`])).code).toBe(0);
  await new FileTokenCache(path.join(configDir, 'access_tokens')).write({...idTokenKey(EMAIL, DEFAULT_AUDIENCE), token: 'eyJ.id.sig', expiry: EXPIRY, issued: Date.now()});
}

describe('config config-helper', () => {
  test("prints gcloud's shape, keys in gcloud's order: the configuration, the set properties by section, the tokens, the sentinel", async () => {
    await activated();
    expect((await run(ConfigSet, ['project', 'demo-project'])).code).toBe(0);
    const result = await run(ConfigHelper, ['--format=json'], {GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:9/token'});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${JSON.stringify(
        {
          configuration: {
            active_configuration: 'default',
            properties: {auth: {token_host: 'http://127.0.0.1:9/token'}, core: {account: EMAIL, project: 'demo-project'}},
          },
          credential: {access_token: 'ya29.t1', id_token: 'eyJ.id.sig', token_expiry: '2099-01-01T04:42:23Z'},
          sentinels: {config_sentinel: path.join(configDir, 'config_sentinel')},
        },
        null,
        2,
      )}\n`,
    );
    expect(minted).toBe(1);
  });

  test("--format=value(credential.access_token) prints the token alone, from the cache; without --format, gcloud's YAML", async () => {
    await activated();
    expect(await run(ConfigHelper, ['--format=value(credential.access_token)'])).toEqual({stdout: 'ya29.t1\n', stderr: '', code: 0});
    const yaml = await run(ConfigHelper, []);
    expect(yaml.stdout).toContain('credential:\n  access_token: ya29.t1\n  id_token: eyJ.id.sig\n  token_expiry: \'2099-01-01T04:42:23Z\'\n');
    expect(minted).toBe(1);
  });

  test('--min-expiry asks more of a cached token: one with less left is refreshed; a bad value or --force-auth-refresh beside it is refused', async () => {
    await activated();
    // An hour's token minted 40 minutes ago.
    await new FileTokenCache(path.join(configDir, 'access_tokens')).write({account: EMAIL, scopes: DEFAULT_SCOPES, token: 'ya29.old', expiry: Date.now() + 20 * 60_000, issued: Date.now() - 40 * 60_000});
    expect((await run(ConfigHelper, ['--format=value(credential.access_token)'])).stdout).toBe('ya29.old\n');
    expect((await run(ConfigHelper, ['--format=value(credential.access_token)', '--min-expiry=10m'])).stdout).toBe('ya29.old\n');
    expect((await run(ConfigHelper, ['--format=value(credential.access_token)', '--min-expiry=30m'])).stdout).toBe('ya29.t2\n');
    expect((await run(ConfigHelper, ['--format=value(credential.access_token)', '--min-expiry=30m'])).stdout).toBe('ya29.t2\n');
    const bad = await run(ConfigHelper, ['--min-expiry=2h']);
    expect(bad).toEqual({stdout: '', stderr: 'ERROR: Invalid value for [--min-expiry]: "2h": expected a duration from 0s to 1h (such as 10m or 600s).\n', code: 2});
    const both = await run(ConfigHelper, ['--min-expiry=10m', '--force-auth-refresh']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^ERROR: .*--force-auth-refresh.*--min-expiry|^ERROR: .*--min-expiry.*--force-auth-refresh/);
  });

  test('with no account and no given token: the no-account error, nothing on stdout', async () => {
    const result = await run(ConfigHelper, ['--format=json']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: .*account/);
  });
});

describe('a token handed to gcauth', () => {
  test('CLOUDSDK_AUTH_ACCESS_TOKEN is printed as given, with no account, nothing refreshed or written; config-helper shows no id token and no expiry', async () => {
    const before = snapshot(dir);
    const env = {CLOUDSDK_AUTH_ACCESS_TOKEN: ' given-token\n'};
    expect(await run(PrintAccessToken, [], env)).toEqual({stdout: 'given-token\n', stderr: '', code: 0});
    expect(await run(PrintAccessToken, ['--format=json'], env)).toEqual({stdout: '{\n  "token": "given-token"\n}\n', stderr: '', code: 0});
    const helper = await run(ConfigHelper, ['--format=json'], env);
    expect(JSON.parse(helper.stdout)).toEqual({
      configuration: {active_configuration: 'default', properties: {}},
      credential: {access_token: 'given-token', id_token: null, token_expiry: null},
      sentinels: {config_sentinel: path.join(configDir, 'config_sentinel')},
    });
    expect(minted).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  test("gcloud's order: the variable (GCAUTH_ before CLOUDSDK_) > auth/access_token_file (flag > variables > configuration) > the account", async () => {
    await activated();
    const file = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const flagFile = file('flag.txt', 'from-flag\n');
    const envFile = file('env.txt', 'from-env-file');
    const gcloudEnvFile = file('gcloud-env.txt', 'from-gcloud-env-file');
    const configFile = file('config.txt', 'from-config');
    const token = async (argv: string[], env: Record<string, string> = {}) => (await run(PrintAccessToken, argv, env)).stdout;

    expect(await token([])).toBe('ya29.t1\n');
    expect((await run(ConfigSet, ['auth/access_token_file', configFile])).code).toBe(0);
    expect(await token([])).toBe('from-config\n');
    expect(await token([], {CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: gcloudEnvFile})).toBe('from-gcloud-env-file\n');
    expect(await token([], {CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: gcloudEnvFile, GCAUTH_AUTH_ACCESS_TOKEN_FILE: envFile})).toBe('from-env-file\n');
    expect(await token([`--access-token-file=${flagFile}`], {GCAUTH_AUTH_ACCESS_TOKEN_FILE: envFile})).toBe('from-flag\n');
    expect(await token([`--access-token-file=${flagFile}`], {CLOUDSDK_AUTH_ACCESS_TOKEN: 'from-cloudsdk-variable'})).toBe('from-cloudsdk-variable\n');
    expect(await token([`--access-token-file=${flagFile}`, `--account=${EMAIL}`], {CLOUDSDK_AUTH_ACCESS_TOKEN: 'x', GCAUTH_AUTH_ACCESS_TOKEN: 'from-gcauth-variable'})).toBe(
      'from-gcauth-variable\n',
    );
    expect(minted).toBe(1);
  });

  test('a missing, empty or multi-word token file is one error naming the file and the property; impersonation beside a given token is refused', async () => {
    const missing = path.join(dir, 'nosuch.txt');
    expect(await run(PrintAccessToken, [`--access-token-file=${missing}`])).toEqual({
      stdout: '',
      stderr: `ERROR: Cannot read the access token file [${missing}] (property auth/access_token_file): no such file.\n`,
      code: 2,
    });
    writeFileSync(path.join(dir, 'empty.txt'), '\n');
    expect((await run(ConfigHelper, [`--access-token-file=${path.join(dir, 'empty.txt')}`])).stderr).toBe(
      `ERROR: The access token file [${path.join(dir, 'empty.txt')}] (property auth/access_token_file) is empty: it must hold an access token and nothing else.\n`,
    );
    expect((await run(PrintAccessToken, [], {CLOUDSDK_AUTH_ACCESS_TOKEN: 'two words'})).stderr).toBe(
      'ERROR: CLOUDSDK_AUTH_ACCESS_TOKEN holds more than one word: it must hold an access token and nothing else.\n',
    );
    const impersonating = await run(PrintAccessToken, [`--impersonate-service-account=${EMAIL}`], {CLOUDSDK_AUTH_ACCESS_TOKEN: 'tok'});
    expect(impersonating).toEqual({
      stdout: '',
      stderr:
        'ERROR: An access token from the CLOUDSDK_AUTH_ACCESS_TOKEN environment variable cannot be used with impersonation (auth/impersonate_service_account): unset one of them.\n',
      code: 2,
    });
  });

  test("print-identity-token with a given token: gcloud's refusal, no id token", async () => {
    expect(await run(PrintIdentityToken, [], {GCAUTH_AUTH_ACCESS_TOKEN: 'tok'})).toEqual({
      stdout: '',
      stderr: 'ERROR: No identity token can be obtained from the access token from the GCAUTH_AUTH_ACCESS_TOKEN environment variable.\n',
      code: 2,
    });
  });
});
