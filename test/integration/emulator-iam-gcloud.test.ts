import {statSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {adminState, readKeyFile, tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud IAM conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

// The emulator runs in this process (from the TypeScript sources); gcloud is the subprocess under test.
describeIfGcloud('the real gcloud against the emulator\'s IAM and Resource Manager', () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;
  let work: string;
  const SA = 'ci-pusher@demo-project.iam.gserviceaccount.com';

  beforeAll(async () => {
    work = tmpDir('gcloud-iam-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    env = gcloudEnv(emu.url, emu.project);
    const activated = await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`]);
    expect(activated.exitCode).toBe(0);
  });
  afterAll(async () => {
    await emu?.close();
  });

  const run = (args: string[]) => execa(gcloud!, args, {env, reject: false, stdin: 'ignore'});
  const json = async (args: string[]): Promise<unknown> => {
    const r = await run([...args, '--format=json']);
    expect(r.stderr).not.toContain('ERROR');
    return JSON.parse(r.stdout) as unknown;
  };

  it('creates, lists and describes a service account', async () => {
    emu.resetStats();
    const created = await run(['iam', 'service-accounts', 'create', 'ci-pusher', '--display-name=CI pusher']);
    expect(created.stderr).toContain('Created service account [ci-pusher].');
    expect(created.exitCode).toBe(0);
    expect(emu.stats().byRoute['POST /iam/v1/projects/{project}/serviceAccounts']).toBe(1);

    const listed = (await json(['iam', 'service-accounts', 'list'])) as Array<{email: string; displayName?: string}>;
    expect(listed.map((a) => a.email).sort()).toEqual([SA, emu.ownerEmail]);
    const uniqueId = emu.state.serviceAccount(SA)!.uniqueId;
    expect(await json(['iam', 'service-accounts', 'describe', uniqueId])).toMatchObject({email: SA, displayName: 'CI pusher', uniqueId});

    const again = await run(['iam', 'service-accounts', 'create', 'ci-pusher']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('Service account ci-pusher already exists within project projects/demo-project.');
  });

  it('creates a key file that gcloud can activate, and lists user and system keys', async () => {
    const keyFile = path.join(work, 'ci-pusher.json');
    const created = await run(['iam', 'service-accounts', 'keys', 'create', keyFile, `--iam-account=${SA}`]);
    expect(created.exitCode).toBe(0);
    const key = readKeyFile(keyFile);
    expect(created.stderr).toContain(`created key [${key.private_key_id}] of type [json] as [${keyFile}] for [${SA}]`);
    expect(key.token_uri).toBe(`${emu.url}/token`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const user = (await json(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user'])) as Array<{name: string}>;
    expect(user.map((k) => k.name.split('/')[5])).toEqual([key.private_key_id]);
    const system = (await json(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=system'])) as Array<{keyType: string}>;
    expect(system.map((k) => k.keyType)).toEqual(['SYSTEM_MANAGED']);

    const activated = await run(['auth', 'activate-service-account', `--key-file=${keyFile}`]);
    expect(activated.stderr).toContain(`Activated service account credentials for: [${SA}]`);
    // Leave the owner active for the tests that follow.
    expect((await run(['config', 'set', 'account', emu.ownerEmail])).exitCode).toBe(0);
  });

  it('adds project bindings (plain and conditional) through one getIamPolicy and one setIamPolicy each', async () => {
    emu.resetStats();
    const added = await run(['projects', 'add-iam-policy-binding', 'demo-project', `--member=serviceAccount:${SA}`, '--role=roles/storage.admin']);
    expect(added.exitCode).toBe(0);
    expect(added.stderr).toContain('Updated IAM policy for project [demo-project].');
    expect(added.stdout).toContain('role: roles/storage.admin');
    expect(emu.stats().byRoute).toMatchObject({
      'POST /cloudresourcemanager/v1/projects/{project}:getIamPolicy': 1,
      'POST /cloudresourcemanager/v1/projects/{project}:setIamPolicy': 1,
    });

    const conditional = await run([
      'projects', 'add-iam-policy-binding', 'demo-project', '--member=user:dev@example.com', '--role=roles/storage.objectViewer',
      '--condition=expression=request.time < timestamp("2999-01-01T00:00:00Z"),title=until-2999',
    ]);
    expect(conditional.exitCode).toBe(0);
    const policy = (await json(['projects', 'get-iam-policy', 'demo-project'])) as {version: number; bindings: unknown[]};
    expect(policy.version).toBe(3);
    expect(policy.bindings).toContainEqual({role: 'roles/storage.admin', members: [`serviceAccount:${SA}`]});
    expect(policy.bindings).toContainEqual({
      role: 'roles/storage.objectViewer',
      members: ['user:dev@example.com'],
      condition: {expression: 'request.time < timestamp("2999-01-01T00:00:00Z")', title: 'until-2999'},
    });

    const removed = await run(['projects', 'remove-iam-policy-binding', 'demo-project', '--member=user:dev@example.com', '--role=roles/storage.objectViewer', '--all']);
    expect(removed.exitCode).toBe(0);
    expect(((await json(['projects', 'get-iam-policy', 'demo-project'])) as {version: number}).version).toBe(1);
  });

  it('shows the server\'s refusals: a member gcloud does not check, and a caller without permission', async () => {
    const ghost = await run(['projects', 'add-iam-policy-binding', 'demo-project', '--member=serviceAccount:ghost@demo-project.iam.gserviceaccount.com', '--role=roles/viewer']);
    expect(ghost.exitCode).toBe(1);
    expect(ghost.stderr).toContain('INVALID_ARGUMENT: Service account ghost@demo-project.iam.gserviceaccount.com does not exist.');

    const before = await adminState(emu.url);
    const denied = await run(['iam', 'service-accounts', 'create', 'not-allowed', `--account=${SA}`]);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toContain("Permission 'iam.serviceAccounts.create' denied on resource (or it may not exist).");
    expect(denied.stderr).toContain('reason: IAM_PERMISSION_DENIED');
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('refuses what Google refuses: roles that do not exist or do not fit, and allUsers on a project', async () => {
    const before = await adminState(emu.url);
    const refusals: Array<[string[], string[]]> = [
      [['projects', 'add-iam-policy-binding', 'demo-project', '--member=user:dev@example.com', '--role=roles/doesNotExist'],
        ['INVALID_ARGUMENT: Role roles/doesNotExist is not supported for this resource.']],
      [['projects', 'add-iam-policy-binding', 'demo-project', '--member=user:dev@example.com', '--role=projects/demo-project/roles/x'],
        ["INVALID_ARGUMENT: Role (projects/demo-project/roles/x) does not exist in the resource's hierarchy."]],
      [['projects', 'add-iam-policy-binding', 'demo-project', '--member=allUsers', '--role=roles/owner'],
        ['INVALID_ARGUMENT: Request contains an invalid argument.', 'google.cloudresourcemanager.v1.ProjectIamPolicyError', 'member: allUsers', 'role: roles/owner']],
      [['iam', 'service-accounts', 'add-iam-policy-binding', SA, '--member=user:dev@example.com', '--role=roles/storage.admin'],
        ['INVALID_ARGUMENT: Role roles/storage.admin is not supported for this resource.']],
    ];
    for (const [args, expected] of refusals) {
      const r = await run(args);
      expect([args.join(' '), r.exitCode]).toEqual([args.join(' '), 1]);
      for (const text of expected) expect(r.stderr).toContain(text);
    }
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('manages the account\'s own policy, disables, enables and deletes keys and the account', async () => {
    const bound = await run(['iam', 'service-accounts', 'add-iam-policy-binding', SA, '--member=user:dev@example.com', '--role=roles/iam.serviceAccountUser']);
    expect(bound.exitCode).toBe(0);
    expect(await json(['iam', 'service-accounts', 'get-iam-policy', SA])).toMatchObject({bindings: [{role: 'roles/iam.serviceAccountUser', members: ['user:dev@example.com']}]});

    const keyId = readKeyFile(path.join(work, 'ci-pusher.json')).private_key_id;
    expect((await run(['iam', 'service-accounts', 'keys', 'disable', keyId, `--iam-account=${SA}`])).exitCode).toBe(0);
    expect(emu.state.serviceAccount(SA)!.keys[keyId]!.disabled).toBe(true);
    expect((await run(['iam', 'service-accounts', 'keys', 'enable', keyId, `--iam-account=${SA}`])).exitCode).toBe(0);
    expect((await run(['iam', 'service-accounts', 'keys', 'delete', keyId, `--iam-account=${SA}`])).exitCode).toBe(0);
    expect(emu.state.serviceAccount(SA)!.keys[keyId]).toBeUndefined();

    expect((await run(['iam', 'service-accounts', 'disable', SA])).exitCode).toBe(0);
    expect(((await json(['iam', 'service-accounts', 'describe', SA])) as {disabled?: boolean}).disabled).toBe(true);
    expect((await run(['iam', 'service-accounts', 'enable', SA])).exitCode).toBe(0);
    expect((await run(['iam', 'service-accounts', 'update', SA, '--description=pushes images'])).exitCode).toBe(0);
    expect(emu.state.serviceAccount(SA)!.description).toBe('pushes images');

    const uid = emu.state.serviceAccount(SA)!.uniqueId;
    expect((await run(['iam', 'service-accounts', 'delete', SA])).exitCode).toBe(0);
    const gone = await run(['iam', 'service-accounts', 'describe', SA]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain('PERMISSION_DENIED');
    // Its project grant stays, naming the deleted account, as Google shows it.
    const policy = (await json(['projects', 'get-iam-policy', 'demo-project'])) as {bindings: Array<{role: string; members: string[]}>};
    expect(policy.bindings).toContainEqual({role: 'roles/storage.admin', members: [`deleted:serviceAccount:${SA}?uid=${uid}`]});
  });
});
