/**
 * The built CLI's auth login against the emulator process: the consent page driven at the HTTP level by
 * test/helpers/http-browser.mjs as BROWSER, the code exchanged with PKCE at the emulator's token endpoint,
 * the id token verified against its JWKS, refresh and revoke at its endpoints.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';

import {execa} from 'execa';

import {runCli} from '../helpers/cli.js';
import {allowOnConsentPage, cliBin, startEmulatorProcess, type EmulatorProcess} from '../helpers/emulator.js';
import {browserLoginEnv} from '../helpers/login.js';

const USER = 'user@example.com';
const OTHER = 'other@example.com';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--user', USER, '--user', OTHER]});
});
afterAll(() => emu.stop());

const loginEnv = (extra: Record<string, string> = {}) => browserLoginEnv(emu.url, extra);

test('Ctrl-C while waiting for the browser: ERROR: Cancelled., exit 130, nothing stored, as at any prompt', async () => {
  // A browser that opens nothing: the login waits until interrupted.
  const {env, config} = loginEnv({BROWSER: 'true'});
  const child = execa(process.execPath, [cliBin, 'auth', 'login'], {env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env}, extendEnv: false, reject: false});
  let stderr = '';
  await new Promise<void>((resolve) => {
    createInterface({input: child.stderr!}).on('line', (line) => {
      stderr += `${line}\n`;
      if (/^ {4}http/.test(line)) resolve();
    });
  });
  child.kill('SIGINT');
  const result = await child;
  expect(result.signal).toBeUndefined();
  expect(result.exitCode).toBe(130);
  expect(stderr).toMatch(/\nERROR: Cancelled\.\n$/);
  expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
});

describe('auth login against the emulator', () => {
  test('Allow: logged in as the verified account, active; print-access-token works from the cache and by refresh', async () => {
    const {env, config, landing} = loginEnv();
    const login = await runCli(['auth', 'login'], {env});
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(new RegExp(`^Your browser has been opened to visit:\\n\\n {4}${emu.url}/o/oauth2/v2/auth\\?client_id=test-client`));
    expect(login.stderr).toContain(`\nYou are now logged in as [${USER}].\nYour current project is [None].`);
    expect(login.exitCode).toBe(0);
    expect(await landing()).toMatchObject({status: 200, body: expect.stringContaining(`gcauth is now signed in as ${USER}.`)});

    const cached = await runCli(['auth', 'print-access-token'], {env});
    expect(cached).toMatchObject({exitCode: 0, stderr: ''});
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${cached.stdout.trim()}`)).json()) as {email?: string};
    expect(info.email).toBe(USER);

    // Without the cached token, the refresh token is used at the emulator's token endpoint.
    rmSync(path.join(config, 'access_tokens'), {recursive: true, force: true});
    const refreshed = await runCli(['auth', 'print-access-token'], {env});
    expect(refreshed).toMatchObject({exitCode: 0, stderr: ''});
    expect(refreshed.stdout.trim()).not.toBe(cached.stdout.trim());
    expect(JSON.parse((await runCli(['auth', 'list', '--format=json'], {env})).stdout)).toEqual([{account: USER, status: 'ACTIVE'}]);
  });

  test('Deny: a clear error, exit 4, nothing stored', async () => {
    const {env, config, landing} = loginEnv({GCAUTH_TEST_BROWSER_ACTION: 'deny'});
    const login = await runCli(['auth', 'login'], {env});
    expect(login.exitCode).toBe(4);
    expect(login.stderr).toMatch(/\nERROR: Access was denied in the browser \(access_denied\)\. Nothing was stored\.\n$/);
    expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
    expect(await landing()).toMatchObject({status: 400, body: expect.stringContaining('Sign-in failed')});
  });

  test('a forged state on the redirect: refused, exit 4, nothing stored', async () => {
    const {env, config} = loginEnv({GCAUTH_TEST_BROWSER_TAMPER: 'state'});
    const login = await runCli(['auth', 'login'], {env});
    expect(login.exitCode).toBe(4);
    expect(login.stderr).toContain("ERROR: The answer's state does not match this login");
    expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
  });

  test('ACCOUNT names another user than the one chosen: an error, nothing stored', async () => {
    const {env, config} = loginEnv({GCAUTH_TEST_BROWSER_USER: OTHER});
    const login = await runCli(['auth', 'login', USER], {env});
    expect(login.exitCode).toBe(4);
    expect(login.stderr).toContain(`ERROR: You signed in as [${OTHER}], not [${USER}] as asked.`);
    expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
  });

  test('a second login for the same account without a terminal reuses the stored one and says so; --force logs in again', async () => {
    const {env} = loginEnv();
    expect((await runCli(['auth', 'login', USER], {env})).exitCode).toBe(0);
    const again = await runCli(['auth', 'login', USER, '--brief'], {env});
    expect(again).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: `WARNING: Re-using locally stored credentials for [${USER}]. To fetch new credentials, re-run the command with the --force flag.\n`,
    });
    const forced = await runCli(['auth', 'login', USER, '--force', '--brief'], {env});
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toMatch(/^Your browser has been opened to visit:/);
  });

  test('--update-adc writes ADC; revoke kills the refresh token at the emulator, so the ADC copy then gets invalid_grant', async () => {
    const {env, adc} = loginEnv();
    const login = await runCli(['auth', 'login', '--update-adc'], {env});
    expect(login.exitCode).toBe(0);
    expect(login.stderr).toContain(`Application Default Credentials (ADC) were updated in [${adc}].`);
    const adcJson = JSON.parse(readFileSync(adc, 'utf8')) as Record<string, string>;
    expect(adcJson).toMatchObject({type: 'authorized_user', client_id: 'test-client.apps.example', client_secret: 'test-secret'});

    const revoked = await runCli(['auth', 'revoke'], {env});
    expect(revoked).toMatchObject({exitCode: 0, stderr: `Revoked credentials for: [${USER}]\n`});

    // The same refresh token, back through --cred-file: refused now, with the way out.
    expect((await runCli(['auth', 'login', USER, `--cred-file=${adc}`], {env})).exitCode).toBe(0);
    const refused = await runCli(['auth', 'print-access-token'], {env});
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(/^ERROR: The token endpoint refused the credentials of \[user@example\.com\] \(invalid_grant.*run gcauth auth login again\.\n$/);
  });

  test('--cred-file with a gcloud-shaped ADC file naming no account: the account comes from the verified id token of one refresh', async () => {
    const first = loginEnv();
    expect((await runCli(['auth', 'login', '--update-adc', '--brief'], {env: first.env})).exitCode).toBe(0);
    const second = loginEnv();
    const login = await runCli(['auth', 'login', `--cred-file=${first.adc}`], {env: second.env});
    expect(login.stderr).toContain(`You are now logged in as [${USER}].`);
    expect(login.exitCode).toBe(0);
    expect((await runCli(['auth', 'print-access-token'], {env: second.env})).exitCode).toBe(0);
  });

  test('revoke with the endpoint unreachable: removed locally anyway, said on stderr', async () => {
    const {env} = loginEnv();
    expect((await runCli(['auth', 'login'], {env})).exitCode).toBe(0);
    const revoked = await runCli(['auth', 'revoke'], {env: {...env, GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:1/token'}});
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stderr).toMatch(/^WARNING: Could not revoke the refresh token of \[user@example\.com\]: http:\/\/127\.0\.0\.1:1\/revoke could not be reached/);
    expect(JSON.parse((await runCli(['auth', 'list', '--format=json'], {env})).stdout)).toEqual([]);
  });

  test('a loopback port already in use (--port): exit 2 naming it, nothing stored; without --port any free port serves', async () => {
    const {createServer} = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as {port: number}).port;
    try {
      const {env, config} = loginEnv();
      const busy = await runCli(['auth', 'login', `--port=${port}`], {env});
      expect(busy).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: `ERROR: Port ${port} on 127.0.0.1 is in use: choose another port, or omit --port to use any free one.\n`,
      });
      expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
      expect((await runCli(['auth', 'login', '--brief'], {env})).exitCode).toBe(0);
    } finally {
      blocker.close();
    }
  });

  test('--no-launch-browser: the URL on stderr, the redirect address pasted on stdin', async () => {
    const {env} = loginEnv({BROWSER: '/nonexistent-browser'});
    const child = execa(process.execPath, [cliBin, 'auth', 'login', '--no-launch-browser'], {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env},
      extendEnv: false,
      reject: false,
    });
    let stderr = '';
    const url = await new Promise<string>((resolve) => {
      createInterface({input: child.stderr!}).on('line', (line) => {
        stderr += `${line}\n`;
        const m = /^ {4}(http\S+)$/.exec(line);
        if (m) resolve(m[1]!);
      });
    });
    // The user's browser is elsewhere: it shows the consent page, and the user copies where it was sent.
    child.stdin!.end(`${await allowOnConsentPage(emu.url, url, USER)}\n`);
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(stderr).toContain('Go to the following link in your browser, and complete the sign-in prompts:');
    expect(String(result.stderr)).toContain(`You are now logged in as [${USER}].`);
  });
});
