import {cpSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {emulatorEnv, runCli, type CliResult} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud output conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

/** What differs between two runs by nature, not by client: ids and times the emulators mint. */
const VOLATILE: Array<[RegExp, string]> = [
  [/\b[0-9a-f]{40}\b/g, 'KEY_ID'],
  [/\b\d{21}\b/g, 'UNIQUE_ID'],
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, 'TIME'],
  [/operations\/acf\.p2-\d+-[0-9a-f-]{36}/g, 'OPERATION'],
  [/("?etag"?: )"?[A-Za-z0-9+/_=-]+"?/g, '$1ETAG'],
  // gcloud's hints name gcloud; gcauth's the same command under its own name.
  [/\bgcloud (?=(auth|config|iam|projects) )/g, 'gcauth '],
];
const normalized = (text: string) => VOLATILE.reduce((t, [pattern, by]) => t.replace(pattern, by), text);
const outcome = (r: CliResult) => ({exitCode: r.exitCode, stdout: normalized(r.stdout), stderr: normalized(r.stderr)});

/**
 * Every command run twice with the same arguments: by the real gcloud 528 against one emulator and by the built gcauth
 * against a second started from a copy of the same data, so both see the same world; stdout, stderr and the exit
 * code must then agree byte for byte (after VOLATILE). The emulators run in this process.
 */
describeIfGcloud('gcauth prints what gcloud prints', () => {
  let forGcloud: RunningEmulator;
  let forGcauth: RunningEmulator;
  let gcloudVars: Record<string, string>;
  let gcauthVars: Record<string, string>;
  let gcloudCwd: string;
  let gcauthCwd: string;
  const SA = 'second-sa@demo-project.iam.gserviceaccount.com';

  beforeAll(async () => {
    const work = tmpDir('gcloud-output-');
    const seed = await startEmulator({dataDir: path.join(work, 'seed')});
    await seed.close();
    cpSync(path.join(work, 'seed'), path.join(work, 'a'), {recursive: true});
    cpSync(path.join(work, 'seed'), path.join(work, 'b'), {recursive: true});
    forGcloud = await startEmulator({dataDir: path.join(work, 'a')});
    forGcauth = await startEmulator({dataDir: path.join(work, 'b')});
    gcloudVars = gcloudEnv(forGcloud.url, forGcloud.project);
    // gcauth honours gcloud's CLOUDSDK_CORE_* variables: both programs get the same ones, so warnings naming them agree.
    gcauthVars = {
      ...emulatorEnv(forGcauth.url, path.join(work, 'gcauth')),
      CLOUDSDK_CORE_PROJECT: forGcauth.project,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    };
    gcloudCwd = path.join(work, 'gcloud-cwd');
    gcauthCwd = path.join(work, 'gcauth-cwd');
    mkdirSync(gcloudCwd);
    mkdirSync(gcauthCwd);
    const activated = await both(['auth', 'activate-service-account', `--key-file=${forGcloud.ownerKeyFile}`]);
    expect(activated.gcauth).toEqual(activated.gcloud);
    expect(activated.gcloud.exitCode).toBe(0);
  });
  afterAll(async () => {
    await forGcloud?.close();
    await forGcauth?.close();
  });

  /** The real gcloud, with its final newline kept as gcauth's is. */
  const runGcloud = async (args: string[], vars = gcloudVars): Promise<CliResult> => {
    const r = await execa(gcloud!, args, {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, ...vars},
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
      cwd: gcloudCwd,
    });
    return {stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1};
  };

  async function both(args: string[], vars = {gcloud: gcloudVars, gcauth: gcauthVars}) {
    const [theirs, ours] = await Promise.all([runGcloud(args, vars.gcloud), runCli(args, {env: vars.gcauth, cwd: gcauthCwd})]);
    return {gcloud: outcome(theirs), gcauth: outcome(ours)};
  }

  /** Runs each command line in turn with both programs and expects the same outcome of each. */
  async function expectSame(...lines: string[][]) {
    for (const args of lines) {
      const r = await both(args);
      expect({args: args.join(' '), ...r.gcauth}).toEqual({args: args.join(' '), ...r.gcloud});
    }
  }

  it('creates, lists and describes service accounts: one table, sorted JSON, YAML documents, disabled shown as false', async () => {
    await expectSame(
      ['iam', 'service-accounts', 'create', 'second-sa', '--display-name=Second one', '--description=made twice'],
      ['iam', 'service-accounts', 'list'],
      ['iam', 'service-accounts', 'list', '--format=json'],
      ['iam', 'service-accounts', 'list', '--format=yaml'],
      ['iam', 'service-accounts', 'describe', SA],
      ['iam', 'service-accounts', 'describe', SA, '--format=json'],
      ['iam', 'service-accounts', 'disable', SA],
      ['iam', 'service-accounts', 'list', '--format=json'],
      ['iam', 'service-accounts', 'enable', SA],
    );
  });

  it("manages an account's policy and keys with gcloud's status lines", async () => {
    await expectSame(
      ['iam', 'service-accounts', 'add-iam-policy-binding', SA, '--member=user:dev@example.com', '--role=roles/iam.serviceAccountUser'],
      ['iam', 'service-accounts', 'get-iam-policy', SA, '--format=json'],
      ['iam', 'service-accounts', 'remove-iam-policy-binding', SA, '--member=user:dev@example.com', '--role=roles/iam.serviceAccountUser', '--format=json'],
      ['iam', 'service-accounts', 'keys', 'create', 'key.json', `--iam-account=${SA}`],
      ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`],
      ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--format=json'],
      ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user', '--format=yaml'],
    );
    // Each program disables, lists and deletes the key it made: the ids differ, the lines do not.
    const theirKey = (await runGcloud(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user', '--format=value(name.basename())'])).stdout.trim();
    const ourKey = (await runCli(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user', '--format=value(name)'], {env: gcauthVars})).stdout.trim().split('/').pop()!;
    const keyCommand = async (verb: string) => {
      const [theirs, ours] = await Promise.all([
        runGcloud(['iam', 'service-accounts', 'keys', verb, theirKey, `--iam-account=${SA}`]),
        runCli(['iam', 'service-accounts', 'keys', verb, ourKey, `--iam-account=${SA}`], {env: gcauthVars}),
      ]);
      expect(outcome(ours)).toEqual(outcome(theirs));
      expect(theirs.exitCode).toBe(0);
    };
    await keyCommand('disable');
    await expectSame(
      ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user'],
      ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${SA}`, '--managed-by=user', '--format=json'],
    );
    await keyCommand('enable');
    await keyCommand('delete');
    await expectSame(['iam', 'service-accounts', 'create', 'short-lived'], ['iam', 'service-accounts', 'delete', `short-lived@demo-project.iam.gserviceaccount.com`]);
  });

  it('lists no accounts as gcloud does: nothing on stdout, and the next step only under the default format', async () => {
    const fresh = {gcloud: gcloudEnv(forGcloud.url, forGcloud.project), gcauth: {...gcauthVars, GCAUTH_CONFIG: tmpDir('gcauth-fresh-')}};
    const json = await both(['auth', 'list', '--format=json'], fresh);
    expect(json.gcauth).toEqual(json.gcloud);
    expect(json.gcauth).toEqual({exitCode: 0, stdout: '[]\n', stderr: ''});
    // By default both say there is none and how to add one: gcloud names `auth login`, gcauth its key-first flow.
    const plain = await both(['auth', 'list'], fresh);
    expect({...plain.gcauth, stderr: plain.gcauth.stderr.split('\n').slice(0, 3)}).toEqual({...plain.gcloud, stderr: plain.gcloud.stderr.split('\n').slice(0, 3)});
  });

  it('lists accounts under a centred title, the active one marked', async () => {
    await expectSame(
      ['iam', 'service-accounts', 'keys', 'create', 'login.json', `--iam-account=${SA}`],
      ['auth', 'activate-service-account', '--key-file=login.json'],
      ['auth', 'list'],
      ['config', 'set', 'account', forGcloud.ownerEmail],
      ['auth', 'list'],
      ['auth', 'list', '--format=json'],
      ['auth', 'list', `--filter-account=${SA}`],
    );
  });

  it('binds and unbinds project roles, printing the policy and one status line', async () => {
    await expectSame(
      ['projects', 'get-iam-policy', 'demo-project'],
      ['projects', 'add-iam-policy-binding', 'demo-project', `--member=serviceAccount:${SA}`, '--role=roles/storage.admin'],
      ['projects', 'remove-iam-policy-binding', 'demo-project', `--member=serviceAccount:${SA}`, '--role=roles/storage.admin', '--format=json'],
    );
  });

  it('lists deleted workload identity pools and providers with --show-deleted, as YAML documents', async () => {
    await expectSame(
      ['iam', 'workload-identity-pools', 'create', 'ci-pool', '--location=global', '--display-name=CI pool'],
      ['iam', 'workload-identity-pools', 'providers', 'create-oidc', 'github', '--location=global', '--workload-identity-pool=ci-pool',
        '--issuer-uri=https://token.actions.githubusercontent.com', '--attribute-mapping=google.subject=assertion.sub'],
      ['iam', 'workload-identity-pools', 'providers', 'delete', 'github', '--location=global', '--workload-identity-pool=ci-pool'],
      ['iam', 'workload-identity-pools', 'providers', 'list', '--location=global', '--workload-identity-pool=ci-pool', '--show-deleted'],
      ['iam', 'workload-identity-pools', 'delete', 'ci-pool', '--location=global'],
      ['iam', 'workload-identity-pools', 'list', '--location=global'],
      ['iam', 'workload-identity-pools', 'list', '--location=global', '--show-deleted'],
      ['iam', 'workload-identity-pools', 'list', '--location=global', '--show-deleted', '--format=json'],
    );
  });

  it('manages Artifact Registry repositories and their policies, and lists and toggles services', async () => {
    await expectSame(
      ['artifacts', 'repositories', 'create', 'apps', '--repository-format=docker', '--location=us-central1', '--description=CI images'],
      ['artifacts', 'repositories', 'list', '--location=us-central1'],
      ['artifacts', 'repositories', 'list', '--format=json'],
      ['artifacts', 'repositories', 'describe', 'apps', '--location=us-central1'],
      ['artifacts', 'repositories', 'add-iam-policy-binding', 'apps', '--location=us-central1', `--member=serviceAccount:${SA}`, '--role=roles/artifactregistry.writer'],
      ['artifacts', 'repositories', 'get-iam-policy', 'apps', '--location=us-central1', '--format=json'],
      ['artifacts', 'repositories', 'remove-iam-policy-binding', 'apps', '--location=us-central1', `--member=serviceAccount:${SA}`, '--role=roles/artifactregistry.writer'],
      ['artifacts', 'repositories', 'delete', 'apps', '--location=us-central1'],
      ['services', 'list'],
      ['services', 'list', '--format=json'],
      ['services', 'enable', 'run.googleapis.com'],
      ['services', 'disable', 'run.googleapis.com'],
    );
  });

  it("manages configurations and properties with gcloud's lines", async () => {
    await expectSame(
      // Both warn that the variable both are given still decides.
      ['config', 'set', 'core/disable_prompts', 'false'],
      ['config', 'unset', 'disable_prompts'],
      ['config', 'unset', 'project'],
      ['config', 'configurations', 'create', 'spare', '--no-activate'],
      ['config', 'configurations', 'list'],
      ['config', 'configurations', 'describe', 'spare'],
      ['config', 'configurations', 'activate', 'default'],
    );
    // gcloud also warns here that it cannot delete a universe descriptor from its SQLite cache: Python internals, not copied.
    const deleted = await both(['config', 'configurations', 'delete', 'spare']);
    expect(deleted.gcauth).toEqual({...deleted.gcloud, stderr: deleted.gcloud.stderr.replace(/^WARNING: Failed to delete universe descriptor.*\n/m, '')});
    // gcloud lists every property it knows; the epilog naming the active configuration follows the default format only.
    const listed = await both(['config', 'list', '--format=json']);
    expect(listed.gcauth.stderr).toBe(listed.gcloud.stderr);
    expect(listed.gcauth.stderr).toBe('');
  });
});
