import {generateKeyPairSync} from 'node:crypto';
import {createRemoteJWKSet, decodeProtectedHeader, jwtVerify} from 'jose';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {OAUTH_MESSAGES} from '../../../src/emulator/google-errors.js';
import {postToken, readKeyFile, signAssertion, tmpDir, type KeyFileFields} from '../../helpers/emulator.js';

const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';
const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';

let emu: RunningEmulator;
let key: KeyFileFields;
let offsetMs = 0;
const logLines: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), now: () => Date.now() + offsetMs, log: (l) => logLines.push(l)});
  key = readKeyFile(emu.ownerKeyFile);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  offsetMs = 0;
  emu.faults.set({});
  emu.setTokenLifetime(3599);
  emu.resetStats();
});

const badGrant = (description: string) => ({status: 400, body: {error: 'invalid_grant', error_description: description}});
const now = () => Math.floor(Date.now() / 1000);

async function tokeninfo(query: string): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`${emu.url}/tokeninfo?${query}`);
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

async function newAccount(id: string): Promise<KeyFileFields> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key: k, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  return {...key, client_email: account.email, private_key_id: k.keyId, private_key: privateKeyPem, client_id: account.uniqueId};
}

describe('POST /token (jwt-bearer)', () => {
  it('grants an access token for a good assertion and remembers it', async () => {
    const r = await postToken(emu.url, signAssertion(key, {scope: `${CLOUD} ${EMAIL_SCOPE}`}));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(r.body).toMatchObject({expires_in: 3599, token_type: 'Bearer'});
    const info = await tokeninfo(`access_token=${String(r.body.access_token)}`);
    expect(info.status).toBe(200);
    const uniqueId = emu.state.serviceAccount(key.client_email)!.uniqueId;
    expect(info.body).toEqual({
      azp: uniqueId,
      aud: uniqueId,
      scope: `${CLOUD} ${EMAIL_SCOPE}`,
      exp: expect.stringMatching(/^\d+$/),
      expires_in: expect.stringMatching(/^\d+$/),
      email: key.client_email,
      email_verified: 'true',
      access_type: 'online',
    });
    expect(Number(info.body.expires_in)).toBeGreaterThan(3590);
    expect(emu.stats().tokensIssued).toEqual({accessToken: 1, idToken: 0, metadata: 0, metadataIdentity: 0});
  });

  it('shows no email in tokeninfo unless an email scope was granted, as Google does', async () => {
    const r = await postToken(emu.url, signAssertion(key, {scope: CLOUD}));
    const info = await tokeninfo(`access_token=${String(r.body.access_token)}`);
    expect(info.body.email).toBeUndefined();
    expect(info.body.scope).toBe(CLOUD);
  });

  it('accepts an assertion without kid by trying the account keys', async () => {
    expect((await postToken(emu.url, signAssertion(key, {}, {kid: undefined}))).status).toBe(200);
  });

  // Go's x/oauth2/jwt, oauth2client and older google-auth sign for the key file's token_uri; Google accepts
  // its own token URLs, so the emulator accepts those and the token_uri of the keys it writes.
  it.each([
    ['the legacy v4 token URL', () => 'https://www.googleapis.com/oauth2/v4/token'],
    ['the old accounts.google.com token URL', () => 'https://accounts.google.com/o/oauth2/token'],
    ["the emulator's own token URL (its key files' token_uri)", () => `${emu.url}/token`],
  ])('accepts an assertion whose aud is %s, and counts it by audience', async (_name, aud) => {
    expect((await postToken(emu.url, signAssertion(key, {aud: aud()}))).status).toBe(200);
    expect(emu.stats().assertionAudiences).toEqual({[aud()]: 1});
  });

  it('accepts iat up to five minutes in the future (clock skew)', async () => {
    expect((await postToken(emu.url, signAssertion(key, {iat: now() + 200, exp: now() + 200 + 3600}))).status).toBe(200);
  });

  it.each([
    ['a signature by another key under the same kid', () => {
      const other = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}) as string;
      return signAssertion({...key, private_key: other});
    }, OAUTH_MESSAGES.badSignature],
    ['an unknown kid', () => signAssertion(key, {}, {kid: 'f'.repeat(40)}), OAUTH_MESSAGES.badSignature],
    ['alg HS256', () => signAssertion(key, {}, {alg: 'HS256'}), OAUTH_MESSAGES.badSignature],
    ['a garbage assertion', () => 'not.a-jwt', OAUTH_MESSAGES.badSignature],
    ['a tampered payload', () => {
      const [h, , s] = signAssertion(key).split('.');
      const forged = Buffer.from(JSON.stringify({iss: key.client_email, aud: 'https://oauth2.googleapis.com/token', iat: now(), exp: now() + 60, scope: 'x'})).toString('base64url');
      return `${h}.${forged}.${s}`;
    }, OAUTH_MESSAGES.badSignature],
    ['a wrong aud', () => signAssertion(key, {aud: 'https://example.com/token'}), OAUTH_MESSAGES.badAudience],
    ['aud equal to the emulator URL without /token', () => signAssertion(key, {aud: emu.url}), OAUTH_MESSAGES.badAudience],
    ["aud equal to the emulator's registry token URL", () => signAssertion(key, {aud: `${emu.url}/v2/token`}), OAUTH_MESSAGES.badAudience],
    ['aud equal to the token URL over http', () => signAssertion(key, {aud: 'http://oauth2.googleapis.com/token'}), OAUTH_MESSAGES.badAudience],
    ['exp - iat > 3600', () => signAssertion(key, {iat: now(), exp: now() + 3601}), OAUTH_MESSAGES.badTimeframe],
    ['an expired assertion', () => signAssertion(key, {iat: now() - 7200, exp: now() - 3600}), OAUTH_MESSAGES.badTimeframe],
    ['iat far in the future', () => signAssertion(key, {iat: now() + 900, exp: now() + 1800}), OAUTH_MESSAGES.badTimeframe],
    ['exp before iat', () => signAssertion(key, {iat: now(), exp: now() - 10}), OAUTH_MESSAGES.badTimeframe],
    ['missing iat', () => signAssertion(key, {iat: undefined}), OAUTH_MESSAGES.badTimeframe],
    ['an unknown iss', () => signAssertion({...key, client_email: 'ghost@demo-project.iam.gserviceaccount.com'}), OAUTH_MESSAGES.accountNotFound],
  ])('rejects %s with Google\'s invalid_grant JSON', async (_name, make, description) => {
    expect(await postToken(emu.url, make())).toEqual(badGrant(description));
    expect(emu.stats().tokensIssued.accessToken).toBe(0);
    expect(emu.stats().tokenErrors).toBe(1);
  });

  it('rejects a deleted key, and a disabled key, with Invalid JWT Signature', async () => {
    const deleted = await newAccount('deleted-key-sa');
    expect((await postToken(emu.url, signAssertion(deleted))).status).toBe(200);
    emu.state.deleteServiceAccountKey(deleted.client_email, deleted.private_key_id);
    expect(await postToken(emu.url, signAssertion(deleted))).toEqual(badGrant(OAUTH_MESSAGES.badSignature));

    const disabled = await newAccount('disabled-key-sa');
    emu.state.setServiceAccountKeyDisabled(disabled.client_email, disabled.private_key_id, true);
    expect(await postToken(emu.url, signAssertion(disabled))).toEqual(badGrant(OAUTH_MESSAGES.badSignature));
    // Without kid, the disabled key must not be found by trying the account's keys either.
    expect(await postToken(emu.url, signAssertion(disabled, {}, {kid: undefined}))).toEqual(badGrant(OAUTH_MESSAGES.badSignature));
    emu.state.setServiceAccountKeyDisabled(disabled.client_email, disabled.private_key_id, false);
    expect((await postToken(emu.url, signAssertion(disabled))).status).toBe(200);
  });

  it('rejects a disabled account as not found', async () => {
    const sa = await newAccount('disabled-sa');
    emu.state.setServiceAccountDisabled(sa.client_email, true);
    expect(await postToken(emu.url, signAssertion(sa))).toEqual(badGrant(OAUTH_MESSAGES.accountNotFound));
  });

  it('rejects a missing assertion, another grant type, no scope, and a foreign sub', async () => {
    expect(await postToken(emu.url, undefined)).toEqual({
      status: 400,
      body: {error: 'invalid_request', error_description: 'Missing required parameter: assertion'},
    });
    expect(await postToken(emu.url, 'x', 'password')).toEqual({
      status: 400,
      body: {error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password'},
    });
    expect(await postToken(emu.url, signAssertion(key, {scope: undefined}))).toEqual({
      status: 400,
      body: {error: 'invalid_scope', error_description: OAUTH_MESSAGES.noScope},
    });
    expect((await postToken(emu.url, signAssertion(key, {sub: 'someone@example.com'}))).body.error).toBe('unauthorized_client');
    expect((await postToken(emu.url, signAssertion(key, {sub: key.client_email}))).status).toBe(200);
  });

  it('issues tokens with the lifetime set through the admin endpoint', async () => {
    const set = await fetch(`${emu.url}/__admin/token-lifetime`, {method: 'POST', body: JSON.stringify({seconds: 5})});
    expect(set.status).toBe(200);
    expect((await postToken(emu.url, signAssertion(key))).body.expires_in).toBe(5);
    const bad = await fetch(`${emu.url}/__admin/token-lifetime`, {method: 'POST', body: JSON.stringify({seconds: 0})});
    expect(bad.status).toBe(400);
  });
});

describe('id tokens', () => {
  it('answers a target_audience assertion with an id token verifiable against /oauth2/v3/certs', async () => {
    const aud = '32555940559.apps.googleusercontent.com';
    const r = await postToken(emu.url, signAssertion(key, {scope: undefined, target_audience: aud}));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['id_token']);
    const idToken = String(r.body.id_token);
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`));
    const {payload, protectedHeader} = await jwtVerify(idToken, jwks, {issuer: 'https://accounts.google.com', audience: aud});
    const account = emu.state.serviceAccount(key.client_email)!;
    expect(protectedHeader).toMatchObject({alg: 'RS256', kid: emu.state.idTokenSigningKey.kid});
    expect(payload).toMatchObject({sub: account.uniqueId, email: key.client_email, email_verified: true, aud});
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(emu.stats().tokenRequests).toEqual({accessToken: 0, idToken: 1, unsupportedGrant: 0, metadata: 0, metadataIdentity: 0});
    expect(emu.stats().tokensIssued).toEqual({accessToken: 0, idToken: 1, metadata: 0, metadataIdentity: 0});

    const info = await tokeninfo(`id_token=${idToken}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({aud, email: key.client_email, email_verified: 'true', alg: 'RS256'});
  });

  it('does not verify an id token signed by another key', async () => {
    const r = await postToken(emu.url, signAssertion(key, {scope: undefined, target_audience: 'x'}));
    const [h, p] = String(r.body.id_token).split('.');
    expect(decodeProtectedHeader(String(r.body.id_token)).kid).toBe(emu.state.idTokenSigningKey.kid);
    expect((await tokeninfo(`id_token=${h}.${p}.AAAA`)).status).toBe(400);
  });
});

describe('GET /tokeninfo and POST /revoke', () => {
  it('reports unknown and expired tokens as invalid_token', async () => {
    expect(await tokeninfo('access_token=ya29.nope')).toEqual({status: 400, body: {error: 'invalid_token', error_description: 'Invalid Value'}});
    const r = await postToken(emu.url, signAssertion(key));
    offsetMs = 3600_000;
    expect((await tokeninfo(`access_token=${String(r.body.access_token)}`)).status).toBe(400);
  });

  it('revokes a token given in the form or the query; an unknown one is invalid_token', async () => {
    const a = String((await postToken(emu.url, signAssertion(key))).body.access_token);
    const b = String((await postToken(emu.url, signAssertion(key))).body.access_token);
    const viaForm = await fetch(`${emu.url}/revoke`, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: `token=${encodeURIComponent(a)}`});
    expect(viaForm.status).toBe(200);
    expect(await viaForm.json()).toEqual({});
    const viaQuery = await fetch(`${emu.url}/revoke?token=${encodeURIComponent(b)}`, {method: 'POST'});
    expect(viaQuery.status).toBe(200);
    expect((await tokeninfo(`access_token=${a}`)).status).toBe(400);
    expect((await tokeninfo(`access_token=${b}`)).status).toBe(400);
    const again = await fetch(`${emu.url}/revoke?token=${encodeURIComponent(a)}`, {method: 'POST'});
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({error: 'invalid_token', error_description: 'Token expired or revoked'});
  });
});

describe('faults and logging', () => {
  it('answers every request with Google 503 JSON at fail rate 1.0, but never faults admin routes', async () => {
    emu.faults.set({failRate: 1});
    const r = await postToken(emu.url, signAssertion(key));
    expect(r).toEqual({status: 503, body: {error: {code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE'}}});
    expect((await fetch(`${emu.url}/__admin/stats`)).status).toBe(200);
    expect(emu.stats().faultsInjected).toBe(1);
    expect(emu.stats().tokenRequests.accessToken).toBe(0);
  });

  it('fails exactly the next N requests when set through the admin endpoint', async () => {
    const set = await fetch(`${emu.url}/__admin/faults`, {method: 'POST', body: JSON.stringify({failNext: 2, failNextStatus: 429})});
    expect(await set.json()).toEqual({failNext: 2, failNextStatus: 429});
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postToken(emu.url, signAssertion(key))).status);
    expect(statuses).toEqual([429, 429, 200]);
  });

  it('adds latency', async () => {
    emu.faults.set({latencyMs: 300});
    const started = performance.now();
    expect((await postToken(emu.url, signAssertion(key))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('refuses a malformed fault config with 400', async () => {
    const bad = await fetch(`${emu.url}/__admin/faults`, {method: 'POST', body: JSON.stringify({failRate: 2})});
    expect(bad.status).toBe(400);
    const typo = await fetch(`${emu.url}/__admin/faults`, {method: 'POST', body: JSON.stringify({failrate: 1})});
    expect(((await typo.json()) as {error: {message: string}}).error.message).toContain('unknown fault setting "failrate"');
  });

  it('logs method, path, status and time, and never a token or assertion', async () => {
    logLines.length = 0;
    const assertion = signAssertion(key);
    const token = String((await postToken(emu.url, assertion)).body.access_token);
    await tokeninfo(`access_token=${token}`);
    await fetch(`${emu.url}/revoke?token=${token}`, {method: 'POST'});
    expect(logLines).toEqual([
      expect.stringMatching(/^POST \/token 200 \d+ms$/),
      expect.stringMatching(/^GET \/tokeninfo 200 \d+ms$/),
      expect.stringMatching(/^POST \/revoke 200 \d+ms$/),
    ]);
    const all = logLines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(assertion.slice(0, 20));
  });

  it('counts requests by route and status, with unmatched paths as (unmatched)', async () => {
    await postToken(emu.url, signAssertion(key));
    await fetch(`${emu.url}/nowhere`);
    const stats = emu.stats();
    expect(stats.byRoute).toEqual({'POST /token': 1, 'GET (unmatched)': 1});
    expect(stats.byStatus).toEqual({'200': 1, '404': 1});
    expect(stats.total).toBe(2);
  });
});
