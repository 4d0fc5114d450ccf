import {rmSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {cleanupTmpDirs, repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {runCli} from '../helpers/cli.js';

/**
 * An "emulated VM": the real google-auth-library and the real gcloud, unmodified, take keyless credentials from the
 * emulator's metadata server, pointed at it only by the GCE_METADATA_* variables `emulator env-init --metadata` prints.
 */
let emu: EmulatorProcess;
let vmEnv: Record<string, string>;
let vmEmail: string;

beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--vm-scopes', 'cloud-platform,userinfo.email']});
  const printed = await runCli(['emulator', 'env-init', '--data-dir', emu.dataDir, '--metadata']);
  expect(printed.exitCode).toBe(0);
  vmEnv = Object.fromEntries(
    String(printed.stdout)
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('export GCE_METADATA_'))
      .map((l) => l.slice('export '.length).split('=') as [string, string]),
  );
  const hostPort = emu.url.replace('http://', '');
  expect(vmEnv).toEqual({GCE_METADATA_HOST: hostPort, GCE_METADATA_IP: hostPort, GCE_METADATA_ROOT: hostPort});
  const view = (await (await fetch(`${emu.url}/__admin/metadata`)).json()) as {serviceAccount: string};
  vmEmail = view.serviceAccount;
  expect(vmEmail).toMatch(/^\d+-compute@developer\.gserviceaccount\.com$/);
});
afterAll(async () => {
  await emu.stop();
  cleanupTmpDirs();
});

async function tokenInfo(token: string): Promise<Record<string, string>> {
  return (await (await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(token)}`)).json()) as Record<string, string>;
}

describe('the real google-auth-library on an emulated VM', () => {
  test('GoogleAuth().getAccessToken() and getIdTokenClient() take tokens from the metadata server, with nothing on stderr', async () => {
    const script = `
      import {GoogleAuth} from 'google-auth-library';
      const auth = new GoogleAuth({scopes: ['https://www.googleapis.com/auth/cloud-platform']});
      const token = await auth.getAccessToken();
      const client = await auth.getClient();
      const idClient = await auth.getIdTokenClient('https://svc.example');
      const headers = await idClient.getRequestHeaders();
      const authorization = typeof headers.get === 'function' ? headers.get('authorization') : headers.Authorization;
      console.log(JSON.stringify({token, client: client.constructor.name, idToken: String(authorization).replace(/^Bearer /, '')}));`;
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      // No GOOGLE_APPLICATION_CREDENTIALS and a HOME with no gcloud ADC file: the metadata server is all there is.
      env: {PATH: process.env.PATH, HOME: tmpDir(), ...vmEnv},
      extendEnv: false,
      reject: false,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(String(result.stdout)) as {token: string; client: string; idToken: string};
    expect(out.client).toBe('Compute');
    // The library asked for cloud-platform alone, so tokeninfo shows no email: the client id says whose it is.
    const info = await tokenInfo(out.token);
    const state = (await (await fetch(`${emu.url}/__admin/state`)).json()) as {serviceAccounts: Record<string, {uniqueId: string}>};
    expect(info.azp).toBe(state.serviceAccounts[vmEmail]?.uniqueId);
    expect(info.scope).toBe('https://www.googleapis.com/auth/cloud-platform');
    const idInfo = (await (await fetch(`${emu.url}/tokeninfo?id_token=${out.idToken}`)).json()) as Record<string, string>;
    expect(idInfo).toMatchObject({aud: 'https://svc.example', email: vmEmail, iss: 'https://accounts.google.com'});
    const stats = await emu.stats();
    expect(stats.tokenRequests.metadata).toBeGreaterThanOrEqual(1);
    expect(stats.tokensIssued.metadataIdentity).toBeGreaterThanOrEqual(1);
  });
});

const gcloud = findGcloud();
const describeGcloud = gcloud ? describe : describe.skip;
if (!gcloud) console.log('skipping the gcloud-on-an-emulated-VM tests: gcloud is not on PATH');

describeGcloud('the real gcloud on an emulated VM', () => {
  /** gcloudEnv's environment with its GCE check turned back on and pointed at the emulator (and its "not on GCE" cache gone). */
  function vmGcloudEnv(): Record<string, string> {
    const env = gcloudEnv(emu.url, emu.project);
    delete env.CLOUDSDK_CORE_CHECK_GCE_METADATA;
    rmSync(path.join(env.CLOUDSDK_CONFIG ?? '', 'gce'), {force: true});
    return {...env, ...vmEnv};
  }

  test('with no account, print-access-token gives the VM token, auth list and config get account show the VM account', async () => {
    const env = vmGcloudEnv();
    const printed = await runGcloud(gcloud!, ['auth', 'print-access-token'], env);
    expect(printed.stderr).toBe('');
    expect(printed.exitCode).toBe(0);
    expect((await tokenInfo(String(printed.stdout).trim())).email).toBe(vmEmail);

    const list = await runGcloud(gcloud!, ['auth', 'list', '--format=value(account,status)'], env);
    expect(list.exitCode).toBe(0);
    expect(String(list.stdout).trim()).toBe(`${vmEmail}\t*`);
    const account = await runGcloud(gcloud!, ['config', 'get', 'account'], env);
    expect(String(account.stdout).trim()).toBe(vmEmail);
    // gcloud's probe found the emulator: it cached "on GCE".
    expect((await emu.stats()).byRoute['GET /computeMetadata/*']).toBeGreaterThan(0);
  });

  test('print-identity-token --audiences gives an id token of the VM account', async () => {
    const env = vmGcloudEnv();
    const printed = await runGcloud(gcloud!, ['auth', 'print-identity-token', '--audiences=https://svc.example'], env);
    expect(printed.exitCode).toBe(0);
    const idInfo = (await (await fetch(`${emu.url}/tokeninfo?id_token=${String(printed.stdout).trim()}`)).json()) as Record<string, string>;
    expect(idInfo).toMatchObject({aud: 'https://svc.example', email: vmEmail});
  });
});
