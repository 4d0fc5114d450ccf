/**
 * External account credentials through the built CLI and the installed-form credential helper, as subprocesses:
 * the lean dispatcher's print-access-token and ADC print-access-token, the helper's sh fast path serving a cached
 * federated token without starting Node, and debug output without secrets. Against the loopback STS stand-in until
 * the emulator has an STS.
 */
import {existsSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {helperBin, runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {STAND_IN, startStsStandIn, type StsStandIn} from '../helpers/sts-stand-in.js';

const {sa: SA, audience: AUDIENCE, principal: PRINCIPAL, subject: SUBJECT, ciSecret: CI_SECRET} = STAND_IN;

let stand: StsStandIn;
let traps: string;
const nodeLog = () => path.join(traps, 'node.log');
beforeAll(async () => {
  stand = await startStsStandIn();
  // `node` on PATH that notes each start: the fast path answered alone iff no line appears.
  traps = tmpDir('gcauth-wif-traps-');
  writeFileSync(path.join(traps, 'node'), `#!/bin/sh\necho started >>"${nodeLog()}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
});
afterAll(() => stand.stop());

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  stand.reset();
  dir = tmpDir('gcauth-wif-cli-');
  env = {GCAUTH_CONFIG: path.join(dir, 'config'), HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker')};
  writeFileSync(path.join(dir, 'oidc.txt'), `${SUBJECT}\n`);
});

const config = (overrides: Record<string, unknown> = {}) => ({
  universe_domain: 'googleapis.com',
  type: 'external_account',
  audience: AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${stand.url}/sts/v1/token`,
  credential_source: {file: path.join(dir, 'oidc.txt')},
  token_info_url: `${stand.url}/sts/v1/introspect`,
  ...overrides,
});
const impersonating = () =>
  config({
    token_info_url: undefined,
    credential_source: {url: `${stand.url}/source/json`, headers: {Authorization: `Bearer ${CI_SECRET}`}, format: {type: 'json', subject_token_field_name: 'value'}},
    service_account_impersonation_url: `${stand.url}/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
  });
const writeConfig = (value: unknown) => {
  const file = path.join(dir, 'wif.json');
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};
const stsCalls = () => stand.seen.filter((s) => s.path === '/sts/v1/token').length;

async function helperGet(host: string): Promise<{stdout: string; exitCode: number; node: boolean}> {
  rmSync(nodeLog(), {force: true});
  const result = await execa(helperBin, ['get'], {env: {PATH: `${traps}:${process.env.PATH}`, METADATA_SERVER_DETECTION: 'none', ...env}, extendEnv: false, input: host, reject: false});
  return {stdout: String(result.stdout), exitCode: result.exitCode ?? -1, node: existsSync(nodeLog())};
}

test('login without impersonation names the principal; print-access-token (lean dispatcher) prints the STS token, then from the cache', async () => {
  const login = await runCli(['auth', 'login', `--cred-file=${writeConfig(config())}`], {env});
  expect({stderr: login.stderr, exitCode: login.exitCode}).toEqual({stderr: `Authenticated with external account credentials for: [${PRINCIPAL}].\n`, exitCode: 0});
  expect(await runCli(['auth', 'print-access-token'], {env})).toEqual({stdout: 'sts.2\n', stderr: '', exitCode: 0});
  expect(await runCli(['auth', 'print-access-token'], {env})).toEqual({stdout: 'sts.2\n', stderr: '', exitCode: 0});
  expect(stsCalls()).toBe(2);
  expect((await runCli(['auth', 'list', '--format=value(account)'], {env})).stdout).toBe(`${PRINCIPAL}\n`);
});

test("the helper's sh fast path serves a cached federated token without starting Node, the same answer as Node's", async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig(impersonating())}`], {env})).exitCode).toBe(0);
  const first = await helperGet('gcr.io');
  expect(first).toEqual({stdout: JSON.stringify({ServerURL: 'gcr.io', Username: 'oauth2accesstoken', Secret: 'ya29.imp.2'}), exitCode: 0, node: true});
  const second = await helperGet('gcr.io');
  expect(second).toEqual({...first, node: false});
  expect(stsCalls()).toBe(1);
});

test('GOOGLE_APPLICATION_CREDENTIALS naming a configuration: auth application-default print-access-token', async () => {
  const adcEnv = {...env, GOOGLE_APPLICATION_CREDENTIALS: writeConfig(impersonating())};
  expect(await runCli(['auth', 'application-default', 'print-access-token'], {env: adcEnv})).toEqual({stdout: 'ya29.imp.2\n', stderr: '', exitCode: 0});
});

test('--verbosity=debug shows the exchange, not the subject token, the source header or any token', async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig(impersonating())}`], {env})).exitCode).toBe(0);
  const result = await runCli(['auth', 'print-access-token', '--verbosity=debug'], {env});
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toContain(`--> POST ${stand.url}/sts/v1/token`);
  for (const secret of [SUBJECT, CI_SECRET, 'sts.1', 'ya29.imp']) expect(result.stderr).not.toContain(secret);
});

test('a missing source file at print time: one ERROR line, exit 4, no stack', async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig({...impersonating(), credential_source: {file: path.join(dir, 'gone.txt')}})}`], {env})).exitCode).toBe(0);
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(4);
  expect(result.stderr).toMatch(/^ERROR: Cannot get a subject token for \[ci@demo-project\.iam\.gserviceaccount\.com\] \(configuration \[.*wif\.json\]\) from the file \[.*gone\.txt\]: it does not exist or is not a regular file\. .*\n$/);
});
