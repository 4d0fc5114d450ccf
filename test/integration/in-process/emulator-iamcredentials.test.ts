import {createPublicKey, verify} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {compactVerify, createRemoteJWKSet, decodeProtectedHeader, jwtVerify} from 'jose';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {accessTokenFor, callApi, type KeyFileFields, permissionDenied, readKeyFile, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;
// Assertions are signed at real time, so the fake clock starts there, on a whole second plus a fraction.
const clock = Math.floor(Date.now() / 1000) * 1000 + 250;
const whole = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), now: () => clock});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
});
afterAll(async () => {
  await emu.close();
});

const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';

/** A service account made directly in state with a key and a live token. */
async function principal(id: string): Promise<{email: string; token: string}> {
  const account = emu.state.createServiceAccount(emu.project, id);
  await emu.state.addSystemManagedKey(account.email);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  const k: KeyFileFields = {...ownerKey, client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem, client_id: account.uniqueId};
  return {email: account.email, token: await accessTokenFor(emu.url, k)};
}

const creds = (token: string | undefined, email: string, verb: string, body: unknown) =>
  callApi(emu.url, token, 'POST', `/iamcredentials/v1/projects/-/serviceAccounts/${email}:${verb}?alt=json`, body);

const grantOn = (email: string, member: string, role = 'roles/iam.serviceAccountTokenCreator') => {
  emu.state.serviceAccount(email)!.iamPolicy.bindings.push({role, members: [member]});
};

const denied = (permission: string, email: string) => permissionDenied(permission, `projects/-/serviceAccounts/${email}`);

let caller: {email: string; token: string};
let target: {email: string; token: string};
let hopper: {email: string; token: string};
beforeAll(async () => {
  caller = await principal('dev-caller');
  target = await principal('deployer');
  hopper = await principal('hopper');
});

describe('generateAccessToken', () => {
  it('is refused without the role, even to the project owner, naming the permission', async () => {
    const body = {delegates: null, scope: [CLOUD], lifetime: '3600s'};
    expect(await creds(caller.token, target.email, 'generateAccessToken', body)).toMatchObject(denied('iam.serviceAccounts.getAccessToken', target.email));
    expect(await creds(owner, target.email, 'generateAccessToken', body)).toMatchObject(denied('iam.serviceAccounts.getAccessToken', target.email));
    expect(await creds(caller.token, 'ghost@demo-project.iam.gserviceaccount.com', 'generateAccessToken', body)).toMatchObject(
      denied('iam.serviceAccounts.getAccessToken', 'ghost@demo-project.iam.gserviceaccount.com'),
    );
  });

  it('with roles/iam.serviceAccountTokenCreator on the account gives a token that acts as the account', async () => {
    grantOn(target.email, `serviceAccount:${caller.email}`);
    emu.resetStats();
    const r = await creds(caller.token, target.email, 'generateAccessToken', {delegates: null, scope: [CLOUD], lifetime: '7200s'});
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['accessToken', 'expireTime']);
    expect(r.body.expireTime).toBe(whole(clock + 7200_000));
    expect(emu.stats().byRoute).toEqual({'POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken': 1});

    const token = r.body.accessToken as string;
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json()) as Record<string, string>;
    expect(info).toMatchObject({scope: CLOUD, expires_in: '7200'});
    // The new token is the target's: it may read the target's own policy only if the target may.
    emu.state.addBinding(emu.project, 'roles/viewer', `serviceAccount:${target.email}`);
    expect((await callApi(emu.url, token, 'GET', `/cloudresourcemanager/v1/projects/${emu.project}`)).status).toBe(200);
    expect((await callApi(emu.url, caller.token, 'GET', `/cloudresourcemanager/v1/projects/${emu.project}`)).status).toBe(403);
  });

  it('accepts a source token scoped only to auth/iam, as gcloud impersonation sends', async () => {
    const iamScoped = emu.state.issueAccessToken(caller.email, ['https://www.googleapis.com/auth/iam'], emu.state.serviceAccount(caller.email)!.uniqueId, 600).token;
    expect((await creds(iamScoped, target.email, 'generateAccessToken', {scope: [CLOUD]})).status).toBe(200);
  });

  it.each([
    [{scope: []}, 'Scope required.'],
    [{scope: [CLOUD], lifetime: '43201s'}, 'Invalid value for lifetime: "43201s"'],
    [{scope: [CLOUD], lifetime: '1h'}, 'Invalid value for lifetime: "1h"'],
    [{scope: [CLOUD], delegates: ['nobody']}, 'Invalid delegate: "nobody"'],
  ])('refuses %j with 400', async (body, message) => {
    const r = await creds(caller.token, target.email, 'generateAccessToken', body);
    expect(r.status).toBe(400);
    expect((r.body.error as {message: string}).message).toContain(message);
  });

  it('accepts 43200s, and refuses a disabled target with FAILED_PRECONDITION', async () => {
    expect((await creds(caller.token, target.email, 'generateAccessToken', {scope: [CLOUD], lifetime: '43200s'})).body.expireTime).toBe(whole(clock + 43200_000));
    emu.state.setServiceAccountDisabled(target.email, true);
    try {
      const r = await creds(caller.token, target.email, 'generateAccessToken', {scope: [CLOUD]});
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({status: 'FAILED_PRECONDITION'});
    } finally {
      emu.state.setServiceAccountDisabled(target.email, false);
    }
  });

  it('through a delegate needs each hop to hold the permission on the next', async () => {
    const chained = {delegates: [`projects/-/serviceAccounts/${hopper.email}`], scope: [CLOUD]};
    const outsider = await principal('outsider');
    // outsider → hopper is missing.
    expect(await creds(outsider.token, target.email, 'generateAccessToken', chained)).toMatchObject(denied('iam.serviceAccounts.getAccessToken', hopper.email));
    grantOn(hopper.email, `serviceAccount:${outsider.email}`);
    // hopper → target is missing.
    expect(await creds(outsider.token, target.email, 'generateAccessToken', chained)).toMatchObject(denied('iam.serviceAccounts.getAccessToken', target.email));
    grantOn(target.email, `serviceAccount:${hopper.email}`);
    expect((await creds(outsider.token, target.email, 'generateAccessToken', chained)).status).toBe(200);
  });

  it('honours the role granted on the project', async () => {
    const projectWide = await principal('project-wide');
    expect((await creds(projectWide.token, hopper.email, 'generateAccessToken', {scope: [CLOUD]})).status).toBe(403);
    emu.state.addBinding(emu.project, 'roles/iam.serviceAccountTokenCreator', `serviceAccount:${projectWide.email}`);
    expect((await creds(projectWide.token, hopper.email, 'generateAccessToken', {scope: [CLOUD]})).status).toBe(200);
  });

  it('answers 401 without a token', async () => {
    expect((await creds(undefined, target.email, 'generateAccessToken', {scope: [CLOUD]})).status).toBe(401);
  });
});

describe('generateIdToken', () => {
  it('is refused without the role and gives a token verifying against the JWKS with it', async () => {
    const stranger = await principal('id-stranger');
    expect(await creds(stranger.token, target.email, 'generateIdToken', {audience: 'https://svc.example'})).toMatchObject(
      denied('iam.serviceAccounts.getOpenIdToken', target.email),
    );
    const r = await creds(caller.token, target.email, 'generateIdToken', {audience: 'https://svc.example', includeEmail: true, delegates: []});
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['token']);
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`));
    const {payload} = await jwtVerify(r.body.token as string, jwks, {issuer: 'https://accounts.google.com', audience: 'https://svc.example', currentDate: new Date(clock)});
    const uniqueId = emu.state.serviceAccount(target.email)!.uniqueId;
    expect(payload).toMatchObject({sub: uniqueId, azp: uniqueId, email: target.email, email_verified: true});

    const bare = await creds(caller.token, target.email, 'generateIdToken', {audience: 'aud'});
    const {payload: noEmail} = await jwtVerify(bare.body.token as string, jwks, {audience: 'aud', currentDate: new Date(clock)});
    expect(noEmail).not.toHaveProperty('email');
  });

  it('requires an audience', async () => {
    const r = await creds(caller.token, target.email, 'generateIdToken', {});
    expect(r.status).toBe(400);
    expect((r.body.error as {message: string}).message).toBe('Audience required.');
  });
});

describe('signJwt', () => {
  it('signs the payload with the target system-managed key; the signature verifies with its public half', async () => {
    const stranger = await principal('jwt-stranger');
    const payload = JSON.stringify({iss: target.email, sub: target.email, aud: 'https://svc.example', exp: Math.floor(clock / 1000) + 600});
    expect(await creds(stranger.token, target.email, 'signJwt', {payload})).toMatchObject(denied('iam.serviceAccounts.signJwt', target.email));

    const r = await creds(caller.token, target.email, 'signJwt', {payload, delegates: []});
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['keyId', 'signedJwt']);
    const key = emu.state.serviceAccount(target.email)!.keys[r.body.keyId as string]!;
    expect(key.keyType).toBe('SYSTEM_MANAGED');
    const jwt = r.body.signedJwt as string;
    expect(decodeProtectedHeader(jwt)).toEqual({alg: 'RS256', kid: r.body.keyId, typ: 'JWT'});
    const {payload: signed} = await compactVerify(jwt, createPublicKey(key.publicKeyPem));
    expect(Buffer.from(signed).toString('utf8')).toBe(payload);
  });

  it.each([
    [{payload: 'not json'}, 'payload must be a string holding a JSON object.'],
    [{payload: '[1]'}, 'payload must be a string holding a JSON object.'],
    [{payload: JSON.stringify({exp: Math.floor(clock / 1000) + 43300})}, 'no more than 12 hours'],
  ])('refuses %j with 400', async (body, message) => {
    const r = await creds(caller.token, target.email, 'signJwt', body);
    expect(r.status).toBe(400);
    expect((r.body.error as {message: string}).message).toContain(message);
  });

  it('never serves the private half through the IAM keys API', async () => {
    const r = await callApi(emu.url, owner, 'GET', `/iam/v1/projects/-/serviceAccounts/${target.email}/keys?alt=json`);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain('PRIVATE KEY');
  });
});

describe('signBlob', () => {
  it('signs the bytes RS256 with the system-managed key, and needs iam.serviceAccounts.signBlob', async () => {
    const stranger = await principal('blob-stranger');
    const payload = Buffer.from('bytes to sign').toString('base64');
    expect(await creds(stranger.token, target.email, 'signBlob', {payload})).toMatchObject(denied('iam.serviceAccounts.signBlob', target.email));
    const r = await creds(caller.token, target.email, 'signBlob', {payload});
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['keyId', 'signedBlob']);
    const key = emu.state.serviceAccount(target.email)!.keys[r.body.keyId as string]!;
    expect(verify('sha256', Buffer.from('bytes to sign'), createPublicKey(key.publicKeyPem), Buffer.from(r.body.signedBlob as string, 'base64'))).toBe(true);
    expect((await creds(caller.token, target.email, 'signBlob', {payload: 'not base64!'})).status).toBe(400);
  });
});

describe('state written before signJwt existed', () => {
  it('loads, and every account gains a system key that can sign', async () => {
    const dataDir = emu.dataDir;
    await emu.close();
    const file = join(dataDir, 'state.json');
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete old.systemKeySecrets;
    delete old.refreshTokens;
    delete old.oauthClients;
    writeFileSync(file, JSON.stringify(old));
    emu = await startEmulator({dataDir, now: () => clock});
    const before = Object.keys((old.serviceAccounts as Record<string, {keys: object}>)[target.email]!.keys).length;
    expect(Object.keys(emu.state.serviceAccount(target.email)!.keys)).toHaveLength(before + 1);
    expect(emu.state.signingKeyOf(target.email)).toBeDefined();
    const token = await accessTokenFor(emu.url, ownerKey);
    grantOn(target.email, `serviceAccount:${emu.ownerEmail}`);
    expect((await creds(token, target.email, 'signJwt', {payload: '{"a":1}'})).status).toBe(200);
  });
});
