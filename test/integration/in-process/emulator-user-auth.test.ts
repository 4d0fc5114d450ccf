import {createHash, randomBytes} from 'node:crypto';
import {CodeChallengeMethod, OAuth2Client} from 'google-auth-library';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {callApi, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let clock = Date.now();

const CLIENT = 'desktop-123.apps.googleusercontent.com';
const SECRET = 'GOCSPX-desktop-secret';
const REDIRECT = 'http://127.0.0.1:53682/callback';
const SCOPES = 'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/cloud-platform';

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), users: ['alice@example.com', 'bob@example.org'], now: () => clock});
});
afterAll(async () => {
  await emu.close();
});

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function authUrl(extra: Record<string, string> = {}, path = '/o/oauth2/v2/auth'): string {
  const params = new URLSearchParams({
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPES,
    state: 'st-1',
    access_type: 'offline',
    ...extra,
  });
  return `${emu.url}${path}?${params}`;
}

/** Loads the consent page and returns the one-time request id its form carries. */
async function openConsent(extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(authUrl(extra));
  expect(res.status).toBe(200);
  const html = await res.text();
  const id = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!id) throw new Error(`no request id in ${html}`);
  return id;
}

async function decide(request: string, decision: string, user = 'alice@example.com'): Promise<Response> {
  return fetch(`${emu.url}/o/oauth2/v2/auth/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({request, user, decision}),
  });
}

/** Runs consent through Allow with a fresh PKCE pair; returns the code and verifier. */
async function authorize(extra: Record<string, string> = {}, user = 'alice@example.com'): Promise<{code: string; verifier: string}> {
  const verifier = randomBytes(32).toString('base64url');
  const res = await decide(await openConsent({code_challenge: s256(verifier), code_challenge_method: 'S256', ...extra}), 'allow', user);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.toString()}`);
  return {code, verifier};
}

async function token(fields: Record<string, string>): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`${emu.url}/token`, {method: 'POST', body: new URLSearchParams(fields)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
  token({grant_type: 'authorization_code', code, code_verifier: verifier, client_id: CLIENT, client_secret: SECRET, redirect_uri: REDIRECT, ...extra});

describe('consent page', () => {
  it('lists every user as a radio with data-user, pre-selects the login_hint, and has #allow and #deny', async () => {
    const res = await fetch(authUrl({login_hint: 'bob@example.org'}));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain('<input type="radio" name="user" id="user-0" value="alice@example.com" data-user="alice@example.com">');
    expect(html).toContain('<input type="radio" name="user" id="user-1" value="bob@example.org" data-user="bob@example.org" checked>');
    expect(html).toContain('<button type="submit" id="allow" name="decision" value="allow">Allow</button>');
    expect(html).toContain('<button type="submit" id="deny" name="decision" value="deny">Deny</button>');
    expect(html).toContain('action="/o/oauth2/v2/auth/decision"');
  });

  it('is also served at gcloud default path /o/oauth2/auth, counted under its route', async () => {
    emu.resetStats();
    expect((await fetch(authUrl({}, '/o/oauth2/auth'))).status).toBe(200);
    expect(emu.stats().byRoute).toEqual({'GET /o/oauth2/auth': 1});
  });

  it('offers the default user when started without --user', async () => {
    const other = await startEmulator({dataDir: tmpDir()});
    try {
      const html = await (await fetch(`${other.url}/o/oauth2/v2/auth?${new URL(authUrl()).searchParams}`)).text();
      expect(html).toContain('data-user="user@example.com"');
      expect(other.state.userEmails()).toEqual(['user@example.com']);
    } finally {
      await other.close();
    }
  });

  it.each([
    [{client_id: ''}, 'invalid_request', 'Missing required parameter: client_id'],
    [{redirect_uri: ''}, 'invalid_request', 'Missing required parameter: redirect_uri'],
    [{redirect_uri: 'https://evil.example/cb'}, 'redirect_uri_mismatch', 'redirect_uri=https://evil.example/cb is not a loopback'],
    [{redirect_uri: 'http://127.0.0.1.evil.example:80/'}, 'redirect_uri_mismatch', 'is not a loopback'],
    [{redirect_uri: 'urn:ietf:wg:oauth:2.0:oob'}, 'invalid_request', 'out-of-band (OOB) flow has been blocked'],
    [{response_type: 'token'}, 'unsupported_response_type', 'Invalid response_type: token'],
    [{scope: ''}, 'invalid_request', 'Missing required parameter: scope'],
    [{scope: 'openid https://evil.example/scope'}, 'invalid_scope', 'Some requested scopes were invalid. {invalid=[https://evil.example/scope]}'],
    [{code_challenge: 'x'.repeat(43), code_challenge_method: 'S512'}, 'invalid_request', 'Invalid code_challenge_method: S512'],
    [{code_challenge: 'short', code_challenge_method: 'S256'}, 'invalid_request', 'Invalid code_challenge'],
    [{access_type: 'forever'}, 'invalid_request', 'Invalid access_type: forever'],
    [{prompt: 'always'}, 'invalid_request', 'Invalid prompt: always'],
  ])('refuses %j with a 400 page, never a redirect', async (extra, error, message) => {
    const res = await fetch(authUrl(extra), {redirect: 'manual'});
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain(`<p id="error">Error 400: ${error}</p>`);
    expect(html).toContain(message);
  });

  it('accepts localhost and [::1] redirects on any port', async () => {
    for (const uri of ['http://localhost:8085/', 'http://[::1]:40000/cb', 'http://127.0.0.1/']) {
      expect((await fetch(authUrl({redirect_uri: uri}))).status).toBe(200);
    }
  });

  it('answers prompt=none with interaction_required at the redirect_uri', async () => {
    const res = await fetch(authUrl({prompt: 'none'}), {redirect: 'manual'});
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${REDIRECT}?error=interaction_required&state=st-1`);
  });
});

describe('gcloud --no-launch-browser redirects (manual copy)', () => {
  const MANUAL = 'https://sdk.cloud.google.com/authcode.html';

  it('shows the code on a page instead of redirecting off-box, and the code exchanges with that redirect_uri', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const res = await decide(await openConsent({redirect_uri: MANUAL, code_challenge: s256(verifier), code_challenge_method: 'S256'}), 'allow');
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    const code = /<code id="code">([^<]+)<\/code>/.exec(await res.text())?.[1];
    expect(code).toMatch(/^4\/0/);
    expect((await exchange(code!, verifier, {redirect_uri: MANUAL})).status).toBe(200);
  });

  it('says access_denied on Deny, and other https redirects stay refused', async () => {
    const res = await decide(await openConsent({redirect_uri: MANUAL}), 'deny');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<p id="error">access_denied</p>');
    expect((await fetch(authUrl({redirect_uri: 'https://sdk.cloud.google.com/other.html'}))).status).toBe(400);
  });
});

describe('decision', () => {
  it('Allow redirects with state, code and scope, keeping the redirect_uri query', async () => {
    const res = await decide(await openConsent({redirect_uri: 'http://localhost:9999/cb?x=1'}), 'allow');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:9999/cb');
    expect([...location.searchParams.keys()]).toEqual(['x', 'state', 'code', 'scope']);
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('code')).toMatch(/^4\/0[\w-]{40,}$/);
    expect(location.searchParams.get('scope')).toBe(SCOPES);
  });

  it('Deny redirects with error=access_denied and the state', async () => {
    const res = await decide(await openConsent({state: 'st-deny'}), 'deny');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${REDIRECT}?error=access_denied&state=st-deny`);
  });

  it('answers each page once: a replayed or forged request id gets the error page', async () => {
    const id = await openConsent();
    expect((await decide(id, 'allow')).status).toBe(302);
    for (const replay of [id, 'forged']) {
      const res = await decide(replay, 'allow');
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('no longer valid');
    }
  });

  it('refuses a user the emulator does not know', async () => {
    const res = await decide(await openConsent(), 'allow', 'mallory@example.com');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown account: mallory@example.com');
  });
});

describe('authorization_code grant', () => {
  it('exchanges a code with the right verifier for Google-shaped tokens; the id token verifies against the JWKS', async () => {
    const {code, verifier} = await authorize({nonce: 'n-1'});
    const r = await exchange(code, verifier);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type', 'id_token']);
    expect(r.body).toMatchObject({expires_in: 3599, scope: SCOPES, token_type: 'Bearer'});
    expect(r.body.access_token).toMatch(/^ya29\./);
    expect(r.body.refresh_token).toMatch(/^1\/\/0/);

    const jwks = createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`));
    const {payload, protectedHeader} = await jwtVerify(r.body.id_token as string, jwks, {
      issuer: 'https://accounts.google.com',
      audience: CLIENT,
      currentDate: new Date(clock),
    });
    expect(protectedHeader.alg).toBe('RS256');
    const alice = emu.state.user('alice@example.com')!;
    expect(payload).toMatchObject({sub: alice.uniqueId, email: 'alice@example.com', email_verified: true, azp: CLIENT, nonce: 'n-1'});
    const atHash = createHash('sha256').update(r.body.access_token as string).digest().subarray(0, 16).toString('base64url');
    expect(payload.at_hash).toBe(atHash);
  });

  it('gives the chosen user, not the first, and no refresh token for access_type=online', async () => {
    const {code, verifier} = await authorize({access_type: 'online'}, 'bob@example.org');
    const r = await exchange(code, verifier);
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty('refresh_token');
    const info = await fetch(`${emu.url}/oauth2/v3/userinfo`, {headers: {authorization: `Bearer ${r.body.access_token as string}`}});
    expect(await info.json()).toEqual({sub: emu.state.user('bob@example.org')!.uniqueId, email: 'bob@example.org', email_verified: true});
  });

  it('refuses a wrong verifier, and the code is spent after that try', async () => {
    const {code, verifier} = await authorize();
    expect(await exchange(code, 'w'.repeat(43))).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Invalid code verifier.'}});
    expect(await exchange(code, verifier)).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Bad Request'}});
  });

  it('refuses a missing verifier when a challenge was sent', async () => {
    const {code} = await authorize();
    const r = await token({grant_type: 'authorization_code', code, client_id: CLIENT, client_secret: SECRET, redirect_uri: REDIRECT});
    expect(r).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Missing code verifier.'}});
  });

  it('accepts a plain challenge (as Google does)', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const res = await decide(await openConsent({code_challenge: verifier, code_challenge_method: 'plain'}), 'allow');
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('refuses a reused code and revokes what its first exchange produced', async () => {
    const {code, verifier} = await authorize();
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    expect(await exchange(code, verifier)).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Bad Request'}});
    const refreshed = await token({grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string, client_id: CLIENT, client_secret: SECRET});
    expect(refreshed).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Token has been expired or revoked.'}});
  });

  it('refuses a code older than ten minutes', async () => {
    const {code, verifier} = await authorize();
    clock += 10 * 60 * 1000 + 1;
    try {
      expect(await exchange(code, verifier)).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Bad Request'}});
    } finally {
      clock -= 10 * 60 * 1000 + 1;
    }
  });

  it('refuses a different redirect_uri and a missing one', async () => {
    const a = await authorize();
    expect(await exchange(a.code, a.verifier, {redirect_uri: 'http://127.0.0.1:53682/other'})).toEqual({
      status: 400,
      body: {error: 'redirect_uri_mismatch', error_description: 'Bad Request'},
    });
    const b = await authorize();
    expect(await exchange(b.code, b.verifier, {redirect_uri: ''})).toEqual({status: 400, body: {error: 'invalid_request', error_description: 'Missing parameter: redirect_uri'}});
  });

  it('refuses a code issued to another client, and an unknown code', async () => {
    const {code, verifier} = await authorize();
    expect(await exchange(code, verifier, {client_id: 'other.apps.googleusercontent.com', client_secret: 'x'})).toEqual({
      status: 400,
      body: {error: 'invalid_grant', error_description: 'Bad Request'},
    });
    expect(await exchange('4/0nonsense', verifier)).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Malformed auth code.'}});
  });

  it('accepts any secret the first time a client is seen, then only that one; a missing secret or id is refused', async () => {
    const {code, verifier} = await authorize();
    expect(await exchange(code, verifier, {client_secret: 'not-the-secret'})).toEqual({status: 401, body: {error: 'invalid_client', error_description: 'Unauthorized'}});
    expect(await exchange(code, verifier, {client_secret: ''})).toEqual({status: 400, body: {error: 'invalid_request', error_description: 'client_secret is missing.'}});
    expect(await exchange(code, verifier, {client_id: ''})).toEqual({status: 400, body: {error: 'invalid_request', error_description: 'Could not determine client ID from request.'}});
    // The refusals above did not spend the code: they failed before it was looked at.
    expect((await exchange(code, verifier)).status).toBe(200);
    expect(emu.state.oauthClient(CLIENT)?.clientSecret).toBe(SECRET);
  });

  it('takes client credentials from HTTP Basic too', async () => {
    const {code, verifier} = await authorize();
    const res = await fetch(`${emu.url}/token`, {
      method: 'POST',
      headers: {authorization: `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')}`},
      body: new URLSearchParams({grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT}),
    });
    expect(res.status).toBe(200);
  });
});

describe('refresh_token grant, user tokens on the APIs, revoke', () => {
  let refreshToken: string;
  let accessToken: string;
  beforeAll(async () => {
    const {code, verifier} = await authorize();
    const r = await exchange(code, verifier);
    refreshToken = r.body.refresh_token as string;
    accessToken = r.body.access_token as string;
  });

  const refresh = (extra: Record<string, string> = {}) =>
    token({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT, client_secret: SECRET, ...extra});

  it('gives a new access token and an id token, no new refresh token', async () => {
    const r = await refresh();
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['access_token', 'expires_in', 'scope', 'token_type', 'id_token']);
    expect(r.body.access_token).not.toBe(accessToken);
  });

  it('narrows scope on request and refuses a wider one', async () => {
    const r = await refresh({scope: 'https://www.googleapis.com/auth/cloud-platform'});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({scope: 'https://www.googleapis.com/auth/cloud-platform'});
    expect(r.body).not.toHaveProperty('id_token');
    expect((await refresh({scope: 'https://www.googleapis.com/auth/compute'})).body.error).toBe('invalid_scope');
  });

  it('refuses another client and a wrong secret', async () => {
    expect(await refresh({client_id: 'someone-else', client_secret: 's'})).toEqual({status: 401, body: {error: 'unauthorized_client', error_description: 'Unauthorized'}});
    expect(await refresh({client_secret: 'wrong'})).toEqual({status: 401, body: {error: 'invalid_client', error_description: 'Unauthorized'}});
  });

  it('shows the user in tokeninfo and userinfo, and the token works on the APIs as user:EMAIL', async () => {
    const alice = emu.state.user('alice@example.com')!;
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${accessToken}`)).json()) as Record<string, string>;
    expect(info).toMatchObject({aud: CLIENT, sub: alice.uniqueId, email: 'alice@example.com', email_verified: 'true', access_type: 'offline', scope: SCOPES});
    const userinfo = await fetch(`${emu.url}/oauth2/v3/userinfo`, {headers: {authorization: `Bearer ${accessToken}`}});
    expect(await userinfo.json()).toEqual({sub: alice.uniqueId, email: 'alice@example.com', email_verified: true});
    const denied = await callApi(emu.url, accessToken, 'POST', `/cloudresourcemanager/v1/projects/${emu.project}:getIamPolicy`, {});
    expect(denied.status).toBe(403);
    emu.state.addBinding(emu.project, 'roles/viewer', 'user:alice@example.com');
    expect((await callApi(emu.url, accessToken, 'GET', `/cloudresourcemanager/v1/projects/${emu.project}`)).status).toBe(200);
  });

  it('userinfo refuses a missing or unknown token with 401', async () => {
    for (const headers of [{}, {authorization: 'Bearer ya29.nope'}] as Array<Record<string, string>>) {
      const res = await fetch(`${emu.url}/oauth2/v3/userinfo`, {headers});
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({error: 'invalid_request', error_description: 'Invalid Credentials'});
    }
  });

  it('revoking the refresh token kills it and every access token issued from it', async () => {
    const other = (await refresh()).body.access_token as string;
    const res = await fetch(`${emu.url}/revoke`, {method: 'POST', body: new URLSearchParams({token: refreshToken})});
    expect(res.status).toBe(200);
    for (const t of [accessToken, other]) {
      expect((await fetch(`${emu.url}/tokeninfo?access_token=${t}`)).status).toBe(400);
    }
    expect(await refresh()).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Token has been expired or revoked.'}});
    expect((await fetch(`${emu.url}/revoke`, {method: 'POST', body: new URLSearchParams({token: refreshToken})})).status).toBe(400);
  });

  it('revoking an access token issued from a refresh token revokes the grant, as at Google', async () => {
    const {code, verifier} = await authorize();
    const grant = (await exchange(code, verifier)).body;
    const res = await fetch(`${emu.url}/revoke`, {method: 'POST', body: new URLSearchParams({token: grant.access_token as string})});
    expect(res.status).toBe(200);
    const r = await token({grant_type: 'refresh_token', refresh_token: grant.refresh_token as string, client_id: CLIENT, client_secret: SECRET});
    expect(r).toEqual({status: 400, body: {error: 'invalid_grant', error_description: 'Token has been expired or revoked.'}});
  });

  it('keeps refresh tokens across a restart', async () => {
    const {code, verifier} = await authorize();
    const live = (await exchange(code, verifier)).body.refresh_token as string;
    const dataDir = emu.dataDir;
    await emu.close();
    emu = await startEmulator({dataDir, now: () => clock});
    const r = await token({grant_type: 'refresh_token', refresh_token: live, client_id: CLIENT, client_secret: SECRET});
    expect(r.status).toBe(200);
    expect(emu.state.userEmails()).toEqual(['alice@example.com', 'bob@example.org']);
  });
});

describe('google-auth-library OAuth2Client against the emulator', () => {
  it('runs the PKCE code flow, verifies the id token with the X.509 certs, refreshes and revokes', async () => {
    const client = new OAuth2Client({
      clientId: 'gal-client.apps.googleusercontent.com',
      clientSecret: 'gal-secret',
      redirectUri: REDIRECT,
      endpoints: {
        oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth`,
        oauth2TokenUrl: `${emu.url}/token`,
        oauth2RevokeUrl: `${emu.url}/revoke`,
        oauth2FederatedSignonPemCertsUrl: `${emu.url}/oauth2/v1/certs`,
        oauth2FederatedSignonJwkCertsUrl: `${emu.url}/oauth2/v3/certs`,
      },
    });
    const {codeVerifier, codeChallenge} = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      scope: ['openid', 'email', 'https://www.googleapis.com/auth/cloud-platform'],
      state: 'gal-state',
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge!,
    });
    const html = await (await fetch(url)).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const decided = await decide(request, 'allow', 'bob@example.org');
    const location = new URL(decided.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('gal-state');

    const {tokens} = await client.getToken({code: location.searchParams.get('code')!, codeVerifier});
    expect(tokens.refresh_token).toMatch(/^1\/\/0/);
    const ticket = await client.verifyIdToken({idToken: tokens.id_token!, audience: 'gal-client.apps.googleusercontent.com'});
    expect(ticket.getPayload()).toMatchObject({email: 'bob@example.org', email_verified: true, iss: 'https://accounts.google.com'});

    const refresher = new OAuth2Client({
      clientId: 'gal-client.apps.googleusercontent.com',
      clientSecret: 'gal-secret',
      endpoints: {oauth2TokenUrl: `${emu.url}/token`, oauth2RevokeUrl: `${emu.url}/revoke`},
    });
    refresher.setCredentials({refresh_token: tokens.refresh_token!});
    const {token: refreshed} = await refresher.getAccessToken();
    expect(emu.state.accessToken(refreshed!)?.email).toBe('bob@example.org');
    await refresher.revokeToken(tokens.refresh_token!);
    expect(emu.state.accessToken(refreshed!)).toBeUndefined();
  });
});

describe('public keys of service accounts', () => {
  it('serves the enabled, valid keys of an account as a JWKS, and 404 for an unknown one', async () => {
    const owner = emu.state.serviceAccount(emu.ownerEmail)!;
    const res = await fetch(`${emu.url}/service_accounts/v1/jwk/${encodeURIComponent(emu.ownerEmail)}`);
    expect(res.status).toBe(200);
    const {keys} = (await res.json()) as {keys: Array<{kid: string; kty: string; alg: string}>};
    expect(keys.map((k) => k.kid).sort()).toEqual(Object.keys(owner.keys).sort());
    expect(keys.every((k) => k.kty === 'RSA' && k.alg === 'RS256')).toBe(true);
    expect((await fetch(`${emu.url}/service_accounts/v1/jwk/nobody@demo-project.iam.gserviceaccount.com`)).status).toBe(404);
  });
});
