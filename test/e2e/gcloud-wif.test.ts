import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {STS_MESSAGES} from '../../src/emulator/google-errors.js';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {runCli} from '../helpers/cli.js';
import {savedState, tmpDir} from '../helpers/emulator.js';
import {findGcloud, runGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';
import {pointAtEmulator, provisionFederation, writeCredentialConfig, type CiJob, type FederatedPool} from '../helpers/federation.js';

// Issue 18, item 7(a): the real gcloud 528, offline, as a federated identity of the emulator's workload identity
// pool. gcloud writes the credential configuration itself (create-cred-config), the test points its token_url,
// token_info_url and impersonation URL at the emulator (gcloud follows the file's URLs), and gcloud then logs in,
// lists, prints tokens and calls IAM with the API endpoints `gcauth emulator env-init --gcloud` prints. The emulator
// runs in this process, so what gcloud sent is read from its state and counters.

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('test/e2e/gcloud-wif skipped: gcloud is not on PATH');
const suite = gcloud ? describe : describe.skip;

/** gcloud's own OAuth client, which it sends as HTTP Basic credentials to the STS. */
const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';
/** The scopes gcloud 528 asks the STS for at login and for print-access-token (the reference's list). */
const GCLOUD_SCOPES = [
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/appengine.admin',
  'https://www.googleapis.com/auth/sqlservice.login',
  'https://www.googleapis.com/auth/compute',
];
const SUBJECT = 'repo:acme/app:ref:refs/heads/main';

let emu: RunningEmulator;
let fed: FederatedPool;
let job: CiJob;
let work: string;
/** What `gcauth emulator env-init --gcloud` prints, as variables. */
let gcloudVars: Record<string, string>;

/** Parses `export NAME=VALUE` lines (VALUE bare or single-quoted) into variables. */
function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1').replace(/'\\''/g, "'");
  }
  return vars;
}

/** A fresh gcloud config dir (no GCE probe) with the emulator's endpoints. */
function gcloudSandbox(): Record<string, string> {
  const config = tmpDir('gcloud-wif-config-');
  mkdirSync(config, {recursive: true});
  writeFileSync(path.join(config, 'gce'), 'False');
  return {...gcloudVars, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1'};
}

async function gcloudRun(env: Record<string, string>, args: string[]) {
  const r = await runGcloud(gcloud!, args, env);
  return {stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1};
}

/** The real gcloud's create-cred-config for the job's url source, then pointed at the emulator; its path. */
async function gcloudCredConfig(env: Record<string, string>, name: string, source: CiJob, extra: string[] = []): Promise<string> {
  const file = path.join(work, name);
  const r = await gcloudRun(env, [
    'iam', 'workload-identity-pools', 'create-cred-config', fed.provider,
    `--credential-source-url=${fed.sourceUrl(source)}`,
    `--credential-source-headers=Authorization=Bearer ${source.requestToken}`,
    '--credential-source-type=json', '--credential-source-field-name=value',
    `--output-file=${file}`, ...extra,
  ]);
  expect(r).toMatchObject({exitCode: 0, stderr: `Created credential configuration file [${file}].`});
  writeCredentialConfig(file, pointAtEmulator(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, emu.url));
  return file;
}

/**
 * How often each route a client calls in a federated flow was called since `before` (a stats snapshot). The CI
 * issuer's discovery and JWKS are left out: the emulator's STS fetches those itself to verify a job token.
 */
function calls(before: Record<string, number>): Record<string, number> {
  const now = emu.stats().byRoute;
  const out: Record<string, number> = {};
  for (const [route, n] of Object.entries(now)) if (/ \/(ci\/token|sts\/|iamcredentials\/|iam\/)/.test(route) && n !== (before[route] ?? 0)) out[route] = n - (before[route] ?? 0);
  return out;
}

/** Every federated token the emulator's STS issued so far, oldest first. */
async function federatedTokens() {
  return Object.values((await savedState(emu)).federatedTokens).sort((a, b) => a.issuedAt - b.issuedAt);
}

suite('the real gcloud 528 with external_account credentials against the emulator', () => {
  beforeAll(async () => {
    work = tmpDir('gcloud-wif-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    fed = await provisionFederation(emu);
    job = await fed.job('acme/app');
    const printed = await runCli(['emulator', 'env-init', '--gcloud', '--data-dir', emu.dataDir]);
    expect(printed).toMatchObject({exitCode: 0, stderr: ''});
    gcloudVars = parseExports(printed.stdout);
    expect(gcloudVars.CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM).toBe(`${emu.url}/iam/`);
  });
  afterAll(async () => {
    await emu?.close();
  });

  test('without impersonation: login names the principal, then auth list, print-access-token and an IAM call as it', async () => {
    await fed.grant(fed.repositorySet('acme/app'), 'roles/iam.serviceAccountViewer');
    const env = gcloudSandbox();
    const file = await gcloudCredConfig(env, 'wif.json', job);
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({type: 'external_account', audience: fed.audience, token_info_url: `${emu.url}/sts/v1/introspect`});

    let before = {...emu.stats().byRoute};
    const login = await gcloudRun(env, ['auth', 'login', `--cred-file=${file}`]);
    const principal = fed.principal(SUBJECT);
    expect(login.stderr).toContain(`Authenticated with external account credentials for: [${principal}].`);
    expect(login.exitCode).toBe(0);
    // At login gcloud reads the source once, exchanges once and introspects the token for the account's name.
    expect(calls(before)).toEqual({'GET /ci/token': 1, 'POST /sts/v1/token': 1, 'POST /sts/v1/introspect': 1});
    const [atLogin] = await federatedTokens();
    expect(atLogin).toMatchObject({subject: SUBJECT, attributes: {repository: ['acme/app']}, scopes: GCLOUD_SCOPES, clientId: GCLOUD_CLIENT_ID});

    const list = await gcloudRun(env, ['auth', 'list', '--format=value(account,status)']);
    expect(list).toMatchObject({exitCode: 0, stdout: `${principal}\t*`});

    before = {...emu.stats().byRoute};
    const printed = await gcloudRun(env, ['auth', 'print-access-token']);
    expect(printed.exitCode).toBe(0);
    // gcloud 528 keeps no federated token between commands: each one reads the source and exchanges again.
    expect(calls(before)).toEqual({'GET /ci/token': 1, 'POST /sts/v1/token': 1});
    expect(emu.state.federatedToken(printed.stdout.trim())).toMatchObject({subject: SUBJECT, scopes: GCLOUD_SCOPES});

    before = {...emu.stats().byRoute};
    const accounts = await gcloudRun(env, ['iam', 'service-accounts', 'list', '--project', emu.project, '--format=value(email)']);
    expect(accounts).toMatchObject({exitCode: 0, stdout: emu.ownerEmail});
    const iamCall = calls(before);
    expect(iamCall['GET /iam/v1/projects/{project}/serviceAccounts']).toBe(1);
    // Measured with gcloud 528: two source reads and two exchanges for this one call.
    expect(iamCall['POST /sts/v1/token']).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test('with --service-account: login names the email and contacts nothing; print-access-token is an IAM Credentials token', async () => {
    const {email} = await fed.createServiceAccount('ci-builder');
    await fed.grant(fed.repositorySet('acme/app'), 'roles/iam.workloadIdentityUser', email);
    await fed.grant(`serviceAccount:${email}`, 'roles/iam.serviceAccountViewer');
    const env = gcloudSandbox();
    const file = await gcloudCredConfig(env, 'wif-sa.json', job, [`--service-account=${email}`]);
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(config).not.toHaveProperty('token_info_url');
    expect(config.service_account_impersonation_url).toBe(`${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${email}:generateAccessToken`);

    const total = emu.stats().total;
    const login = await gcloudRun(env, ['auth', 'login', `--cred-file=${file}`]);
    expect(login.stderr).toContain(`Authenticated with external account credentials for: [${email}].`);
    expect(login.exitCode).toBe(0);
    expect(emu.stats().total).toBe(total);
    expect(await gcloudRun(env, ['auth', 'list', '--format=value(account,status)'])).toMatchObject({exitCode: 0, stdout: `${email}\t*`});

    const before = {...emu.stats().byRoute};
    const stsBefore = (await federatedTokens()).length;
    const printed = await gcloudRun(env, ['auth', 'print-access-token']);
    expect(printed.exitCode).toBe(0);
    expect(calls(before)).toEqual({
      'GET /ci/token': 1,
      'POST /sts/v1/token': 1,
      'POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken': 1,
    });
    // The STS token is asked for the iam scope only, and (measured, unlike at a login without impersonation) with no
    // HTTP Basic client credentials; the service account's token carries gcloud's scopes.
    const exchanged = (await federatedTokens()).slice(stsBefore);
    expect(exchanged).toHaveLength(1);
    expect(exchanged[0]).toMatchObject({subject: SUBJECT, scopes: ['https://www.googleapis.com/auth/iam']});
    expect(exchanged[0]).not.toHaveProperty('clientId');
    expect(emu.state.accessToken(printed.stdout.trim())).toMatchObject({email, scopes: GCLOUD_SCOPES});

    const accounts = await gcloudRun(env, ['iam', 'service-accounts', 'list', '--project', emu.project, '--format=value(email)']);
    expect(accounts.exitCode).toBe(0);
    expect(accounts.stdout.split('\n').filter(Boolean).sort()).toEqual([email, emu.ownerEmail].sort());
  }, 60_000);

  test('a job of another owner is refused at the STS, and gcloud shows the STS\'s reason', async () => {
    const env = gcloudSandbox();
    const file = await gcloudCredConfig(env, 'wif-other.json', await fed.job('mallory/app'));
    const login = await gcloudRun(env, ['auth', 'login', `--cred-file=${file}`]);
    expect(login.exitCode).toBe(1);
    // gcloud 528: `ERROR: (gcloud.auth.login) There was a problem refreshing your current auth tokens: ('Error code
    // unauthorized_client: <description>', '<the STS's JSON>')`.
    expect(login.stderr).toContain('Error code unauthorized_client');
    expect(login.stderr).toContain(STS_MESSAGES.condition);
    expect((await gcloudRun(env, ['auth', 'list', '--format=value(account)'])).stdout).toBe('');
  }, 60_000);
});
