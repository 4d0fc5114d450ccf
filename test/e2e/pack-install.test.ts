import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';

// What a user gets from `npm pack` + `npm install -g`: the packed tarball installed into an empty prefix
// and run with a PATH that holds only `node` and the installed bin, from a directory outside the
// repository. Proves `files` ships everything the CLI loads and `dependencies` lists every runtime import.
// Needs the built project (`npm test` builds first) and the npm registry (or npm's cache).

const INSTALL_TIMEOUT_MS = 180_000;
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {name: string; version: string};

let emu: EmulatorProcess;
let work: string;
let gcauth: string;
let env: Record<string, string>;

/** Runs the installed gcauth with nothing but the isolated environment. */
const installed = (args: string[]) => execa(gcauth, args, {cwd: work, env, extendEnv: false, reject: false, stdin: 'ignore'});

beforeAll(async () => {
  work = tmpDir('gcauth-pack-');
  const packDir = path.join(work, 'pack');
  const prefix = path.join(work, 'prefix');
  mkdirSync(packDir);
  const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  await execa('npm', ['pack', '--pack-destination', packDir, ...npmQuiet], {cwd: repoRoot, stdin: 'ignore'});
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${packDir}`);
  // Installed from the pack dir by relative path, as a user would after downloading the tarball.
  await execa('npm', ['install', '-g', '--prefix', prefix, `./${tarball}`, ...npmQuiet], {cwd: packDir, stdin: 'ignore'});
  gcauth = path.join(prefix, 'bin', 'gcauth');

  // A bin dir holding only node: PATH then offers nothing the repository or the machine could lend.
  const nodeDir = path.join(work, 'node-bin');
  mkdirSync(nodeDir);
  symlinkSync(process.execPath, path.join(nodeDir, 'node'));
  const home = path.join(work, 'home');
  mkdirSync(home);
  env = {PATH: `${nodeDir}:${path.join(prefix, 'bin')}`, HOME: home, GCAUTH_CONFIG: path.join(work, 'config'), NO_COLOR: '1'};

  emu = await startEmulatorProcess();
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(() => emu?.stop());

describe('the packed package installed globally', () => {
  test('--version names the packed version', async () => {
    const r = await installed(['--version']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${pkg.name}/${pkg.version.replace(/\./g, '\\.')} \\S+ node-v\\d+`));
  });

  test('help lists the command topics (oclif and its manifest load from the install)', async () => {
    const r = await installed(['help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\s+auth\s/m);
    expect(r.stdout).toMatch(/^\s+config\s/m);
  });

  test('activates the emulator owner key and prints a cached access token', async () => {
    const envInit = await installed(['emulator', 'env-init', '--data-dir', emu.dataDir]);
    expect(envInit.exitCode).toBe(0);
    for (const m of envInit.stdout.matchAll(/^export (GCAUTH_[A-Z_]+)=(\S+)$/gm)) env[m[1]!] = m[2]!;
    expect(env.GCAUTH_AUTH_TOKEN_HOST).toBe(`${emu.url}/token`);

    const activated = await installed(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`]);
    expect(activated.stderr).toMatch(/^Activated service account credentials for: \[\S+@\S+\]$/m);
    expect(activated.exitCode).toBe(0);

    await emu.resetStats();
    const printed = await installed(['auth', 'print-access-token']);
    expect(printed.stderr).toBe('');
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toMatch(/^ya29\.\S+$/);
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${printed.stdout}`)).json()) as {email?: string};
    expect(info.email).toBe(JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')).client_email);
    // The token came from the cache activation filled: the installed hot path made no token request.
    expect((await emu.stats()).tokenRequests.accessToken).toBe(0);

    // The installed credential helper answers Docker with the same cached token.
    const helper = await execa(path.join(path.dirname(gcauth), 'docker-credential-gcauth'), ['get'], {cwd: work, env, extendEnv: false, reject: false, input: 'gcr.io'});
    expect(helper.stderr).toBe('');
    expect(helper.exitCode).toBe(0);
    expect(JSON.parse(helper.stdout)).toEqual({ServerURL: 'gcr.io', Username: 'oauth2accesstoken', Secret: printed.stdout});
    expect((await emu.stats()).tokenRequests.accessToken).toBe(0);
  });

  // Issue 10: the installed bin is the sh fast path; once Node has answered, the next get starts no Node.
  test('the installed helper answers a cached get from its sh fast path, with Node not started', async () => {
    const bin = path.join(path.dirname(gcauth), 'docker-credential-gcauth');
    expect(readFileSync(bin, 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    const trapDir = path.join(work, 'node-trap');
    mkdirSync(trapDir, {recursive: true});
    const log = path.join(trapDir, 'started');
    writeFileSync(path.join(trapDir, 'node'), `#!/bin/sh\necho x >>"${log}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
    const trapped = {...env, PATH: `${trapDir}:${env.PATH}`};
    const get = () => execa(bin, ['get'], {cwd: work, env: trapped, extendEnv: false, reject: false, input: 'gcr.io'});
    const first = await get();
    expect(first.exitCode).toBe(0);
    rmSync(log, {force: true});
    const second = await get();
    expect({stdout: second.stdout, exitCode: second.exitCode, stderr: second.stderr}).toEqual({stdout: first.stdout, exitCode: 0, stderr: ''});
    expect(existsSync(log)).toBe(false);
  });

  // Issue 21: the Node helper's own bin, the one configure-docker names on Windows (npm shims it with node there).
  test('the Node helper is installed as docker-credential-gcauth-node, and answers a get as the sh does', async () => {
    const bin = path.join(path.dirname(gcauth), 'docker-credential-gcauth-node');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const viaNode = await execa(bin, ['get'], {cwd: work, env, extendEnv: false, reject: false, input: 'gcr.io'});
    const viaSh = await execa(path.join(path.dirname(gcauth), 'docker-credential-gcauth'), ['get'], {cwd: work, env, extendEnv: false, reject: false, input: 'gcr.io'});
    expect({stdout: viaNode.stdout, exitCode: viaNode.exitCode, stderr: viaNode.stderr}).toEqual({stdout: viaSh.stdout, exitCode: 0, stderr: ''});
  });

  test('the credential helper is installed as docker-credential-gcauth', async () => {
    const r = await execa(path.join(path.dirname(gcauth), 'docker-credential-gcauth'), ['version'], {cwd: work, env, extendEnv: false, reject: false, stdin: 'ignore'});
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`docker-credential-gcauth (gcauth) ${pkg.version}`);
  });
});
