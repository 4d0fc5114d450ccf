/**
 * auth login's core against a fake context, with the browser, token endpoint and JWKS injected: the
 * loopback listener, state and PKCE are real and driven over HTTP here.
 */
import {createHash} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Login, {loginMessage} from '../../../src/commands/auth/login.js';
import {loginUser, type LoginOptions} from '../../../src/lib/auth/login/login.js';
import {authorizationUrl, type LoginFlowDeps, parsePasted, createPkce} from '../../../src/lib/auth/login/flow.js';
import {parseClientIdFile} from '../../../src/lib/auth/login/oauth-client.js';
import {browserCommand} from '../../../src/lib/auth/login/browser.js';
import {AuthError, UsageError} from '../../../src/lib/errors.js';
import {fakeContext, scriptedPrompter} from '../../helpers/context.js';
import {snapshot} from '../../helpers/fs.js';
import {runCommand} from '../../helpers/run-command.js';

const USER = 'dev@example.com';
const CLIENT = {GCAUTH_AUTH_CLIENT_ID: 'cid.apps.example', GCAUTH_AUTH_CLIENT_SECRET: 'csecret'};
const LOGIN: LoginOptions = {launchBrowser: true, force: false, activate: true, updateAdc: false};

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'gcauth-login-'))));
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** A fake authorization server + browser: records the authorization request and answers the redirect. */
function fakeGoogle(options: {answer?: (q: URLSearchParams) => Record<string, string>; email?: string} = {}) {
  const seen: {authUrl?: URL; pages: Promise<{status: number; body: string}>[]; exchanged: Array<{code: string; codeVerifier: string; redirectUri: string}>} = {
    pages: [],
    exchanged: [],
  };
  const codes = new Map<string, string>(); // code -> challenge
  const deps: Partial<LoginFlowDeps> = {
    openBrowser: async (url) => {
      const u = new URL(url);
      seen.authUrl = u;
      const q = u.searchParams;
      const code = `code-${codes.size + 1}`;
      codes.set(code, q.get('code_challenge')!);
      const reply = options.answer ? options.answer(q) : {code, state: q.get('state')!};
      const target = new URL(q.get('redirect_uri')!);
      for (const [k, v] of Object.entries(reply)) target.searchParams.set(k, v);
      seen.pages.push(fetch(target).then(async (r) => ({status: r.status, body: await r.text()})));
    },
    // Refuses like Google: an unknown or reused code, or a verifier whose S256 is not the code's challenge.
    exchangeCode: async (request) => {
      seen.exchanged.push({code: request.code, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri});
      const challenge = codes.get(request.code);
      codes.delete(request.code);
      if (!challenge || createHash('sha256').update(request.codeVerifier).digest('base64url') !== challenge) {
        throw new AuthError('The token endpoint refused the authorization code (invalid_grant: Bad Request). Nothing was stored.');
      }
      return {accessToken: 'ya29.user', refreshToken: '1//refresh', idToken: 'id.token', expiry: Date.UTC(2099, 0, 1)};
    },
    verifyIdToken: async (idToken, clientId) => {
      expect([idToken, clientId]).toEqual(['id.token', 'cid.apps.example']);
      return options.email ?? USER;
    },
  };
  return {seen, deps};
}

async function ctxFor(extra: {env?: Record<string, string>; interactive?: boolean; stdin?: string; prompter?: ReturnType<typeof scriptedPrompter>; flags?: {quiet?: boolean}} = {}) {
  return fakeContext({
    configDir: path.join(dir, 'config'),
    env: {...CLIENT, CLOUDSDK_CONFIG: path.join(dir, 'gcloud'), DISPLAY: ':0', ...extra.env},
    interactive: extra.interactive,
    stdin: extra.stdin,
    prompter: extra.prompter,
    flags: extra.flags,
  });
}

const stored = () => JSON.parse(readFileSync(path.join(dir, 'config', 'credentials.json'), 'utf8')).credentials;

describe('auth login (browser)', () => {
  test('PKCE S256, state and loopback redirect; stores the verified account, makes it active, caches the token, tells the browser', async () => {
    const google = fakeGoogle();
    const {ctx, out} = await ctxFor();
    const result = await loginUser(LOGIN, ctx, google.deps);
    expect(result).toEqual({account: USER, kind: 'user', reused: false, project: undefined, adcFile: undefined});

    const q = google.seen.authUrl!.searchParams;
    expect(google.seen.authUrl!.origin + google.seen.authUrl!.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(q.get('client_id')).toBe('cid.apps.example');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')).toMatch(/^[\w-]{32}$/);
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'https://www.googleapis.com/auth/cloud-platform']));
    const [exchange] = google.seen.exchanged;
    expect(exchange!.codeVerifier).toMatch(/^[\w-]{86}$/);
    expect(exchange!.redirectUri).toBe(q.get('redirect_uri'));

    expect(stored()[USER]).toEqual({
      type: 'authorized_user',
      account: USER,
      refreshToken: '1//refresh',
      clientId: 'cid.apps.example',
      clientSecret: 'csecret',
      tokenUri: 'https://oauth2.googleapis.com/token',
      addedAt: expect.any(String),
    });
    expect(readFileSync(path.join(dir, 'config', 'configurations', 'config_default'), 'utf8')).toBe(`[core]\naccount = ${USER}\n`);
    expect((await ctx.tokens.getAccessToken(USER)).token).toBe('ya29.user');
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`Your browser has been opened to visit:\n\n    ${google.seen.authUrl!.href}\n`);
    const page = await google.seen.pages[0]!;
    expect(page.status).toBe(200);
    expect(page.body).toContain(`gcauth is now signed in as ${USER}.`);
  });

  test('a forged state is refused: nothing stored, no code exchanged, the browser shows the failure', async () => {
    const google = fakeGoogle({answer: () => ({code: 'attacker-code', state: 'forged'})});
    const {ctx} = await ctxFor();
    const before = snapshot(dir);
    await expect(loginUser(LOGIN, ctx, google.deps)).rejects.toThrow(
      new AuthError("The answer's state does not match this login: it may be forged or from another login. Refused; nothing was stored."),
    );
    expect(google.seen.exchanged).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    const page = await google.seen.pages[0]!;
    expect(page.status).toBe(400);
    expect(page.body).toContain('Sign-in failed');
  });

  test('a redirect without state is refused too', async () => {
    const google = fakeGoogle({answer: () => ({code: 'c'})});
    const {ctx} = await ctxFor();
    await expect(loginUser(LOGIN, ctx, google.deps)).rejects.toThrow(/state does not match/);
    expect(google.seen.exchanged).toEqual([]);
  });

  test('Deny: a clear error, nothing stored', async () => {
    const google = fakeGoogle({answer: (q) => ({error: 'access_denied', state: q.get('state')!})});
    const {ctx} = await ctxFor();
    const before = snapshot(dir);
    await expect(loginUser(LOGIN, ctx, google.deps)).rejects.toThrow(new AuthError('Access was denied in the browser (access_denied). Nothing was stored.'));
    expect(snapshot(dir)).toEqual(before);
  });

  test('a code presented with another verifier (an intercepted code) is refused and nothing is stored', async () => {
    const google = fakeGoogle();
    const exchange = google.deps.exchangeCode!;
    // What an attacker holding the code but not this login's verifier would present.
    google.deps.exchangeCode = (request) => exchange({...request, codeVerifier: createPkce().verifier});
    const {ctx} = await ctxFor();
    const before = snapshot(dir);
    await expect(loginUser(LOGIN, ctx, google.deps)).rejects.toThrow(/refused the authorization code/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('an expired (or reused) code refused by the token endpoint: nothing stored', async () => {
    const google = fakeGoogle();
    google.deps.exchangeCode = async () => {
      throw new AuthError('The token endpoint refused the authorization code (invalid_grant: Bad Request): it may have expired or been used already. Run the login again. Nothing was stored.');
    };
    const {ctx} = await ctxFor();
    const before = snapshot(dir);
    await expect(loginUser(LOGIN, ctx, google.deps)).rejects.toThrow(/expired or been used already/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('signing in as another account than ACCOUNT: an error, nothing stored, login_hint sent', async () => {
    const google = fakeGoogle({email: 'someone@example.com'});
    const {ctx} = await ctxFor();
    const before = snapshot(dir);
    await expect(loginUser({...LOGIN, account: USER}, ctx, google.deps)).rejects.toThrow(
      `You signed in as [someone@example.com], not [${USER}] as asked.`,
    );
    expect(google.seen.authUrl!.searchParams.get('login_hint')).toBe(USER);
    expect(snapshot(dir)).toEqual(before);
  });

  test('ACCOUNT written in another case than the verified email still matches it', async () => {
    const google = fakeGoogle();
    const {ctx} = await ctxFor();
    await expect(loginUser({...LOGIN, account: USER.toUpperCase()}, ctx, google.deps)).resolves.toBeDefined();
  });

  test('no answer within GCAUTH_LOGIN_TIMEOUT: an error, nothing stored', async () => {
    const {ctx} = await ctxFor({env: {GCAUTH_LOGIN_TIMEOUT: '1'}});
    const before = snapshot(dir);
    await expect(loginUser(LOGIN, ctx, {openBrowser: async () => undefined})).rejects.toThrow(
      new AuthError('No answer from the browser within 1 s: run the login again. Nothing was stored.'),
    );
    expect(snapshot(dir)).toEqual(before);
  });

  test('a browser that cannot be started: a warning, and the login still completes when the URL is opened by hand', async () => {
    const google = fakeGoogle();
    const {ctx, out} = await ctxFor();
    const result = await loginUser(LOGIN, ctx, {
      ...google.deps,
      openBrowser: async (url) => {
        await google.deps.openBrowser!(url);
        throw new Error('xdg-open: not found');
      },
    });
    expect(result.account).toBe(USER);
    expect(out.stderr).toContain('WARNING: Could not open a browser (xdg-open: not found).');
  });

  test('no display and no BROWSER: continues as with --no-launch-browser, taking the pasted answer', async () => {
    const google = fakeGoogle();
    google.deps.exchangeCode = async () => ({accessToken: 'a', refreshToken: 'r', idToken: 'id.token', expiry: 1});
    const {ctx, out} = await ctxFor({env: {DISPLAY: ''}, stdin: 'pasted-code\n'});
    expect((await loginUser(LOGIN, ctx, google.deps)).account).toBe(USER);
    expect(google.seen.authUrl).toBeUndefined();
    expect(out.stderr).toMatch(/^No display and no BROWSER set: continuing as with --no-launch-browser\.\nGo to the following link in your browser/);
  });

  test('a browser that cannot be started, with stdin closed: still waits for the redirect', async () => {
    const google = fakeGoogle();
    const {ctx} = await ctxFor({stdin: ''});
    const result = await loginUser(LOGIN, ctx, {
      ...google.deps,
      openBrowser: async (url) => {
        // The user opens it by hand a moment later, after stdin was found closed.
        setTimeout(() => void google.deps.openBrowser!(url), 100);
        throw new Error('xdg-open: not found');
      },
    });
    expect(result.account).toBe(USER);
  });

  test('a busy --port: a usage error naming it, nothing stored', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as {port: number}).port;
    try {
      const {ctx} = await ctxFor();
      await expect(loginUser({...LOGIN, port}, ctx, fakeGoogle().deps)).rejects.toThrow(
        new UsageError(`Port ${port} on 127.0.0.1 is in use: choose another port, or omit --port to use any free one.`),
      );
    } finally {
      blocker.close();
    }
  });

  test('a second login as a stored account: without a terminal, reuse and say so; on one, ask; --force replaces', async () => {
    const first = fakeGoogle();
    await loginUser(LOGIN, (await ctxFor()).ctx, first.deps);

    const again = fakeGoogle();
    const quiet = await ctxFor();
    expect(await loginUser({...LOGIN, account: USER}, quiet.ctx, again.deps)).toMatchObject({account: USER, reused: true});
    expect(again.seen.authUrl).toBeUndefined();
    expect(quiet.out.stderr).toBe(`WARNING: Re-using locally stored credentials for [${USER}]. To fetch new credentials, re-run the command with the --force flag.\n`);

    const prompter = scriptedPrompter([true]);
    const asked = fakeGoogle();
    const tty = await ctxFor({interactive: true, prompter});
    expect(await loginUser({...LOGIN, account: USER}, tty.ctx, asked.deps)).toMatchObject({reused: false});
    expect(prompter.asked).toEqual([`Credentials for [${USER}] are already stored. Replace them with a new login?`]);

    const forced = fakeGoogle();
    expect(await loginUser({...LOGIN, account: USER, force: true}, (await ctxFor()).ctx, forced.deps)).toMatchObject({reused: false});
    expect(forced.seen.exchanged).toHaveLength(1);
  });

  test('--update-adc writes an authorized_user ADC file, 0600, under CLOUDSDK_CONFIG', async () => {
    const {ctx} = await ctxFor();
    const result = await loginUser({...LOGIN, updateAdc: true}, ctx, fakeGoogle().deps);
    const file = path.join(dir, 'gcloud', 'application_default_credentials.json');
    expect(result.adcFile).toBe(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      client_id: 'cid.apps.example',
      client_secret: 'csecret',
      refresh_token: '1//refresh',
      type: 'authorized_user',
      universe_domain: 'googleapis.com',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('auth login --no-launch-browser', () => {
  // Plays the user: reads the printed URL and pastes what the browser would have been sent to.
  const pasteFrom = (out: {stderr: string}, reply: (q: URLSearchParams) => string) => async () => {
    const url = new URL(/\n {4}(\S+)\n/.exec(out.stderr)![1]!);
    return reply(url.searchParams);
  };

  test('on a terminal: prints the URL and takes the pasted redirect address at the prompt', async () => {
    const google = fakeGoogle();
    const prompter = scriptedPrompter([]);
    const {ctx, out} = await ctxFor({interactive: true, prompter});
    // Exchange any code the fake "issued" for this challenge.
    google.deps.exchangeCode = async () => ({accessToken: 'ya29.user', refreshToken: '1//r', idToken: 'id.token', expiry: Date.UTC(2099, 0, 1)});
    prompter.input = async (message) => {
      prompter.asked.push(message);
      return pasteFrom(out, (q) => `${q.get('redirect_uri')}?state=${q.get('state')}&code=pasted&scope=openid`)();
    };
    expect((await loginUser({...LOGIN, launchBrowser: false}, ctx, google.deps)).account).toBe(USER);
    expect(out.stderr).toContain('Go to the following link in your browser, and complete the sign-in prompts:');
    expect(prompter.asked[0]).toMatch(/^Once finished, paste the address your browser was sent to \(http:\/\/127\.0\.0\.1:\d+\/\?state=\.\.\.\), or just its code:$/);
  });

  test('without a terminal: reads one line from stdin; a pasted address with a forged state is refused', async () => {
    const google = fakeGoogle();
    const {ctx} = await ctxFor({stdin: 'http://127.0.0.1:1/?state=forged&code=c\n'});
    const before = snapshot(dir);
    await expect(loginUser({...LOGIN, launchBrowser: false}, ctx, google.deps)).rejects.toThrow(/state does not match/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a bare pasted code is exchanged with this login verifier; empty stdin is an error', async () => {
    const google = fakeGoogle();
    let verifier = '';
    google.deps.exchangeCode = async (r) => ((verifier = r.codeVerifier), {accessToken: 'a', refreshToken: 'r', idToken: 'id.token', expiry: 1});
    const {ctx} = await ctxFor({stdin: '4/0Abare-code\n'});
    expect((await loginUser({...LOGIN, launchBrowser: false}, ctx, google.deps)).account).toBe(USER);
    expect(verifier).toHaveLength(86);
    const empty = await ctxFor({stdin: ''});
    await expect(loginUser({...LOGIN, launchBrowser: false, force: true}, empty.ctx, fakeGoogle().deps)).rejects.toThrow(
      'Standard input ended before an authorization code was pasted.',
    );
  });

  test('parsePasted: addresses, codes and junk', () => {
    expect(parsePasted(' http://127.0.0.1:5/?state=s&code=c \n')).toEqual({code: 'c', state: 's', error: undefined, bare: false});
    expect(parsePasted('4/0AX-y_z')).toEqual({code: '4/0AX-y_z', bare: true});
    expect(() => parsePasted('http://127.0.0.1:5/?state=s')).toThrow(/has no code/);
    expect(() => parsePasted('not a code')).toThrow(/not an authorization code/);
  });
});

describe('the OAuth client', () => {
  test('none configured: says how to create one, nothing stored', async () => {
    const {ctx} = await ctxFor({env: {GCAUTH_AUTH_CLIENT_ID: '', GCAUTH_AUTH_CLIENT_SECRET: ''}});
    await expect(loginUser(LOGIN, ctx, fakeGoogle().deps)).rejects.toThrow(
      /^No OAuth client is configured: gcauth logs users in with your own OAuth client\. Create one: Cloud console > APIs & Services > Credentials > .*Desktop app.*--client-id-file=FILE.*auth\/client_id/,
    );
  });

  test('--client-id-file: the Desktop app JSON the console downloads; a Web client is refused', async () => {
    const file = path.join(dir, 'client.json');
    writeFileSync(file, JSON.stringify({installed: {client_id: 'file-cid', client_secret: 'file-secret', auth_uri: 'x', token_uri: 'y', redirect_uris: ['http://localhost']}}));
    const google = fakeGoogle();
    google.deps.verifyIdToken = async (_t, clientId) => (expect(clientId).toBe('file-cid'), USER);
    const {ctx} = await ctxFor();
    await loginUser({...LOGIN, clientIdFile: file}, ctx, google.deps);
    expect(stored()[USER]).toMatchObject({clientId: 'file-cid', clientSecret: 'file-secret'});
    expect(() => parseClientIdFile(JSON.stringify({web: {client_id: 'a', client_secret: 'b'}}), 'w.json')).toThrow(/"Web application" client/);
    expect(() => parseClientIdFile('{', 'b.json')).toThrow(/is not JSON/);
  });

  test('authorizationUrl honours auth/auth_host', () => {
    const url = new URL(authorizationUrl({authUrl: 'http://127.0.0.1:9/o/oauth2/v2/auth', client: {clientId: 'c', clientSecret: 's'}, scopes: ['openid']}, 'http://127.0.0.1:1/', 'st', 'ch'));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9/o/oauth2/v2/auth');
    expect(url.searchParams.get('code_challenge')).toBe('ch');
  });
});

describe('auth login --cred-file', () => {
  test('an authorized_user file (gcloud ADC shape) with ACCOUNT, no browser; other types refused', async () => {
    const adc = path.join(dir, 'adc.json');
    writeFileSync(adc, JSON.stringify({account: '', client_id: 'c', client_secret: 's', refresh_token: '1//x', type: 'authorized_user', universe_domain: 'googleapis.com'}));
    const {ctx} = await ctxFor();
    // Naming no account, the file's refresh token is tried once to read its id token: here the endpoint is unreachable.
    await expect(loginUser({...LOGIN, credFile: adc}, (await ctxFor({env: {GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:1/token'}})).ctx)).rejects.toThrow(
      /^Could not check the refresh token in \[.*adc\.json\] at http:\/\/127\.0\.0\.1:1\/token/,
    );
    expect(await loginUser({...LOGIN, credFile: adc, account: USER}, ctx)).toEqual({account: USER, kind: 'user', reused: false, project: undefined, adcFile: undefined});
    expect(stored()[USER]).toMatchObject({type: 'authorized_user', refreshToken: '1//x', clientId: 'c'});
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({type: 'impersonated_service_account'}));
    await expect(loginUser({...LOGIN, credFile: other}, ctx)).rejects.toThrow(/takes authorized_user, service_account or external_account files/);
  });
});

describe('the command', () => {
  test('with no OAuth client: exit 2 and the how-to, nothing on stdout', async () => {
    const result = await runCommand(Login, [], {configDir: path.join(dir, 'config'), env: {}});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR: No OAuth client is configured/);
  });

  test('the success message names the account and project', () => {
    expect(loginMessage({account: USER, kind: 'user', reused: false, project: 'p1'})).toBe(
      `\nYou are now logged in as [${USER}].\nYour current project is [p1].  You can change this setting by running:\n  $ gcauth config set project PROJECT_ID`,
    );
  });

  test('BROWSER: its first entry, %s or the URL appended', () => {
    expect(browserCommand('http://u', {BROWSER: 'node /d.mjs --x:firefox'}, 'linux')).toEqual({file: 'node', args: ['/d.mjs', '--x', 'http://u']});
    expect(browserCommand('http://u', {BROWSER: 'w3m %s'}, 'linux')).toEqual({file: 'w3m', args: ['http://u']});
    expect(browserCommand('http://u', {}, 'linux')).toEqual({file: 'xdg-open', args: ['http://u']});
    expect(browserCommand('http://u', {}, 'darwin')).toEqual({file: 'open', args: ['http://u']});
  });
});

describe('auth revoke of a user account', () => {
  test('an unreachable revoke endpoint: removed locally anyway, and said on stderr', async () => {
    const {default: Revoke} = await import('../../../src/commands/auth/revoke.js');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as {port: number}).port;
    await new Promise((resolve) => closed.close(resolve));
    const adc = path.join(dir, 'adc.json');
    writeFileSync(adc, JSON.stringify({client_id: 'c', client_secret: 's', refresh_token: '1//x', type: 'authorized_user', token_uri: `http://127.0.0.1:${port}/token`}));
    await loginUser({...LOGIN, credFile: adc, account: USER}, (await ctxFor()).ctx);
    const result = await runCommand(Revoke, [USER], {configDir: path.join(dir, 'config')});
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `^WARNING: Could not revoke the refresh token of \\[${USER}\\]: http://127\\.0\\.0\\.1:${port}/revoke could not be reached \\(ECONNREFUSED\\)\\. It is removed from this machine anyway; .*\\nRevoked credentials for: \\[${USER}\\]\\n$`,
      ),
    );
    expect(stored()[USER]).toBeUndefined();
  });
});
