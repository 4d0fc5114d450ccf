/**
 * Impersonation and identity tokens, the built CLI against the emulator process: IAM Credentials
 * generateAccessToken/generateIdToken allowed only with roles/iam.serviceAccountTokenCreator on the target,
 * impersonated tokens cached (one mint for two runs), API commands run as the target, and id tokens that verify
 * against the emulator's JWKS.
 */
import path from 'node:path';

import {createRemoteJWKSet, jwtVerify} from 'jose';

import {runCli, type CliResult} from '../helpers/cli.js';
import {activatedEnv, startEmulatorProcess, tmpDir, type EmulatorProcess, type EmulatorStats} from '../helpers/emulator.js';

let emu: EmulatorProcess;
let owner: Record<string, string>;
let source: Record<string, string>;
let project: string;
let sourceEmail: string;
let targetEmail: string;

const gcauth = (args: string[], env: Record<string, string>): Promise<CliResult> => runCli(args, {env});
const calls = (stats: EmulatorStats, method: string): number =>
  Object.entries(stats.byRoute)
    .filter(([route]) => route.includes(method))
    .reduce((sum, [, n]) => sum + n, 0);
const warning = () => `WARNING: This command is using service account impersonation. All API calls will be executed as [${targetEmail}].\n`;
const jwks = () => createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`));

async function createAccount(id: string): Promise<string> {
  const email = `${id}@${project}.iam.gserviceaccount.com`;
  expect((await gcauth(['iam', 'service-accounts', 'create', id, `--project=${project}`], owner)).exitCode).toBe(0);
  return email;
}

beforeAll(async () => {
  emu = await startEmulatorProcess();
  project = emu.project;
  owner = await activatedEnv(emu.url, emu.ownerKeyFile);
  // The source holds no role at all: whatever it can do, it does as the target.
  sourceEmail = await createAccount('imp-source');
  targetEmail = await createAccount('imp-target');
  expect(
    (await gcauth(['projects', 'add-iam-policy-binding', project, `--member=serviceAccount:${targetEmail}`, '--role=roles/iam.securityReviewer', '--format=none'], owner))
      .exitCode,
  ).toBe(0);
  const keyFile = path.join(tmpDir(), 'source.json');
  expect((await gcauth(['iam', 'service-accounts', 'keys', 'create', keyFile, `--iam-account=${sourceEmail}`], owner)).exitCode).toBe(0);
  source = await activatedEnv(emu.url, keyFile);
}, 60_000);
afterAll(() => emu.stop());

describe('before the source holds Token Creator on the target', () => {
  it('is refused: exit 1, the missing permission named, a hint to grant it, nothing on stdout', async () => {
    const result = await gcauth(['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`], source);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`ERROR: ${sourceEmail} lacks permission iam.serviceAccounts.getAccessToken on service account [${targetEmail}]`);
    expect(result.stderr).toContain(
      `gcauth iam service-accounts add-iam-policy-binding ${targetEmail} --member=serviceAccount:${sourceEmail} --role=roles/iam.serviceAccountTokenCreator`,
    );
  });

  it('the source alone cannot read the project policy', async () => {
    const result = await gcauth(['projects', 'get-iam-policy', project, '--format=json'], source);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${sourceEmail} lacks permission resourcemanager.projects.getIamPolicy`);
  });
});

describe('with roles/iam.serviceAccountTokenCreator on the target', () => {
  beforeAll(async () => {
    const grant = await gcauth(
      ['iam', 'service-accounts', 'add-iam-policy-binding', targetEmail, `--member=serviceAccount:${sourceEmail}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'],
      owner,
    );
    expect(grant.exitCode).toBe(0);
  });

  it("prints the target's token with gcloud's warning; the second run is served from the cache (one generateAccessToken)", async () => {
    await emu.resetStats();
    const first = await gcauth(['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`], source);
    expect(first).toEqual({exitCode: 0, stdout: expect.stringMatching(/^ya29\.\S+\n$/), stderr: warning()});
    const second = await gcauth(['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`], source);
    expect(second).toEqual({exitCode: 0, stdout: first.stdout, stderr: warning()});
    expect(calls(await emu.stats(), ':generateAccessToken')).toBe(1);

    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${first.stdout.trim()}`)).json()) as {email?: string};
    expect(info.email).toBe(targetEmail);
    const own = await gcauth(['auth', 'print-access-token'], source);
    expect(own.stdout).not.toBe(first.stdout);
  });

  it('--lifetime asks IAM Credentials for a shorter token, cached apart', async () => {
    const result = await gcauth(['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`, '--lifetime=600', '--format=json'], source);
    expect(result.exitCode).toBe(0);
    const {expiry} = JSON.parse(result.stdout) as {expiry: string};
    const left = Date.parse(expiry) - Date.now();
    expect(left).toBeGreaterThan(500_000);
    expect(left).toBeLessThanOrEqual(600_000);
  });

  it('ten processes needing a new impersonated token make one generateAccessToken between them', async () => {
    await emu.resetStats();
    const args = ['auth', 'print-access-token', `--impersonate-service-account=${targetEmail}`, '--lifetime=1200'];
    const results = await Promise.all(Array.from({length: 10}, () => gcauth(args, source)));
    expect(results.filter((r) => r.exitCode !== 0)).toEqual([]);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(calls(await emu.stats(), ':generateAccessToken')).toBe(1);
  }, 60_000);

  it('projects get-iam-policy runs as the target (its permissions apply), from the property too', async () => {
    const byFlag = await gcauth(['projects', 'get-iam-policy', project, '--format=json', `--impersonate-service-account=${targetEmail}`], source);
    expect(byFlag).toMatchObject({exitCode: 0, stderr: warning()});
    expect(JSON.stringify(JSON.parse(byFlag.stdout).bindings)).toContain(`serviceAccount:${targetEmail}`);

    const byEnv = await gcauth(['projects', 'get-iam-policy', project, '--format=json'], {...source, GCAUTH_AUTH_IMPERSONATE_SERVICE_ACCOUNT: targetEmail});
    expect(byEnv).toMatchObject({exitCode: 0, stdout: byFlag.stdout, stderr: warning()});

    // The target may read but not write: the write is refused naming the target, not the source.
    const write = await gcauth(
      ['projects', 'add-iam-policy-binding', project, '--member=user:x@example.com', '--role=roles/viewer', `--impersonate-service-account=${targetEmail}`],
      source,
    );
    expect(write.exitCode).toBe(1);
    expect(write.stderr).toContain(`${targetEmail} lacks permission resourcemanager.projects.setIamPolicy`);
  });

  it('print-identity-token through generateIdToken verifies against the JWKS with aud and the email', async () => {
    const result = await gcauth(
      ['auth', 'print-identity-token', '--audiences=https://svc.example.com', '--include-email', `--impersonate-service-account=${targetEmail}`],
      source,
    );
    expect(result).toMatchObject({exitCode: 0, stderr: warning()});
    const {payload} = await jwtVerify(result.stdout.trim(), jwks(), {audience: 'https://svc.example.com'});
    expect(payload.email).toBe(targetEmail);
  });

  it('a delegation chain: the source through the target to a third account, each hop granted on the next', async () => {
    const finalEmail = await createAccount('imp-final');
    const chain = `--impersonate-service-account=${targetEmail},${finalEmail}`;
    const refused = await gcauth(['auth', 'print-access-token', chain], source);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`on service account [${finalEmail}]`);

    const grant = await gcauth(
      ['iam', 'service-accounts', 'add-iam-policy-binding', finalEmail, `--member=serviceAccount:${targetEmail}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'],
      owner,
    );
    expect(grant.exitCode).toBe(0);
    const result = await gcauth(['auth', 'print-access-token', chain], source);
    expect(result).toMatchObject({exitCode: 0, stderr: `WARNING: This command is using service account impersonation. All API calls will be executed as [${finalEmail}].\n`});
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${result.stdout.trim()}`)).json()) as {email?: string};
    expect(info.email).toBe(finalEmail);
  });

  it('an unknown property value is a usage error naming its source', async () => {
    const result = await gcauth(['auth', 'print-access-token'], {...source, GCAUTH_AUTH_IMPERSONATE_SERVICE_ACCOUNT: 'nope'});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: Invalid value for property \[auth\/impersonate_service_account\].*nope/);
  });
});

describe("a service account's own id token", () => {
  it('verifies against the JWKS with aud = the audience; the second run is cached', async () => {
    await emu.resetStats();
    const first = await gcauth(['auth', 'print-identity-token', '--audiences=https://run.example.com'], source);
    expect(first).toMatchObject({exitCode: 0, stderr: ''});
    const {payload} = await jwtVerify(first.stdout.trim(), jwks(), {audience: 'https://run.example.com'});
    expect(payload.email).toBe(sourceEmail);
    const second = await gcauth(['auth', 'print-identity-token', '--audiences=https://run.example.com'], source);
    expect(second.stdout).toBe(first.stdout);
    expect((await emu.stats()).tokenRequests.idToken).toBe(1);
  });
});
