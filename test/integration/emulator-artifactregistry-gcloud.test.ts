import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud Artifact Registry conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

// The emulator runs in this process; the real gcloud (528) is the client under test, pointed at it by
// CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY as `gcauth emulator env-init --gcloud` prints it.
describeIfGcloud('the real gcloud against the emulator\'s Artifact Registry', () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;
  const run = (args: string[]) => execa(gcloud!, args, {env, reject: false, stdin: 'ignore'});

  beforeAll(async () => {
    emu = await startEmulator({dataDir: path.join(tmpDir('gcloud-ar-'), 'emulator')});
    env = gcloudEnv(emu.url, emu.project);
    expect((await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('creates, lists, describes and deletes docker repositories', async () => {
    const created = await run(['artifacts', 'repositories', 'create', 'apps', '--repository-format=docker', '--location=us-central1', '--description=CI images']);
    expect(created.stderr).toContain('Created repository [apps].');
    expect(created.exitCode).toBe(0);
    expect((await run(['artifacts', 'repositories', 'create', 'other', '--repository-format=docker', '--location=us-central1'])).exitCode).toBe(0);

    const listed = await run(['artifacts', 'repositories', 'list', '--location=us-central1', '--format=json']);
    expect(listed.exitCode).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{name: string; format: string}>).map((r) => [r.name, r.format])).toEqual([
      ['projects/demo-project/locations/us-central1/repositories/apps', 'DOCKER'],
      ['projects/demo-project/locations/us-central1/repositories/other', 'DOCKER'],
    ]);
    const table = await run(['artifacts', 'repositories', 'list', '--location=us-central1']);
    expect(table.stdout).toMatch(/^REPOSITORY\s+FORMAT\s+MODE\s+DESCRIPTION\s+LOCATION/m);
    expect(table.stdout).toMatch(/^apps\s+DOCKER\s+STANDARD_REPOSITORY\s+CI images\s+us-central1/m);
    // Without --location, gcloud lists every location the API names.
    const everywhere = await run(['artifacts', 'repositories', 'list', '--format=json']);
    expect(everywhere.stderr).toContain('Listing items under project demo-project, across all locations.');
    expect((JSON.parse(everywhere.stdout) as Array<{name: string}>).map((r) => r.name)).toEqual([
      'projects/demo-project/locations/us-central1/repositories/apps',
      'projects/demo-project/locations/us-central1/repositories/other',
    ]);

    const described = await run(['artifacts', 'repositories', 'describe', 'apps', '--location=us-central1', '--format=json']);
    expect(JSON.parse(described.stdout)).toMatchObject({name: 'projects/demo-project/locations/us-central1/repositories/apps', description: 'CI images', mode: 'STANDARD_REPOSITORY'});

    const again = await run(['artifacts', 'repositories', 'create', 'apps', '--repository-format=docker', '--location=us-central1']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('ALREADY_EXISTS: the repository already exists');

    const deleted = await run(['artifacts', 'repositories', 'delete', 'other', '--location=us-central1', '--quiet']);
    expect(deleted.exitCode).toBe(0);
    const gone = await run(['artifacts', 'repositories', 'describe', 'other', '--location=us-central1']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain('NOT_FOUND');
  });

  it('binds a role on one repository with add-iam-policy-binding and removes it again', async () => {
    const member = 'serviceAccount:ci@demo-project.iam.gserviceaccount.com';
    emu.state.createServiceAccount(emu.project, 'ci');
    const added = await run(['artifacts', 'repositories', 'add-iam-policy-binding', 'apps', '--location=us-central1', `--member=${member}`, '--role=roles/artifactregistry.writer', '--format=json']);
    expect(added.stderr).toContain('Updated IAM policy for repository [apps].');
    expect(added.exitCode).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({bindings: [{role: 'roles/artifactregistry.writer', members: [member]}]});
    expect(emu.state.repository('demo-project', 'us-central1', 'apps')?.iamPolicy.bindings).toEqual([{role: 'roles/artifactregistry.writer', members: [member]}]);

    const policy = await run(['artifacts', 'repositories', 'get-iam-policy', 'apps', '--location=us-central1', '--format=json']);
    expect(JSON.parse(policy.stdout)).toMatchObject({bindings: [{role: 'roles/artifactregistry.writer', members: [member]}]});

    const refused = await run(['artifacts', 'repositories', 'add-iam-policy-binding', 'apps', '--location=us-central1', `--member=${member}`, '--role=roles/storage.admin']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Role roles/storage.admin is not supported for this resource.');

    const removed = await run(['artifacts', 'repositories', 'remove-iam-policy-binding', 'apps', '--location=us-central1', `--member=${member}`, '--role=roles/artifactregistry.writer']);
    expect(removed.exitCode).toBe(0);
    expect(emu.state.repository('demo-project', 'us-central1', 'apps')?.iamPolicy.bindings).toEqual([]);

    const missing = await run(['artifacts', 'repositories', 'add-iam-policy-binding', 'nope', '--location=us-central1', `--member=${member}`, '--role=roles/artifactregistry.reader']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });
});
