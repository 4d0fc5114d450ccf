import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {accessTokenFor, callApi, readKeyFile, tmpDir} from '../../helpers/emulator.js';

// The emulator's Artifact Registry testIamPermissions and the admin route that back-dates a key, which gcauth doctor relies on.
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
});
afterAll(() => emu.close());

const REPO = (project: string) => `/artifactregistry/v1/projects/${project}/locations/us/repositories/images:testIamPermissions`;

test('repositories.testIamPermissions answers the subset the project policy grants, and refuses foreign permissions', async () => {
  const token = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  const permissions = ['artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.uploadArtifacts'];
  expect(await callApi(emu.url, token, 'POST', REPO(emu.project), {permissions})).toMatchObject({status: 200, body: {permissions}});
  expect(await callApi(emu.url, token, 'POST', REPO(emu.project), {permissions: ['storage.objects.get']})).toMatchObject({
    status: 400,
    body: {error: {message: 'Permission storage.objects.get is not valid for this resource.'}},
  });
  expect((await callApi(emu.url, token, 'POST', REPO('no-such-project'), {permissions})).status).toBe(403);
  expect((await callApi(emu.url, undefined, 'POST', REPO(emu.project), {permissions})).status).toBe(401);
});

test('__admin/key-valid-after back-dates a key and refuses bad input', async () => {
  const {private_key_id: keyId} = readKeyFile(emu.ownerKeyFile);
  const post = (body: unknown) => fetch(`${emu.url}/__admin/key-valid-after`, {method: 'POST', body: JSON.stringify(body)});
  expect((await post({keyId, validAfterTime: '2020-05-06T07:08:09.123Z'})).status).toBe(200);
  const key = emu.state.serviceAccount(emu.ownerEmail)?.keys[keyId];
  expect(key?.validAfterTime).toBe('2020-05-06T07:08:09Z');
  expect((await post({keyId, validAfterTime: 'yesterday'})).status).toBe(400);
  expect((await post({keyId: 'nope', validAfterTime: '2020-05-06T07:08:09Z'})).status).toBe(404);
});
