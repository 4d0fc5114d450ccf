import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {runCli} from '../helpers/cli.js';
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
  }, 120_000);

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
  }, 120_000);

  it('takes the location from artifacts/location as gcauth does, and says so as gcauth does when neither is set', async () => {
    // gcauth reads gcloud's CLOUDSDK_* variables too, so both run in one environment (gcauth with a config dir of its own).
    const gcauthEnv = {...env, GCAUTH_CONFIG: tmpDir('gcauth-ar-')};
    const gcauth = (args: string[], extra: Record<string, string> = {}) => runCli(args, {env: {...gcauthEnv, ...extra}});
    const gcloudWith = (args: string[], extra: Record<string, string> = {}) =>
      execa(gcloud!, args, {env: {...env, ...extra}, reject: false, stdin: 'ignore', stripFinalNewline: false});
    expect((await gcauth(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    expect((await gcauth(['artifacts', 'repositories', 'create', 'kept', '--repository-format=docker', '--location=us-central1'])).exitCode).toBe(0);

    // Neither --location nor the property: both fail before any request, naming --location, the property and the full name.
    for (const command of [['describe', 'kept'], ['get-iam-policy', 'kept'], ['delete', 'kept', '--quiet']]) {
      const theirs = await gcloudWith(['artifacts', 'repositories', ...command]);
      expect(theirs.exitCode).toBe(1);
      expect(theirs.stderr).toContain('Failed to find attribute [location]. The attribute can be set in the following ways: \n- provide the argument `repository` on the command line with a fully specified name\n- provide the argument `--location` on the command line\n- set the property `artifacts/location`');
      expect(await gcauth(['artifacts', 'repositories', ...command])).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          'ERROR: Failed to find attribute [location] of REPOSITORY: pass --location (e.g. --location=us), set the property artifacts/location (gcauth config set artifacts/location us), or give REPOSITORY as projects/PROJECT/locations/LOCATION/repositories/REPOSITORY.\n',
      });
    }
    expect(emu.state.repository('demo-project', 'us-central1', 'kept')).toBeDefined();

    // From the property (gcloud's variable, which both read): the same repository, and list only there.
    const property = {CLOUDSDK_ARTIFACTS_LOCATION: 'us-central1'};
    expect((await gcloudWith(['artifacts', 'repositories', 'create', 'by-property', '--repository-format=docker'], property)).exitCode).toBe(0);
    expect((await gcauth(['artifacts', 'repositories', 'create', 'by-gcauth', '--repository-format=docker'], property)).exitCode).toBe(0);
    for (const name of ['by-property', 'by-gcauth']) {
      const theirs = await gcloudWith(['artifacts', 'repositories', 'describe', name, '--format=value(name)'], property);
      const ours = await gcauth(['artifacts', 'repositories', 'describe', name, '--format=value(name)'], property);
      expect(ours.stdout).toBe(`projects/demo-project/locations/us-central1/repositories/${name}\n`);
      expect(theirs.stdout).toBe(ours.stdout);
    }
    const theirList = await gcloudWith(['artifacts', 'repositories', 'list', '--format=json'], property);
    const ourList = await gcauth(['artifacts', 'repositories', 'list', '--format=json'], property);
    expect(ourList.stderr).toBe('Listing items under project demo-project, location us-central1.\n\n');
    expect(theirList.stderr).toContain('Listing items under project demo-project, location us-central1.\n');
    const names = (text: string) => (JSON.parse(text) as Array<{name: string}>).map((r) => r.name);
    expect(names(ourList.stdout)).toContain('projects/demo-project/locations/us-central1/repositories/by-property');
    expect(names(ourList.stdout)).toEqual(names(theirList.stdout));

    // --location wins over the property, in both.
    const elsewhere = {CLOUDSDK_ARTIFACTS_LOCATION: 'europe'};
    const theirs = await gcloudWith(['artifacts', 'repositories', 'describe', 'by-gcauth', '--location=us-central1', '--format=value(name)'], elsewhere);
    const ours = await gcauth(['artifacts', 'repositories', 'describe', 'by-gcauth', '--location=us-central1', '--format=value(name)'], elsewhere);
    expect([ours.exitCode, ours.stdout]).toEqual([0, 'projects/demo-project/locations/us-central1/repositories/by-gcauth\n']);
    expect(theirs.stdout).toBe(ours.stdout);
  }, 120_000);
});
