/**
 * The built CLI and credential helper on a config dir that cannot be written: a read-only tmpfs (as a hardened
 * container's home), a full one, one the user may not write, and one holding the temp files of writers that were
 * killed mid-write. Each refusal is one line at once, never a crash, and leaves no file half-written or behind.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, readdirSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {AS_ROOT, nobodyProblem, restrictedCommand} from '../helpers/as-nobody.js';
import {emulatorEnv, runCli, runHelper} from '../helpers/cli.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {fillDisk, mountTmpfs, remountTmpfs, snapshot, tmpfsProblem, unmount} from '../helpers/fs.js';
import {sayWhySkipped} from '../helpers/skip.js';
import {expireCachedTokens} from '../helpers/sandbox.js';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess();
});
afterAll(() => emu.stop());

/** A command that cannot write must say so at once: the lock once retried a refusing mkdir for ~48 s. */
const PROMPT_MS = 5000;

const readOnly = (dir: string) => `Cannot write in [${dir}]: it is on a read-only file system. Set GCAUTH_CONFIG to a writable directory, or use a writable home.`;
const diskFull = (file: string) => `Cannot write [${file}]: the disk is full. It was left as it was; free some space and run the command again.`;

/** The environment of a config dir, with no metadata server to probe. */
const envOf = (config: string, extra: Record<string, string> = {}) => ({
  ...emulatorEnv(emu.url, config),
  HOME: path.dirname(config),
  GCAUTH_CORE_CHECK_GCE_METADATA: 'false',
  ...extra,
});

/** A config dir with the owner's key active and a cached token, which the helper's sh path has also rendered an answer from. */
async function prepare(config: string): Promise<{env: Record<string, string>; token: string}> {
  const env = envOf(config);
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  const printed = await runCli(['auth', 'print-access-token'], {env});
  expect(printed.exitCode).toBe(0);
  expect((await runHelper(['get'], {env, input: 'gcr.io'})).exitCode).toBe(0);
  expect(readdirSync(config)).toContain('docker-helper-answer');
  return {env, token: printed.stdout.trim()};
}

const timed = async <T>(run: () => Promise<T>): Promise<T & {ms: number}> => {
  const start = Date.now();
  const result = await run();
  return {...result, ms: Date.now() - start};
};

const helperAnswer = (token: string) => `${JSON.stringify({ServerURL: 'gcr.io', Username: 'oauth2accesstoken', Secret: token})}\n`;
/** A variable the helper's fingerprint covers, so the sh's rendered answer no longer applies and Node answers (and renders again). */
const CHANGED_ENV = {GCAUTH_CORE_DISABLE_PROMPTS: 'true'};

describe('a read-only config dir', () => {
  const unable = tmpfsProblem();
  if (unable) sayWhySkipped(`read-only config dir tests skipped: ${unable}`);
  const test = unable ? globalThis.test.skip : globalThis.test;
  const mount = tmpDir('gcauth-ro-');
  const fresh = path.join(mount, 'fresh', 'gcauth');
  const stale = path.join(mount, 'stale', 'gcauth');
  let freshToken: string;

  beforeAll(async () => {
    if (unable) return;
    mountTmpfs(mount);
    freshToken = (await prepare(fresh)).token;
    await prepare(stale);
    expireCachedTokens(stale);
    remountTmpfs(mount, 'ro');
  });
  afterAll(() => unmount(mount));

  test.each([
    ['config set', ['config', 'set', 'project', 'ro-project-1'], 'configurations'],
    ['print-access-token needing a refresh', ['auth', 'print-access-token'], 'access_tokens'],
    ['activate-service-account', ['auth', 'activate-service-account', '--key-file=KEY'], ''],
    ['revoke', ['auth', 'revoke'], ''],
  ])('%s fails at once with one ERROR line naming the directory', async (_name, args, sub) => {
    const before = snapshot(stale);
    const result = await timed(() => runCli(args.map((a) => a.replace('KEY', emu.ownerKeyFile)), {env: envOf(stale)}));
    expect({stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode}).toEqual({stdout: '', stderr: `ERROR: ${readOnly(path.join(stale, sub))}\n`, exitCode: 1});
    expect(result.ms).toBeLessThan(PROMPT_MS);
    expect(snapshot(stale)).toEqual(before);
  });

  test("the helper's get needing a refresh answers Docker at once with the one error line", async () => {
    const result = await timed(() => runHelper(['get'], {env: envOf(stale), input: 'gcr.io'}));
    expect({stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode}).toEqual({
      stdout: `docker-credential-gcauth: ${readOnly(path.join(stale, 'access_tokens'))}\n`,
      stderr: '',
      exitCode: 1,
    });
    expect(result.ms).toBeLessThan(PROMPT_MS);
  });

  test('a fresh cached token still prints, and the helper still answers with it', async () => {
    const before = snapshot(fresh);
    expect(await runCli(['auth', 'print-access-token'], {env: envOf(fresh)})).toEqual({stdout: `${freshToken}\n`, stderr: '', exitCode: 0});
    // Node answers (the rendered answer is for another environment) and cannot render a new one, nor remove the old.
    expect(await runHelper(['get'], {env: envOf(fresh, CHANGED_ENV), input: 'gcr.io'})).toEqual({stdout: helperAnswer(freshToken), stderr: '', exitCode: 0});
    expect(await runHelper(['get'], {env: envOf(fresh), input: 'gcr.io'})).toEqual({stdout: helperAnswer(freshToken), stderr: '', exitCode: 0});
    expect(snapshot(fresh)).toEqual(before);
  });
});

describe('a full disk', () => {
  const unable = tmpfsProblem();
  if (unable) sayWhySkipped(`full disk tests skipped: ${unable}`);
  const test = unable ? globalThis.test.skip : globalThis.test;
  const mount = tmpDir('gcauth-full-');
  const fresh = path.join(mount, 'fresh', 'gcauth');
  const stale = path.join(mount, 'stale', 'gcauth');
  let freshToken: string;
  let staleTokenFile: string;

  beforeAll(async () => {
    if (unable) return;
    mountTmpfs(mount, '1m');
    freshToken = (await prepare(fresh)).token;
    await prepare(stale);
    expireCachedTokens(stale);
    staleTokenFile = path.join(stale, 'access_tokens', readdirSync(path.join(stale, 'access_tokens')).find((n) => n.endsWith('.json'))!);
    fillDisk(mount);
  });
  afterAll(() => unmount(mount));

  test('activate-service-account: one ERROR line naming the file, which keeps its content, and no temp file', async () => {
    const before = snapshot(fresh);
    const result = await timed(() => runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: envOf(fresh)}));
    expect({stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode}).toEqual({stdout: '', stderr: `ERROR: ${diskFull(path.join(fresh, 'credentials.json'))}\n`, exitCode: 1});
    expect(result.ms).toBeLessThan(PROMPT_MS);
    expect(snapshot(fresh)).toEqual(before);
  });

  test('print-access-token and the helper needing a refresh: one error line each, the cache entry as it was', async () => {
    const before = snapshot(stale);
    expect(await runCli(['auth', 'print-access-token'], {env: envOf(stale)})).toEqual({stdout: '', stderr: `ERROR: ${diskFull(staleTokenFile)}\n`, exitCode: 1});
    expect(await runHelper(['get'], {env: envOf(stale), input: 'gcr.io'})).toEqual({stdout: `docker-credential-gcauth: ${diskFull(staleTokenFile)}\n`, stderr: '', exitCode: 1});
    expect(snapshot(stale)).toEqual(before);
  });

  test("the helper still answers from a fresh cache, and leaves no temp file of the answer it could not write", async () => {
    const before = snapshot(fresh);
    expect(await runHelper(['get'], {env: envOf(fresh, CHANGED_ENV), input: 'gcr.io'})).toEqual({stdout: helperAnswer(freshToken), stderr: '', exitCode: 0});
    const after = snapshot(fresh);
    expect(Object.keys(after).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // The answer rendered for the old environment may be gone (it no longer applies); nothing else changed.
    delete before['docker-helper-answer'];
    delete after['docker-helper-answer'];
    expect(after).toEqual(before);
  });
});

describe('temp files left by writers killed mid-write', () => {
  const MINUTES_AGO = (Date.now() - 10 * 60_000) / 1000;

  /** A pid that ran and is gone. */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
    return Number(child.stdout);
  }

  /** Plants temp files of gcauth's naming and unrelated files; returns the names that must go and those that must stay. */
  function plant(config: string, tokenEntry: string): {gone: string[]; kept: string[]} {
    const old = (name: string, text = 'secret') => {
      writeFileSync(path.join(config, name), text, {mode: 0o600});
      utimesSync(path.join(config, name), MINUTES_AGO, MINUTES_AGO);
      return name;
    };
    const recent = (name: string) => {
      writeFileSync(path.join(config, name), 'secret', {mode: 0o600});
      return name;
    };
    mkdirSync(path.join(config, 'other'), {recursive: true});
    return {
      gone: [
        old('credentials.json.2658379021'),
        old('active_config.17'),
        old('gce.4242'),
        old('configurations/config_default.3054194128'),
        old(`access_tokens/${tokenEntry}.1234567`),
        recent(`docker-helper-answer.${deadPid()}.tmp`),
        // Its writer's pid runs (init), but no writer takes minutes.
        old('docker-helper-answer.1.tmp'),
      ],
      kept: [
        // A writer at work right now: its temp file is recent, or it names a running process (this one).
        recent('credentials.json.3911872233'),
        recent(`access_tokens/${tokenEntry}.77`),
        recent(`docker-helper-answer.${process.pid}.tmp`),
        // Not gcauth's names, or not where gcauth writes them.
        old('credentials.json.bak'),
        old('credentials.json.12345678901'),
        old('notes.txt'),
        old('docker-helper-answer.tmp'),
        old('config_default.5'),
        old('other/credentials.json.2658379021'),
        old('configurations/config_Default.5'),
        old('access_tokens/readme.5'),
      ],
    };
  }

  const present = (config: string, names: string[]) => names.filter((name) => readdirSync(path.join(config, path.dirname(name))).includes(path.basename(name)));

  test('the next write removes those whose writer is gone, and nothing else', async () => {
    const config = path.join(tmpDir('gcauth-leftovers-'), 'gcauth');
    const {env} = await prepare(config);
    const tokenEntry = readdirSync(path.join(config, 'access_tokens')).find((n) => n.endsWith('.json'))!;
    const {gone, kept} = plant(config, tokenEntry);
    expect(await runCli(['config', 'set', 'project', 'leftover-project'], {env})).toMatchObject({exitCode: 0});
    expect(present(config, gone)).toEqual([]);
    expect(present(config, kept)).toEqual(kept);
  });

  test('auth revoke --all removes them too', async () => {
    const config = path.join(tmpDir('gcauth-leftovers-'), 'gcauth');
    const {env} = await prepare(config);
    const tokenEntry = readdirSync(path.join(config, 'access_tokens')).find((n) => n.endsWith('.json'))!;
    const {gone, kept} = plant(config, tokenEntry);
    expect(await runCli(['auth', 'revoke', '--all'], {env})).toMatchObject({exitCode: 0});
    expect(present(config, gone)).toEqual([]);
    expect(present(config, kept)).toEqual(kept);
  });
});

describe('a config dir the user may not write', () => {
  // As root, permissions do not stop anything: the CLI runs as nobody instead; skipped, saying why, when nobody cannot read the checkout.
  const unable = nobodyProblem();
  if (unable) sayWhySkipped(`config dir the user may not write skipped: ${unable}`);
  const test = unable ? globalThis.test.skip : globalThis.test;

  test('config set fails at once with one ERROR line naming the directory', async () => {
    const home = tmpDir('gcauth-denied-');
    chmodSync(home, 0o755);
    const config = path.join(home, 'gcauth');
    mkdirSync(config, {mode: 0o755});
    if (!AS_ROOT) chmodSync(config, 0o555);
    const result = await execa(...restrictedCommand(['config', 'set', 'project', 'denied-project']), {
      env: {PATH: process.env.PATH, NO_COLOR: '1', HOME: home, GCAUTH_CONFIG: config},
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    expect({stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode}).toEqual({
      stdout: '',
      stderr: `ERROR: Cannot write in [${config}]: permission denied. Set GCAUTH_CONFIG to a writable directory, or use a writable home.\n`,
      exitCode: 1,
    });
    expect(readdirSync(config)).toEqual([]);
  });
});
