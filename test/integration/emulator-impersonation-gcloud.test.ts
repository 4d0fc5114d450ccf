import path from 'node:path';
import {execa} from 'execa';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud impersonation conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

// The emulator runs in this process (from the TypeScript sources); gcloud is the subprocess under test.
describeIfGcloud('the real gcloud impersonating through the emulator IAM Credentials', () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;
  const TARGET = 'deployer@demo-project.iam.gserviceaccount.com';

  beforeAll(async () => {
    const work = tmpDir('gcloud-imp-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    emu.state.createServiceAccount(emu.project, 'deployer');
    await emu.state.addSystemManagedKey(TARGET);
    env = gcloudEnv(emu.url, emu.project);
    const activated = await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`]);
    expect(activated.exitCode).toBe(0);
  });
  afterAll(async () => {
    await emu?.close();
  });

  const run = (args: string[]) => execa(gcloud!, args, {env, reject: false, stdin: 'ignore', timeout: 90_000});

  it('is refused for the project owner without the token creator role, naming the permission', async () => {
    const r = await run(['auth', 'print-access-token', `--impersonate-service-account=${TARGET}`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('iam.serviceAccounts.getAccessToken');
  }, 120_000);

  it('with the role, prints an access token of the target and an id token verifying against the JWKS', async () => {
    emu.state.serviceAccount(TARGET)!.iamPolicy.bindings.push({role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${emu.ownerEmail}`]});
    emu.resetStats();
    const r = await run(['auth', 'print-access-token', `--impersonate-service-account=${TARGET}`]);
    expect(r.exitCode).toBe(0);
    expect(emu.state.accessToken(r.stdout.trim())?.email).toBe(TARGET);
    expect(emu.stats().byRoute['POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken']).toBe(1);

    const id = await run(['auth', 'print-identity-token', `--impersonate-service-account=${TARGET}`, '--audiences=https://svc.example', '--include-email']);
    expect(id.exitCode).toBe(0);
    const {payload} = await jwtVerify(id.stdout.trim(), createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`)), {
      issuer: 'https://accounts.google.com',
      audience: 'https://svc.example',
    });
    expect(payload).toMatchObject({email: TARGET, email_verified: true, sub: emu.state.serviceAccount(TARGET)!.uniqueId});
  }, 120_000);
});
