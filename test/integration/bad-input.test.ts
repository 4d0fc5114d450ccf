import {generateKeyPairSync} from 'node:crypto';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {snapshot} from '../helpers/fs.js';

let emu: EmulatorProcess;
let config: string;
let env: Record<string, string>;
let keys: string;

beforeAll(async () => {
  emu = await startEmulatorProcess();
  config = tmpDir();
  env = emulatorEnv(emu.url, config);
  // A config dir with something in it: an activated account and a cached token.
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  keys = tmpDir();
  const good = readKeyFile(emu.ownerKeyFile) as unknown as Record<string, unknown>;
  const otherPem = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const files: Record<string, string> = {
    'not-json.json': '{"type": "service_account",',
    'empty.json': '',
    'wrong-type.json': JSON.stringify({...good, type: 'authorized_user'}),
    'missing-field.json': JSON.stringify({...good, client_email: undefined}),
    'garbage-key.json': JSON.stringify({...good, private_key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n'}),
    'ec-key.json': JSON.stringify({...good, private_key: otherPem}),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(keys, name), text);
  mkdirSync(path.join(keys, 'a-directory'));
});
afterAll(() => emu.stop());


const k = (name: string) => path.join(keys, name);

test.each([
  ['not JSON', () => [`--key-file=${k('not-json.json')}`], /^ERROR: Key file \[.*not-json\.json\] is not valid JSON \(at character \d+\)\.$/],
  ['empty', () => [`--key-file=${k('empty.json')}`], /^ERROR: Key file \[.*empty\.json\] is empty\.$/],
  ['wrong type', () => [`--key-file=${k('wrong-type.json')}`], /^ERROR: Key file .* has type \[authorized_user\]; expected a service-account key/],
  ['a missing field', () => [`--key-file=${k('missing-field.json')}`], /^ERROR: Key file .* lacks required field\(s\): client_email\.$/],
  ['a garbage private key', () => [`--key-file=${k('garbage-key.json')}`], /^ERROR: Key file .* has a private_key that cannot be read: /],
  ['a non-RSA private key', () => [`--key-file=${k('ec-key.json')}`], /^ERROR: Key file .* has a private_key that cannot be read: a ec key, expected RSA\.$/],
  ['a missing file', () => [`--key-file=${k('nope.json')}`], /^ERROR: Unable to read key file \[.*nope\.json\]: no such file\.$/],
  ['a directory', () => [`--key-file=${k('a-directory')}`], /^ERROR: Unable to read key file \[.*a-directory\]: it is a directory\.$/],
  [
    'an ACCOUNT mismatch',
    () => ['someone-else@demo-project.iam.gserviceaccount.com', `--key-file=${emu.ownerKeyFile}`],
    /^ERROR: The account \[someone-else@demo-project\.iam\.gserviceaccount\.com\] does not match the key file's client_email/,
  ],
  ['no --key-file', () => [], /^ERROR: argument --key-file: Must be specified\.$/m],
  ['an unknown flag', () => [`--key-file=${emu.ownerKeyFile}`, '--bogus'], /^ERROR: unrecognized arguments: --bogus$/m],
])('activate-service-account with %s: exit 2, one line, config dir untouched', async (_name, args, message) => {
  const before = snapshot(config);
  await emu.resetStats();
  const result = await runCli(['auth', 'activate-service-account', ...args()], {env});
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(snapshot(config)).toEqual(before);
  // validation happens before any network call
  expect((await emu.stats()).total).toBe(0);
});

test.each([
  ['a bad --format', ['auth', 'print-access-token', '--format=xml'], 2, /^ERROR: Invalid --format \[xml\]: expected json, yaml, none/],
  ['a bad --verbosity', ['auth', 'list', '--verbosity=loud'], 2, /^ERROR: argument --verbosity: Invalid choice: 'loud'\. Valid choices are \[debug, info, warning, error, critical, none\]\.$/m],
  ['an unknown command', ['auth', 'frobnicate'], 2, /^ERROR: /],
  ['an unknown account to revoke', ['auth', 'revoke', 'ghost@x.iam.gserviceaccount.com'], 1, /^ERROR: Unknown account \[ghost@x\.iam\.gserviceaccount\.com\]/],
  ['a bad token_host in env', ['auth', 'print-access-token', '--scopes=devstorage.read_only'], 2, /^ERROR: Invalid value for property \[auth\/token_host\] \(from GCAUTH_AUTH_TOKEN_HOST\): "not a url"/],
])('%s: one clear line, non-zero exit, nothing changed', async (name, args, code, message) => {
  const before = snapshot(config);
  const extra = name.includes('token_host') ? {GCAUTH_AUTH_TOKEN_HOST: 'not a url'} : {};
  const result = await runCli(args, {env: {...env, ...extra}});
  expect(result.exitCode).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(snapshot(config)).toEqual(before);
});

// gcloud's argparse wording, one line each, with the likely command or flag where one is close.
test.each([
  ['help for an unknown command', ['help', 'nope'], "ERROR: Invalid choice: 'nope'. See: gcauth help"],
  ['help for a mistyped command', ['help', 'atuh', 'list'], "ERROR: Invalid choice: 'atuh'. Maybe you meant: gcauth help auth list"],
  ['a mistyped topic', ['atuh', 'list'], "ERROR: Invalid choice: 'atuh'. Maybe you meant: gcauth auth list"],
  ['a mistyped command', ['config', 'configurations', 'activte', 'dev'], "ERROR: Invalid choice: 'activte'. Maybe you meant: gcauth config configurations activate"],
  ['an unknown command in a topic', ['iam', 'service-accounts', 'nope'], "ERROR: Invalid choice: 'nope'. See: gcauth help iam service-accounts"],
  ['a mistyped flag', ['auth', 'list', '--formt=json'], "ERROR: unrecognized arguments: --formt=json (did you mean '--format'?)"],
  ['an unknown flag', ['auth', 'list', '--bogus'], 'ERROR: unrecognized arguments: --bogus'],
  ['an extra argument', ['config', 'configurations', 'list', 'extra'], 'ERROR: unrecognized arguments: extra'],
  ['a missing flag', ['iam', 'service-accounts', 'keys', 'create', 'k.json'], 'ERROR: argument --iam-account: Must be specified.'],
  ['a missing argument', ['config', 'set', 'project'], 'ERROR: argument VALUE: Must be specified.'],
  ['two missing arguments', ['config', 'set'], 'ERROR: argument PROPERTY VALUE: Must be specified.'],
])('%s: exactly one ERROR line in gcloud\'s wording, exit 2', async (_name, args, line) => {
  const before = snapshot(config);
  const result = await runCli(args, {env});
  expect(result.stderr).toBe(`${line}\n`);
  expect(result.stdout).toBe('');
  expect(result.exitCode).toBe(2);
  expect(snapshot(config)).toEqual(before);
});

test('a project name where its ID belongs is refused, as gcloud refuses it, and nothing is written', async () => {
  const before = snapshot(config);
  const result = await runCli(['config', 'set', 'project', 'Bad Project!'], {env});
  expect(result.stderr).toMatch(/^ERROR: Invalid value for property \[core\/project\]: "Bad Project!": this looks like a project name, not its ID; expected a project ID[^\n]*\n$/);
  expect(result.exitCode).toBe(2);
  expect(snapshot(config)).toEqual(before);
});

test('a bad value stored in a configuration can be repaired with config set', async () => {
  const dir = tmpDir();
  mkdirSync(path.join(dir, 'configurations'), {recursive: true});
  writeFileSync(path.join(dir, 'configurations', 'config_default'), '[core]\nverbosity = loud\ndisable_prompts = maybe\n\n[auth]\ntoken_host = nowhere\n');
  // Commands that do not need the bad values still run...
  expect((await runCli(['auth', 'list'], {env: {GCAUTH_CONFIG: dir}})).exitCode).toBe(0);
  const broken = await runCli(['config', 'get', 'auth/token_host'], {env: {GCAUTH_CONFIG: dir}});
  expect(broken.exitCode).toBe(2);
  expect(broken.stderr).toMatch(/^ERROR: Invalid value for property \[auth\/token_host\] \(in configuration \[default\]\): "nowhere"/);
  // ...and config set repairs them.
  for (const [key, value] of [['verbosity', 'info'], ['disable_prompts', 'true'], ['auth/token_host', `${emu.url}/token`]]) {
    const fixed = await runCli(['config', 'set', key!, value!], {env: {GCAUTH_CONFIG: dir}});
    expect(fixed.exitCode).toBe(0);
  }
  expect(readFileSync(path.join(dir, 'configurations', 'config_default'), 'utf8')).toContain(`token_host = ${emu.url}/token`);
});

test('a damaged active_config falls back to default with a warning instead of locking gcauth', async () => {
  const dir = tmpDir();
  writeFileSync(path.join(dir, 'active_config'), 'Bad_Name');
  const list = await runCli(['auth', 'list', '--format=json'], {env: {GCAUTH_CONFIG: dir}});
  expect(list.exitCode).toBe(0);
  expect(list.stdout).toBe('[]\n');
  expect(list.stderr.split('\n')[0]).toBe(`WARNING: ${path.join(dir, 'active_config')} names an invalid configuration [Bad_Name]; using [default]. Fix it with: gcauth config configurations activate NAME`);
  const fixed = await runCli(['config', 'configurations', 'activate', 'default'], {env: {GCAUTH_CONFIG: dir}});
  expect(fixed.exitCode).toBe(0);
  expect(readFileSync(path.join(dir, 'active_config'), 'utf8')).toBe('default');
});
