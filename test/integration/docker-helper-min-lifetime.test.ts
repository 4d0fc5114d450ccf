/**
 * docker/min_token_lifetime with the built helper (the sh and the Node helper behind it) against the emulator: Docker
 * never gets a token with less than 30 minutes left, while the rest of gcauth keeps gcloud's five minutes; one
 * refresh for many helpers; and sources that cannot give a longer token (a metadata server's own token, short-lived
 * tokens) are asked once, not on every call.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {runCli, runHelper} from '../helpers/cli.js';
import {emulatedVm} from '../helpers/emulated-vm.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {ageCachedTokens, dockerSandbox, expireCachedTokens} from '../helpers/sandbox.js';

const MINUTE = 60_000;

let emu: EmulatorProcess;
let owner: string;
let traps: string;
const nodeLog = () => path.join(traps, 'node.log');

beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--latency-ms', '150']});
  owner = (JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {client_email: string}).client_email;
  // `node` on PATH that notes each start: the sh answered on its own iff no line appears.
  traps = tmpDir('gcauth-minlife-traps-');
  writeFileSync(path.join(traps, 'node'), `#!/bin/sh\necho started >>"${nodeLog()}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
});
afterAll(() => emu.stop());

/** One `docker-credential-gcauth get` as Docker runs it: the token it gave, and whether Node was started. */
async function get(env: Record<string, string>, host = 'gcr.io'): Promise<{token: string; node: boolean}> {
  rmSync(nodeLog(), {force: true});
  const result = await runHelper(['get'], {env: {...env, PATH: `${traps}:${process.env.PATH}`}, input: host});
  expect({exitCode: result.exitCode, stdout: result.stdout}).toEqual({exitCode: 0, stdout: expect.stringMatching(/^\{"ServerURL":.*"Secret":"[^"]+"\}\n$/)});
  return {token: (JSON.parse(result.stdout) as {Secret: string}).Secret, node: existsSync(nodeLog())};
}

const printed = async (env: Record<string, string>) => (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
const tokenRequests = async () => (await emu.stats()).tokenRequests.accessToken;

/** The expiry (ms) of the cache entry holding token. */
function cachedExpiry(configDir: string, token: string): number {
  const dir = path.join(configDir, 'access_tokens');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const entry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {token: string; expiry: string};
    if (entry.token === token) return Date.parse(entry.expiry);
  }
  throw new Error('token not cached');
}

/** The deadline (seconds) of the sh's pre-rendered answer. */
const answerDeadline = (configDir: string) => Number(readFileSync(path.join(configDir, 'docker-helper-answer'), 'utf8').split('\n')[2]);

describe('a service-account key (the gcauth source)', () => {
  test('a token with 20 minutes left: print-access-token prints it, get refreshes it, and the sh serves only the new token until 30 minutes before it expires', async () => {
    const {env} = await dockerSandbox(emu);
    const config = env.GCAUTH_CONFIG!;
    const first = await get(env);
    expect(await get(env)).toEqual({token: first.token, node: false});
    // The sh's answer ends where Node's rule does: 30 minutes before the token expires (gcloud's rule would be 5).
    expect(answerDeadline(config)).toBe(Math.floor((cachedExpiry(config, first.token) - 30 * MINUTE) / 1000) - 1);

    ageCachedTokens(config, 20 * MINUTE);
    await emu.resetStats();
    expect(await printed(env)).toBe(first.token);
    expect(await tokenRequests()).toBe(0);

    const refreshed = await get(env);
    expect(refreshed.token).not.toBe(first.token);
    expect(refreshed.node).toBe(true);
    expect(await tokenRequests()).toBe(1);
    expect(cachedExpiry(config, refreshed.token) - Date.now()).toBeGreaterThan(50 * MINUTE);
    expect(answerDeadline(config)).toBe(Math.floor((cachedExpiry(config, refreshed.token) - 30 * MINUTE) / 1000) - 1);
    expect(await get(env)).toEqual({token: refreshed.token, node: false});
    expect(await printed(env)).toBe(refreshed.token);
    expect(await tokenRequests()).toBe(1);
  });

  test('10 parallel gets of a token with 20 minutes left make one token request and hand Docker one token', async () => {
    const {env} = await dockerSandbox(emu);
    const before = await printed(env);
    ageCachedTokens(env.GCAUTH_CONFIG!, 20 * MINUTE);
    await emu.resetStats();
    const results = await Promise.all(Array.from({length: 10}, (_, i) => get(env, i % 2 ? 'gcr.io' : 'us-docker.pkg.dev')));
    const tokens = new Set(results.map((r) => r.token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(before)).toBe(false);
    expect(await tokenRequests()).toBe(1);
  });

  test('docker/min_token_lifetime 15m, set in the configuration, serves the same token without a request', async () => {
    const {env} = await dockerSandbox(emu);
    expect(await runCli(['config', 'set', 'docker/min_token_lifetime', '15m'], {env})).toMatchObject({exitCode: 0});
    const before = await printed(env);
    ageCachedTokens(env.GCAUTH_CONFIG!, 20 * MINUTE);
    await emu.resetStats();
    expect((await get(env)).token).toBe(before);
    expect(await tokenRequests()).toBe(0);
  });

  test('a token endpoint that issues 15-minute tokens: one refresh, then that token, from the sh too, until 5 minutes are left', async () => {
    const {env} = await dockerSandbox(emu);
    await emu.setTokenLifetime(900);
    try {
      expireCachedTokens(env.GCAUTH_CONFIG!);
      await emu.resetStats();
      const first = await get(env);
      expect(await get(env)).toEqual({token: first.token, node: false});
      expect(await get(env, 'us-docker.pkg.dev')).toMatchObject({token: first.token});
      expect(await tokenRequests()).toBe(1);
      expect(answerDeadline(env.GCAUTH_CONFIG!)).toBe(Math.floor((cachedExpiry(env.GCAUTH_CONFIG!, first.token) - 5 * MINUTE) / 1000) - 1);
    } finally {
      await emu.setTokenLifetime(3599);
    }
  });

  test('2h is refused by config set in one ERROR line naming the limit; GCAUTH_DOCKER_MIN_TOKEN_LIFETIME=2h is the helper error line', async () => {
    const {env} = await dockerSandbox(emu);
    expect(await runCli(['config', 'set', 'docker/min_token_lifetime', '2h'], {env})).toEqual({
      stdout: '',
      stderr:
        'ERROR: Invalid value for property [docker/min_token_lifetime]: "2h": at most 55m: Google access tokens live 1h, so a longer minimum could not be met (and one near 1h would refresh on nearly every pull).\n',
      exitCode: 2,
    });
    expect(await runHelper(['get'], {env: {...env, GCAUTH_DOCKER_MIN_TOKEN_LIFETIME: '2h'}, input: 'gcr.io'})).toEqual({
      stdout:
        'docker-credential-gcauth: Invalid value for property [docker/min_token_lifetime] (from GCAUTH_DOCKER_MIN_TOKEN_LIFETIME): "2h": at most 55m: Google access tokens live 1h, so a longer minimum could not be met (and one near 1h would refresh on nearly every pull).\n',
      stderr: '',
      exitCode: 1,
    });
  });
});

describe('other credential types', () => {
  test('an ADC file (the adc source): a token with 20 minutes left is refreshed once for Docker', async () => {
    const {env, home} = await dockerSandbox(emu, false);
    const gcloudDir = path.join(home, '.config', 'gcloud');
    mkdirSync(gcloudDir, {recursive: true});
    writeFileSync(path.join(gcloudDir, 'application_default_credentials.json'), readFileSync(emu.ownerKeyFile));
    const first = await get(env);
    ageCachedTokens(env.GCAUTH_CONFIG!, 20 * MINUTE);
    await emu.resetStats();
    expect((await runCli(['auth', 'application-default', 'print-access-token'], {env})).stdout.trim()).toBe(first.token);
    const results = await Promise.all(Array.from({length: 4}, () => get(env)));
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    expect(results[0]!.token).not.toBe(first.token);
    expect(await tokenRequests()).toBe(1);
  });

  test("impersonation: the target's token with 20 minutes left is minted again; the source's own token, with as little, is not", async () => {
    const {env} = await dockerSandbox(emu);
    const project = emu.project;
    const target = `mlt-target@${project}.iam.gserviceaccount.com`;
    expect(await runCli(['iam', 'service-accounts', 'create', 'mlt-target', `--project=${project}`], {env})).toMatchObject({exitCode: 0});
    expect(
      await runCli(['projects', 'add-iam-policy-binding', project, `--member=serviceAccount:${owner}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=none'], {env}),
    ).toMatchObject({exitCode: 0});
    const impersonating = {...env, GCAUTH_AUTH_IMPERSONATE_SERVICE_ACCOUNT: target};
    const first = await get(impersonating);
    ageCachedTokens(env.GCAUTH_CONFIG!, 20 * MINUTE);
    await emu.resetStats();
    const next = await get(impersonating);
    expect(next.token).not.toBe(first.token);
    const stats = await emu.stats();
    expect(Object.entries(stats.byRoute).filter(([route]) => route.endsWith(':generateAccessToken'))).toEqual([[expect.any(String), 1]]);
    expect(stats.tokenRequests.accessToken).toBe(0);
  });

  test("a metadata server that hands out its own token with 20 minutes left: asked once more, then that token is served without a request per call", async () => {
    const s = await emulatedVm(emu.url, {serviceAccount: `vm-minlife@${emu.project}.iam.gserviceaccount.com`});
    const env = {GCAUTH_CONFIG: tmpDir(), HOME: tmpDir(), GCE_METADATA_HOST: s.host, GCAUTH_DOCKER_TOKEN_SOURCE: 'metadata'};
    await emu.setTokenLifetime(20 * 60);
    try {
      const metadataRequests = async () => (await s.stats()).tokenRequests.metadata;
      const first = await get(env);
      expect(await get(env)).toEqual({token: first.token, node: true});
      expect(await metadataRequests()).toBe(1);
      // As if gcauth had cached it when an hour of it was left: now short, it is asked for again, once, and the
      // server hands out the same token.
      ageCachedTokens(env.GCAUTH_CONFIG, 20 * MINUTE);
      expect((await get(env)).token).toBe(first.token);
      expect(await metadataRequests()).toBe(2);
      // A minute later (past the 30 s every fresh token is shared for), it is still served as it is.
      ageCachedTokens(env.GCAUTH_CONFIG, 19 * MINUTE, 20 * MINUTE);
      const again = await Promise.all(Array.from({length: 3}, () => get(env)));
      expect(again.map((r) => r.token)).toEqual([first.token, first.token, first.token]);
      expect(await metadataRequests()).toBe(2);
    } finally {
      await emu.setTokenLifetime(3599);
    }
  });
});
