import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, runCli} from './cli.js';
import {tmpDir} from './emulator.js';

/**
 * A fresh HOME, gcauth config dir and DOCKER_CONFIG pointed at the emulator, no metadata server probed (whichever
 * switch the client honours, google-auth-library's or gcauth's); with `activate`, the owner key active.
 */
export async function dockerSandbox(emu: {url: string; ownerKeyFile: string}, activate = true): Promise<{env: Record<string, string>; home: string}> {
  const home = tmpDir('gcauth-docker-home-');
  const env = {
    ...emulatorEnv(emu.url, path.join(home, 'gcauth')),
    HOME: home,
    DOCKER_CONFIG: path.join(home, 'docker'),
    METADATA_SERVER_DETECTION: 'none',
    GCAUTH_CORE_CHECK_GCE_METADATA: 'false',
  };
  if (activate) expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  return {env, home};
}

/** Makes every cached access token in a config dir look expired, as after a night's sleep, so the next use refreshes. */
export function expireCachedTokens(configDir: string): void {
  const dir = path.join(configDir, 'access_tokens');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const entry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {expiry: string};
    entry.expiry = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(path.join(dir, name), JSON.stringify(entry));
  }
}

/**
 * Makes every cached access token in a config dir look as if it had been cached `lifetimeMs` before it expires and
 * `leftMs` of it remained now: a token cached long ago (an hour's token with 20 minutes left), as after a long build.
 */
export function ageCachedTokens(configDir: string, leftMs: number, lifetimeMs = 3600_000): void {
  const dir = path.join(configDir, 'access_tokens');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const entry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {expiry: string; issued?: string};
    const expiry = Date.now() + leftMs;
    entry.expiry = new Date(expiry).toISOString();
    entry.issued = new Date(expiry - lifetimeMs).toISOString();
    writeFileSync(path.join(dir, name), JSON.stringify(entry));
  }
}
