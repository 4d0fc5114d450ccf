import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud} from '../helpers/gcloud.js';

const gcloud = findGcloud();
if (!gcloud) console.log('gcloud impersonation conformance skipped: gcloud is not on PATH');
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
    const config = path.join(work, 'gcloud-config');
    mkdirSync(config, {recursive: true});
    writeFileSync(path.join(config, 'gce'), 'False');
    env = {
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_AUTH_TOKEN_HOST: `${emu.url}/token`,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${emu.url}/iamcredentials/`,
      CLOUDSDK_CORE_PROJECT: 'demo-project',
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
      CLOUDSDK_METRICS_ENVIRONMENT: 'x',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
    };
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
