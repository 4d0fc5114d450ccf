import {statSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {activatedEnv, readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

interface Policy {
  bindings?: Array<{role: string; members: string[]}>;
  etag: string;
  version: number;
}

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud IAM conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

/**
 * The real gcloud provisions through the emulator's IAM and Resource Manager; gcauth reads the results
 * back (and the other way round). Agreement here means both clients and the emulator speak the same wire.
 */
describeIfGcloud('gcloud and gcauth provision through the same emulator', () => {
  let emu: EmulatorProcess;
  let gc: Record<string, string>;
  let ga: Record<string, string>;
  let project: string;
  let email: string;
  let keyFile: string;
  const run = (args: string[], env = gc) => runGcloud(gcloud!, args, env);

  beforeAll(async () => {
    emu = await startEmulatorProcess();
    project = emu.project;
    email = `gcloud-made@${project}.iam.gserviceaccount.com`;
    gc = gcloudEnv(emu.url, project);
    ga = emulatorEnv(emu.url, tmpDir());
    expect((await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: ga})).exitCode).toBe(0);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('gcloud iam service-accounts create → gcauth describes the same account', async () => {
    const created = await run(['iam', 'service-accounts', 'create', 'gcloud-made', '--display-name=Made by gcloud', '--description=conformance']);
    expect(created.stderr).toContain('Created service account [gcloud-made]');
    expect(created.exitCode).toBe(0);
    const described = await runCli(['iam', 'service-accounts', 'describe', email, '--format=json'], {env: ga});
    expect(described.exitCode).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({email, displayName: 'Made by gcloud', description: 'conformance', projectId: project});
    const listed = await run(['iam', 'service-accounts', 'list', '--format=value(email)']);
    expect(listed.stdout.split('\n')).toContain(email);
  });

  it('gcloud keys create → a key gcloud and gcauth both activate, and gcauth lists', async () => {
    keyFile = path.join(tmpDir(), 'gcloud-key.json');
    const created = await run(['iam', 'service-accounts', 'keys', 'create', keyFile, `--iam-account=${email}`]);
    expect(created.exitCode).toBe(0);
    const key = readKeyFile(keyFile);
    expect(created.stderr).toContain(`created key [${key.private_key_id}] of type [json] as [${keyFile}] for [${email}]`);
    expect(key.client_email).toBe(email);
    expect(key.token_uri).toBe(`${emu.url}/token`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const keys = await runCli(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${email}`, '--managed-by=user', '--format=value(name)'], {env: ga});
    expect(keys.exitCode).toBe(0);
    expect(keys.stdout.trim().split('/').pop()).toBe(key.private_key_id);

    const gcloudActivated = await run(['auth', 'activate-service-account', `--key-file=${keyFile}`], gcloudEnv(emu.url, project));
    expect(gcloudActivated.exitCode).toBe(0);
    const gcauthEnv = await activatedEnv(emu.url, keyFile);
    expect((await runCli(['auth', 'print-access-token'], {env: gcauthEnv})).stdout).toMatch(/^ya29\./);
  });

  it('gcloud projects add-iam-policy-binding → gcauth reads the same policy', async () => {
    const added = await run(['projects', 'add-iam-policy-binding', project, `--member=serviceAccount:${email}`, '--role=roles/storage.admin', '--format=json']);
    expect(added.stderr).toContain(`Updated IAM policy for project [${project}].`);
    expect(added.exitCode).toBe(0);
    const fromGcloud = JSON.parse(added.stdout) as Policy;
    const read = await runCli(['projects', 'get-iam-policy', project, '--format=json'], {env: ga});
    expect(read.exitCode).toBe(0);
    const fromGcauth = JSON.parse(read.stdout) as Policy;
    // gcloud prints the bytes field in URL-safe base64, the API (and so gcauth) in standard base64.
    expect(Buffer.from(fromGcauth.etag, 'base64')).toEqual(Buffer.from(fromGcloud.etag, 'base64'));
    expect(fromGcauth.bindings).toEqual(fromGcloud.bindings);
    expect(fromGcauth.bindings).toContainEqual({role: 'roles/storage.admin', members: [`serviceAccount:${email}`]});
  });

  it('gcauth add-iam-policy-binding → gcloud reads it; a conditional binding round-trips', async () => {
    const condition = 'expression=request.time < timestamp("2030-01-01T00:00:00Z"),title=until-2030';
    const added = await runCli(
      ['projects', 'add-iam-policy-binding', project, '--member=user:ana@example.com', '--role=roles/storage.objectViewer', `--condition=${condition}`, '--format=json'],
      {env: ga},
    );
    expect(added.stderr).toBe(`Updated IAM policy for project [${project}].\n`);
    expect(added.exitCode).toBe(0);
    const read = await run(['projects', 'get-iam-policy', project, '--format=json']);
    expect(read.exitCode).toBe(0);
    const policy = JSON.parse(read.stdout) as Policy & {bindings: Array<{condition?: unknown}>};
    expect(policy.version).toBe(3);
    expect(policy.bindings).toContainEqual({
      condition: {expression: 'request.time < timestamp("2030-01-01T00:00:00Z")', title: 'until-2030'},
      members: ['user:ana@example.com'],
      role: 'roles/storage.objectViewer',
    });
  });
});
