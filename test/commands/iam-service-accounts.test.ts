/**
 * The `iam service-accounts` command classes through oclif's parser, against an in-process emulator:
 * bad input fails with one ERROR line and exit 2 before any request (the emulator's request count
 * does not move); confirmations; and the keys create paths that are hard to reach from a subprocess.
 */
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import AddBinding from '../../src/commands/iam/service-accounts/add-iam-policy-binding.js';
import Create from '../../src/commands/iam/service-accounts/create.js';
import Delete from '../../src/commands/iam/service-accounts/delete.js';
import Describe from '../../src/commands/iam/service-accounts/describe.js';
import Disable from '../../src/commands/iam/service-accounts/disable.js';
import Enable from '../../src/commands/iam/service-accounts/enable.js';
import GetPolicy from '../../src/commands/iam/service-accounts/get-iam-policy.js';
import KeysCreate, {createServiceAccountKey} from '../../src/commands/iam/service-accounts/keys/create.js';
import KeysDelete from '../../src/commands/iam/service-accounts/keys/delete.js';
import KeysList from '../../src/commands/iam/service-accounts/keys/list.js';
import List from '../../src/commands/iam/service-accounts/list.js';
import RemoveBinding from '../../src/commands/iam/service-accounts/remove-iam-policy-binding.js';
import ActivateServiceAccount from '../../src/commands/auth/activate-service-account.js';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import type {IamApi} from '../../src/lib/api/iam.js';
import {GcauthError} from '../../src/lib/errors.js';
import {fakeContext, scriptedPrompter} from '../helpers/context.js';
import {tmpDir} from '../helpers/emulator.js';
import {snapshot} from '../helpers/fs.js';
import {runCommand} from '../helpers/run-command.js';

let emu: RunningEmulator;
let configDir: string;
let env: Record<string, string>;
let files: string;
let project: string;
let sa: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  project = emu.project;
  configDir = tmpDir();
  env = {
    GCAUTH_AUTH_TOKEN_HOST: `${emu.url}/token`,
    GCAUTH_API_ENDPOINT_OVERRIDES_IAM: `${emu.url}/iam/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: `${emu.url}/cloudresourcemanager/`,
  };
  // An active account with a cached token: any request a command made would reach the emulator and be counted.
  expect((await runCommand(ActivateServiceAccount, [`--key-file=${emu.ownerKeyFile}`], {configDir, env})).code).toBe(0);
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
    ['create: no NAME', Create, () => [`--project=${project}`], /Missing 1 required arg/],
    ['create: an unknown flag', Create, () => ['ci-pusher', `--project=${project}`, '--nope'], /Nonexistent flag: --nope/],
    ['list: no project', List, () => [], /required property \[project\] is not currently set/],
    ['list: a bad --format', List, () => ['--format=xml'], /^Invalid --format \[xml\]/, withProject],
    ['describe: an account id for EMAIL', Describe, () => ['ci-pusher'], /^Invalid EMAIL \[ci-pusher\]: expected .*Did you mean ci-pusher@PROJECT_ID\.iam\.gserviceaccount\.com\?$/],
    ['describe: the suggestion uses the project', Describe, () => ['ci-pusher'], new RegExp(`Did you mean ci-pusher@${'demo-project'}\\.iam`), withProject],
    ['describe: a member prefix', Describe, () => [`serviceAccount:${sa}`], /without a member prefix.*Did you mean ci-pusher@/],
    ['describe: no EMAIL', Describe, () => [], /Missing 1 required arg/],
    ['delete: a bad EMAIL', Delete, () => ['nope', '-q'], /^Invalid EMAIL \[nope\]/],
    ['delete: no terminal and no --quiet', Delete, () => [sa], /^Deleting service account \[.*\] needs a confirmation, and there is no terminal to ask on: pass --quiet/],
    ['disable: a bad EMAIL', Disable, () => ['user:a@b.com'], /^Invalid EMAIL \[user:a@b\.com\]/],
    ['enable: whitespace in EMAIL', Enable, () => [` ${sa}`], /^Invalid EMAIL \[ ci-pusher@.*Did you mean ci-pusher@/],
    ['get-iam-policy: a bad EMAIL', GetPolicy, () => ['x'], /^Invalid EMAIL \[x\]/],
    ['add-iam-policy-binding: a bad EMAIL', AddBinding, () => ['x', '--member=user:a@example.com', '--role=roles/viewer'], /^Invalid EMAIL \[x\]/],
    ['add-iam-policy-binding: a bad member', AddBinding, () => [sa, '--member=a@example.com', '--role=roles/iam.serviceAccountUser'], /^Invalid --member \[a@example\.com\]: a member needs a type prefix.*Did you mean user:a@example\.com\?$/],
    ['add-iam-policy-binding: a bad role', AddBinding, () => [sa, '--member=user:a@example.com', '--role=iam.serviceAccountUser'], /^Invalid --role \[iam\.serviceAccountUser\].*Did you mean roles\/iam\.serviceAccountUser\?$/],
    ['add-iam-policy-binding: no --member', AddBinding, () => [sa, '--role=roles/viewer'], /Missing required flag member/],
    ['add-iam-policy-binding: a basic role with a condition', AddBinding, () => [sa, '--member=user:a@example.com', '--role=roles/editor', '--condition=expression=true,title=t'], /^Binding with a condition and a basic /],
    ['add-iam-policy-binding: a condition without a title', AddBinding, () => [sa, '--member=user:a@example.com', '--role=roles/iam.serviceAccountUser', '--condition=expression=true'], /title/],
    ['remove-iam-policy-binding: a bad EMAIL', RemoveBinding, () => ['x', '--member=user:a@example.com', '--role=roles/viewer'], /^Invalid EMAIL \[x\]/],
    ['remove-iam-policy-binding: --all with --condition', RemoveBinding, () => [sa, '--member=user:a@example.com', '--role=roles/iam.serviceAccountUser', '--all', '--condition=expression=true,title=t'], /--all/],
    ['keys create: a bad --iam-account', KeysCreate, () => [f('new.json'), '--iam-account=ci-pusher'], /^Invalid --iam-account \[ci-pusher\]/],
    ['keys create: no --iam-account', KeysCreate, () => [f('new.json')], /Missing required flag iam-account/],
    ['keys create: no FILE', KeysCreate, () => [`--iam-account=${sa}`], /Missing 1 required arg/],
    ['keys create: an unknown --key-file-type', KeysCreate, () => [f('new.json'), `--iam-account=${sa}`, '--key-file-type=pem'], /Expected --key-file-type=pem to be one of: json, p12/],
    ['keys create: an existing FILE', KeysCreate, () => [f('existing.json'), `--iam-account=${sa}`], /^\[.*existing\.json\] exists already: pass --overwrite to replace it, or choose another path\.$/],
    ['keys create: FILE is a directory', KeysCreate, () => [f('a-dir'), `--iam-account=${sa}`, '--overwrite'], /^\[.*a-dir\] is a directory: give the path of the key file to create, such as .*a-dir\/key\.json\.$/],
    ['keys create: a parent that is a file', KeysCreate, () => [path.join(f('a-file'), 'sub', 'key.json'), `--iam-account=${sa}`], /^Cannot create \[.*\]: \[.*a-file\] is not a directory\.$/],
    ['keys create: p12 to stdout', KeysCreate, () => ['-', `--iam-account=${sa}`, '--key-file-type=p12'], /^A p12 key is binary/],
    ['keys list: a bad --iam-account', KeysList, () => ['--iam-account=12ab'], /^Invalid --iam-account \[12ab\]/],
    ['keys list: an unknown --managed-by', KeysList, () => [`--iam-account=${sa}`, '--managed-by=google'], /Expected --managed-by=google to be one of: user, system/],
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

  const asRoot = process.getuid?.() === 0;
  (asRoot ? test.skip : test)('keys create: a directory that cannot be written (skipped as root, who may write anywhere)', async () => {
    const locked = path.join(files, 'locked');
    mkdirSync(locked, {mode: 0o500});
    try {
      const requests = emu.stats().total;
      const result = await run(KeysCreate, [path.join(locked, 'new', 'key.json'), `--iam-account=${sa}`]);
      expect(result).toEqual({stdout: '', stderr: `ERROR: Cannot create [${path.join(locked, 'new', 'key.json')}]: directory [${locked}] is not writable. Choose another path.\n`, code: 2});
      expect(emu.stats().total).toBe(requests);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
