/**
 * Keyless credentials end to end: the built CLI on an "emulated VM" (GCE_METADATA_HOST pointed at the metadata server
 * of an emulator process on 127.0.0.1:0), with no key anywhere. Token printing and single flight across processes,
 * --account=default, a stored credential beating the VM's account, auth list on and off GCE, IAM calls and
 * impersonation with the VM as the source, the scope-insufficient 403, bad metadata servers, and stderr free of Node
 * warnings.
 */
import {existsSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {gceResidency} from '../../src/lib/auth/credentials/metadata.js';
import {emulatorEnv, runCli, runHelper} from '../helpers/cli.js';
import {CLOUD_PLATFORM, emulatedVm, type VmOptions} from '../helpers/emulated-vm.js';
import {readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';

const NO_ACCOUNT =
  'ERROR: You do not currently have an active account selected. Run gcauth auth login, or gcauth auth activate-service-account --key-file=FILE, or gcauth config set account ACCOUNT for one already logged in.\n';
const NO_ADC =
  'ERROR: Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.\n';

const VM_EMAIL = 'vm-runner@demo-project.iam.gserviceaccount.com';
const READ_ONLY = 'https://www.googleapis.com/auth/devstorage.read_only';
/** A closed port: a metadata host that is down. */
const DOWN_HOST = '127.0.0.1:1';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess();
}, 60_000);
afterAll(() => emu.stop());

/** The emulator as this test's VM: VM_EMAIL with cloud-platform unless told otherwise. */
const vm = (options: Partial<VmOptions> = {}) => emulatedVm(emu.url, {serviceAccount: VM_EMAIL, ...options});

/** A VM's environment: a fresh config dir, HOME with no gcloud ADC, the metadata host. */
const vmEnv = (host: string, extra: Record<string, string> = {}) => {
  const config = tmpDir();
  return {GCAUTH_CONFIG: config, HOME: tmpDir(), GCE_METADATA_HOST: host, ...extra};
};
const tokenFiles = (config: string) => {
  const dir = path.join(config, 'access_tokens');
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
};

describe('on an emulated VM with no key', () => {
  test('print-access-token prints the VM token and nothing else; the next run is served from the cache', async () => {
    const s = await vm();
    const env = vmEnv(s.host);
    const first = await runCli(['auth', 'print-access-token'], {env});
    expect(first).toEqual({stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: '', exitCode: 0});
    expect(await s.tokenOwner(first.stdout.trim())).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect((await runCli(['auth', 'print-access-token'], {env})).stdout).toBe(first.stdout);
    expect(await s.tokenRequests()).toHaveLength(1);
    // The probe ran once: the second process read the answer from CONFIG/gce.
    expect((await s.requests()).filter((r) => r.endsWith('/email'))).toHaveLength(1);
  });

  test('20 concurrent processes make one token request', async () => {
    const s = await vm({tokenDelayMs: 300});
    const env = vmEnv(s.host);
    // The probe first, so that every process races for the token, not the probe.
    expect((await runCli(['auth', 'list', '--format=none'], {env})).exitCode).toBe(0);
    const results = await Promise.all(Array.from({length: 20}, () => runCli(['auth', 'print-access-token'], {env})));
    expect(results.map((r) => r.exitCode)).toEqual(Array(20).fill(0));
    expect(results.map((r) => r.stderr).filter(Boolean)).toEqual([]);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(await s.tokenOwner(results[0]!.stdout.trim())).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect(await s.tokenRequests()).toHaveLength(1);
  });

  test('--scopes asks the metadata server for them', async () => {
    const s = await vm();
    const result = await runCli(['auth', 'print-access-token', '--scopes=devstorage.read_only'], {env: vmEnv(s.host)});
    expect(await s.tokenOwner(result.stdout.trim())).toEqual({account: VM_EMAIL, scopes: [READ_ONLY]});
    expect(await s.tokenRequests()).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only']);
  });

  test('--account=default and core/account naming the VM account use the metadata server', async () => {
    // Each run has a config dir of its own, so each asks the metadata server (which hands out its one fresh token again).
    const s = await vm();
    const vmToken = {account: VM_EMAIL, scopes: [CLOUD_PLATFORM]};
    const byDefault = await runCli(['auth', 'print-access-token', '--account=default'], {env: vmEnv(s.host)});
    expect(await s.tokenOwner(byDefault.stdout.trim())).toEqual(vmToken);
    expect(await s.tokenRequests()).toHaveLength(1);
    const named = await runCli(['auth', 'print-access-token'], {env: vmEnv(s.host, {GCAUTH_CORE_ACCOUNT: VM_EMAIL})});
    expect(named).toEqual({stdout: byDefault.stdout, stderr: '', exitCode: 0});
    expect(await s.tokenRequests()).toHaveLength(2);
    const positional = await runCli(['auth', 'print-access-token', VM_EMAIL, '--format=json'], {env: vmEnv(s.host)});
    expect(JSON.parse(positional.stdout)).toMatchObject({token: byDefault.stdout.trim()});
    expect(await s.tokenRequests()).toHaveLength(3);
  });

  test('another account without credentials is still an unknown account', async () => {
    const s = await vm();
    const result = await runCli(['auth', 'print-access-token', 'someone@example.com'], {env: vmEnv(s.host)});
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: Account \[someone@example\.com\] has no credentials\./);
    expect(await s.tokenRequests()).toEqual([]);
  });

  test('print-identity-token --audiences comes from the identity endpoint, with the email', async () => {
    const s = await vm();
    const result = await runCli(['auth', 'print-identity-token', '--audiences=https://svc.example.com'], {env: vmEnv(s.host)});
    expect(result.exitCode).toBe(0);
    const claims = JSON.parse(Buffer.from(result.stdout.trim().split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({aud: 'https://svc.example.com', email: VM_EMAIL, email_verified: true});
  });

  test('auth list shows the VM account as the active one, as gcloud does on GCE', async () => {
    const s = await vm();
    const result = await runCli(['auth', 'list'], {env: vmEnv(s.host)});
    expect(result.stdout.trimStart()).toBe(`Credentialed Accounts\nACTIVE  ACCOUNT\n*       ${VM_EMAIL}\n`);
    expect(result.exitCode).toBe(0);
    const json = await runCli(['auth', 'list', '--format=json'], {env: vmEnv(s.host, {GCAUTH_CORE_ACCOUNT: 'other@example.com'})});
    expect(JSON.parse(json.stdout)).toEqual([{account: VM_EMAIL, status: ''}]);
  });

  test('application-default print-access-token with no file is the VM token', async () => {
    const s = await vm();
    const result = await runCli(['auth', 'application-default', 'print-access-token'], {env: vmEnv(s.host)});
    expect(result).toEqual({stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: '', exitCode: 0});
    expect(await s.tokenOwner(result.stdout.trim())).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect(await s.tokenRequests()).toHaveLength(1);
  });
});

describe('off GCE nothing changes', () => {
  test('no account: the same one-line error, no probe, nothing written', async () => {
    const config = tmpDir();
    const result = await runCli(['auth', 'print-access-token'], {env: {GCAUTH_CONFIG: config}});
    expect(result).toEqual({stdout: '', stderr: NO_ACCOUNT, exitCode: 4});
    expect(existsSync(path.join(config, 'gce'))).toBe(false);
  });

  test('auth list has no accounts', async () => {
    const result = await runCli(['auth', 'list'], {env: {GCAUTH_CONFIG: tmpDir()}});
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No credentialed accounts.');
  });

  test('--account=default says there is no metadata server', async () => {
    const result = await runCli(['auth', 'print-access-token', '--account=default'], {env: {GCAUTH_CONFIG: tmpDir()}});
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      'ERROR: Metadata-server detection is off (METADATA_SERVER_DETECTION=none).\n',
    );
  });
});

describe('bad metadata servers: one ERROR line, the exit code, no token cached', () => {
  test.each([
    ['html', 4, (h: string) => `${NO_ACCOUNT.slice(0, -2)}. GCE_METADATA_HOST names [${h}], which did not answer as a metadata server (its answer (HTTP 200) lacks the header Metadata-Flavor: Google).\n`],
    ['hang', 4, (h: string) => `${NO_ACCOUNT.slice(0, -2)}. GCE_METADATA_HOST names [${h}], which did not answer as a metadata server (no answer within 3000 ms).\n`],
    [
      'token-404',
      4,
      (h: string) =>
        `ERROR: The metadata server at ${h} has no service account for this VM. Attach one: gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=EMAIL --scopes=cloud-platform (with the VM stopped).\n`,
    ],
    ['token-not-json', 1, (h: string) => `ERROR: The metadata server at ${h} answered the token request with something that is not a token (expected JSON with access_token and expires_in).\n`],
  ] as const)('%s', async (fault, exitCode, stderr) => {
    const s = await vm({fault});
    const env = vmEnv(s.host);
    const result = await runCli(['auth', 'print-access-token'], {env});
    expect(result).toEqual({stdout: '', stderr: stderr(s.host), exitCode});
    expect(tokenFiles(env.GCAUTH_CONFIG)).toEqual([]);
  });
});

describe('no Node warning reaches stderr', () => {
  test('ADC with nothing configured: exactly the one ERROR line (a named host that is down, and no variable at all)', async () => {
    const named = await runCli(['auth', 'application-default', 'print-access-token'], {env: vmEnv(DOWN_HOST)});
    expect(named).toEqual({stdout: '', stderr: NO_ADC, exitCode: 4});
    if (await gceResidency(process.env, {sysRoot: '/', macAddresses: () => [], platform: process.platform})) {
      process.stderr.write('skipped the no-variable half: this machine looks like a Google Cloud VM, and a test must not probe its metadata server\n');
      return;
    }
    const bare = await runCli(['auth', 'application-default', 'print-access-token'], {env: {GCAUTH_CONFIG: tmpDir(), HOME: tmpDir(), METADATA_SERVER_DETECTION: undefined}});
    expect(bare).toEqual({stdout: '', stderr: NO_ADC, exitCode: 4});
  });

  // A preload that makes Node emit a warning from inside the run (on its first readFileSync), as a library would.
  const warningPreload = () => {
    const file = path.join(tmpDir('gcauth-warn-'), 'warn.cjs');
    writeFileSync(
      file,
      // The first file gcauth reads, whichever way it reads it, emits a warning, as a library would mid-run.
      `const fs = require('node:fs'); let done = false;
const warnOnce = () => { if (!done) { done = true; process.emitWarning('received unexpected error = test', 'MetadataLookupWarning'); } };
for (const name of ['readFileSync', 'openSync']) { const original = fs[name]; fs[name] = function (...args) { warnOnce(); return original.apply(this, args); }; }
require('node:module').syncBuiltinESMExports();\n`,
    );
    return `--require ${file}`;
  };

  test('a warning Node emits during a run is dropped by both entry points, and shown at debug', async () => {
    const env = {GCAUTH_CONFIG: tmpDir(), NODE_OPTIONS: warningPreload()};
    expect(await runCli(['auth', 'print-access-token'], {env})).toEqual({stdout: '', stderr: NO_ACCOUNT, exitCode: 4});
    const debug = await runCli(['auth', 'print-access-token', '--verbosity=debug'], {env});
    expect(debug.stderr).toContain('DEBUG: node warning: MetadataLookupWarning: received unexpected error = test\n');
    const helper = await runHelper(['get'], {env, input: 'gcr.io'});
    expect(helper.stdout).toBe('credentials not found in native keychain\n');
    expect(helper.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(helper.stderr).not.toMatch(/Warning|trace-warnings/);
  });

  test.each([['gcauth'], ['adc']])('docker-credential-gcauth get with no credentials (token source %s): only the hint line', async (source) => {
    const result = await runHelper(['get'], {env: {GCAUTH_CONFIG: tmpDir(), HOME: tmpDir(), GCAUTH_DOCKER_TOKEN_SOURCE: source}, input: 'gcr.io'});
    expect(result.stdout).toBe('credentials not found in native keychain\n');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(/^docker-credential-gcauth: /);
    expect(result.stderr).not.toMatch(/\(node:\d+\)|Warning|trace-warnings/);
  });
});

describe('Google APIs as the VM account', () => {
  let ownerEmail: string;
  beforeAll(() => {
    ownerEmail = readKeyFile(emu.ownerKeyFile).client_email;
  });

  // The VM's service account is the emulator's owner, with cloud-platform.
  const ownerVm = async (extra: Record<string, string> = {}) => {
    const s = await vm({serviceAccount: ownerEmail});
    return {s, env: {...emulatorEnv(emu.url, tmpDir()), HOME: tmpDir(), GCE_METADATA_HOST: s.host, ...extra}};
  };

  test('IAM calls work keyless', async () => {
    const {s, env} = await ownerVm();
    const result = await runCli(['iam', 'service-accounts', 'list', `--project=${emu.project}`, '--format=value(email)'], {env});
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(ownerEmail);
    expect(await s.tokenRequests()).toHaveLength(1);
  });

  test('a stored credential of the same email beats the metadata server', async () => {
    const {s, env} = await ownerVm();
    expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
    const result = await runCli(['auth', 'print-access-token', ownerEmail], {env});
    expect(result.exitCode).toBe(0);
    expect(await s.tokenRequests()).toEqual([]);
    const list = await runCli(['auth', 'list', '--format=json'], {env});
    expect(JSON.parse(list.stdout)).toEqual([{account: ownerEmail, status: 'ACTIVE'}]);
  });

  test('impersonation with the VM account as the source', async () => {
    const {s, env} = await ownerVm();
    const target = `vm-target-${Date.now() % 100000}`;
    const targetEmail = `${target}@${emu.project}.iam.gserviceaccount.com`;
    expect((await runCli(['iam', 'service-accounts', 'create', target, `--project=${emu.project}`], {env})).exitCode).toBe(0);
    const grant = await runCli(
      ['iam', 'service-accounts', 'add-iam-policy-binding', targetEmail, `--member=serviceAccount:${ownerEmail}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'],
      {env},
    );
    expect(grant.exitCode).toBe(0);
    const result = await runCli(['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`], {env});
    expect(result.stderr).toBe(`WARNING: This command is using service account impersonation. All API calls will be executed as [${targetEmail}].\n`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ya29\./);
    // The target's token, not the VM's.
    expect((await s.tokenOwner(result.stdout.trim()))?.account).toBe(targetEmail);
    expect((await s.tokenRequests()).length).toBeGreaterThanOrEqual(1);
  });
});

// The emulator's IAM answers a VM token with devstorage.read_only only as Google does: 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT.
describe('a token without the scope an API needs', () => {
  test('names the missing scope, the VM scopes and how to change them', async () => {
    const s = await vm({scopes: [READ_ONLY]});
    const env = vmEnv(s.host, {GCAUTH_API_ENDPOINT_OVERRIDES_IAM: `${emu.url}/iam/`});
    const result = await runCli(['iam', 'service-accounts', 'list', '--project=demo-project'], {env});
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ERROR: The access token of [${VM_EMAIL}] lacks the OAuth scope needed by iam.googleapis.com for project [demo-project]: it needs cloud-platform or iam, and has devstorage.read_only (Google: Request had insufficient authentication scopes.).\n` +
        `On a Compute Engine VM the scopes are set on the VM: stop it, then gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=${VM_EMAIL} --scopes=cloud-platform, and start it again; on GKE, recreate the node pool with --scopes=cloud-platform or use Workload Identity. Elsewhere, ask for the scope: --scopes=cloud-platform.\n`,
    );
    expect((await s.requests()).filter((r) => r.endsWith('/scopes'))).toHaveLength(1);
  });
});
