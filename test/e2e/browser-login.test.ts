/**
 * THE real-browser login: the built CLI's auth login with BROWSER set to a driver that opens the emulator's
 * consent page in Debian's headless Chromium (playwright-core, executablePath /usr/bin/chromium), keeps a
 * screenshot of it in test-artifacts/, and clicks Allow or Deny.
 */
import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';
import {waitForEntry} from '../helpers/wait.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const USER = 'user@example.com';
const driver = path.join(repoRoot, 'test', 'helpers', 'chromium-browser.mjs');
const artifacts = path.join(repoRoot, 'test-artifacts');

const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (.ci/run installs Debian's chromium)`;
if (missing) sayWhySkipped(`test/e2e/browser-login skipped: ${missing}`);
const suite = missing ? describe.skip : describe;

suite('auth login in a real browser (headless Chromium)', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    mkdirSync(artifacts, {recursive: true});
    emu = await startEmulatorProcess({args: ['--user', USER]});
  });
  afterAll(() => emu?.stop());

  function loginEnv(action: 'allow' | 'deny') {
    const dir = tmpDir();
    const log = path.join(dir, 'browser.json');
    const screenshot = path.join(artifacts, `browser-login-consent-${action}.png`);
    const env = {
      ...emulatorEnv(emu.url, path.join(dir, 'gcauth')),
      GCAUTH_AUTH_AUTH_HOST: `${emu.url}/o/oauth2/v2/auth`,
      GCAUTH_AUTH_CLIENT_ID: 'e2e-client.apps.example',
      GCAUTH_AUTH_CLIENT_SECRET: 'e2e-secret',
      CLOUDSDK_CONFIG: path.join(dir, 'gcloud'),
      GCAUTH_LOGIN_TIMEOUT: '90',
      BROWSER: `${process.execPath} ${driver}`,
      GCAUTH_TEST_BROWSER_ACTION: action,
      GCAUTH_TEST_BROWSER_LOG: log,
      GCAUTH_TEST_SCREENSHOT: screenshot,
      CHROMIUM_PATH: CHROMIUM,
    };
    const landing = async () => {
      // The driver writes its log after the page loaded, which may be just after gcauth exits.
      await waitForEntry(path.dirname(log), (n) => n === path.basename(log), "the browser driver's log", 10_000);
      return JSON.parse(readFileSync(log, 'utf8')) as {url?: string; text?: string; error?: string};
    };
    return {env, config: path.join(dir, 'gcauth'), screenshot, landing};
  }

  test('Allow: logged in, the browser shows success, print-access-token works; a screenshot of the consent page is kept', async () => {
    const {env, screenshot, landing} = loginEnv('allow');
    const login = await runCli(['auth', 'login'], {env});
    expect(login.stderr).toContain(`You are now logged in as [${USER}].`);
    expect(login.exitCode).toBe(0);
    const page = await landing();
    expect(page.error).toBeUndefined();
    expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?state=/);
    expect(page.text).toContain(`gcauth is now signed in as ${USER}.`);
    expect(statSync(screenshot).size).toBeGreaterThan(1000);

    const token = await runCli(['auth', 'print-access-token'], {env});
    expect(token).toMatchObject({exitCode: 0, stderr: ''});
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${token.stdout.trim()}`)).json()) as {email?: string};
    expect(info.email).toBe(USER);
  }, 120_000);

  test('Deny: a clear error, the browser shows the failure, nothing stored', async () => {
    const {env, config, landing} = loginEnv('deny');
    const login = await runCli(['auth', 'login'], {env});
    expect(login.exitCode).toBe(4);
    expect(login.stderr).toMatch(/ERROR: Access was denied in the browser \(access_denied\)\. Nothing was stored\.\n$/);
    expect(existsSync(path.join(config, 'credentials.json'))).toBe(false);
    expect((await landing()).text).toContain('Sign-in failed');
    expect((await runCli(['auth', 'print-access-token'], {env})).exitCode).toBe(4);
  }, 120_000);
});
