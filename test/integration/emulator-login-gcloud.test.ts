import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {savedState, tmpDir} from '../helpers/emulator.js';
import {findGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud login conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

/**
 * Plays the user's browser without a browser: loads the consent page, picks a user, presses Allow (the
 * form's fields, as a browser would post them) and follows the redirect to gcloud's loopback server.
 */
const DRIVER = `
import {appendFileSync} from 'node:fs';
const [url, user, log] = process.argv.slice(2);
const note = (m) => appendFileSync(log, m + '\\n');
try {
  const html = await (await fetch(url)).text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  note('users ' + [...html.matchAll(/data-user="([^"]+)"/g)].map((m) => m[1]).join(','));
  const res = await fetch(new URL('/o/oauth2/v2/auth/decision', url), {
    method: 'POST', redirect: 'manual',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({request, user, decision: 'allow'}),
  });
  note('decision ' + res.status);
  note('loopback ' + (await fetch(res.headers.get('location'))).status);
} catch (error) {
  note('error ' + error);
}
`;

// The emulator runs in this process (from the TypeScript sources); gcloud is the subprocess under test.
describeIfGcloud('the real gcloud auth login against the emulator consent page', () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;
  let log: string;

  beforeAll(async () => {
    const work = tmpDir('gcloud-login-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator'), users: ['dev@example.com', 'ops@example.com']});
    const config = path.join(work, 'gcloud-config');
    mkdirSync(config, {recursive: true});
    writeFileSync(path.join(config, 'gce'), 'False');
    const driver = path.join(work, 'driver.mjs');
    writeFileSync(driver, DRIVER);
    log = path.join(work, 'driver.log');
    // Python's webbrowser waits for the BROWSER command, and gcloud serves its redirect only after: detach.
    const browser = path.join(work, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\n"${process.execPath}" "${driver}" "$1" ops@example.com "${log}" >/dev/null 2>&1 &\n`);
    chmodSync(browser, 0o755);
    env = {
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_AUTH_TOKEN_HOST: `${emu.url}/token`,
      CLOUDSDK_AUTH_AUTH_HOST: `${emu.url}/o/oauth2/auth`,
      OAUTHLIB_INSECURE_TRANSPORT: '1',
      BROWSER: browser,
      // gcloud launches a browser on Linux only when it sees a display.
      DISPLAY: ':99',
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
    };
  });
  afterAll(async () => {
    await emu?.close();
  });

  const run = (args: string[]) => execa(gcloud!, args, {env, reject: false, stdin: 'ignore', timeout: 90_000});

  it('logs in as the user chosen on the page, with PKCE, then refreshes with the refresh token', async () => {
    const login = await run(['auth', 'login', '--launch-browser']);
    expect(readFileSync(log, 'utf8')).toBe('users dev@example.com,ops@example.com\ndecision 302\nloopback 200\n');
    expect(login.stderr).toContain('You are now logged in as [ops@example.com].');
    expect(login.exitCode).toBe(0);
    const refresh = Object.values((await savedState(emu)).refreshTokens);
    expect(refresh).toHaveLength(1);
    expect(refresh[0]).toMatchObject({email: 'ops@example.com', clientId: '32555940559.apps.googleusercontent.com'});
    expect(refresh[0]!.scopes).toContain('https://www.googleapis.com/auth/accounts.reauth');

    const cached = await run(['auth', 'print-access-token']);
    expect(cached.exitCode).toBe(0);
    expect(emu.state.accessToken(cached.stdout.trim())?.email).toBe('ops@example.com');

    emu.resetStats();
    const narrowed = await run(['auth', 'print-access-token', '--scopes=https://www.googleapis.com/auth/cloud-platform']);
    expect(narrowed.exitCode).toBe(0);
    // gcloud adds openid and userinfo.email to the scope it asks a refresh for; the grant narrows to those.
    expect(emu.state.accessToken(narrowed.stdout.trim())).toMatchObject({
      email: 'ops@example.com',
      scopes: ['https://www.googleapis.com/auth/cloud-platform', 'openid', 'https://www.googleapis.com/auth/userinfo.email'],
    });
    expect(emu.stats().userGrants).toEqual({authorizationCode: 0, refreshToken: 1, issued: 1});
  }, 120_000);

  it('--no-launch-browser: the page shows the code for gcloud\'s authcode redirect, and the pasted code logs in', async () => {
    const child = execa(gcloud!, ['auth', 'login', '--no-launch-browser'], {env, reject: false, stdin: 'pipe', timeout: 90_000});
    let shown: string | undefined;
    let opened: string | undefined;
    const lines = createInterface({input: child.stderr!});
    lines.on('line', (line) => {
      const url = /(http:\/\/\S+\/o\/oauth2\/auth\?\S+)/.exec(line)?.[1];
      if (!url) return;
      opened = url;
      void (async () => {
        const html = await (await fetch(url)).text();
        const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
        const page = await fetch(`${emu.url}/o/oauth2/v2/auth/decision`, {method: 'POST', body: new URLSearchParams({request, user: 'dev@example.com', decision: 'allow'})});
        shown = /<code id="code">([^<]+)<\/code>/.exec(await page.text())?.[1];
        child.stdin!.end(`${shown}\n`);
      })().catch(() => child.stdin!.end('\n'));
    });
    const result = await child;
    expect(new URL(opened!).searchParams.get('redirect_uri')).toBe('https://sdk.cloud.google.com/authcode.html');
    expect(shown).toMatch(/^4\/0/);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('You are now logged in as [dev@example.com].');
  }, 120_000);
});
