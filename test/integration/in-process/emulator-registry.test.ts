import {generateKeyPairSync, X509Certificate} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {decodeProtectedHeader, jwtVerify} from 'jose';
import {AR_MESSAGES} from '../../../src/emulator/artifactregistry.js';
import {REGISTRY_MESSAGES} from '../../../src/emulator/registry.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {selfSignedCertificate, toPem} from '../../../src/emulator/x509.js';
import {accessTokenFor, readKeyFile, savedState, tmpDir, type KeyFileFields} from '../../helpers/emulator.js';

const SERVICE = 'gcauth-emulator-registry';
const ISSUER = 'gcauth-emulator';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let ownerToken: string;
/** Added to the emulator's clock, to age the tokens it issued. */
let clockOffsetMs = 0;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), now: () => Date.now() + clockOffsetMs});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  ownerToken = await accessTokenFor(emu.url, ownerKey);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  clockOffsetMs = 0;
  emu.faults.set({});
  emu.resetStats();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const keyJson = (key: KeyFileFields) => JSON.stringify(key, null, 2);

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(pathAndQuery: string, authorization?: string, method = 'GET'): Promise<Answer> {
  const res = await fetch(`${emu.url}${pathAndQuery}`, {method, headers: authorization === undefined ? {} : {authorization}});
  const text = await res.text();
  return {status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)};
}

/** `GET /v2/token` for `scopes` (none: a login) as `user:password`. */
function tokenRequest(user: string | undefined, password: string, scopes: string[] = [], service = SERVICE): Promise<Answer> {
  const query = new URLSearchParams({service});
  for (const s of scopes) query.append('scope', s);
  return get(`/v2/token?${query}`, user === undefined ? undefined : basic(user, password));
}

/** The `access` claim of a token answer (read without verifying; verification has its own test). */
function accessOf(answer: Answer): unknown {
  expect(answer.status).toBe(200);
  const token = String(answer.body.token);
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).access;
}

/** A service account made in state with a key, a project role (optional) and a live access token. */
async function principal(id: string, role?: string, scope = CLOUD_PLATFORM): Promise<{email: string; key: KeyFileFields; token: string}> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  if (role) emu.state.addBinding(emu.project, role, `serviceAccount:${account.email}`);
  const k: KeyFileFields = {...ownerKey, client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem, client_id: account.uniqueId};
  return {email: account.email, key: k, token: await accessTokenFor(emu.url, k, scope)};
}

function unauthorized(message: string) {
  return {status: 401, body: {details: message, errors: [{code: 'UNAUTHORIZED', message}]}};
}
const answer = (r: Answer) => ({status: r.status, body: r.body});

describe('the /v2/ challenge', () => {
  it('answers 401 with a Bearer challenge naming the realm and service, and a body docker reads as unauthorized', async () => {
    const r = await get('/v2/');
    expect(answer(r)).toEqual(unauthorized('authentication required'));
    expect(r.headers.get('www-authenticate')).toBe(`Bearer realm="${emu.url}/v2/token",service="${SERVICE}"`);
    expect(r.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    const head = await get('/v2/', undefined, 'HEAD');
    expect([head.status, head.headers.get('www-authenticate'), head.body]).toEqual([401, r.headers.get('www-authenticate'), {}]);
    expect(emu.stats().byRoute).toMatchObject({'GET /v2/': 1, 'HEAD /v2/': 1});
  });

  it('is described in emulator.json for a registry auth.token section', () => {
    const info = JSON.parse(readFileSync(path.join(emu.dataDir, 'emulator.json'), 'utf8'));
    expect(info.registry).toEqual({
      realm: `${emu.url}/v2/token`,
      service: SERVICE,
      issuer: ISSUER,
      rootCertBundle: path.join(emu.dataDir, 'registry-token.crt'),
    });
    expect(emu.registry).toEqual(info.registry);
  });

  it('answers 200 {} to a token it issued, and 401 invalid_token to a tampered, expired or foreign one', async () => {
    const {token} = (await tokenRequest('oauth2accesstoken', ownerToken)).body as {token: string};
    expect(answer(await get('/v2/', `Bearer ${token}`))).toEqual({status: 200, body: {}});
    expect((await get('/v2/', `Bearer ${token}`, 'HEAD')).status).toBe(200);

    const [h, c, s] = token.split('.') as [string, string, string];
    const forged = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    forged.sub = 'someone-else@example.com';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    const refused = await get('/v2/', `Bearer ${tampered}`);
    expect(answer(refused)).toEqual(unauthorized(REGISTRY_MESSAGES.invalidToken));
    expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="${emu.url}/v2/token",service="${SERVICE}",error="invalid_token"`);
    expect((await get('/v2/', `Bearer ${ownerToken}`)).status).toBe(401);

    clockOffsetMs = 301_000;
    expect((await get('/v2/', `Bearer ${token}`)).status).toBe(401);
  });
});

describe('the token endpoint', () => {
  it.each([
    ['oauth2accesstoken', () => ownerToken],
    ['_token', () => ownerToken],
    ['_dcgcloud_token', () => ownerToken],
    ['_json_key', () => keyJson(ownerKey)],
    ['_json_key_base64', () => Buffer.from(keyJson(ownerKey)).toString('base64')],
  ])('trades Basic %s for a token granting the owner pull and push', async (user, password) => {
    const r = await tokenRequest(user, password(), ['repository:demo-project/app:pull,push']);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'token']);
    expect(r.body).toMatchObject({access_token: r.body.token, expires_in: 300});
    expect(Math.abs(Date.parse(String(r.body.issued_at)) - Date.now())).toBeLessThan(5000);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(accessOf(r)).toEqual([{type: 'repository', name: 'demo-project/app', actions: ['pull', 'push']}]);
    expect(emu.stats().registryTokens).toEqual({issued: 1, refused: 0});
    expect(emu.stats().byRoute['GET /v2/token']).toBe(1);
  });

  it('gives a login (no scope) a token with access [] and never a refresh_token', async () => {
    const r = await tokenRequest('oauth2accesstoken', `${ownerToken}\n`);
    expect(accessOf(r)).toEqual([]);
    expect(r.body).not.toHaveProperty('refresh_token');
  });

  it('takes the OAuth2 password grant by POST, scopes space-separated', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: '_json_key',
      password: keyJson(ownerKey),
      service: SERVICE,
      scope: 'repository:demo-project/a:pull repository:demo-project/b:push',
      client_id: 'docker',
    });
    const res = await fetch(`${emu.url}/v2/token`, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: form});
    const r = {status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown>};
    expect(accessOf(r)).toEqual([
      {type: 'repository', name: 'demo-project/a', actions: ['pull']},
      {type: 'repository', name: 'demo-project/b', actions: ['push']},
    ]);
    expect(emu.stats().byRoute['POST /v2/token']).toBe(1);

    const refresh = await fetch(`${emu.url}/v2/token`, {method: 'POST', body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: 'x', service: SERVICE})});
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({details: REGISTRY_MESSAGES.badGrant('refresh_token'), errors: [{code: 'UNSUPPORTED', message: REGISTRY_MESSAGES.badGrant('refresh_token')}]});
  });

  it('refuses an unknown, revoked or foreign access token, or a disabled account, with 401 details + errors', async () => {
    const other = await startEmulator({dataDir: tmpDir()});
    try {
      const foreign = await accessTokenFor(other.url, readKeyFile(other.ownerKeyFile));
      const revoked = await principal('reg-revoked', 'roles/artifactregistry.writer');
      expect((await fetch(`${emu.url}/revoke`, {method: 'POST', body: new URLSearchParams({token: revoked.token})})).status).toBe(200);
      const disabled = await principal('reg-disabled', 'roles/artifactregistry.writer');
      emu.state.setServiceAccountDisabled(disabled.email, true);
      for (const password of ['bogus', foreign, revoked.token, disabled.token, '']) {
        expect(answer(await tokenRequest('oauth2accesstoken', password, ['repository:demo-project/app:pull']))).toEqual(
          unauthorized(REGISTRY_MESSAGES.badAccessToken),
        );
      }
      expect(emu.stats().registryTokens).toEqual({issued: 0, refused: 5});
      expect(answer(await get(`/v2/token?service=${SERVICE}`, 'Basic !!!'))).toEqual(unauthorized(REGISTRY_MESSAGES.badBasic));
    } finally {
      await other.close();
    }
  });

  it('refuses a JSON key that is malformed, of a disabled account, disabled, deleted, or whose private key is not the key', async () => {
    const sa = await principal('reg-keys', 'roles/artifactregistry.writer');
    const scope = ['repository:demo-project/app:pull'];
    expect((await tokenRequest('_json_key', keyJson(sa.key), scope)).status).toBe(200);

    expect(answer(await tokenRequest('_json_key', '{not json', scope))).toEqual(unauthorized(REGISTRY_MESSAGES.badKeyJson));
    expect(answer(await tokenRequest('_json_key', JSON.stringify({...sa.key, private_key: 'nope'}), scope))).toEqual(unauthorized(REGISTRY_MESSAGES.badKeyJson));
    expect(answer(await tokenRequest('_json_key_base64', 'not-base64-json', scope))).toEqual(unauthorized(REGISTRY_MESSAGES.badKeyJson));

    // The owner's private key presented under this account's key id: a well-formed key that is not the key.
    expect(answer(await tokenRequest('_json_key', keyJson({...sa.key, private_key: ownerKey.private_key}), scope))).toEqual(
      unauthorized(REGISTRY_MESSAGES.keyMismatch(sa.key.private_key_id)),
    );

    emu.state.setServiceAccountKeyDisabled(sa.email, sa.key.private_key_id, true);
    expect(answer(await tokenRequest('_json_key', keyJson(sa.key), scope))).toEqual(unauthorized(REGISTRY_MESSAGES.keyUnknown(sa.key.private_key_id)));
    emu.state.setServiceAccountKeyDisabled(sa.email, sa.key.private_key_id, false);

    emu.state.setServiceAccountDisabled(sa.email, true);
    expect(answer(await tokenRequest('_json_key', keyJson(sa.key), scope))).toEqual(unauthorized(REGISTRY_MESSAGES.keyAccount(sa.email)));
    emu.state.setServiceAccountDisabled(sa.email, false);

    emu.state.deleteServiceAccountKey(sa.email, sa.key.private_key_id);
    expect(answer(await tokenRequest('_json_key', keyJson(sa.key), scope))).toEqual(unauthorized(REGISTRY_MESSAGES.keyUnknown(sa.key.private_key_id)));
    expect(emu.stats().registryTokens).toEqual({issued: 1, refused: 7});
  });

  it('refuses another service, and a malformed scope, with 400', async () => {
    expect(answer(await tokenRequest('oauth2accesstoken', ownerToken, [], 'e2e-registry'))).toEqual({
      status: 400,
      body: {details: REGISTRY_MESSAGES.badService('e2e-registry'), errors: [{code: 'UNSUPPORTED', message: REGISTRY_MESSAGES.badService('e2e-registry')}]},
    });
    expect((await tokenRequest('oauth2accesstoken', ownerToken, ['repository:pull'])).status).toBe(400);
    // No service at all is this one.
    expect((await get('/v2/token', basic('oauth2accesstoken', ownerToken))).status).toBe(200);
  });

  it('is subject to injected faults', async () => {
    emu.faults.set({failNext: 1, paths: ['/v2/']});
    expect((await tokenRequest('oauth2accesstoken', ownerToken)).status).toBe(503);
    expect((await tokenRequest('oauth2accesstoken', ownerToken)).status).toBe(200);
    expect(emu.stats()).toMatchObject({faultsInjected: 1, registryTokens: {issued: 1, refused: 0}});
  });
});

/** The registry front's refusal: Artifact Registry's denial in distribution's error body, as Google's token endpoint answers. */
function arDenied(permission: string, resource: string, anonymous = false) {
  const message = anonymous ? AR_MESSAGES.registryUnauthenticated(permission, resource) : AR_MESSAGES.registryDenied(permission, resource);
  return {status: 403, body: {details: message, errors: [{code: 'DENIED', message}]}};
}
const GCR = (project = 'demo-project') => `projects/${project}/locations/us/repositories/gcr.io`;
const PERMISSION = {pull: 'artifactregistry.repositories.downloadArtifacts', push: 'artifactregistry.repositories.uploadArtifacts', delete: 'artifactregistry.repositories.deleteArtifacts'};

describe('what a token grants', () => {
  const APP = 'repository:demo-project/app:pull,push,delete';
  beforeAll(() => {
    // demo-project's gcr.io repository exists, as after its first push.
    if (!emu.state.repository('demo-project', 'us', 'gcr.io')) emu.state.createRepository({projectId: 'demo-project', location: 'us', repositoryId: 'gcr.io', format: 'DOCKER', description: '', labels: {}});
  });

  it.each([
    ['roles/viewer', []],
    ['roles/browser', []],
    ['roles/artifactregistry.reader', ['pull']],
    ['roles/artifactregistry.writer', ['pull', 'push']],
    ['roles/artifactregistry.repoAdmin', ['pull', 'push', 'delete']],
    ['roles/storage.objectViewer', ['pull']],
    ['roles/storage.objectCreator', ['push']],
    ['roles/storage.admin', ['pull', 'push', 'delete']],
    ['roles/editor', ['pull', 'push', 'delete']],
    ['roles/owner', ['pull', 'push', 'delete']],
  ] as Array<[string, Array<'pull' | 'push' | 'delete'>]>)('%s gets %j, and is refused the rest with Artifact Registry\'s denial', async (role, actions) => {
    const sa = await principal(`g-${role.replace(/[^a-z]/g, '').slice(-20)}`, role);
    const missing = (['push', 'delete', 'pull'] as const).find((a) => !actions.includes(a));
    const all = await tokenRequest('oauth2accesstoken', sa.token, [APP]);
    if (missing === undefined) expect(accessOf(all)).toEqual([{type: 'repository', name: 'demo-project/app', actions}]);
    else expect(answer(all)).toEqual(arDenied(PERMISSION[missing], GCR()));
    if (actions.length === 0) return;
    const held = [`repository:demo-project/app:${actions.join(',')}`];
    expect(accessOf(await tokenRequest('oauth2accesstoken', sa.token, held))).toEqual([{type: 'repository', name: 'demo-project/app', actions}]);
    // The key gives the same as its token.
    expect(accessOf(await tokenRequest('_json_key', keyJson(sa.key), held))).toEqual([{type: 'repository', name: 'demo-project/app', actions}]);
  });

  it('refuses, naming the gcr.io repository, in a project the identity has no role in or one the emulator does not know', async () => {
    emu.state.createProject('reg-other-project');
    expect(answer(await tokenRequest('oauth2accesstoken', ownerToken, ['repository:reg-other-project/app:pull,push']))).toEqual(arDenied(PERMISSION.push, GCR('reg-other-project')));
    expect(answer(await tokenRequest('oauth2accesstoken', ownerToken, ['repository:no-such-project/app:pull']))).toEqual(arDenied(PERMISSION.pull, GCR('no-such-project')));
    expect(AR_MESSAGES.registryDenied(PERMISSION.push, GCR('p'))).toBe(
      'Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/p/locations/us/repositories/gcr.io" (or it may not exist)',
    );
    expect(emu.stats().registryTokens).toEqual({issued: 0, refused: 2});
  });

  it('limits an access token to what its OAuth scopes allow: devstorage.read_only pulls; a push its roles allow is refused naming the scopes', async () => {
    const readOnly = 'https://www.googleapis.com/auth/devstorage.read_only';
    const sa = await principal('reg-read-only-scope', 'roles/artifactregistry.writer', readOnly);
    expect(accessOf(await tokenRequest('oauth2accesstoken', sa.token, ['repository:demo-project/app:pull']))).toEqual([
      {type: 'repository', name: 'demo-project/app', actions: ['pull']},
    ]);
    const push = await tokenRequest('oauth2accesstoken', sa.token, ['repository:demo-project/app:pull,push']);
    const message = REGISTRY_MESSAGES.scopeTooNarrow('push', 'demo-project/app', [readOnly]);
    expect(answer(push)).toEqual({status: 403, body: {details: message, errors: [{code: 'DENIED', message}]}});
    expect(message).toContain('devstorage.read_write');
    expect(message).toContain(readOnly);
    const email = await principal('reg-email-scope', 'roles/artifactregistry.writer', 'email');
    expect(answer(await tokenRequest('oauth2accesstoken', email.token, ['repository:demo-project/app:pull']))).toMatchObject({status: 403});
    // Where IAM refuses too, the scopes are not the reason: IAM's denial is the answer.
    const reader = await principal('reg-read-only-reader', 'roles/artifactregistry.reader', readOnly);
    expect(answer(await tokenRequest('oauth2accesstoken', reader.token, ['repository:demo-project/app:pull,push']))).toEqual(arDenied(PERMISSION.push, GCR()));
  });

  it('merges a resource asked twice, ignores unknown actions and types, grants * only with every action, and the catalog to readers', async () => {
    const reader = await principal('reg-catalog-reader', 'roles/artifactregistry.reader');
    const r = await tokenRequest('oauth2accesstoken', reader.token, [
      'repository:demo-project/app:pull',
      'repository:demo-project/app:pull,fly',
      'registry:catalog:*',
      'mystery:thing:pull',
    ]);
    expect(accessOf(r)).toEqual([
      {type: 'repository', name: 'demo-project/app', actions: ['pull']},
      {type: 'registry', name: 'catalog', actions: ['*']},
      {type: 'mystery', name: 'thing', actions: []},
    ]);
    expect(answer(await tokenRequest('oauth2accesstoken', reader.token, ['repository:demo-project/star:*']))).toEqual(arDenied(PERMISSION.push, GCR()));
    expect(accessOf(await tokenRequest('oauth2accesstoken', ownerToken, ['repository:demo-project/star:*']))).toEqual([
      {type: 'repository', name: 'demo-project/star', actions: ['*']},
    ]);
    const viewer = await principal('reg-catalog-viewer', 'roles/viewer');
    expect(accessOf(await tokenRequest('oauth2accesstoken', viewer.token, ['registry:catalog:*']))).toEqual([{type: 'registry', name: 'catalog', actions: []}]);
  });

  it('lets anyone pull from a project whose policy grants allUsers a reader role, as a public gcr.io image; refuses the rest as unauthenticated', async () => {
    emu.state.createProject('reg-public');
    expect(answer(await tokenRequest(undefined, '', ['repository:reg-public/app:pull']))).toEqual(arDenied(PERMISSION.pull, GCR('reg-public'), true));
    emu.state.addBinding('reg-public', 'roles/storage.objectViewer', 'allUsers');
    const r = await tokenRequest(undefined, '', ['repository:reg-public/app:pull']);
    expect(accessOf(r)).toEqual([{type: 'repository', name: 'reg-public/app', actions: ['pull']}]);
    const {payload} = await jwtVerify(String(r.body.token), new X509Certificate(readFileSync(emu.registry.rootCertBundle)).publicKey);
    expect(payload).not.toHaveProperty('sub');
    expect(answer(await tokenRequest(undefined, '', ['repository:reg-public/app:pull,push']))).toEqual(arDenied(PERMISSION.push, GCR('reg-public'), true));
    expect(AR_MESSAGES.registryUnauthenticated(PERMISSION.push, GCR('p'))).toBe(
      'Unauthenticated request. Unauthenticated requests do not have permission "artifactregistry.repositories.uploadArtifacts" on resource "projects/p/locations/us/repositories/gcr.io" (or it may not exist)',
    );
  });
});

describe('repositories and their policies', () => {
  const PKG = 'us-docker.pkg.dev/demo-project';
  const REPO = (id: string) => `projects/demo-project/locations/us/repositories/${id}`;
  const makeRepository = (id: string, format = 'DOCKER', projectId = 'demo-project', location = 'us') =>
    emu.state.repository(projectId, location, id) ?? emu.state.createRepository({projectId, location, repositoryId: id, format, description: '', labels: {}});
  const grantOn = (id: string, role: string, member: string) => {
    const repository = makeRepository(id);
    repository.iamPolicy.bindings.push({role, members: [member]});
  };

  it('decides from the union of the project\'s and the repository\'s policy: a writer on repository A pushes there only', async () => {
    const ci = await principal('reg-repo-a-writer');
    grantOn('repo-a', 'roles/artifactregistry.writer', `serviceAccount:${ci.email}`);
    makeRepository('repo-b');
    expect(accessOf(await tokenRequest('oauth2accesstoken', ci.token, [`repository:${PKG}/repo-a/app:pull,push`]))).toEqual([
      {type: 'repository', name: `${PKG}/repo-a/app`, actions: ['pull', 'push']},
    ]);
    expect(answer(await tokenRequest('oauth2accesstoken', ci.token, [`repository:${PKG}/repo-b/app:pull,push`]))).toEqual(arDenied(PERMISSION.push, REPO('repo-b')));
    expect(answer(await tokenRequest('_json_key', keyJson(ci.key), [`repository:${PKG}/repo-b/app:pull`]))).toEqual(arDenied(PERMISSION.pull, REPO('repo-b')));
    // The same repository id in another location is another repository.
    makeRepository('repo-a', 'DOCKER', 'demo-project', 'europe-west1');
    expect((await tokenRequest('oauth2accesstoken', ci.token, ['repository:europe-west1-docker.pkg.dev/demo-project/repo-a/app:push'])).status).toBe(403);
    // A mount source the caller may not read is granted nothing, and the push itself goes on.
    expect(accessOf(await tokenRequest('oauth2accesstoken', ci.token, [`repository:${PKG}/repo-a/app:pull,push`, `repository:${PKG}/repo-b/base:pull`]))).toEqual([
      {type: 'repository', name: `${PKG}/repo-a/app`, actions: ['pull', 'push']},
      {type: 'repository', name: `${PKG}/repo-b/base`, actions: []},
    ]);
  });

  it('lets a repository reader pull, and a project-level role still work on every repository', async () => {
    const reader = await principal('reg-repo-reader');
    grantOn('repo-r', 'roles/artifactregistry.reader', `serviceAccount:${reader.email}`);
    expect(accessOf(await tokenRequest('oauth2accesstoken', reader.token, [`repository:${PKG}/repo-r/app:pull`]))).toEqual([{type: 'repository', name: `${PKG}/repo-r/app`, actions: ['pull']}]);
    expect(answer(await tokenRequest('oauth2accesstoken', reader.token, [`repository:${PKG}/repo-r/app:pull,push`]))).toEqual(arDenied(PERMISSION.push, REPO('repo-r')));
    const projectWriter = await principal('reg-project-writer', 'roles/artifactregistry.writer');
    for (const id of ['repo-r', 'repo-b']) {
      makeRepository(id);
      expect(accessOf(await tokenRequest('oauth2accesstoken', projectWriter.token, [`repository:${PKG}/${id}/app:pull,push`]))).toEqual([{type: 'repository', name: `${PKG}/${id}/app`, actions: ['pull', 'push']}]);
    }
    // A conditional grant on the repository holds only while its condition does.
    const expired = await principal('reg-repo-expired');
    makeRepository('repo-c').iamPolicy.bindings.push({role: 'roles/artifactregistry.reader', members: [`serviceAccount:${expired.email}`], condition: {expression: 'request.time < timestamp("2020-01-01T00:00:00Z")'}});
    expect((await tokenRequest('oauth2accesstoken', expired.token, [`repository:${PKG}/repo-c/app:pull`])).status).toBe(403);
  });

  it('refuses a pkg.dev repository that does not exist (NAME_UNKNOWN to who may, the denial to others) and one that is not DOCKER', async () => {
    const stranger = await principal('reg-stranger');
    const nope = await tokenRequest('oauth2accesstoken', ownerToken, [`repository:${PKG}/nope/app:pull,push`]);
    expect(answer(nope)).toEqual({status: 404, body: {details: 'Repository "nope" not found', errors: [{code: 'NAME_UNKNOWN', message: 'Repository "nope" not found'}]}});
    expect(answer(await tokenRequest('oauth2accesstoken', stranger.token, [`repository:${PKG}/nope/app:pull,push`]))).toEqual(arDenied(PERMISSION.push, REPO('nope')));
    expect(emu.state.repository('demo-project', 'us', 'nope')).toBeUndefined();
    makeRepository('npm-repo', 'NPM');
    const npm = await tokenRequest('oauth2accesstoken', ownerToken, [`repository:${PKG}/npm-repo/app:push`]);
    expect(npm.status).toBe(404);
    expect(npm.body).toMatchObject({errors: [{code: 'NAME_UNKNOWN', message: AR_MESSAGES.registryNotDocker('npm-repo', 'NPM')}]});
  });

  it('creates a gcr.io repository on its first push only for a caller who holds createOnPush, in the host\'s location', async () => {
    emu.state.createProject('reg-gcr');
    const writer = await principal('reg-gcr-writer');
    emu.state.addBinding('reg-gcr', 'roles/artifactregistry.writer', `serviceAccount:${writer.email}`);
    const creator = await principal('reg-gcr-creator');
    emu.state.addBinding('reg-gcr', 'roles/artifactregistry.createOnPushWriter', `serviceAccount:${creator.email}`);

    // Pulling from a gcr.io repository not made yet is the registry's "unknown" to answer; pushing needs createOnPush.
    expect(accessOf(await tokenRequest('oauth2accesstoken', writer.token, ['repository:reg-gcr/app:pull']))).toEqual([{type: 'repository', name: 'reg-gcr/app', actions: ['pull']}]);
    expect(answer(await tokenRequest('oauth2accesstoken', writer.token, ['repository:reg-gcr/app:pull,push']))).toEqual(arDenied('artifactregistry.repositories.createOnPush', GCR('reg-gcr')));
    expect(emu.state.repository('reg-gcr', 'us', 'gcr.io')).toBeUndefined();

    expect(accessOf(await tokenRequest('oauth2accesstoken', creator.token, ['repository:gcr.io/reg-gcr/app:pull,push']))).toEqual([{type: 'repository', name: 'gcr.io/reg-gcr/app', actions: ['pull', 'push']}]);
    expect(emu.state.repository('reg-gcr', 'us', 'gcr.io')).toMatchObject({format: 'DOCKER', mode: 'STANDARD_REPOSITORY', iamPolicy: {bindings: []}});
    expect((await savedState(emu)).repositories?.[GCR('reg-gcr')]).toBeDefined();
    // Now it exists, the plain writer pushes; and `reg-gcr/app` is gcr.io/reg-gcr/app.
    expect(accessOf(await tokenRequest('oauth2accesstoken', writer.token, ['repository:reg-gcr/app:pull,push']))).toEqual([{type: 'repository', name: 'reg-gcr/app', actions: ['pull', 'push']}]);

    // eu.gcr.io is its own repository, in europe.
    expect((await tokenRequest('oauth2accesstoken', writer.token, ['repository:eu.gcr.io/reg-gcr/app:pull,push'])).status).toBe(403);
    expect((await tokenRequest('oauth2accesstoken', creator.token, ['repository:eu.gcr.io/reg-gcr/app:pull,push'])).status).toBe(200);
    expect(emu.state.repository('reg-gcr', 'europe', 'eu.gcr.io')).toBeDefined();
    expect(emu.state.repository('reg-gcr', 'asia', 'asia.gcr.io')).toBeUndefined();
  });
});

describe('the signing certificate', () => {
  it('is written to the data dir and verifies every token, which carries it in x5c', async () => {
    const pem = readFileSync(emu.registry.rootCertBundle, 'utf8');
    expect(statSync(emu.registry.rootCertBundle).mode & 0o777).toBe(0o644);
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(9 * 365 * 24 * 3600 * 1000);

    const r = await tokenRequest('oauth2accesstoken', ownerToken, ['repository:demo-project/app:pull']);
    const token = String(r.body.token);
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({alg: 'RS256', typ: 'JWT', x5c: [cert.raw.toString('base64')]});
    const {payload} = await jwtVerify(token, cert.publicKey, {issuer: ISSUER, audience: SERVICE, algorithms: ['RS256']});
    expect(payload).toEqual({
      iss: ISSUER,
      aud: SERVICE,
      sub: ownerKey.client_email,
      iat: expect.any(Number),
      nbf: payload.iat,
      exp: (payload.iat ?? 0) + 300,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      access: [{type: 'repository', name: 'demo-project/app', actions: ['pull']}],
    });
    const again = await tokenRequest('oauth2accesstoken', ownerToken);
    expect(decodeProtectedHeader(String(again.body.token))).toEqual(header);
  });

  it('survives a restart: the same certificate, and tokens issued before still answer 200', async () => {
    const dataDir = tmpDir();
    const first = await startEmulator({dataDir});
    const key = readKeyFile(first.ownerKeyFile);
    const login = await fetch(`${first.url}/v2/token`, {headers: {authorization: basic('_json_key', keyJson(key))}});
    const {token} = (await login.json()) as {token: string};
    const pem = readFileSync(first.registry.rootCertBundle, 'utf8');
    await first.close();

    const second = await startEmulator({dataDir});
    try {
      expect(readFileSync(second.registry.rootCertBundle, 'utf8')).toBe(pem);
      expect((await fetch(`${second.url}/v2/`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('the certificate writer', () => {
  it('makes a self-signed v3 CA certificate that node parses and verifies, with GeneralizedTime from 2050', () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
    const notBefore = Date.UTC(2024, 0, 1);
    const der = selfSignedCertificate(privateKey, {commonName: 'test signer', organization: 'gcauth tests', notBefore, notAfter: Date.UTC(2060, 5, 1)});
    const cert = new X509Certificate(toPem(der));
    expect(cert.raw.equals(der)).toBe(true);
    expect(cert.subject).toBe('O=gcauth tests\nCN=test signer');
    expect(cert.issuer).toBe(cert.subject);
    expect([cert.ca, cert.verify(publicKey), cert.checkPrivateKey(privateKey)]).toEqual([true, true, true]);
    expect([Date.parse(cert.validFrom), Date.parse(cert.validTo)]).toEqual([notBefore, Date.UTC(2060, 5, 1)]);
    expect(toPem(der)).toMatch(/^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
  });
});
