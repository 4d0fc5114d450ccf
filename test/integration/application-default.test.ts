/**
 * The built CLI's auth application-default commands against the emulator process, logged in through its consent
 * page with test/helpers/http-browser.mjs as BROWSER; and interoperability both ways: the real google-auth-library,
 * in a Node process of its own, refreshes the ADC file gcauth wrote, and gcauth reads an ADC file of the shape
 * gcloud writes.
 */
import {copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';

import {execa} from 'execa';

import {runCli, runHelper} from '../helpers/cli.js';
import {startGoogleMitm} from '../helpers/google-mitm.js';
import {browserLoginEnv, LOGIN_CLIENT} from '../helpers/login.js';
import {allowOnConsentPage, activatedEnv, cliBin, repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';

const USER = 'user@example.com';
const {id: CLIENT_ID, secret: CLIENT_SECRET} = LOGIN_CLIENT;

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--user', USER]});
});
afterAll(() => emu.stop());

/** A login environment; no probe of a metadata server when there is no file. */
const adcEnv = (extra: Record<string, string> = {}) => browserLoginEnv(emu.url, {METADATA_SERVER_DETECTION: 'none', ...extra});

const emailOf = async (token: string) =>
  ((await (await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(token)}`)).json()) as {email?: string}).email;

/** A refresh_token grant at the emulator, as any client would send it. */
async function refresh(refreshToken: string): Promise<{status: number; body: Record<string, unknown>}> {
  const response = await fetch(`${emu.url}/token`, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: CLIENT_SECRET}),
  });
  return {status: response.status, body: (await response.json()) as Record<string, unknown>};
}

/**
 * The real google-auth-library in a Node process of its own: `new GoogleAuth({scopes}).getAccessToken()`, finding ADC by
 * itself (GOOGLE_APPLICATION_CREDENTIALS or CLOUDSDK_CONFIG's well-known file). Its user refresh goes to a hard-coded
 * https://oauth2.googleapis.com/token that no file field moves (UserRefreshClient reads no token_uri), so the token
 * endpoint is pointed at the emulator through the library's public option for it, clientOptions.endpoints.
 */
async function googleAuthLibrary(env: Record<string, string>) {
  const script = `
    import {GoogleAuth} from 'google-auth-library';
    const auth = new GoogleAuth({
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      clientOptions: {endpoints: {oauth2TokenUrl: process.env.TOKEN_URL}},
    });
    try {
      const client = await auth.getClient();
      const token = await auth.getAccessToken();
      console.log(JSON.stringify({token, client: client.constructor.name, quotaProjectId: client.quotaProjectId ?? null}));
    } catch (error) {
      console.log(JSON.stringify({error: String(error?.response?.data?.error ?? error?.message ?? error)}));
    }`;
  const result = await execa(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: {PATH: process.env.PATH, HOME: tmpDir(), METADATA_SERVER_DETECTION: 'none', TOKEN_URL: `${emu.url}/token`, ...env},
    extendEnv: false,
    reject: false,
  });
  expect(result.stderr).toBe('');
  return JSON.parse(String(result.stdout)) as {token?: string; client?: string; quotaProjectId?: string | null; error?: string};
}

describe('auth application-default against the emulator', () => {
  test('login writes the authorized_user file 0600 and says where; no gcauth account is made; print-access-token serves from it', async () => {
    const {env, adc} = adcEnv();
    const login = await runCli(['auth', 'application-default', 'login'], {env});
    expect(login.exitCode).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/^Your browser has been opened to visit:/);
    expect(login.stderr).toContain(
      `\nCredentials saved to file: [${adc}]\n\nThese credentials will be used by any library that requests Application Default Credentials (ADC).\n`,
    );
    expect(statSync(adc).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(adc, 'utf8')) as Record<string, string>;
    expect(file).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: expect.any(String),
      token_uri: `${emu.url}/token`,
      type: 'authorized_user',
      universe_domain: 'googleapis.com',
    });
    expect(JSON.parse((await runCli(['auth', 'list', '--format=json'], {env})).stdout)).toEqual([]);

    const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(printed).toMatchObject({exitCode: 0, stderr: ''});
    expect(printed.stdout).toMatch(/^\S+\n$/);
    expect(await emailOf(printed.stdout.trim())).toBe(USER);
  });

  test('--no-launch-browser: the URL on stderr, the redirect address pasted on stdin, the file written', async () => {
    const {env, adc} = adcEnv({BROWSER: '/nonexistent-browser'});
    const child = execa(process.execPath, [cliBin, 'auth', 'application-default', 'login', '--no-launch-browser'], {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env},
      extendEnv: false,
      reject: false,
    });
    const url = await new Promise<string>((resolve) => {
      createInterface({input: child.stderr!}).on('line', (line) => {
        const m = /^ {4}(http\S+)$/.exec(line);
        if (m) resolve(m[1]!);
      });
    });
    child.stdin!.end(`${await allowOnConsentPage(emu.url, url, USER)}\n`);
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(statSync(adc).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(adc, 'utf8'))).toMatchObject({type: 'authorized_user', client_id: CLIENT_ID});
  });

  test('core/project becomes the quota project once the account may use it (serviceusage.services.use); before, a warning; --disable-quota-project skips it', async () => {
    const owner = await activatedEnv(emu.url, emu.ownerKeyFile);
    const {env, adc} = adcEnv({GCAUTH_CORE_PROJECT: emu.project});
    const refused = await runCli(['auth', 'application-default', 'login'], {env});
    expect(refused.exitCode).toBe(0);
    expect(refused.stderr).toContain(
      `Cannot add the project "${emu.project}" to ADC as the quota project because the account in ADC does not have the "serviceusage.services.use" permission on this project.`,
    );
    expect(JSON.parse(readFileSync(adc, 'utf8'))).not.toHaveProperty('quota_project_id');

    const grant = ['projects', 'add-iam-policy-binding', emu.project, `--member=user:${USER}`, '--role=roles/serviceusage.serviceUsageConsumer', '--format=none'];
    expect((await runCli(grant, {env: owner})).exitCode).toBe(0);
    const added = await runCli(['auth', 'application-default', 'login'], {env});
    expect(added.exitCode).toBe(0);
    expect(added.stderr).toContain(`Quota project "${emu.project}" was added to ADC`);
    expect(JSON.parse(readFileSync(adc, 'utf8'))).toMatchObject({type: 'authorized_user', quota_project_id: emu.project});

    const disabled = await runCli(['auth', 'application-default', 'login', '--disable-quota-project'], {env});
    expect(disabled.exitCode).toBe(0);
    expect(disabled.stderr).not.toContain('quota');
    expect(JSON.parse(readFileSync(adc, 'utf8'))).not.toHaveProperty('quota_project_id');
  });

  test('set-quota-project adds quota_project_id and keeps the rest; a token is still served from the rewritten file', async () => {
    const {env, adc} = adcEnv();
    expect((await runCli(['auth', 'application-default', 'login'], {env})).exitCode).toBe(0);
    const before = JSON.parse(readFileSync(adc, 'utf8')) as Record<string, string>;
    const set = await runCli(['auth', 'application-default', 'set-quota-project', 'demo-project'], {env});
    expect(set.exitCode).toBe(0);
    expect(set.stderr).toContain('Quota project "demo-project" was added to ADC');
    expect(JSON.parse(readFileSync(adc, 'utf8'))).toEqual({...before, quota_project_id: 'demo-project'});
    expect(statSync(adc).mode & 0o777).toBe(0o600);
    const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(printed.exitCode).toBe(0);
    expect(await emailOf(printed.stdout.trim())).toBe(USER);
  });

  test('revoke -q kills the refresh token at the emulator (a later refresh gets invalid_grant) and removes the file', async () => {
    const {env, adc} = adcEnv();
    expect((await runCli(['auth', 'application-default', 'login'], {env})).exitCode).toBe(0);
    const refreshToken = (JSON.parse(readFileSync(adc, 'utf8')) as {refresh_token: string}).refresh_token;
    expect((await refresh(refreshToken)).status).toBe(200);

    const revoked = await runCli(['auth', 'application-default', 'revoke', '-q'], {env});
    expect(revoked).toEqual({exitCode: 0, stdout: '', stderr: `Credentials revoked: [${adc}]\n`});
    expect(existsSync(adc)).toBe(false);
    expect(await refresh(refreshToken)).toMatchObject({status: 400, body: {error: 'invalid_grant'}});
  });

  test('revoke with the endpoint unreachable: the file is deleted anyway, and that is said', async () => {
    const {env, adc} = adcEnv();
    expect((await runCli(['auth', 'application-default', 'login'], {env})).exitCode).toBe(0);
    const revoked = await runCli(['auth', 'application-default', 'revoke', '-q'], {env: {...env, GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:1/token'}});
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stderr).toMatch(/^WARNING: Could not revoke the refresh token: http:\/\/127\.0\.0\.1:1\/revoke could not be reached/);
    expect(revoked.stderr).toContain(`Credentials removed: [${adc}]`);
    expect(existsSync(adc)).toBe(false);
  });

  test('print-access-token with no ADC anywhere: gcloud\'s message, exit 4', async () => {
    const {env} = adcEnv();
    const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(printed).toEqual({
      exitCode: 4,
      stdout: '',
      stderr:
        'ERROR: Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.\n',
    });
  });

  test('--impersonate-service-account writes an impersonated_service_account file; its tokens are the target\'s, once the user may mint them', async () => {
    const owner = await activatedEnv(emu.url, emu.ownerKeyFile);
    expect((await runCli(['iam', 'service-accounts', 'create', 'adc-target', `--project=${emu.project}`], {env: owner})).exitCode).toBe(0);
    const target = `adc-target@${emu.project}.iam.gserviceaccount.com`;
    const {env, adc} = adcEnv();
    const login = await runCli(['auth', 'application-default', 'login', `--impersonate-service-account=${target}`], {env});
    expect(login.exitCode).toBe(0);
    expect(login.stderr).toContain(`They impersonate [${target}], with [${USER}] as the source.`);
    expect(JSON.parse(readFileSync(adc, 'utf8'))).toEqual({
      delegates: [],
      service_account_impersonation_url: `${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${target}:generateAccessToken`,
      source_credentials: expect.objectContaining({type: 'authorized_user', client_id: CLIENT_ID, token_uri: `${emu.url}/token`}),
      type: 'impersonated_service_account',
    });
    expect(statSync(adc).mode & 0o777).toBe(0o600);

    const refused = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(`ERROR: IAM Credentials refused to impersonate [${target}] with the Application Default Credentials in [${adc}]`);
    expect(refused.stderr).toContain('roles/iam.serviceAccountTokenCreator');

    const grant = ['iam', 'service-accounts', 'add-iam-policy-binding', target, `--member=user:${USER}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'];
    expect((await runCli(grant, {env: owner})).exitCode).toBe(0);
    // A cloud-platform token shows no email in tokeninfo: its azp is the account's uniqueId.
    const {uniqueId} = JSON.parse((await runCli(['iam', 'service-accounts', 'describe', target, '--format=json'], {env: owner})).stdout) as {uniqueId: string};
    const azpOf = async (token: string) => ((await (await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(token)}`)).json()) as {azp?: string}).azp;
    const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(printed).toMatchObject({exitCode: 0, stderr: ''});
    expect(await azpOf(printed.stdout.trim())).toBe(uniqueId);
    const helper = await runHelper(['get'], {env: {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'}, input: 'gcr.io'});
    expect(helper.exitCode).toBe(0);
    expect(await azpOf((JSON.parse(helper.stdout) as {Secret: string}).Secret)).toBe(uniqueId);
  });
});

describe('interoperability with Google\'s client library and gcloud\'s files', () => {
  test('the real google-auth-library refreshes the file gcauth wrote: via GOOGLE_APPLICATION_CREDENTIALS and via the well-known file', async () => {
    const {env, adc, dir} = adcEnv();
    expect((await runCli(['auth', 'application-default', 'login'], {env})).exitCode).toBe(0);
    expect((await runCli(['auth', 'application-default', 'set-quota-project', 'demo-project'], {env})).exitCode).toBe(0);

    const viaVariable = await googleAuthLibrary({GOOGLE_APPLICATION_CREDENTIALS: adc});
    expect(viaVariable).toEqual({token: expect.any(String), client: 'UserRefreshClient', quotaProjectId: 'demo-project'});
    expect(await emailOf(viaVariable.token!)).toBe(USER);

    const viaWellKnown = await googleAuthLibrary({CLOUDSDK_CONFIG: path.join(dir, 'gcloud')});
    expect(viaWellKnown).toMatchObject({client: 'UserRefreshClient', token: expect.any(String)});
    expect(await emailOf(viaWellKnown.token!)).toBe(USER);

    // After gcauth revokes it, the library's refresh is refused too.
    const copy = path.join(dir, 'copy.json');
    copyFileSync(adc, copy);
    expect((await runCli(['auth', 'application-default', 'revoke', '-q'], {env})).exitCode).toBe(0);
    expect(await googleAuthLibrary({GOOGLE_APPLICATION_CREDENTIALS: copy})).toEqual({error: 'invalid_grant'});
  });

  test('unmodified: plain new GoogleAuth({scopes}).getAccessToken(), Google\'s hosts played by a local TLS proxy, for the user file and the impersonated one', async () => {
    const mitm = await startGoogleMitm(emu.url);
    try {
      const plain = `
        import {GoogleAuth} from 'google-auth-library';
        try {
          const auth = new GoogleAuth({scopes: ['https://www.googleapis.com/auth/cloud-platform']});
          const token = await auth.getAccessToken();
          console.log(JSON.stringify({token, client: (await auth.getClient()).constructor.name}));
        } catch (error) {
          console.log(JSON.stringify({error: String(error?.message ?? error)}));
        }`;
      const run = async (file: string) => {
        const result = await execa(process.execPath, ['--input-type=module', '-e', plain], {
          cwd: repoRoot,
          env: {PATH: process.env.PATH, HOME: tmpDir(), METADATA_SERVER_DETECTION: 'none', GOOGLE_APPLICATION_CREDENTIALS: file, HTTPS_PROXY: mitm.url, NODE_EXTRA_CA_CERTS: mitm.caFile},
          extendEnv: false,
          reject: false,
        });
        expect(result.stderr).toBe('');
        return JSON.parse(String(result.stdout)) as {token?: string; client?: string; error?: string};
      };

      const user = adcEnv();
      expect((await runCli(['auth', 'application-default', 'login'], {env: user.env})).exitCode).toBe(0);
      const fromUser = await run(user.adc);
      expect(fromUser).toEqual({token: expect.any(String), client: 'UserRefreshClient'});
      expect(await emailOf(fromUser.token!)).toBe(USER);
      expect(mitm.seen).toEqual(['oauth2.googleapis.com /token']);

      const owner = await activatedEnv(emu.url, emu.ownerKeyFile);
      expect((await runCli(['iam', 'service-accounts', 'create', 'mitm-target', `--project=${emu.project}`], {env: owner})).exitCode).toBe(0);
      const target = `mitm-target@${emu.project}.iam.gserviceaccount.com`;
      const grant = ['iam', 'service-accounts', 'add-iam-policy-binding', target, `--member=user:${USER}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'];
      expect((await runCli(grant, {env: owner})).exitCode).toBe(0);
      const impersonated = adcEnv();
      expect((await runCli(['auth', 'application-default', 'login', `--impersonate-service-account=${target}`], {env: impersonated.env})).exitCode).toBe(0);
      mitm.seen.length = 0;
      const fromImpersonated = await run(impersonated.adc);
      expect(fromImpersonated).toEqual({token: expect.any(String), client: 'Impersonated'});
      expect(mitm.seen).toEqual(['oauth2.googleapis.com /token', `iamcredentials.googleapis.com /v1/projects/-/serviceAccounts/${target}:generateAccessToken`]);
      const {uniqueId} = JSON.parse((await runCli(['iam', 'service-accounts', 'describe', target, '--format=json'], {env: owner})).stdout) as {uniqueId: string};
      const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(fromImpersonated.token!)}`)).json()) as {azp?: string};
      expect(info.azp).toBe(uniqueId);
    } finally {
      await mitm.close();
    }
  });

  test('gcauth reads an ADC file of the shape gcloud writes (account "", no token_uri): print-access-token and the Docker helper', async () => {
    // A refresh token the emulator knows, put into gcloud's layout (test/fixtures/gcloud-adc-authorized-user.json).
    const first = adcEnv();
    expect((await runCli(['auth', 'application-default', 'login'], {env: first.env})).exitCode).toBe(0);
    const refreshToken = (JSON.parse(readFileSync(first.adc, 'utf8')) as {refresh_token: string}).refresh_token;
    const {env, adc} = adcEnv();
    mkdirSync(path.dirname(adc), {recursive: true});
    const fixture = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'gcloud-adc-authorized-user.json'), 'utf8');
    writeFileSync(adc, fixture.replace('REFRESH_TOKEN', refreshToken), {mode: 0o600});

    // No token_uri in gcloud's file: the token endpoint comes from auth/token_host, as for gcauth's own accounts.
    const printed = await runCli(['auth', 'application-default', 'print-access-token'], {env});
    expect(printed).toMatchObject({exitCode: 0, stderr: ''});
    expect(await emailOf(printed.stdout.trim())).toBe(USER);

    const helper = await runHelper(['get'], {env: {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'}, input: 'gcr.io'});
    expect(helper.exitCode).toBe(0);
    const answer = JSON.parse(helper.stdout) as {Secret: string; Username: string};
    expect(await emailOf(answer.Secret)).toBe(USER);

    const quota = await runCli(['auth', 'application-default', 'set-quota-project', 'other-project'], {env});
    expect(quota.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(adc, 'utf8'))).toEqual({...JSON.parse(fixture), refresh_token: refreshToken, quota_project_id: 'other-project'});
  });
});
