import path from 'node:path';
import {readFileSync} from 'node:fs';

import {execa} from 'execa';

import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {runCli} from '../helpers/cli.js';
import {callApi, repoRoot, tmpDir} from '../helpers/emulator.js';
import {pointAtEmulator, provisionFederation, writeCredentialConfig, type CiJob, type FederatedPool} from '../helpers/federation.js';

// Issue 18, item 7(b): the real google-auth-library (unmodified, from node_modules), in a child node process that
// knows nothing but GOOGLE_APPLICATION_CREDENTIALS (a file `gcauth iam workload-identity-pools create-cred-config`
// wrote, its Google URLs then pointed at the emulator) and GOOGLE_CLOUD_PROJECT (without it the library looks the
// project up at the hard-coded cloudresourcemanager.googleapis.com; see the reference).

const SUBJECT = 'repo:acme/app:ref:refs/heads/main';
/** What an application does: Application Default Credentials, one access token. */
const CLIENT = `
import {GoogleAuth} from 'google-auth-library';
const auth = new GoogleAuth({scopes: ['https://www.googleapis.com/auth/cloud-platform']});
process.stdout.write(await auth.getAccessToken());
`;

let emu: RunningEmulator;
let fed: FederatedPool;
let job: CiJob;
let work: string;

/** `gcauth iam workload-identity-pools create-cred-config` for the job's url source, pointed at the emulator; its path. */
async function gcauthCredConfig(name: string, extra: string[] = []): Promise<string> {
  const file = path.join(work, name);
  const r = await runCli([
    'iam', 'workload-identity-pools', 'create-cred-config', fed.provider,
    `--credential-source-url=${fed.sourceUrl(job)}`,
    `--credential-source-headers=Authorization=Bearer ${job.requestToken}`,
    '--credential-source-type=json', '--credential-source-field-name=value',
    `--output-file=${file}`, ...extra,
  ], {env: {GCAUTH_CONFIG: tmpDir()}});
  expect(r).toMatchObject({exitCode: 0, stdout: ''});
  writeCredentialConfig(file, pointAtEmulator(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, emu.url));
  return file;
}

/** The library's getAccessToken() in a child process with only these variables (and PATH). */
async function libraryToken(credentials: string): Promise<string> {
  const r = await execa(process.execPath, ['--input-type=module', '-e', CLIENT], {
    cwd: repoRoot,
    env: {PATH: process.env.PATH, HOME: tmpDir(), GOOGLE_APPLICATION_CREDENTIALS: credentials, GOOGLE_CLOUD_PROJECT: emu.project},
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
  expect({exitCode: r.exitCode, stderr: r.stderr}).toEqual({exitCode: 0, stderr: ''});
  return String(r.stdout);
}

const listAccounts = (token: string) => callApi(emu.url, token, 'GET', `/iam/v1/projects/${emu.project}/serviceAccounts`);

describe('the real google-auth-library with a credential configuration gcauth wrote', () => {
  beforeAll(async () => {
    work = tmpDir('gal-wif-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    fed = await provisionFederation(emu);
    job = await fed.job('acme/app');
  });
  afterAll(async () => {
    await emu?.close();
  });

  test('getAccessToken() returns an STS token of the principal, which the emulator\'s IAM accepts', async () => {
    await fed.grant(fed.repositorySet('acme/app'), 'roles/iam.serviceAccountViewer');
    const token = await libraryToken(await gcauthCredConfig('wif.json'));
    expect(emu.state.federatedToken(token)).toMatchObject({subject: SUBJECT, attributes: {repository: ['acme/app']}, scopes: ['https://www.googleapis.com/auth/cloud-platform']});
    expect(await listAccounts(token)).toMatchObject({status: 200});
  });

  test('with --service-account: getAccessToken() returns the service account\'s IAM Credentials token', async () => {
    const {email} = await fed.createServiceAccount('gal-builder');
    await fed.grant(fed.repositorySet('acme/app'), 'roles/iam.workloadIdentityUser', email);
    await fed.grant(`serviceAccount:${email}`, 'roles/iam.serviceAccountViewer');
    const file = await gcauthCredConfig('wif-sa.json', [`--service-account=${email}`]);
    const before = emu.stats().byRoute;
    const generated = 'POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken';
    const generatedBefore = before[generated] ?? 0;
    const token = await libraryToken(file);
    expect(emu.state.federatedToken(token)).toBeUndefined();
    expect(emu.state.accessToken(token)).toMatchObject({email, scopes: ['https://www.googleapis.com/auth/cloud-platform']});
    expect(emu.stats().byRoute[generated]).toBe(generatedBefore + 1);
    expect(await listAccounts(token)).toMatchObject({status: 200});
  });
});
