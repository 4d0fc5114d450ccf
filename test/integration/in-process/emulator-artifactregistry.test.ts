import {AR_MESSAGES} from '../../../src/emulator/artifactregistry.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {accessTokenFor, adminState, callApi, readKeyFile, savedState, tmpDir, type KeyFileFields} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.resetStats();
});

const LOC = 'v1/projects/demo-project/locations';
const ar = (method: string, path: string, body?: unknown, token: string | undefined = owner) => callApi(emu.url, token, method, `/artifactregistry/${path}`, body);
const answer = (r: {status: number; body: unknown}) => ({status: r.status, body: r.body});
const create = (location: string, id: string, body: Record<string, unknown> = {format: 'DOCKER'}, token = owner) =>
  ar('POST', `${LOC}/${location}/repositories?repositoryId=${encodeURIComponent(id)}`, body, token);

async function principal(id: string, role?: string): Promise<{member: string; token: string}> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  if (role) emu.state.addBinding(emu.project, role, `serviceAccount:${account.email}`);
  return {member: `serviceAccount:${account.email}`, token: await accessTokenFor(emu.url, {client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem})};
}

function arDenied(permission: string, resource: string) {
  return {
    status: 403,
    body: {
      error: {
        code: 403,
        message: AR_MESSAGES.apiDenied(permission, resource),
        status: 'PERMISSION_DENIED',
        details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'artifactregistry.googleapis.com', metadata: {permission, resource}}],
      },
    },
  };
}

async function bindOnRepository(location: string, id: string, role: string, member: string): Promise<void> {
  const path = `${LOC}/${location}/repositories/${id}`;
  const policy = (await ar('GET', `${path}:getIamPolicy?options.requestedPolicyVersion=3`)).body as {etag: string; bindings?: unknown[]};
  const r = await ar('POST', `${path}:setIamPolicy`, {policy: {etag: policy.etag, bindings: [...(policy.bindings ?? []), {role, members: [member]}]}});
  expect(r.status).toBe(200);
}

describe('Artifact Registry repositories', () => {
  it('creates a docker repository as a finished Operation that operations.get answers again, and describes it', async () => {
    const before = Date.now();
    const r = await create('us-central1', 'apps', {format: 'DOCKER', description: 'CI images', labels: {team: 'a'}});
    expect(r.status).toBe(200);
    const op = r.body as {name: string; done: boolean; metadata: unknown; response: Record<string, unknown>};
    expect(op.name).toMatch(/^projects\/demo-project\/locations\/us-central1\/operations\/[0-9a-f-]{36}$/);
    expect(op.done).toBe(true);
    expect(op.metadata).toEqual({'@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata'});
    const repository = {
      name: 'projects/demo-project/locations/us-central1/repositories/apps',
      format: 'DOCKER',
      description: 'CI images',
      labels: {team: 'a'},
      createTime: expect.any(String),
      updateTime: expect.any(String),
      mode: 'STANDARD_REPOSITORY',
      registryUri: 'us-central1-docker.pkg.dev/demo-project/apps',
    };
    expect(op.response).toEqual({'@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository', ...repository});
    expect(Date.parse(String(op.response.createTime))).toBeGreaterThanOrEqual(before - 1000);
    expect(answer(await ar('GET', `v1/${op.name}`))).toEqual({status: 200, body: op});
    expect(answer(await ar('GET', `${LOC}/us-central1/repositories/apps`))).toEqual({status: 200, body: repository});
    expect(emu.stats().byRoute['POST /artifactregistry/v1/projects/{project}/locations/{location}/repositories']).toBe(1);
    // Persisted in state.json, with its own (empty) policy.
    expect((await savedState(emu)).repositories?.['projects/demo-project/locations/us-central1/repositories/apps']).toMatchObject({
      format: 'DOCKER',
      iamPolicy: {version: 1, bindings: []},
    });
  });

  it('refuses a taken id with ALREADY_EXISTS, bad ids, formats, modes and locations with 400, and writes nothing', async () => {
    await create('europe-west1', 'taken');
    const state = await adminState(emu.url);
    expect(answer(await create('europe-west1', 'taken'))).toEqual({status: 409, body: {error: {code: 409, message: 'the repository already exists', status: 'ALREADY_EXISTS'}}});
    for (const id of ['Upper', '1abc', 'ends-', 'under_score', 'a'.repeat(64), 'gcr.io']) {
      const r = await create('europe-west1', id);
      expect([id, r.status]).toEqual([id, 400]);
    }
    expect((await create('europe-west1', 'bad-id_')).body).toMatchObject({error: {message: AR_MESSAGES.repositoryId('bad-id_')}});
    expect((await create('europe-west1', 'gcr.io')).body).toMatchObject({error: {message: 'GCR repository gcr.io can only be created in the us multi-region.'}});
    expect((await create('europe', 'eu.gcr.io', {format: 'NPM'})).body).toMatchObject({error: {message: 'GCR repository eu.gcr.io must be of DOCKER format.'}});
    expect((await create('europe-west1', 'noformat', {})).body).toMatchObject({error: {message: AR_MESSAGES.format('FORMAT_UNSPECIFIED')}});
    expect((await create('europe-west1', 'remote', {format: 'DOCKER', mode: 'REMOTE_REPOSITORY'})).status).toBe(400);
    expect((await create('mars-north1', 'far')).body).toMatchObject({error: {code: 400, message: AR_MESSAGES.location('mars-north1')}});
    expect((await ar('GET', `${LOC}/mars-north1/repositories`)).status).toBe(400);
    expect((await create('europe-west1', 'x', {format: 'DOCKER', colour: 'red'})).body).toMatchObject({error: {message: 'Invalid JSON payload received. Unknown name "colour": Cannot find field.'}});
    expect(await adminState(emu.url)).toEqual(state);
    // The gcr.io repositories, in their own locations.
    expect((await create('us', 'gcr.io')).status).toBe(200);
    expect((await create('asia', 'asia.gcr.io')).status).toBe(200);
  });

  it('lists a location\'s repositories by id, in pages, and the locations', async () => {
    for (const id of ['l-c', 'l-a', 'l-b']) await create('asia-east1', id);
    const all = await ar('GET', `${LOC}/asia-east1/repositories`);
    expect((all.body.repositories as Array<{name: string}>).map((r) => r.name.split('/').pop())).toEqual(['l-a', 'l-b', 'l-c']);
    const first = await ar('GET', `${LOC}/asia-east1/repositories?pageSize=2`);
    expect((first.body.repositories as unknown[]).length).toBe(2);
    const second = await ar('GET', `${LOC}/asia-east1/repositories?pageSize=2&pageToken=${String(first.body.nextPageToken)}`);
    expect(second.body).toEqual({repositories: [expect.objectContaining({name: 'projects/demo-project/locations/asia-east1/repositories/l-c'})]});
    expect(answer(await ar('GET', `${LOC}/asia-northeast1/repositories`))).toEqual({status: 200, body: {}});
    const locations = (await ar('GET', 'v1/projects/demo-project/locations')).body.locations as Array<{name: string; locationId: string}>;
    expect(locations).toContainEqual({name: 'projects/demo-project/locations/us', locationId: 'us'});
    expect(locations.map((l) => l.locationId)).toEqual(expect.arrayContaining(['europe', 'asia', 'us-central1']));
  });

  it('deletes a repository (an Operation answering Empty), after which it is NOT_FOUND to the owner', async () => {
    await create('us-east1', 'gone');
    const r = await ar('DELETE', `${LOC}/us-east1/repositories/gone`);
    expect(r.body).toMatchObject({done: true, response: {'@type': 'type.googleapis.com/google.protobuf.Empty'}});
    expect(answer(await ar('GET', `${LOC}/us-east1/repositories/gone`))).toEqual({
      status: 404,
      body: {error: {code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND'}},
    });
    expect((await ar('DELETE', `${LOC}/us-east1/repositories/gone`)).status).toBe(404);
    expect((await ar('GET', `v1/${String(r.body.name)}`)).body).toEqual(r.body);
  });

  it('answers a caller without the permission, on a repository that exists or not, with Artifact Registry\'s 403', async () => {
    const stranger = await principal('ar-stranger');
    await create('us-west1', 'private');
    const resource = 'projects/demo-project/locations/us-west1/repositories/private';
    expect(answer(await ar('GET', `${LOC}/us-west1/repositories/private`, undefined, stranger.token))).toEqual(arDenied('artifactregistry.repositories.get', resource));
    expect(answer(await ar('GET', `${LOC}/us-west1/repositories/nope`, undefined, stranger.token))).toEqual(
      arDenied('artifactregistry.repositories.get', 'projects/demo-project/locations/us-west1/repositories/nope'),
    );
    expect(AR_MESSAGES.apiDenied('artifactregistry.repositories.get', resource)).toBe(
      `Permission 'artifactregistry.repositories.get' denied on resource '//artifactregistry.googleapis.com/${resource}' (or it may not exist).`,
    );
    expect(answer(await create('us-west1', 'mine', {format: 'DOCKER'}, stranger.token))).toEqual(
      arDenied('artifactregistry.repositories.create', 'projects/demo-project/locations/us-west1'),
    );
    expect(answer(await ar('GET', `${LOC}/us-west1/repositories`, undefined, stranger.token))).toEqual(
      arDenied('artifactregistry.repositories.list', 'projects/demo-project/locations/us-west1'),
    );
    expect((await ar('GET', 'v1/projects/no-such-project/locations/us/repositories/x')).status).toBe(403);
    // A reader of the project sees it, and may not delete it.
    const reader = await principal('ar-reader', 'roles/artifactregistry.reader');
    expect((await ar('GET', `${LOC}/us-west1/repositories/private`, undefined, reader.token)).status).toBe(200);
    expect(answer(await ar('DELETE', `${LOC}/us-west1/repositories/private`, undefined, reader.token))).toEqual(arDenied('artifactregistry.repositories.delete', resource));
  });
});

describe('repository IAM policies', () => {
  const PATH = `${LOC}/us/repositories/policies`;

  it('sets and gets a policy with etags; a stale etag is ABORTED; version 3 conditions are kept and downgraded for version 1', async () => {
    await create('us', 'policies');
    const empty = await ar('GET', `${PATH}:getIamPolicy`);
    expect(empty.body).toEqual({version: 1, etag: 'ACAB'});
    const set = await ar('POST', `${PATH}:setIamPolicy`, {policy: {etag: 'ACAB', bindings: [{role: 'roles/artifactregistry.writer', members: ['user:ana@example.com']}]}});
    expect(set.body).toEqual({version: 1, etag: expect.any(String), bindings: [{role: 'roles/artifactregistry.writer', members: ['user:ana@example.com']}]});
    expect((await ar('GET', `${PATH}:getIamPolicy`)).body).toEqual(set.body);

    const stale = await ar('POST', `${PATH}:setIamPolicy`, {policy: {etag: 'ACAB', bindings: []}});
    expect(answer(stale)).toEqual({
      status: 409,
      body: {error: {code: 409, message: 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.', status: 'ABORTED'}},
    });

    const condition = {title: 'until 2099', expression: 'request.time < timestamp("2099-01-01T00:00:00Z")'};
    const conditional = await ar('POST', `${PATH}:setIamPolicy`, {
      policy: {version: 3, etag: (set.body as {etag: string}).etag, bindings: [{role: 'roles/artifactregistry.reader', members: ['principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/attribute.repository/octo/app'], condition}]},
    });
    expect(conditional.status).toBe(200);
    expect((await ar('GET', `${PATH}:getIamPolicy?options.requestedPolicyVersion=3`)).body).toMatchObject({version: 3, bindings: [{role: 'roles/artifactregistry.reader', condition}]});
    expect((await ar('GET', `${PATH}:getIamPolicy?options.requestedPolicyVersion=1`)).body).toMatchObject({version: 1, bindings: [{role: expect.stringMatching(/^roles\/artifactregistry\.reader_withcond_[0-9a-f]{20}$/)}]});
  });

  it('takes Artifact Registry roles and basic roles, refuses other services\' roles and unknown members, as on other resources', async () => {
    await create('us', 'roles-repo');
    const path = `${LOC}/us/repositories/roles-repo`;
    const put = (bindings: unknown[]) => ar('POST', `${path}:setIamPolicy`, {policy: {bindings}});
    for (const role of ['roles/artifactregistry.reader', 'roles/artifactregistry.writer', 'roles/artifactregistry.repoAdmin', 'roles/artifactregistry.admin',
      'roles/artifactregistry.createOnPushWriter', 'roles/artifactregistry.createOnPushRepoAdmin', 'roles/viewer', 'roles/editor', 'roles/owner']) {
      expect([role, (await put([{role, members: ['user:ana@example.com']}])).status]).toEqual([role, 200]);
    }
    expect((await put([{role: 'roles/storage.admin', members: ['user:ana@example.com']}])).body).toMatchObject({error: {code: 400, message: 'Role roles/storage.admin is not supported for this resource.'}});
    expect((await put([{role: 'roles/artifactregistry.nope', members: ['user:ana@example.com']}])).status).toBe(400);
    expect((await put([{role: 'roles/artifactregistry.reader', members: ['ana@example.com']}])).status).toBe(400);
    expect((await put([{role: 'roles/artifactregistry.reader', members: ['serviceAccount:ghost@demo-project.iam.gserviceaccount.com']}])).body).toMatchObject({
      error: {message: 'Service account ghost@demo-project.iam.gserviceaccount.com does not exist.'},
    });
    // Unlike a project, a repository may be public.
    expect((await put([{role: 'roles/artifactregistry.reader', members: ['allUsers']}])).status).toBe(200);
  });

  it('grants through the repository policy only on that repository: testIamPermissions, get and setIamPolicy', async () => {
    await create('us', 'repo-a');
    await create('us', 'repo-b');
    const dev = await principal('ar-repo-writer');
    await bindOnRepository('us', 'repo-a', 'roles/artifactregistry.writer', dev.member);
    const test = (id: string) =>
      ar('POST', `${LOC}/us/repositories/${id}:testIamPermissions`, {permissions: ['artifactregistry.repositories.uploadArtifacts', 'artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.setIamPolicy']}, dev.token);
    expect((await test('repo-a')).body).toEqual({permissions: ['artifactregistry.repositories.uploadArtifacts', 'artifactregistry.repositories.downloadArtifacts']});
    expect((await test('repo-b')).body).toEqual({});
    expect((await ar('GET', `${LOC}/us/repositories/repo-a`, undefined, dev.token)).status).toBe(200);
    expect(answer(await ar('GET', `${LOC}/us/repositories/repo-b`, undefined, dev.token))).toEqual(
      arDenied('artifactregistry.repositories.get', 'projects/demo-project/locations/us/repositories/repo-b'),
    );
    expect(answer(await ar('GET', `${LOC}/us/repositories/repo-a:getIamPolicy`, undefined, dev.token))).toEqual(
      arDenied('artifactregistry.repositories.getIamPolicy', 'projects/demo-project/locations/us/repositories/repo-a'),
    );
    // An admin on the repository may set its policy.
    const admin = await principal('ar-repo-admin');
    await bindOnRepository('us', 'repo-b', 'roles/artifactregistry.admin', admin.member);
    expect((await ar('POST', `${LOC}/us/repositories/repo-b:setIamPolicy`, {policy: {bindings: [{role: 'roles/artifactregistry.admin', members: [admin.member]}]}}, admin.token)).status).toBe(200);
    // A foreign permission is refused by name, as Google does.
    expect((await ar('POST', `${LOC}/us/repositories/repo-a:testIamPermissions`, {permissions: ['storage.objects.get']})).body).toMatchObject({error: {code: 400, message: AR_MESSAGES.permissionNotValid('storage.objects.get')}});
  });

  it('renames a deleted account\'s grants on repository policies, as on projects', async () => {
    await create('us', 'tombstones');
    const account = emu.state.createServiceAccount(emu.project, 'ar-deleted');
    await bindOnRepository('us', 'tombstones', 'roles/artifactregistry.reader', `serviceAccount:${account.email}`);
    emu.state.deleteServiceAccount(account.email);
    expect((await ar('GET', `${LOC}/us/repositories/tombstones:getIamPolicy`)).body).toMatchObject({
      bindings: [{role: 'roles/artifactregistry.reader', members: [`deleted:serviceAccount:${account.email}?uid=${account.uniqueId}`]}],
    });
  });
});
