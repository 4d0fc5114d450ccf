import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {AR_MESSAGES} from '../../src/emulator/artifactregistry.js';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {accessTokenFor, callApi, readKeyFile, tmpDir} from '../helpers/emulator.js';
import {writeOciImage, type OciImage} from '../helpers/oci-image.js';
import {startRegistry, type RegistryProcess} from '../helpers/registry.js';
import {clientSandbox, type ClientSandbox, dockerClientsSuite, gcauthOk, runIn} from '../helpers/docker-clients.js';

// Issue 20, item 4: an account with roles/artifactregistry.writer on one repository only (a repository IAM binding,
// made through the emulator's Artifact Registry API) pushes there with docker (the CLI alone, no daemon) and skopeo
// through docker-credential-gcauth, against Debian's registry whose token server is the emulator's registry front;
// a push to a second repository of the same project is refused with Artifact Registry's denial. Image names carry
// the Google host they stand for: REGISTRY/us-central1-docker.pkg.dev/PROJECT/REPO/IMAGE.

const suite = dockerClientsSuite('test/e2e/docker-repositories');

const TAG = 'v1';
const LOCATION = 'us-central1';

let emu: RunningEmulator;
let registry: RegistryProcess;
let image: OciImage;
let work: string;
let keyFile: string;
let owner: string;

/** A client's sandbox with the CI key active. */
async function sandbox(): Promise<ClientSandbox> {
  const sb = await clientSandbox('gcauth-e2e-docker-repos-', emu.url, registry.host);
  await gcauthOk(sb, ['auth', 'activate-service-account', `--key-file=${keyFile}`]);
  return sb;
}

const ref = (repository: string, tag: string) => `${registry.host}/${LOCATION}-docker.pkg.dev/${emu.project}/${repository}/img:${tag}`;
const skopeoPush = (sb: ClientSandbox, repository: string, tag: string) =>
  runIn(sb, 'skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}:${TAG}`, `docker://${ref(repository, tag)}`]);

/** The owner makes a repository through the Artifact Registry API; the CI account is bound on it only when `role` is given. */
async function repository(id: string, member?: string, role?: string): Promise<void> {
  const base = `/artifactregistry/v1/projects/${emu.project}/locations/${LOCATION}/repositories`;
  expect((await callApi(emu.url, owner, 'POST', `${base}?repositoryId=${id}`, {format: 'DOCKER'})).status).toBe(200);
  if (member === undefined || role === undefined) return;
  const policy = await callApi(emu.url, owner, 'GET', `${base}/${id}:getIamPolicy`);
  const set = await callApi(emu.url, owner, 'POST', `${base}/${id}:setIamPolicy`, {policy: {etag: policy.body.etag, bindings: [{role, members: [member]}]}});
  expect(set.status).toBe(200);
}

suite('docker and skopeo through docker-credential-gcauth with a role on one repository only', () => {
  beforeAll(async () => {
    work = tmpDir('gcauth-e2e-docker-repos-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    const ownerKey = readKeyFile(emu.ownerKeyFile);
    owner = await accessTokenFor(emu.url, ownerKey);
    const account = emu.state.createServiceAccount(emu.project, 'ci-writer');
    const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
    keyFile = path.join(work, 'ci-writer.json');
    writeFileSync(keyFile, JSON.stringify({...ownerKey, client_email: account.email, client_id: account.uniqueId, private_key_id: key.keyId, private_key: privateKeyPem}), {mode: 0o600});
    await repository('repo-a', `serviceAccount:${account.email}`, 'roles/artifactregistry.writer');
    await repository('repo-b');
    image = writeOciImage(path.join(work, 'layout'), TAG, {'hello.txt': 'pushed by test/e2e/docker-repositories\n'});
    const {realm, service, issuer, rootCertBundle} = emu.registry;
    registry = await startRegistry({auth: {realm, service, issuer, rootcertbundle: rootCertBundle}});
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), emu?.close()]);
  });

  test('pushes to the repository it is a writer on, with skopeo and docker, and reads the image back', async () => {
    const sb = await sandbox();
    expect(await skopeoPush(sb, 'repo-a', 'a')).toMatchObject({exitCode: 0, stderr: ''});
    const inspected = await runIn(sb, 'docker', ['manifest', 'inspect', '--insecure', ref('repo-a', 'a')]);
    expect(inspected).toMatchObject({exitCode: 0, stderr: ''});
    expect(JSON.parse(inspected.stdout)).toEqual(image.manifest);
    const skopeo = await runIn(sb, 'skopeo', ['inspect', '--tls-verify=false', `docker://${ref('repo-a', 'a')}`]);
    expect((JSON.parse(skopeo.stdout) as {Digest: string}).Digest).toBe(image.manifestDigest);
    expect(await runIn(sb, 'docker', ['manifest', 'create', '--insecure', ref('repo-a', 'list'), ref('repo-a', 'a')])).toMatchObject({exitCode: 0});
    const listed = await runIn(sb, 'docker', ['manifest', 'push', '--insecure', ref('repo-a', 'list')]);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/^sha256:[0-9a-f]{64}$/m);
  });

  test('is refused on a second repository of the same project, with Artifact Registry\'s denial', async () => {
    const sb = await sandbox();
    const denial = AR_MESSAGES.registryDenied('artifactregistry.repositories.uploadArtifacts', `projects/${emu.project}/locations/${LOCATION}/repositories/repo-b`);
    expect(denial).toBe(`Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/demo-project/locations/us-central1/repositories/repo-b" (or it may not exist)`);
    const skopeo = await skopeoPush(sb, 'repo-b', 'b');
    expect(skopeo.exitCode).not.toBe(0);
    // skopeo 1.9 prints only the status of the token server's refusal.
    expect(skopeo.stderr).toContain('invalid status code from registry 403 (Forbidden)');
    // The docker CLI shows the token server's message as it is.
    expect(await skopeoPush(sb, 'repo-a', 'for-list')).toMatchObject({exitCode: 0});
    expect(await runIn(sb, 'docker', ['manifest', 'create', '--insecure', ref('repo-b', 'list'), ref('repo-a', 'for-list')])).toMatchObject({exitCode: 0});
    const docker = await runIn(sb, 'docker', ['manifest', 'push', '--insecure', ref('repo-b', 'list')]);
    expect(docker.exitCode).not.toBe(0);
    expect(docker.stderr).toContain(denial);
    // Nothing reached repo-b.
    const absent = await runIn(sb, 'skopeo', ['inspect', '--tls-verify=false', `docker://${ref('repo-a', 'b')}`]);
    expect(absent.exitCode).not.toBe(0);
  });
});
