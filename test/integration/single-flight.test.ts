import {emulatorEnv, runCli} from '../helpers/cli.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {expireCachedTokens} from '../helpers/sandbox.js';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--latency-ms', '150']});
});
afterAll(() => emu.stop());

test('30 processes with a stale token make exactly one token request and print one token', async () => {
  const config = tmpDir();
  const env = emulatorEnv(emu.url, config);
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  const before = (await runCli(['auth', 'print-access-token'], {env})).stdout;
  expireCachedTokens(config);
  await emu.resetStats();

  const results = await Promise.all(Array.from({length: 30}, () => runCli(['auth', 'print-access-token'], {env})));

  expect(results.map((r) => r.exitCode)).toEqual(Array(30).fill(0));
  expect(results.map((r) => r.stderr).filter(Boolean)).toEqual([]);
  const tokens = new Set(results.map((r) => r.stdout));
  expect(tokens.size).toBe(1);
  expect([...tokens][0]).not.toBe(before);
  expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
});

test('a cached token makes no request at all', async () => {
  const config = tmpDir();
  const env = emulatorEnv(emu.url, config);
  await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
  await emu.resetStats();
  const results = await Promise.all(Array.from({length: 10}, () => runCli(['auth', 'print-access-token'], {env})));
  expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
  expect((await emu.stats()).total).toBe(0);
});

test('tokens issued with under five minutes to live are still shared by the processes that waited', async () => {
  const config = tmpDir();
  const env = emulatorEnv(emu.url, config);
  await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
  expireCachedTokens(config);
  await emu.setTokenLifetime(200);
  try {
    await emu.resetStats();
    const results = await Promise.all(Array.from({length: 20}, () => runCli(['auth', 'print-access-token'], {env})));
    expect(results.map((r) => r.exitCode)).toEqual(Array(20).fill(0));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
  } finally {
    await emu.setTokenLifetime(3599);
  }
});
