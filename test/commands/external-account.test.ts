/**
 * External account (Workload Identity Federation) credentials through the auth commands, on a fake context: what is
 * decided without a network (login with impersonation contacts nothing, bad configurations are refused with one line
 * and nothing stored, sources that give no token fail before anything is sent), and the token service's minter for
 * the rest.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import List from '../../src/commands/auth/list.js';
import Login from '../../src/commands/auth/login.js';
import PrintAccessToken from '../../src/commands/auth/print-access-token.js';
import PrintIdentityToken from '../../src/commands/auth/print-identity-token.js';
import Revoke from '../../src/commands/auth/revoke.js';
import {credentialType} from '../../src/lib/auth/credentials/registry.js';
import type {Minter} from '../../src/lib/auth/tokens/token-service.js';
import {FileCredentialStore} from '../../src/lib/store/credential-store.js';
import {snapshot} from '../helpers/fs.js';
import {runCommand} from '../helpers/run-command.js';

const SA = 'ci@demo-project.iam.gserviceaccount.com';
const AUDIENCE = '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh-prov';
// Nothing listens on port 9: any request there fails, so a test that passes made none.
const NOWHERE = 'http://127.0.0.1:9';

let dir: string;
let configDir: string;
let minted: Array<{account: string; type: string; scopes: string[]}>;
let mint: Minter;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-wif-cmd-'));
  configDir = path.join(dir, 'config');
  minted = [];
  mint = async (credential, scopes) => {
    minted.push({account: credential.account, type: credential.type, scopes});
    return {token: `sts-token-${minted.length}`, expiry: Date.UTC(2099, 0, 1)};
  };
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const config = (overrides: Record<string, unknown> = {}) => ({
  universe_domain: 'googleapis.com',
  type: 'external_account',
  audience: AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${NOWHERE}/v1/token`,
  credential_source: {file: path.join(dir, 'oidc.txt')},
  service_account_impersonation_url: `${NOWHERE}/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
  ...overrides,
});
const writeConfig = (value: unknown, name = 'wif.json') => {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
};
const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], options: {env?: Record<string, string>; mint?: Minter} = {}) =>
  runCommand(Cmd, argv, {configDir, mint, ...options});
const stored = () => JSON.parse(readFileSync(path.join(configDir, 'credentials.json'), 'utf8')).credentials as Record<string, Record<string, unknown>>;

/** A JWT (unsigned: the source's token is opaque to gcauth) with the given exp. */
const jwt = (exp: number) =>
  ['{"alg":"none"}', JSON.stringify({iss: 'https://ci.example', sub: 'repo:o/r:ref:refs/heads/main', exp})].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.';

describe('auth login --cred-file with an external account', () => {
  test('with impersonation: named by the service account, as gcloud, contacting nothing; the whole configuration is stored', async () => {
    const file = writeConfig(config());
    expect(await run(Login, [`--cred-file=${file}`])).toEqual({stdout: '', stderr: `Authenticated with external account credentials for: [${SA}].\n`, code: 0});
    const entry = stored()[SA]!;
    expect(entry).toMatchObject({type: 'external_account', account: SA, config: config(), file});
    expect(minted).toEqual([]);
    expect((await run(List, ['--format=json'])).stdout).toBe(`${JSON.stringify([{account: SA, status: 'ACTIVE'}], null, 2)}\n`);
  });

  test('--update-adc writes the configuration as Application Default Credentials, as given', async () => {
    const file = writeConfig(config());
    const result = await run(Login, [`--cred-file=${file}`, '--update-adc'], {env: {CLOUDSDK_CONFIG: path.join(dir, 'gcloud')}});
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'gcloud', 'application_default_credentials.json'), 'utf8'))).toEqual(config());
  });

  test('print-access-token goes through the token service to the external account type', async () => {
    await run(Login, [`--cred-file=${writeConfig(config())}`]);
    expect(await run(PrintAccessToken, [])).toEqual({stdout: 'sts-token-1\n', stderr: '', code: 0});
    expect(minted).toEqual([expect.objectContaining({account: SA, type: 'external_account'})]);
    // Cached: no second exchange.
    expect((await run(PrintAccessToken, [])).stdout).toBe('sts-token-1\n');
    expect(minted).toHaveLength(1);
  });

  test('auth revoke removes it locally and says on stderr why nothing was revoked at Google', async () => {
    await run(Login, [`--cred-file=${writeConfig(config())}`]);
    const result = await run(Revoke, []);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `WARNING: [${SA}] is an external account (Workload Identity Federation): its tokens cannot be revoked, but they expire on their own within the hour. ` +
        'It is removed from this machine; to cut it off earlier, remove its IAM bindings or disable its workload identity provider.\n' +
        `Revoked credentials for: [${SA}]\n`,
    );
    expect(stored()).toEqual({});
  });

  test('print-identity-token without impersonation says why there is none', async () => {
    const principal = 'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/subject/repo:o/r';
    const {service_account_impersonation_url: _, ...plain} = config();
    await new FileCredentialStore(path.join(configDir, 'credentials.json')).put({
      type: 'external_account',
      account: principal,
      config: plain as never,
      addedAt: new Date().toISOString(),
    });
    const result = await run(PrintIdentityToken, [`--account=${principal}`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ERROR: [${principal}] is an external account without service account impersonation: the STS issues access tokens only, not id tokens. ` +
        'Name a service account in its configuration (gcauth iam workload-identity-pools create-cred-config --service-account=EMAIL), or pass --impersonate-service-account=EMAIL.\n',
    );
  });

  test('describe names the pool, provider, source and impersonated account', async () => {
    const credential = {type: 'external_account' as const, account: SA, config: config() as never, addedAt: ''};
    expect((await credentialType(credential)).describe(credential)).toBe(
      `external account (workload identity pool gh-pool, provider gh-prov, project 123456, file source, impersonating ${SA})`,
    );
  });
});

describe('bad configurations: one ERROR line, exit 2, nothing stored', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['no audience', () => config({audience: undefined}), 'it has no audience: expected //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER'],
    ['a malformed audience', () => config({audience: '//iam.googleapis.com/projects/p/providers/x'}), 'its audience [//iam.googleapis.com/projects/p/providers/x] is not a workload identity provider'],
    ['an unknown credential_source', () => config({credential_source: {certificate: {}}}), 'its credential_source has [certificate], but it needs one of file, url, executable or environment_id (aws)'],
    ['two sources', () => config({credential_source: {file: '/x', url: 'http://127.0.0.1:9/t'}}), 'its credential_source has both file and url: it takes one'],
    ['json format without the field', () => config({credential_source: {file: '/x', format: {type: 'json'}}}), 'credential_source.format.type is json but subject_token_field_name is missing (the field of the answer that holds the token)'],
    ['an executable timeout out of range', () => config({credential_source: {executable: {command: '/bin/true', timeout_millis: 10}}}), 'credential_source.executable.timeout_millis [10] is not from 5000 to 120000'],
    ['aws2', () => config({credential_source: {environment_id: 'aws2', regional_cred_verification_url: 'https://sts.{region}.amazonaws.com'}}), 'credential_source.environment_id [aws2] is not aws1'],
    ['a bad impersonation URL', () => config({service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/x'}), 'its service_account_impersonation_url does not end in /serviceAccounts/EMAIL:generateAccessToken'],
    ['a lifetime out of range', () => config({service_account_impersonation: {token_lifetime_seconds: 60}}), 'its service_account_impersonation.token_lifetime_seconds is not from 600 to 43200'],
  ];
  test.each(cases)('%s', async (_name, value, problem) => {
    const file = writeConfig(value());
    const before = snapshot(dir);
    const result = await run(Login, [`--cred-file=${file}`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`ERROR: Credential file [${file}] is not an external account configuration gcauth can use: ${problem}`);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(snapshot(dir)).toEqual(before);
    expect(minted).toEqual([]);
  });

  test('a stored entry whose configuration was damaged is reported as such', async () => {
    await run(Login, [`--cred-file=${writeConfig(config())}`]);
    const file = path.join(configDir, 'credentials.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    delete data.credentials[SA].config.audience;
    writeFileSync(file, JSON.stringify(data));
    const result = await run(PrintAccessToken, []);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^ERROR: Credential store \\[.*credentials.json\\] has a damaged entry for \\[${SA}\\]: its config: it has no audience`));
  });
});

describe('sources that give no token fail before anything is sent (the real minter: nothing listens at the STS)', () => {
  const login = async (value: unknown) => {
    await run(Login, [`--cred-file=${writeConfig(value)}`]);
  };
  const printReal = (env: Record<string, string> = {}) => run(PrintAccessToken, [], {mint: undefined, env});

  test('a missing source file names the file and what to do', async () => {
    await login(config());
    const result = await printReal();
    expect(result).toEqual({
      stdout: '',
      stderr:
        `ERROR: Cannot get a subject token for [${SA}] (configuration [${path.join(dir, 'wif.json')}]) from the file [${path.join(dir, 'oidc.txt')}]: it does not exist or is not a regular file. ` +
        'Make sure whatever writes the token file has written it (a CI step that fetches the token runs first), or fix credential_source.file.\n',
      code: 4,
    });
  });

  test('a JSON source file without the field', async () => {
    await login(config({credential_source: {file: path.join(dir, 'oidc.json'), format: {type: 'json', subject_token_field_name: 'value'}}}));
    writeFileSync(path.join(dir, 'oidc.json'), '{"other": "x"}');
    expect((await printReal()).stderr).toContain('its content is not JSON with a non-empty string field [value].');
  });

  test('an expired subject token is not sent', async () => {
    await login(config());
    writeFileSync(path.join(dir, 'oidc.txt'), jwt(Math.floor(Date.now() / 1000) - 60));
    const result = await printReal();
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: The subject token from the file \[.*oidc\.txt\] for \[ci@demo-project\.iam\.gserviceaccount\.com\] \(configuration \[.*\]\) expired at \d{4}-.*Z: nothing was sent to the STS\./);
  });

  test("an executable source runs only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 in the context's environment", async () => {
    await login(config({credential_source: {executable: {command: '/bin/false', timeout_millis: 5000}}}));
    const result = await printReal();
    expect(result).toEqual({
      stdout: '',
      stderr: `ERROR: Cannot run the executable [/bin/false] of [${SA}] (configuration [${path.join(dir, 'wif.json')}]): executable sources run only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 in the environment, as in Google's libraries. Set it if you trust the configuration.\n`,
      code: 4,
    });
  });
});
