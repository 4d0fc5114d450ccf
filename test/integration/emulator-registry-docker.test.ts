import {accessSync, constants, readFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {accessTokenFor, readKeyFile, tmpDir, type KeyFileFields} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

/** The docker CLI on PATH, if any (only the client is needed: login falls back to client-side with no daemon). */
function findDocker(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'docker');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const docker = findDocker();
if (!docker) sayWhySkipped('emulator registry docker login tests skipped: docker is not on PATH');
const describeIfDocker = docker ? describe : describe.skip;

// The emulator runs in this process (from the TypeScript sources); the docker CLI is the subprocess under test.
describeIfDocker('docker login against the emulator\'s registry front alone', () => {
  let emu: RunningEmulator;
  let ownerKey: KeyFileFields;
  let host: string;

  beforeAll(async () => {
    emu = await startEmulator({dataDir: tmpDir()});
    ownerKey = readKeyFile(emu.ownerKeyFile);
    host = new URL(emu.url).host;
  });
  afterAll(async () => {
    await emu.close();
  });

  /** `docker login -u USER --password-stdin http://HOST` with its own DOCKER_CONFIG and no daemon. */
  async function login(user: string, password: string) {
    const config = tmpDir('gcauth-docker-');
    const r = await execa(docker!, ['login', '-u', user, '--password-stdin', emu.url], {
      input: password,
      env: {PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///nonexistent.sock'},
      extendEnv: false,
      reject: false,
    });
    return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), config};
  }

  function storedAuth(config: string): string {
    const file = JSON.parse(readFileSync(path.join(config, 'config.json'), 'utf8')) as {auths: Record<string, {auth: string}>};
    return Buffer.from(file.auths[host]!.auth, 'base64').toString('utf8');
  }

  it('logs in with a piped access token as oauth2accesstoken, and refuses a bogus one', async () => {
    const token = await accessTokenFor(emu.url, ownerKey);
    const ok = await login('oauth2accesstoken', `${token}\n`);
    expect([ok.exitCode, ok.stdout.trim()]).toEqual([0, 'Login Succeeded']);
    expect(storedAuth(ok.config)).toBe(`oauth2accesstoken:${token}`);

    const bad = await login('oauth2accesstoken', 'ya29.bogus\n');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('unauthorized: invalid credentials: the access token is unknown, expired or revoked');
  });

  it('refuses a revoked token and a token of another emulator', async () => {
    const revoked = await accessTokenFor(emu.url, ownerKey);
    await fetch(`${emu.url}/revoke`, {method: 'POST', body: new URLSearchParams({token: revoked})});
    const other = await startEmulator({dataDir: tmpDir()});
    let foreign: string;
    try {
      foreign = await accessTokenFor(other.url, readKeyFile(other.ownerKeyFile));
    } finally {
      await other.close();
    }
    for (const password of [revoked, foreign]) {
      const r = await login('oauth2accesstoken', password);
      expect([r.exitCode, r.stderr]).toEqual([1, expect.stringContaining('unauthorized: invalid credentials')]);
    }
  });

  it('logs in with a key file as _json_key and _json_key_base64, and refuses a key since deleted', async () => {
    const keyText = readFileSync(emu.ownerKeyFile, 'utf8');
    const ok = await login('_json_key', keyText);
    expect([ok.exitCode, ok.stdout.trim()]).toEqual([0, 'Login Succeeded']);
    expect(storedAuth(ok.config)).toBe(`_json_key:${keyText.trim()}`);
    expect((await login('_json_key_base64', Buffer.from(keyText).toString('base64'))).exitCode).toBe(0);

    const {key, privateKeyPem} = await emu.state.addServiceAccountKey(emu.ownerEmail);
    const doomed = JSON.stringify({...ownerKey, private_key_id: key.keyId, private_key: privateKeyPem});
    expect((await login('_json_key', doomed)).exitCode).toBe(0);
    emu.state.deleteServiceAccountKey(emu.ownerEmail, key.keyId);
    const refused = await login('_json_key', doomed);
    expect([refused.exitCode, refused.stderr]).toEqual([1, expect.stringContaining(`unauthorized: invalid credentials: key ${key.keyId} does not exist`)]);
  });

  it('counts what docker asked of the token endpoint', async () => {
    emu.resetStats();
    const token = await accessTokenFor(emu.url, ownerKey);
    expect((await login('_token', token)).exitCode).toBe(0);
    expect((await login('_token', 'nope')).exitCode).toBe(1);
    const stats = emu.stats();
    expect(stats.registryTokens).toEqual({issued: 1, refused: 1});
    expect(stats.byRoute['GET /v2/token']).toBe(2);
    // Each login pings /v2/ for the challenge; the good one comes back with its bearer token.
    expect(stats.byRoute['GET /v2/']).toBe(3);
  });
});
