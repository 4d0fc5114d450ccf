import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {cliBin, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {waitForEntry} from '../helpers/wait.js';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess();
});
afterAll(() => emu.stop());
afterEach(() => emu.setFaults({}));

async function activated(): Promise<{config: string; env: Record<string, string>}> {
  const config = tmpDir();
  const env = emulatorEnv(emu.url, config);
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  // Drop the cached token so the next command must ask the endpoint.
  const dir = path.join(config, 'access_tokens');
  for (const n of readdirSync(dir)) writeFileSync(path.join(dir, n), '{}');
  return {config, env};
}

test.each([503, 429] as const)('one %i, then success: retried, one token printed', async (status) => {
  const {env} = await activated();
  await emu.resetStats();
  await emu.setFaults({failNext: 1, failNextStatus: status, paths: ['/token']});
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^ya29\.\S+\n$/);
  expect(result.stderr).toBe('');
  const stats = await emu.stats();
  expect(stats.faultsInjected).toBe(1);
  expect(stats.byRoute['POST /token']).toBe(2);
});

test('every answer a 503: a clear error within the bounded time', async () => {
  const {env} = await activated();
  await emu.resetStats();
  await emu.setFaults({failRate: 1, paths: ['/token']});
  const started = Date.now();
  const result = await runCli(['auth', 'print-access-token'], {env});
  const elapsed = Date.now() - started;
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(
    `ERROR: Could not get an access token for [${JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')).client_email}] from ${emu.url}/token: HTTP 503.\n`,
  );
  expect(elapsed).toBeLessThan(20_000);
  expect((await emu.stats()).byRoute['POST /token']).toBeGreaterThan(2);
});

test('a token endpoint that hangs is abandoned within the bounded time', async () => {
  const {env} = await activated();
  await emu.setFaults({latencyMs: 60_000, paths: ['/token']});
  const started = Date.now();
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(/^ERROR: Could not get an access token for \[.*\] from .*\/token: could not reach .*: the request timed out\.\n$/);
  expect(Date.now() - started).toBeLessThan(20_000);
});

test('an unreachable token endpoint fails with one line', async () => {
  const {env} = await activated();
  const result = await runCli(['auth', 'print-access-token'], {env: {...env, GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:9/token'}});
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(/^ERROR: Could not get an access token for \[.*\] from http:\/\/127\.0\.0\.1:9\/token: could not reach/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('a process killed while holding the refresh lock does not wedge the next one', async () => {
  const {config, env} = await activated();
  await emu.setFaults({latencyMs: 30_000, paths: ['/token']});
  const victim = execa(process.execPath, [cliBin, 'auth', 'print-access-token'], {env: {...env, PATH: process.env.PATH}, extendEnv: false, reject: false});
  // Wait until the victim holds the lock (its lock directory exists), then kill it outright.
  const tokensDir = path.join(config, 'access_tokens');
  await waitForEntry(tokensDir, (n) => n.endsWith('.lock'), "the victim's lock");
  victim.kill('SIGKILL');
  await victim;
  await emu.setFaults({});
  const started = Date.now();
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^ya29\./);
  // recovered once the lock went stale (10 s), well before the 30 s the victim would have waited
  expect(Date.now() - started).toBeLessThan(25_000);
});

test('a stale lock directory left on disk is taken over', async () => {
  const {config, env} = await activated();
  const entry = readdirSync(path.join(config, 'access_tokens')).find((n) => n.endsWith('.json'))!;
  const lock = path.join(config, 'access_tokens', `${entry}.lock`);
  mkdirSync(lock);
  const {utimesSync} = await import('node:fs');
  const old = new Date(Date.now() - 3600_000);
  utimesSync(lock, old, old);
  const result = await runCli(['auth', 'print-access-token'], {env});
  expect(result.exitCode).toBe(0);
});
