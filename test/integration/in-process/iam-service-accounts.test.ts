/**
 * The `iam service-accounts` command classes through oclif's parser, against an in-process emulator:
 * bad input fails with one ERROR line and exit 2 before any request (the emulator's request count
 * does not move); confirmations; and the keys create paths that are hard to reach from a subprocess.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import AddBinding from '../../../src/commands/iam/service-accounts/add-iam-policy-binding.js';
import Create from '../../../src/commands/iam/service-accounts/create.js';
import Delete from '../../../src/commands/iam/service-accounts/delete.js';
import Describe from '../../../src/commands/iam/service-accounts/describe.js';
import Disable from '../../../src/commands/iam/service-accounts/disable.js';
import Enable from '../../../src/commands/iam/service-accounts/enable.js';
import GetPolicy from '../../../src/commands/iam/service-accounts/get-iam-policy.js';
import KeysCreate, {createServiceAccountKey} from '../../../src/commands/iam/service-accounts/keys/create.js';
import KeysDelete from '../../../src/commands/iam/service-accounts/keys/delete.js';
import KeysList from '../../../src/commands/iam/service-accounts/keys/list.js';
import List from '../../../src/commands/iam/service-accounts/list.js';
import RemoveBinding from '../../../src/commands/iam/service-accounts/remove-iam-policy-binding.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import type {IamApi} from '../../../src/lib/api/iam.js';
import {GcauthError} from '../../../src/lib/errors.js';
import {fakeContext, scriptedPrompter} from '../../helpers/context.js';
import {tmpDir} from '../../helpers/emulator.js';
import {startActivatedEmulator} from '../../helpers/in-process-emulator.js';
import {snapshot} from '../../helpers/fs.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let configDir: string;
let env: Record<string, string>;
let files: string;
let project: string;
let sa: string;

beforeAll(async () => {
  // An active account with a cached token: any request a command made would reach the emulator and be counted.
  ({emu, configDir, env} = await startActivatedEmulator());
  project = emu.project;
  sa = `ci-pusher@${project}.iam.gserviceaccount.com`;
  files = tmpDir();
  writeFileSync(path.join(files, 'existing.json'), 'keep me');
  writeFileSync(path.join(files, 'a-file'), 'not a directory');
  mkdirSync(path.join(files, 'a-dir'));
});
afterAll(() => emu.close());

type Cmd = Parameters<typeof runCommand>[0];
const run = (Cmd: Cmd, argv: string[], options: {env?: Record<string, string>; interactive?: boolean; answers?: boolean[]} = {}) =>
  runCommand(Cmd, argv, {
    configDir,
    env: options.env ?? env,
    interactive: options.interactive,
    prompter: options.answers ? scriptedPrompter(options.answers) : undefined,
  });
const withProject = () => ({...env, GCAUTH_CORE_PROJECT: project});

const KEY_ID = '0123456789abcdef0123456789abcdef01234567';
const LONG = 'x'.repeat(101);
const f = (name: string) => path.join(files, name);

describe('bad input: exit 2, one ERROR line, empty stdout, no request', () => {
  const rows: Array<[string, Cmd, () => string[], RegExp, (() => Record<string, string>)?]> = [
    ['create: a short NAME', Create, () => ['a', `--project=${project}`], /^Invalid NAME \[a\]: it has 1 characters; expected 6 to 30/],
    ['create: upper case and _', Create, () => ['CI_Pusher', `--project=${project}`], /Did you mean ci-pusher\?$/],
    ['create: an email for NAME', Create, () => [sa, `--project=${project}`], /^Invalid NAME \[.*\]: NAME is the account id, not its email; .*Did you mean ci-pusher\?$/],
    ['create: a NAME ending in -', Create, () => ['ci-pusher-', `--project=${project}`], /it ends with a hyphen/],
    ['create: a NAME of 31 characters', Create, () => ['a'.repeat(31), `--project=${project}`], /it has 31 characters/],
    ['create: a display name over 100 bytes', Create, () => ['ci-pusher', `--project=${project}`, `--display-name=${LONG}`], /^Invalid --display-name \[x{101}\]: it has 101 bytes; expected at most 100\.$/],
    ['create: multi-byte display name over 100 bytes', Create, () => ['ci-pusher', `--project=${project}`, `--display-name=${'é'.repeat(51)}`], /it has 102 bytes/],
    ['create: a description over 256 bytes', Create, () => ['ci-pusher', `--project=${project}`, `--description=${'d'.repeat(257)}`], /^Invalid --description .*expected at most 256\.$/],
    ['create: no project', Create, () => ['ci-pusher'], /required property \[project\] is not currently set/],
    ['create: a project name for its id', Create, () => ['ci-pusher', '--project=My Project'], /My Project/],
    ['create: no NAME', Create, () => [`--project=${project}`], /^argument NAME: Must be specified\.$/],
    ['create: an unknown flag', Create, () => ['ci-pusher', `--project=${project}`, '--nope'], /^unrecognized arguments: --nope$/],
    ['list: no project', List, () => [], /required property \[project\] is not currently set/],
    ['list: a bad --format', List, () => ['--format=xml'], /^Invalid --format \[xml\]/, withProject],
    ['describe: an account id for EMAIL', Describe, () => ['ci-pusher'], /^Invalid EMAIL \[ci-pusher\]: expected .*Did you mean ci-pusher@PROJECT_ID\.iam\.gserviceaccount\.com\?$/],
    ['describe: the suggestion uses the project', Describe, () => ['ci-pusher'], new RegExp(`Did you mean ci-pusher@${'demo-project'}\\.iam`), withProject],
    ['describe: a member prefix', Describe, () => [`serviceAccount:${sa}`], /without a member prefix.*Did you mean ci-pusher@/],
    ['describe: no EMAIL', Describe, () => [], /^argument [A-Z_]+: Must be specified\.$/],
    ['delete: a bad EMAIL', Delete, () => ['nope', '-q'], /^Invalid EMAIL \[nope\]/],
    ['delete: no terminal and no --quiet', Delete, () => [sa], /^Deleting service account \[.*\] needs a confirmation, and there is no terminal to ask on: pass --quiet/],
    ['disable: a bad EMAIL', Disable, () => ['user:a@b.com'], /^Invalid EMAIL \[user:a@b\.com\]/],
    ['enable: whitespace in EMAIL', Enable, () => [` ${sa}`], /^Invalid EMAIL \[ ci-pusher@.*Did you mean ci-pusher@/],
    ['get-iam-policy: a bad EMAIL', GetPolicy, () => ['x'], /^Invalid EMAIL \[x\]/],
    ['add-iam-policy-binding: a bad EMAIL', AddBinding, () => ['x', '--member=user:a@example.com', '--role=roles/viewer'], /^Invalid EMAIL \[x\]/],
    ['add-iam-policy-binding: a bad member', AddBinding, () => [sa, '--member=a@example.com', '--role=roles/iam.serviceAccountUser'], /^Invalid --member \[a@example\.com\]: a member needs a type prefix.*Did you mean user:a@example\.com\?$/],
    ['add-iam-policy-binding: a bad role', AddBinding, () => [sa, '--member=user:a@example.com', '--role=iam.serviceAccountUser'], /^Invalid --role \[iam\.serviceAccountUser\].*Did you mean roles\/iam\.serviceAccountUser\?$/],
    ['add-iam-policy-binding: no --member', AddBinding, () => [sa, '--role=roles/viewer'], /^argument --member: Must be specified\.$/],
    ['add-iam-policy-binding: a basic role with a condition', AddBinding, () => [sa, '--member=user:a@example.com', '--role=roles/editor', '--condition=expression=true,title=t'], /^Binding with a condition and a basic /],
    ['add-iam-policy-binding: a condition without a title', AddBinding, () => [sa, '--member=user:a@example.com', '--role=roles/iam.serviceAccountUser', '--condition=expression=true'], /title/],
    ['remove-iam-policy-binding: a bad EMAIL', RemoveBinding, () => ['x', '--member=user:a@example.com', '--role=roles/viewer'], /^Invalid EMAIL \[x\]/],
    ['remove-iam-policy-binding: --all with --condition', RemoveBinding, () => [sa, '--member=user:a@example.com', '--role=roles/iam.serviceAccountUser', '--all', '--condition=expression=true,title=t'], /--all/],
    ['keys create: a bad --iam-account', KeysCreate, () => [f('new.json'), '--iam-account=ci-pusher'], /^Invalid --iam-account \[ci-pusher\]/],
    ['keys create: no --iam-account', KeysCreate, () => [f('new.json')], /^argument --iam-account: Must be specified\.$/],
    ['keys create: no FILE', KeysCreate, () => [`--iam-account=${sa}`], /^argument [A-Z_-]+: Must be specified\.$/],
    ['keys create: an unknown --key-file-type', KeysCreate, () => [f('new.json'), `--iam-account=${sa}`, '--key-file-type=pem'], /^argument --key-file-type: Invalid choice: 'pem'\. Valid choices are \[json, p12\]\.$/],
    ['keys create: an existing FILE', KeysCreate, () => [f('existing.json'), `--iam-account=${sa}`], /^\[.*existing\.json\] exists already: pass --overwrite to replace it, or choose another path\.$/],
    ['keys create: FILE is a directory', KeysCreate, () => [f('a-dir'), `--iam-account=${sa}`, '--overwrite'], /^\[.*a-dir\] is a directory: give the path of the key file to create, such as .*a-dir\/key\.json\.$/],
    ['keys create: a parent that is a file', KeysCreate, () => [path.join(f('a-file'), 'sub', 'key.json'), `--iam-account=${sa}`], /^Cannot create \[.*\]: \[.*a-file\] is not a directory\.$/],
    ['keys create: p12 to stdout', KeysCreate, () => ['-', `--iam-account=${sa}`, '--key-file-type=p12'], /^A p12 key is binary/],
    ['keys list: a bad --iam-account', KeysList, () => ['--iam-account=12ab'], /^Invalid --iam-account \[12ab\]/],
    ['keys list: an unknown --managed-by', KeysList, () => [`--iam-account=${sa}`, '--managed-by=google'], /^argument --managed-by: Invalid choice: 'google'\. Valid choices are \[user, system\]\.$/],
    ['keys delete: a short KEY_ID', KeysDelete, () => ['abc123', `--iam-account=${sa}`, '-q'], /^Invalid KEY_ID \[abc123\]: it has 6 characters; expected 40 lower-case hexadecimal/],
    ['keys delete: a resource name for KEY_ID', KeysDelete, () => [`projects/p/serviceAccounts/${sa}/keys/${KEY_ID}`, `--iam-account=${sa}`, '-q'], new RegExp(`not its resource name.*Did you mean ${KEY_ID}\\?$`)],
    ['keys delete: a bad --iam-account', KeysDelete, () => [KEY_ID, '--iam-account=x y', '-q'], /^Invalid --iam-account \[x y\]/],
    ['keys delete: no terminal and no --quiet', KeysDelete, () => [KEY_ID, `--iam-account=${sa}`], /^Deleting key \[0123.*\] for service account \[.*\] needs a confirmation.*pass --quiet/],
  ];

  const table = rows.map(([name, Cmd, argv, message, envOf]) => ({name, Cmd, argv, message, envOf}));
  test.each(table)('$name', async ({Cmd, argv, message, envOf}) => {
    const before = snapshot(files);
    const requests = emu.stats().total;
    const result = await run(Cmd, argv(), {env: envOf?.()});
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR: [^\n]+\n$/);
    expect(result.stderr.slice('ERROR: '.length, -1)).toMatch(message);
    expect(result.code).toBe(2);
    expect(emu.stats().total).toBe(requests);
    expect(snapshot(files)).toEqual(before);
  });
});

describe('against the emulator', () => {
  const userKeysOf = (email: string) => Object.values(emu.state.serviceAccount(email)?.keys ?? {}).filter((k) => k.keyType === 'USER_MANAGED');

  test('create: stderr names the account, stdout is empty by default and the account under --format', async () => {
    expect(await run(Create, ['cmd-created', `--project=${project}`, '--display-name=Made here'])).toEqual({
      stdout: '',
      stderr: 'Created service account [cmd-created].\n',
      code: 0,
    });
    const json = await run(Create, ['cmd-created-2', `--project=${project}`, '--format=json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({email: `cmd-created-2@${project}.iam.gserviceaccount.com`, projectId: project});
    expect((await run(Create, ['cmd-created-3', '--format=value(email)'], {env: withProject()})).stdout).toBe(`cmd-created-3@${project}.iam.gserviceaccount.com\n`);
  });

  test('create: an account that exists is a conflict, exit 1', async () => {
    await run(Create, ['cmd-twice', `--project=${project}`]);
    const again = await run(Create, ['cmd-twice', `--project=${project}`]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^ERROR: Project \[demo-project\]: ALREADY_EXISTS: .*\n$/);
  });

  test('list follows every page', async () => {
    const other = 'many-accounts';
    emu.state.createProject(other);
    emu.state.addBinding(other, 'roles/owner', `serviceAccount:${emu.ownerEmail}`);
    for (let i = 0; i < 105; i++) emu.state.createServiceAccount(other, `bulk-${String(i).padStart(3, '0')}`, {displayName: `Bulk ${i}`});
    const result = await run(List, [`--project=${other}`, '--format=value(email)']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(105);
    const table = await run(List, [`--project=${other}`]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DISPLAY NAME {2,}EMAIL {2,}DISABLED$/);
    expect(lines[1]).toMatch(new RegExp(`^Bulk 0 {2,}bulk-000@${other}\\.iam\\.gserviceaccount\\.com {2}False$`));
    expect(lines).toHaveLength(106);
  });

  test('list: an empty project says so on stderr', async () => {
    emu.state.createProject('empty-project');
    emu.state.addBinding('empty-project', 'roles/owner', `serviceAccount:${emu.ownerEmail}`);
    expect(await run(List, ['--project=empty-project'])).toEqual({stdout: '', stderr: 'Listed 0 items.\n', code: 0});
    expect(await run(List, ['--project=empty-project', '--format=json'])).toEqual({stdout: '[]\n', stderr: '', code: 0});
  });

  test('describe: YAML, keys in alphabetical order', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const result = await run(Describe, [email]);
    expect(result.code).toBe(0);
    const keys = result.stdout.split('\n').filter((l) => /^\w+:/.test(l)).map((l) => l.split(':')[0]);
    expect(keys).toEqual([...keys].sort());
    expect(result.stdout).toContain(`email: ${email}\n`);
    expect(result.stdout).toContain('displayName: Made here\n');
  });

  test('describe: an account that does not exist, exit 1 (IAM answers 403 for it, as for one the caller may not see)', async () => {
    const result = await run(Describe, [`ghost-account@${project}.iam.gserviceaccount.com`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR: .* permission iam\.serviceAccounts\.get on service account \[ghost-account@.*\]/);
  });

  test('delete asks on a terminal: no keeps the account (exit 130), yes deletes it', async () => {
    emu.state.createServiceAccount(project, 'cmd-doomed');
    const email = `cmd-doomed@${project}.iam.gserviceaccount.com`;
    const prompter = scriptedPrompter([false]);
    const declined = await runCommand(Delete, [email], {configDir, env, interactive: true, prompter});
    expect(prompter.asked).toEqual(['Do you want to continue?']);
    expect(declined).toEqual({
      stdout: '',
      stderr: `You are about to delete service account [${email}].\n\nERROR: Aborted: service account [${email}] was not deleted.\n`,
      code: 130,
    });
    expect(emu.state.serviceAccount(email)).toBeDefined();
    const accepted = await run(Delete, [email], {interactive: true, answers: [true]});
    expect(accepted).toEqual({stdout: '', stderr: `You are about to delete service account [${email}].\n\ndeleted service account [${email}]\n`, code: 0});
    expect(emu.state.serviceAccount(email)).toBeUndefined();
  });

  test('delete -q asks nothing, even on a terminal', async () => {
    emu.state.createServiceAccount(project, 'cmd-doomed-2');
    const email = `cmd-doomed-2@${project}.iam.gserviceaccount.com`;
    expect(await run(Delete, [email, '-q'], {interactive: true, answers: []})).toEqual({stdout: '', stderr: `deleted service account [${email}]\n`, code: 0});
    expect(emu.state.serviceAccount(email)).toBeUndefined();
  });

  test('disable and enable', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    expect(await run(Disable, [email])).toEqual({stdout: '', stderr: `Disabled service account [${email}].\n`, code: 0});
    expect(emu.state.serviceAccount(email)?.disabled).toBe(true);
    expect(await run(Enable, [email])).toEqual({stdout: '', stderr: `Enabled service account [${email}].\n`, code: 0});
    expect(emu.state.serviceAccount(email)?.disabled).toBeFalsy();
  });

  test('keys create -: the key file on stdout, verbatim, and the status line on stderr', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const result = await run(KeysCreate, ['-', `--iam-account=${email}`]);
    expect(result.code).toBe(0);
    const key = JSON.parse(result.stdout) as {client_email: string; private_key_id: string; type: string};
    expect(key).toMatchObject({type: 'service_account', client_email: email});
    expect(result.stderr).toBe(`created key [${key.private_key_id}] of type [json] as [-] for [${email}]\n`);
  });

  test('keys create into a missing directory makes it 0700 and the file 0600', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const target = path.join(files, 'new-dir', 'deeper', 'key.json');
    const result = await run(KeysCreate, [target, `--iam-account=${email}`]);
    expect(result.code).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(target)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(files, 'new-dir')).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(target))).toEqual(['key.json']);
  });

  test('keys create --overwrite replaces a file and makes it 0600', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const target = path.join(files, 'replace-me.json');
    writeFileSync(target, 'old', {mode: 0o644});
    const result = await run(KeysCreate, [target, `--iam-account=${email}`, '--overwrite']);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({client_email: email});
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  test('keys create: p12 is refused by the API, and leaves no file', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const target = path.join(files, 'key.p12');
    const result = await run(KeysCreate, [target, `--iam-account=${email}`, '--key-file-type=p12']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR: [^\n]+\n$/);
    expect(existsSync(target)).toBe(false);
  });

  describe('keys create: a write that fails after the key exists deletes the key again', () => {
    const email = () => `cmd-racer@${project}.iam.gserviceaccount.com`;
    beforeAll(() => {
      emu.state.createServiceAccount(project, 'cmd-racer');
    });

    /** A context whose IAM client lets `meanwhile` run after the key is created and before it is written. */
    async function racingContext(meanwhile: () => void, deleteFails = false) {
      const fake = await fakeContext({configDir, env});
      const real = await fake.ctx.api.iam();
      const racing = Object.create(real) as IamApi;
      racing.createKey = async (...args) => {
        const key = await real.createKey(...args);
        meanwhile();
        return key;
      };
      if (deleteFails) {
        racing.deleteKey = async () => {
          throw new GcauthError('the emulator went away');
        };
      }
      fake.ctx.api = {...fake.ctx.api, iam: async () => racing};
      return fake.ctx;
    }

    test('FILE appeared meanwhile: it is left alone, no temp file remains, the key is gone', async () => {
      const target = path.join(files, 'raced.json');
      const ctx = await racingContext(() => writeFileSync(target, 'written by someone else'));
      const error = await createServiceAccountKey({file: target, iamAccount: email(), keyFileType: 'json', overwrite: false}, ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcauthError);
      expect((error as GcauthError).message).toMatch(
        new RegExp(`^Could not write the key to \\[${target}\\]: EEXIST: .*\\. Key \\[[0-9a-f]{40}\\] was deleted again, so no unused key is left behind\\.$`),
      );
      expect(readFileSync(target, 'utf8')).toBe('written by someone else');
      expect(readdirSync(files).filter((n) => n.startsWith('raced.json'))).toEqual(['raced.json']);
      expect(userKeysOf(email())).toEqual([]);
    });

    test('when deleting it fails too, the message says so and the hint gives the command', async () => {
      const target = path.join(files, 'raced-2.json');
      const ctx = await racingContext(() => writeFileSync(target, 'x'), true);
      const error = (await createServiceAccountKey({file: target, iamAccount: email(), keyFileType: 'json', overwrite: false}, ctx).catch((e: unknown) => e)) as GcauthError;
      const [key] = userKeysOf(email());
      expect(key).toBeDefined();
      expect(error.message).toMatch(new RegExp(`EEXIST: .*\\. Key \\[${key!.keyId}\\] could not be deleted again \\(the emulator went away\\)\\.$`));
      expect(error.hint).toBe(`Delete it with: gcauth iam service-accounts keys delete ${key!.keyId} --iam-account=${email()}`);
      expect(error.exitCode).toBe(1);
    });
  });

  test('keys list: the table, --managed-by, and Listed 0 items', async () => {
    emu.state.createServiceAccount(project, 'cmd-keys');
    const email = `cmd-keys@${project}.iam.gserviceaccount.com`;
    expect(await run(KeysList, [`--iam-account=${email}`, '--managed-by=user'])).toEqual({stdout: '', stderr: 'Listed 0 items.\n', code: 0});
    const created = await run(KeysCreate, ['-', `--iam-account=${email}`]);
    const keyId = (JSON.parse(created.stdout) as {private_key_id: string}).private_key_id;
    const user = await run(KeysList, [`--iam-account=${email}`, '--managed-by=user']);
    expect(user.stdout).toMatch(new RegExp(`^KEY_ID {2,}CREATED_AT {2,}EXPIRES_AT {2,}DISABLED {2}DISABLE_REASON {2}EXTENDED_STATUS\\n${keyId} {2}\\d{4}-\\d\\d-\\d\\dT[^ ]+Z {2}\\d{4}-[^ ]+Z\\n$`));
    const json = JSON.parse((await run(KeysList, [`--iam-account=${email}`, '--format=json'])).stdout) as Array<{name: string; keyType: string}>;
    expect(json.map((k) => k.keyType).sort()).toEqual(['USER_MANAGED']);
  });

  test('keys delete: confirms on a terminal, -q does not', async () => {
    emu.state.createServiceAccount(project, 'cmd-keys-del');
    const email = `cmd-keys-del@${project}.iam.gserviceaccount.com`;
    const keyOf = async () => (JSON.parse((await run(KeysCreate, ['-', `--iam-account=${email}`])).stdout) as {private_key_id: string}).private_key_id;
    const first = await keyOf();
    const declined = await run(KeysDelete, [first, `--iam-account=${email}`], {interactive: true, answers: [false]});
    expect(declined.code).toBe(130);
    expect(userKeysOf(email)).toHaveLength(1);
    const accepted = await run(KeysDelete, [first, `--iam-account=${email}`], {interactive: true, answers: [true]});
    expect(accepted).toEqual({
      stdout: '',
      stderr: `You are about to delete key [${first}] for service account [${email}].\n\ndeleted key [${first}] for service account [${email}]\n`,
      code: 0,
    });
    const second = await keyOf();
    expect(await run(KeysDelete, [second, `--iam-account=${email}`, '-q'])).toEqual({stdout: '', stderr: `deleted key [${second}] for service account [${email}]\n`, code: 0});
    expect(userKeysOf(email)).toEqual([]);
    const gone = await run(KeysDelete, [second, `--iam-account=${email}`, '-q']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^ERROR: Key \[.*\] of service account \[.*\] was not found: /);
  });

  test('add-, get- and remove-iam-policy-binding on the account', async () => {
    const email = `cmd-created@${project}.iam.gserviceaccount.com`;
    const args = [email, '--member=user:ana@example.com', '--role=roles/iam.serviceAccountTokenCreator'];
    const added = await run(AddBinding, args);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe(`Updated IAM policy for serviceAccount [${email}].\n`);
    expect(added.stdout).toMatch(/^bindings:\n- members:\n  - user:ana@example\.com\n  role: roles\/iam\.serviceAccountTokenCreator\netag: \S+\nversion: 1\n$/);
    const again = await run(AddBinding, args);
    expect(again.stderr).toBe(`[user:ana@example.com] already has [roles/iam.serviceAccountTokenCreator] on service account [${email}]; the policy was not written.\n`);
    expect((await run(GetPolicy, [email])).stdout).toBe(added.stdout);
    const removed = await run(RemoveBinding, args);
    expect(removed.code).toBe(0);
    expect(removed.stdout).not.toContain('ana@example.com');
  });
});
