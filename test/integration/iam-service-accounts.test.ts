/** The built CLI's `iam service-accounts` commands against the emulator process, end to end. */
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';
import {parse as parseYaml} from 'yaml';

import {emulatorEnv, runCli, type CliResult} from '../helpers/cli.js';
import {activatedEnv, adminState, readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {nobodyProblem, restrictedCommand} from '../helpers/as-nobody.js';
import {sayWhySkipped} from '../helpers/skip.js';

interface Binding {
  role: string;
  members: string[];
}
interface Account {
  email: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  projectId: string;
  uniqueId: string;
}
interface Key {
  name: string;
  keyType: string;
}

let emu: EmulatorProcess;
let owner: Record<string, string>;
let project: string;

const gcauth = (args: string[], env = owner, input?: string): Promise<CliResult> => runCli(args, {env, input});
const sa = (...args: string[]) => gcauth(['iam', 'service-accounts', ...args]);
const emailOf = (id: string) => `${id}@${project}.iam.gserviceaccount.com`;
const tokenInfo = async (token: string) => (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json() as Promise<{email?: string}>;
const json = <T>(result: CliResult): T => {
  expect(result).toMatchObject({exitCode: 0});
  return JSON.parse(result.stdout) as T;
};
const userKeyIds = async (email: string): Promise<string[]> =>
  json<Key[]>(await sa('keys', 'list', `--iam-account=${email}`, '--managed-by=user', '--format=json')).map((k) => k.name.split('/').pop()!);

/** Creates account `id` and a config dir in which its key (written by the owner) is active. */
async function activeAccount(id: string): Promise<{email: string; env: Record<string, string>; keyFile: string}> {
  const email = emailOf(id);
  expect((await sa('create', id, `--project=${project}`)).exitCode).toBe(0);
  const keyFile = path.join(tmpDir(), 'key.json');
  expect((await sa('keys', 'create', keyFile, `--iam-account=${email}`)).exitCode).toBe(0);
  const env = await activatedEnv(emu.url, keyFile);
  return {email, env, keyFile};
}

beforeAll(async () => {
  emu = await startEmulatorProcess();
  project = emu.project;
  owner = await activatedEnv(emu.url, emu.ownerKeyFile);
});
afterAll(() => emu.stop());

describe('the life of a service account', () => {
  const id = 'it-pusher';
  const email = () => emailOf(id);
  let keyId: string;
  let keyFile: string;

  test('create: stderr names it, stdout stays empty', async () => {
    expect(await sa('create', id, `--project=${project}`, '--display-name=IT pusher', '--description=pushes images')).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: `Created service account [${id}].\n`,
    });
    const again = await sa('create', id, `--project=${project}`);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^ERROR: .*ALREADY_EXISTS.*\n$/);
  });

  test('list: the table by default, every field under --format=json', async () => {
    const table = await sa('list', `--project=${project}`);
    expect(table.exitCode).toBe(0);
    expect(table.stderr).toBe('');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DISPLAY NAME +EMAIL +DISABLED$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^IT pusher +${email().replace(/\./g, '\\.')} +False$`)));
    const accounts = json<Account[]>(await sa('list', `--project=${project}`, '--format=json'));
    expect(accounts.find((a) => a.email === email())).toMatchObject({displayName: 'IT pusher', description: 'pushes images', projectId: project});
    expect((await sa('list', `--project=${project}`, '--format=value(email)')).stdout.split('\n')).toContain(email());
  });

  test('describe: YAML by default', async () => {
    const result = await sa('describe', email());
    expect(result).toMatchObject({exitCode: 0, stderr: ''});
    expect(parseYaml(result.stdout)).toMatchObject({email: email(), displayName: 'IT pusher', projectId: project});
    expect((await sa('describe', email(), '--format=value(displayName)')).stdout).toBe('IT pusher\n');
  });

  test('disable and enable', async () => {
    expect(await sa('disable', email())).toEqual({exitCode: 0, stdout: '', stderr: `Disabled service account [${email()}].\n`});
    expect(json<Account>(await sa('describe', email(), '--format=json')).disabled).toBe(true);
    expect(await sa('enable', email())).toEqual({exitCode: 0, stdout: '', stderr: `Enabled service account [${email()}].\n`});
    expect(json<Account>(await sa('describe', email(), '--format=json')).disabled).toBeFalsy();
  });

  test('keys create: a 0600 key file that activates and mints a token', async () => {
    const dir = tmpDir();
    keyFile = path.join(dir, 'keys', 'pusher.json');
    const result = await sa('keys', 'create', keyFile, `--iam-account=${email()}`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    const match = /^created key \[([0-9a-f]{40})\] of type \[json\] as \[(.*)\] for \[(.*)\]\n$/.exec(result.stderr);
    expect(match?.slice(2)).toEqual([keyFile, email()]);
    keyId = match![1]!;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(keyFile))).toEqual(['pusher.json']);
    const key = readKeyFile(keyFile);
    expect(key).toMatchObject({client_email: email(), private_key_id: keyId, project_id: project, token_uri: `${emu.url}/token`});

    const env = emulatorEnv(emu.url, tmpDir());
    expect(await gcauth(['auth', 'activate-service-account', `--key-file=${keyFile}`], env)).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: `Activated service account credentials for: [${email()}]\n`,
    });
    const token = await gcauth(['auth', 'print-access-token'], env);
    expect(token.exitCode).toBe(0);
    expect((await tokenInfo(token.stdout.trim())).email).toBe(email());
  });

  test('keys list: user- and system-managed keys', async () => {
    const user = await sa('keys', 'list', `--iam-account=${email()}`, '--managed-by=user');
    expect(user.exitCode).toBe(0);
    const lines = user.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY_ID +CREATED_AT +EXPIRES_AT +DISABLED +DISABLE_REASON +EXTENDED_STATUS$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${keyId} {2}\\S+Z {2}\\S+Z$`))]);
    const system = json<Key[]>(await sa('keys', 'list', `--iam-account=${email()}`, '--managed-by=system', '--format=json'));
    expect(system.length).toBeGreaterThan(0);
    expect(system.every((k) => k.keyType === 'SYSTEM_MANAGED' && !k.name.endsWith(keyId))).toBe(true);
    const all = json<Key[]>(await sa('keys', 'list', `--iam-account=${email()}`, '--format=json'));
    expect(all).toHaveLength(system.length + 1);
  });

  test('add-, get- and remove-iam-policy-binding on the account', async () => {
    const binding = ['--member=user:ana@example.com', '--role=roles/iam.serviceAccountUser'];
    const added = await sa('add-iam-policy-binding', email(), ...binding);
    expect(added.exitCode).toBe(0);
    expect(added.stderr).toBe(`Updated IAM policy for serviceAccount [${email()}].\n`);
    const policy = parseYaml(added.stdout) as {bindings: Binding[]; etag: string};
    expect(policy.bindings).toEqual([{members: ['user:ana@example.com'], role: 'roles/iam.serviceAccountUser'}]);

    const twice = await sa('add-iam-policy-binding', email(), ...binding);
    expect(twice.stderr).toBe(`[user:ana@example.com] already has [roles/iam.serviceAccountUser] on service account [${email()}]; the policy was not written.\n`);
    const got = await sa('get-iam-policy', email(), '--format=json');
    expect(json<{bindings: Binding[]}>(got).bindings).toEqual(policy.bindings);
    expect((await sa('get-iam-policy', email())).stdout).toBe(added.stdout);

    const removed = await sa('remove-iam-policy-binding', email(), ...binding);
    expect(removed).toMatchObject({exitCode: 0, stderr: `Updated IAM policy for serviceAccount [${email()}].\n`});
    expect(json<{bindings?: Binding[]}>(await sa('get-iam-policy', email(), '--format=json')).bindings ?? []).toEqual([]);
    const gone = await sa('remove-iam-policy-binding', email(), ...binding);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toMatch(/^ERROR: Service account \[.*\] has no binding of \[user:ana@example\.com\] to \[roles\/iam\.serviceAccountUser\]/);
  });

  test('add-iam-policy-binding of a role the account cannot take: one ERROR line, exit 1, nothing written', async () => {
    const before = await sa('get-iam-policy', email(), '--format=json');
    const result = await sa('add-iam-policy-binding', email(), '--member=user:ana@example.com', '--role=roles/storage.admin');
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: `ERROR: Service account [${email()}]: INVALID_ARGUMENT: Role roles/storage.admin is not supported for this resource.\n`,
    });
    expect((await sa('get-iam-policy', email(), '--format=json')).stdout).toBe(before.stdout);
  });

  test('keys delete: the key stops working', async () => {
    const stats = (await emu.stats()).total;
    const unconfirmed = await sa('keys', 'delete', keyId, `--iam-account=${email()}`);
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toMatch(/^ERROR: Deleting key \[.*\] needs a confirmation, .*pass --quiet \(-q\)/);
    expect((await emu.stats()).total).toBe(stats);

    expect(await sa('keys', 'delete', keyId, `--iam-account=${email()}`, '-q')).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: `deleted key [${keyId}] for service account [${email()}]\n`,
    });
    expect(await userKeyIds(email())).toEqual([]);
    expect((await sa('keys', 'list', `--iam-account=${email()}`, '--managed-by=user')).stderr).toBe('Listed 0 items.\n');
    const refused = await gcauth(['auth', 'activate-service-account', `--key-file=${keyFile}`], emulatorEnv(emu.url, tmpDir()));
    expect(refused.exitCode).toBe(4);
  });

  test('delete: needs -q without a terminal, then the account is gone', async () => {
    const stats = (await emu.stats()).total;
    const unconfirmed = await sa('delete', email());
    expect(unconfirmed).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `ERROR: Deleting service account [${email()}] needs a confirmation, and there is no terminal to ask on: pass --quiet (-q) to delete without asking.\n`,
    });
    expect((await emu.stats()).total).toBe(stats);
    expect(await sa('delete', email(), '--quiet')).toEqual({exitCode: 0, stdout: '', stderr: `deleted service account [${email()}]\n`});
    const described = await sa('describe', email());
    expect(described.exitCode).toBe(1);
    // IAM answers a missing account as one the caller may not see: 403 on iam.serviceAccounts.get.
    expect(described.stderr).toMatch(/^ERROR: .* permission iam\.serviceAccounts\.get on service account \[it-pusher@/);
  });
});

describe('keys create writes nothing unless it has a key', () => {
  let target: string;
  beforeAll(async () => {
    expect((await sa('create', 'it-keys', `--project=${project}`)).exitCode).toBe(0);
  });

  test('an account that does not exist (IAM answers 403): exit 1, no file, no temp file', async () => {
    const dir = tmpDir();
    const result = await sa('keys', 'create', path.join(dir, 'key.json'), `--iam-account=${emailOf('no-such-account')}`);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR: .* permission iam\.serviceAccountKeys\.create on service account \[no-such-account@/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('an existing FILE without --overwrite: exit 2 before any request, the file byte-identical', async () => {
    const dir = tmpDir();
    target = path.join(dir, 'key.json');
    writeFileSync(target, '{"precious": true}\n', {mode: 0o640});
    const before = (await emu.stats()).total;
    const result = await sa('keys', 'create', target, `--iam-account=${emailOf('it-keys')}`);
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `ERROR: [${target}] exists already: pass --overwrite to replace it, or choose another path.\n`,
    });
    expect((await emu.stats()).total).toBe(before);
    expect(readFileSync(target, 'utf8')).toBe('{"precious": true}\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(await userKeyIds(emailOf('it-keys'))).toEqual([]);
  });

  test('--overwrite replaces it with the key, mode 0600', async () => {
    const result = await sa('keys', 'create', target, `--iam-account=${emailOf('it-keys')}`, '--overwrite');
    expect(result.exitCode).toBe(0);
    expect(readKeyFile(target).client_email).toBe(emailOf('it-keys'));
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(target))).toEqual(['key.json']);
  });

  test('-: the key on stdout and nothing else; it activates from stdin', async () => {
    const result = await sa('keys', 'create', '-', `--iam-account=${emailOf('it-keys')}`);
    expect(result.exitCode).toBe(0);
    const key = JSON.parse(result.stdout) as {client_email: string; private_key_id: string; private_key: string};
    expect(key.client_email).toBe(emailOf('it-keys'));
    expect(key.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(result.stderr).toBe(`created key [${key.private_key_id}] of type [json] as [-] for [${emailOf('it-keys')}]\n`);
    const env = emulatorEnv(emu.url, tmpDir());
    expect((await gcauth(['auth', 'activate-service-account', '--key-file=-'], env, result.stdout)).exitCode).toBe(0);
    expect((await tokenInfo((await gcauth(['auth', 'print-access-token'], env)).stdout.trim())).email).toBe(emailOf('it-keys'));
  });
});

describe('a viewer', () => {
  let viewer: {email: string; env: Record<string, string>};
  beforeAll(async () => {
    viewer = await activeAccount('it-viewer');
    const granted = await gcauth(['projects', 'add-iam-policy-binding', project, `--member=serviceAccount:${viewer.email}`, '--role=roles/viewer', '--format=none']);
    expect(granted.exitCode).toBe(0);
    expect((await sa('create', 'it-target', `--project=${project}`)).exitCode).toBe(0);
  });

  test('can list and describe', async () => {
    expect((await gcauth(['iam', 'service-accounts', 'list', `--project=${project}`, '--format=value(email)'], viewer.env)).stdout.split('\n')).toContain(
      emailOf('it-target'),
    );
    expect((await gcauth(['iam', 'service-accounts', 'describe', emailOf('it-target')], viewer.env)).exitCode).toBe(0);
  });

  test('cannot create a key: exit 1 naming the permission, no file, nothing changed on the server', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'stolen.json');
    const before = await adminState(emu.url);
    const result = await gcauth(['iam', 'service-accounts', 'keys', 'create', target, `--iam-account=${emailOf('it-target')}`], viewer.env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      `ERROR: ${viewer.email} lacks permission iam.serviceAccountKeys.create on service account [${emailOf('it-target')}] (or it may not exist).`,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(await adminState(emu.url)).toEqual(before);
  });

  test.each([
    ['create', () => ['create', 'it-intruder', `--project=${project}`], 'iam.serviceAccounts.create'],
    ['disable', () => ['disable', emailOf('it-target')], 'iam.serviceAccounts.disable'],
    ['delete', () => ['delete', emailOf('it-target'), '-q'], 'iam.serviceAccounts.delete'],
    ['keys delete', () => ['keys', 'delete', '0'.repeat(40), `--iam-account=${emailOf('it-target')}`, '-q'], 'iam.serviceAccountKeys.delete'],
    ['add-iam-policy-binding', () => ['add-iam-policy-binding', emailOf('it-target'), `--member=serviceAccount:${viewer.email}`, '--role=roles/iam.serviceAccountTokenCreator'], 'iam.serviceAccounts.setIamPolicy'],
  ])('cannot %s: exit 1 naming the permission, nothing changed', async (_name, args, permission) => {
    const before = await adminState(emu.url);
    const result = await gcauth(['iam', 'service-accounts', ...args()], viewer.env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^ERROR: ${viewer.email.replace(/\./g, '\\.')} lacks permission ${permission.replace(/\./g, '\\.')} on `));
    expect(await adminState(emu.url)).toEqual(before);
  });
});

describe('keys create into a directory that cannot be written', () => {
  // Root may write anywhere, so as root the CLI runs as nobody; skipped, saying why, when nobody cannot read the checkout.
  const unable = nobodyProblem();
  if (unable) sayWhySkipped(`keys create into an unwritable directory skipped: ${unable}`);

  (unable ? test.skip : test)('fails before any request with one line naming the directory, and writes nothing', async () => {
    const dir = tmpDir();
    chmodSync(dir, 0o755);
    const locked = path.join(dir, 'locked');
    mkdirSync(locked, {mode: 0o555});
    const target = path.join(locked, 'new', 'key.json');
    const env = {...emulatorEnv(emu.url, path.join(dir, 'config')), PATH: process.env.PATH ?? '', NO_COLOR: '1'};
    await emu.resetStats();
    const result = await execa(...restrictedCommand(['iam', 'service-accounts', 'keys', 'create', target, `--iam-account=${emailOf('it-target')}`]), {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`ERROR: Cannot create [${target}]: directory [${locked}] is not writable. Choose another path.`);
    expect(readdirSync(locked)).toEqual([]);
    expect((await emu.stats()).total).toBe(0);
  });
});
