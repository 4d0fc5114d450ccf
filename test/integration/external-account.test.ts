/**
 * External account credentials through the built CLI and the installed-form credential helper, as subprocesses:
 * the lean dispatcher's print-access-token and ADC print-access-token, the helper's sh fast path serving a cached
 * federated token without starting Node, and debug output without secrets. Against an emulator process: its STS,
 * IAM Credentials and CI token issuer.
 */
import {existsSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {emulatorEnv, helperBin, runCli} from '../helpers/cli.js';
import {admin, type EmulatorProcess, startEmulatorProcess, tmpDir} from '../helpers/emulator.js';
import {type Federation, setUpFederation} from '../helpers/federation.js';

let emu: EmulatorProcess;
let fed: Federation;
let traps: string;
const nodeLog = () => path.join(traps, 'node.log');
beforeAll(async () => {
  emu = await startEmulatorProcess();
  fed = await setUpFederation(emu.url, emu.ownerKeyFile);
  // `node` on PATH that notes each start: the fast path answered alone iff no line appears.
  traps = tmpDir('gcauth-wif-traps-');
  writeFileSync(path.join(traps, 'node'), `#!/bin/sh\necho started >>"${nodeLog()}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
});
afterAll(() => emu.stop());

let dir: string;
let env: Record<string, string>;
let jobToken: string;
beforeEach(async () => {
  dir = tmpDir('gcauth-wif-cli-');
  env = {...emulatorEnv(emu.url, path.join(dir, 'config')), HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker')};
  jobToken = await fed.jobToken();
  writeFileSync(path.join(dir, 'oidc.txt'), `${jobToken}\n`);
});

const config = () => fed.config({credential_source: {file: path.join(dir, 'oidc.txt')}});
const impersonating = () => fed.impersonating({credential_source: fed.urlSource()});
const writeConfig = (value: unknown) => {
  const file = path.join(dir, 'wif.json');
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};
const stsCalls = async () => ((await admin(emu.url, 'stats')) as {byRoute: Record<string, number>}).byRoute['POST /sts/v1/token'] ?? 0;

async function helperGet(host: string): Promise<{stdout: string; exitCode: number; node: boolean}> {
  rmSync(nodeLog(), {force: true});
  const result = await execa(helperBin, ['get'], {env: {PATH: `${traps}:${process.env.PATH}`, METADATA_SERVER_DETECTION: 'none', ...env}, extendEnv: false, input: host, reject: false});
  return {stdout: String(result.stdout), exitCode: result.exitCode ?? -1, node: existsSync(nodeLog())};
}

test('login without impersonation names the principal with one exchange, whose token print-access-token (lean dispatcher) serves from the cache', async () => {
  const before = await stsCalls();
  const login = await runCli(['auth', 'login', `--cred-file=${writeConfig(config())}`], {env});
  expect({stderr: login.stderr, exitCode: login.exitCode}).toEqual({stderr: `Authenticated with external account credentials for: [${fed.principal}].\n`, exitCode: 0});
  expect(await stsCalls()).toBe(before + 1);
  const first = await runCli(['auth', 'print-access-token'], {env});
  expect(first).toEqual({stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: '', exitCode: 0});
  expect(await runCli(['auth', 'print-access-token'], {env})).toEqual(first);
  // The login's exchange is the only one: its token was cached under the key print-access-token reads.
  expect(await stsCalls()).toBe(before + 1);
  expect((await runCli(['auth', 'list', '--format=value(account)'], {env})).stdout).toBe(`${fed.principal}\n`);
  // Resource Manager as the principal, through the lean dispatcher's policy command.
  const policy = await runCli(['projects', 'get-iam-policy', 'demo-project', '--format=json'], {env});
  expect(JSON.parse(policy.stdout).bindings).toContainEqual({role: 'roles/viewer', members: [fed.principal]});
});

test("the helper's sh fast path serves a cached federated token without starting Node, the same answer as Node's", async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig(impersonating())}`], {env})).exitCode).toBe(0);
  const first = await helperGet('gcr.io');
  expect(first).toEqual({stdout: expect.stringMatching(/^\{"ServerURL":"gcr\.io","Username":"oauth2accesstoken","Secret":"ya29\.\S+"\}$/), exitCode: 0, node: true});
  const exchanges = await stsCalls();
  const second = await helperGet('gcr.io');
  expect(second).toEqual({...first, node: false});
  expect(await stsCalls()).toBe(exchanges);
});

test('GOOGLE_APPLICATION_CREDENTIALS naming a configuration: auth application-default print-access-token', async () => {
  const adcEnv = {...env, GOOGLE_APPLICATION_CREDENTIALS: writeConfig(impersonating())};
  expect(await runCli(['auth', 'application-default', 'print-access-token'], {env: adcEnv})).toEqual({stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: '', exitCode: 0});
});

test('an impersonated ADC file whose source is an external account (as gcloud writes it): the source exchanges at the STS, then IAM Credentials; print-access-token and the helper\'s adc source', async () => {
  // gcloud's shape for an impersonated ADC file, its source the (non-impersonating) configuration, its URL the emulator's.
  const adcFile = path.join(dir, 'impersonated-adc.json');
  const impersonation = `${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${fed.sa}:generateAccessToken`;
  writeFileSync(adcFile, JSON.stringify({delegates: [], service_account_impersonation_url: impersonation, source_credentials: config(), type: 'impersonated_service_account'}, null, 2));
  const stats = async () => {
    const {byRoute} = (await admin(emu.url, 'stats')) as {byRoute: Record<string, number>};
    return {sts: byRoute['POST /sts/v1/token'] ?? 0, generate: byRoute['POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken'] ?? 0};
  };
  /** Whose token it is: the emulator's tokeninfo names the service account's uniqueId as its client. */
  const azpOf = async (token: string) => ((await (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json()) as {azp?: string}).azp;

  const before = await stats();
  const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env: {...env, GOOGLE_APPLICATION_CREDENTIALS: adcFile}});
  expect(printed).toEqual({stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: '', exitCode: 0});
  expect(await azpOf(printed.stdout.trim())).toBe(fed.saUniqueId);
  expect(await stats()).toEqual({sts: before.sts + 1, generate: before.generate + 1});

  // The Docker helper's adc source, in a config dir of its own (no cached token): the same two requests, the service account's token.
  env = {...env, ...emulatorEnv(emu.url, path.join(dir, 'helper-config')), GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: adcFile};
  const got = await helperGet('gcr.io');
  expect(got.exitCode).toBe(0);
  const secret = (JSON.parse(got.stdout) as {Secret: string}).Secret;
  expect(secret).not.toBe(printed.stdout.trim());
  expect(await azpOf(secret)).toBe(fed.saUniqueId);
  expect(await stats()).toEqual({sts: before.sts + 2, generate: before.generate + 2});
});

test('an impersonated ADC file whose external account source is unusable: one ERROR line naming the source, exit 4, nothing sent', async () => {
  const adcFile = path.join(dir, 'impersonated-adc.json');
  const {audience: _audience, ...source} = config();
  const impersonation = `${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${fed.sa}:generateAccessToken`;
  writeFileSync(adcFile, JSON.stringify({delegates: [], service_account_impersonation_url: impersonation, source_credentials: source, type: 'impersonated_service_account'}));
  const before = await stsCalls();
  const result = await runCli(['auth', 'application-default', 'print-access-token'], {env: {...env, GOOGLE_APPLICATION_CREDENTIALS: adcFile}});
  expect(result).toEqual({stdout: '', stderr: expect.stringMatching(/^ERROR: Cannot use the Application Default Credentials in \[.*impersonated-adc\.json\]: its source_credentials: it has no audience: [^\n]*\n$/), exitCode: 4});
  expect(await stsCalls()).toBe(before);
});

test('--verbosity=debug shows the exchange, not the job token, the bearer secret of the URL or any token', async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig(impersonating())}`], {env})).exitCode).toBe(0);
  const result = await runCli(['auth', 'print-access-token', '--verbosity=debug'], {env});
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toContain(`--> POST ${emu.url}/sts/v1/token`);
  for (const secret of [fed.job.requestToken, result.stdout.trim(), 'ya29.', 'eyJ']) expect(result.stderr).not.toContain(secret);
});

test('a missing source file at print time: one ERROR line, exit 4, no stack', async () => {
  expect((await runCli(['auth', 'login', `--cred-file=${writeConfig(fed.impersonating({credential_source: {file: path.join(dir, 'gone.txt')}}))}`], {env})).exitCode).toBe(0);
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(4);
  expect(result.stderr).toMatch(/^ERROR: Cannot get a subject token for \[ci-deployer@demo-project\.iam\.gserviceaccount\.com\] \(configuration \[.*wif\.json\]\) from the file \[.*gone\.txt\]: it does not exist or is not a regular file\. [^\n]*\n$/);
});
