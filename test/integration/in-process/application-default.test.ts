/**
 * auth application-default login, revoke and set-quota-project against a fake context: the login flow's browser,
 * token endpoint and JWKS injected (the loopback listener, state and PKCE are real), the file checked byte by byte.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ApplicationDefaultLogin from '../../../src/commands/auth/application-default/login.js';
import ApplicationDefaultRevoke from '../../../src/commands/auth/application-default/revoke.js';
import ApplicationDefaultSetQuotaProject from '../../../src/commands/auth/application-default/set-quota-project.js';
import {loginApplicationDefault, revokeApplicationDefault, setApplicationDefaultQuotaProject} from '../../../src/lib/auth/adc/commands.js';
import type {LoginFlowDeps} from '../../../src/lib/auth/login/flow.js';
import {CancelledError, NotFoundError, UsageError} from '../../../src/lib/errors.js';
import {fakeContext, scriptedPrompter} from '../../helpers/context.js';
import {runCommand} from '../../helpers/run-command.js';

const USER = 'dev@example.com';
const SA = 'target@p.iam.gserviceaccount.com';
const CLIENT = {GCAUTH_AUTH_CLIENT_ID: 'cid.apps.example', GCAUTH_AUTH_CLIENT_SECRET: 'csecret'};

let dir: string;
let adcFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-adc-'));
  adcFile = path.join(dir, 'gcloud', 'application_default_credentials.json');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** A browser that allows at once, and a token endpoint that trades any code. */
function fakeGoogle(): {deps: Partial<LoginFlowDeps>; scopes: () => string[]} {
  let scope = '';
  return {
    scopes: () => scope.split(' '),
    deps: {
      openBrowser: async (url) => {
        const q = new URL(url).searchParams;
        scope = q.get('scope')!;
        const target = new URL(q.get('redirect_uri')!);
        target.searchParams.set('code', 'the-code');
        target.searchParams.set('state', q.get('state')!);
        void fetch(target).then((r) => r.text());
      },
      exchangeCode: async () => ({accessToken: 'ya29.user', refreshToken: '1//refresh', idToken: 'id.token', expiry: Date.UTC(2099, 0, 1)}),
      verifyIdToken: async () => USER,
    },
  };
}

const env = (extra: Record<string, string> = {}) => ({...CLIENT, CLOUDSDK_CONFIG: path.join(dir, 'gcloud'), DISPLAY: ':0', ...extra});
const ctxFor = (extra: Parameters<typeof fakeContext>[0] = {}) => fakeContext({configDir: path.join(dir, 'config'), ...extra, env: env(extra.env as Record<string, string>)});
const adcJson = () => JSON.parse(readFileSync(adcFile, 'utf8')) as Record<string, unknown>;
const writeAdc = (adc: unknown) => {
  mkdirSync(path.dirname(adcFile), {recursive: true});
  writeFileSync(adcFile, JSON.stringify(adc));
};
const USER_ADC = {account: '', client_id: 'cid', client_secret: 'cs', refresh_token: '1//rt', type: 'authorized_user', universe_domain: 'googleapis.com'};

describe('auth application-default login', () => {
  test('writes an authorized_user file 0600 at $CLOUDSDK_CONFIG; gcauth accounts and the active account are untouched', async () => {
    const google = fakeGoogle();
    const {ctx, out} = await ctxFor();
    const result = await loginApplicationDefault({launchBrowser: true}, ctx, google.deps);
    expect(result).toEqual({file: adcFile, account: USER, type: 'authorized_user'});
    expect(adcJson()).toEqual({client_id: 'cid.apps.example', client_secret: 'csecret', refresh_token: '1//refresh', type: 'authorized_user', universe_domain: 'googleapis.com'});
    expect(statSync(adcFile).mode & 0o777).toBe(0o600);
    expect(google.scopes()).toEqual(expect.arrayContaining(['openid', 'https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/sqlservice.login']));
    expect(await ctx.store.list()).toEqual([]);
    expect(existsSync(path.join(dir, 'config', 'configurations'))).toBe(false);
    expect(out.stdout).toBe('');
  });

  test('an overridden token endpoint is written as token_uri, so the refresh goes where the login went', async () => {
    const {ctx} = await ctxFor({env: {GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:9/token'}});
    await loginApplicationDefault({launchBrowser: true}, ctx, fakeGoogle().deps);
    expect(adcJson().token_uri).toBe('http://127.0.0.1:9/token');
  });

  test('GOOGLE_APPLICATION_CREDENTIALS set: a warning that it wins over the file, which is written anyway', async () => {
    const {ctx, out} = await ctxFor({env: {GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json'}});
    await loginApplicationDefault({launchBrowser: true}, ctx, fakeGoogle().deps);
    expect(out.stderr).toContain('WARNING: The environment variable [GOOGLE_APPLICATION_CREDENTIALS] is set to [/keys/sa.json]. Credentials in that file will be used over');
    expect(adcJson().type).toBe('authorized_user');
  });

  test('--scopes without cloud-platform is refused before any browser opens', async () => {
    const {ctx} = await ctxFor();
    const opened: string[] = [];
    await expect(loginApplicationDefault({launchBrowser: true, scopes: ['openid']}, ctx, {openBrowser: async (url) => void opened.push(url)})).rejects.toThrow(
      new UsageError('Invalid value for [--scopes]: https://www.googleapis.com/auth/cloud-platform scope is required but not requested. Please include it in --scopes.'),
    );
    expect(opened).toEqual([]);
    expect(existsSync(adcFile)).toBe(false);
  });

  test('--impersonate-service-account=DELEGATE,TARGET writes an impersonated_service_account file at the IAM Credentials root', async () => {
    const {ctx} = await ctxFor({
      flags: {'impersonate-service-account': `d1@p.iam.gserviceaccount.com,${SA}`},
      env: {GCAUTH_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: 'http://127.0.0.1:9/iamcredentials/'},
    });
    const result = await loginApplicationDefault({launchBrowser: true}, ctx, fakeGoogle().deps);
    expect(result).toEqual({file: adcFile, account: USER, type: 'impersonated_service_account', target: SA});
    expect(adcJson()).toEqual({
      delegates: ['projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com'],
      service_account_impersonation_url: `http://127.0.0.1:9/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
      source_credentials: {client_id: 'cid.apps.example', client_secret: 'csecret', refresh_token: '1//refresh', type: 'authorized_user', universe_domain: 'googleapis.com'},
      type: 'impersonated_service_account',
    });
    expect(statSync(adcFile).mode & 0o777).toBe(0o600);
  });

  test('no OAuth client configured: the class exits 2 with how to create one, nothing written', async () => {
    const result = await runCommand(ApplicationDefaultLogin, [], {configDir: path.join(dir, 'config'), env: {CLOUDSDK_CONFIG: path.join(dir, 'gcloud')}});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: No OAuth client is configured: gcauth logs users in with your own OAuth client\./);
    expect(existsSync(adcFile)).toBe(false);
  });
});

describe('auth application-default set-quota-project', () => {
  test('adds quota_project_id keeping every other field, 0600; says so as gcloud does', async () => {
    writeAdc({...USER_ADC, extra: {kept: true}});
    const result = await runCommand(ApplicationDefaultSetQuotaProject, ['my-project'], {configDir: path.join(dir, 'config'), env: env()});
    expect(result).toEqual({
      code: 0,
      stdout: '',
      stderr:
        `\nCredentials saved to file: [${adcFile}]\n\nThese credentials will be used by any library that requests Application Default Credentials (ADC).\n` +
        '\nQuota project "my-project" was added to ADC which can be used by Google client libraries for billing and quota. Note that some services may still bill the project owning the resource.\n',
    });
    expect(adcJson()).toEqual({...USER_ADC, extra: {kept: true}, quota_project_id: 'my-project'});
    expect(statSync(adcFile).mode & 0o777).toBe(0o600);
  });

  test('an invalid project id is refused and the file is unchanged', async () => {
    writeAdc(USER_ADC);
    const before = readFileSync(adcFile, 'utf8');
    const {ctx} = await ctxFor();
    await expect(setApplicationDefaultQuotaProject('My Project', ctx)).rejects.toThrow(UsageError);
    expect(readFileSync(adcFile, 'utf8')).toBe(before);
  });

  test('no ADC file: a clear error naming the file and the login', async () => {
    const result = await runCommand(ApplicationDefaultSetQuotaProject, ['my-project'], {configDir: path.join(dir, 'config'), env: env()});
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `ERROR: Application Default Credentials file [${adcFile}] does not exist.\nRun gcauth auth application-default login first.\n`,
    });
  });

  test('a service-account ADC file is refused', async () => {
    writeAdc({type: 'service_account', client_email: SA});
    const {ctx} = await ctxFor();
    await expect(setApplicationDefaultQuotaProject('my-project', ctx)).rejects.toThrow(/are of type \[service_account\]: a quota project can only be added to user credentials/);
  });
});

describe('auth application-default revoke', () => {
  const dead = {GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:1/token'};

  test('a service-account ADC file: refused, only user credentials can be revoked, file kept', async () => {
    writeAdc({type: 'service_account', client_email: SA});
    const result = await runCommand(ApplicationDefaultRevoke, ['-q'], {configDir: path.join(dir, 'config'), env: env()});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('are of type [service_account]: only user credentials can be revoked.');
    expect(existsSync(adcFile)).toBe(true);
  });

  test('no terminal and no --quiet: refused before anything is sent, naming --quiet', async () => {
    writeAdc(USER_ADC);
    const {ctx} = await ctxFor({env: dead});
    await expect(revokeApplicationDefault(ctx)).rejects.toThrow(/there is no terminal to ask on: pass --quiet \(-q\)\./);
    expect(existsSync(adcFile)).toBe(true);
  });

  test('on a terminal it asks; no keeps the file', async () => {
    writeAdc(USER_ADC);
    const prompter = scriptedPrompter([false]);
    const {ctx, out} = await ctxFor({env: dead, interactive: true, prompter});
    await expect(revokeApplicationDefault(ctx)).rejects.toThrow(CancelledError);
    expect(out.stderr).toBe(`You are about to revoke the credentials stored in: [${adcFile}]\n\n`);
    expect(prompter.asked).toEqual(['Do you want to continue?']);
    expect(existsSync(adcFile)).toBe(true);
  });

  test('yes, with the revoke endpoint unreachable: the file is deleted anyway and that is said', async () => {
    writeAdc(USER_ADC);
    const {ctx, out} = await ctxFor({env: dead, interactive: true, prompter: scriptedPrompter([true])});
    expect(await revokeApplicationDefault(ctx)).toEqual({file: adcFile, revoked: false});
    expect(out.stderr).toContain('WARNING: Could not revoke the refresh token: http://127.0.0.1:1/revoke could not be reached');
    expect(out.stderr).toContain('The file is removed anyway');
    expect(existsSync(adcFile)).toBe(false);
  });

  test('-q skips the question; the class reports the removal', async () => {
    writeAdc(USER_ADC);
    const result = await runCommand(ApplicationDefaultRevoke, ['-q'], {configDir: path.join(dir, 'config'), env: env(dead), interactive: true, prompter: scriptedPrompter([])});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`The file is removed anyway.*\\nCredentials removed: \\[${adcFile.replace(/[.[\]]/g, '\\$&')}\\]\\n$`, 's'));
    expect(existsSync(adcFile)).toBe(false);
  });

  test('no file: NotFoundError', async () => {
    const {ctx} = await ctxFor({flags: {quiet: true}});
    await expect(revokeApplicationDefault(ctx)).rejects.toThrow(NotFoundError);
  });
});
