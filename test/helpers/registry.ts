import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {ExitedBeforeReadyError, startProcess, type StartedProcess} from '../../scripts/launch.js';

// Debian's `docker-registry` (distribution 2.8) on 127.0.0.1, plain HTTP, storage in a temp dir, optionally
// with token auth against the emulator's registry token front. Plain HTTP keeps it simple: the docker CLI
// treats loopback hosts as insecure registries; skopeo needs --tls-verify=false.

/** Where Debian installs distribution's registry. */
export const REGISTRY_BIN = '/usr/bin/docker-registry';

const START_DEADLINE_MS = 15_000;
const PORT_ATTEMPTS = 3;

/** `auth.token` of the registry's configuration. */
export interface RegistryTokenAuth {
  /** Where clients fetch tokens, e.g. `{emulator}/v2/token`. */
  realm: string;
  /** Must equal the JWT's `aud`. */
  service: string;
  /** Must equal the JWT's `iss`. */
  issuer: string;
  /** PEM file of the certificate that signs the JWTs (the `x5c` chain ends at it). */
  rootcertbundle: string;
}

export interface StartRegistryOptions {
  /** Token auth; without it the registry serves anyone (an anonymous, "foreign" registry). */
  auth?: RegistryTokenAuth;
}

export interface RegistryProcess {
  /** `127.0.0.1:PORT`, the host docker and skopeo name. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  pid: number;
  /** Config and storage; removed by stop(). */
  dir: string;
  /** Everything the registry logged so far. */
  log(): string;
  /** SIGTERM by PID, wait for exit (SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<RegistryProcess>();

/** Whether Debian's registry binary is installed. */
export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BIN);
}

/** A port that was free a moment ago on 127.0.0.1 (the registry cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Distribution's config (JSON is YAML, and its yaml.v2 parser takes it). */
function registryConfig(port: number, storage: string, auth: RegistryTokenAuth | undefined): Record<string, unknown> {
  return {
    version: 0.1,
    log: {level: 'info', formatter: 'text', accesslog: {disabled: true}},
    storage: {filesystem: {rootdirectory: storage}, delete: {enabled: true}},
    http: {addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex')},
    ...(auth ? {auth: {token: {...auth}}} : {}),
  };
}

/** One attempt on one port: resolves when the registry logs that it listens, rejects if it exits first. */
async function startOn(port: number, dir: string, auth: RegistryTokenAuth | undefined): Promise<RegistryProcess> {
  const storage = path.join(dir, `storage-${port}`);
  mkdirSync(storage, {recursive: true});
  const configFile = path.join(dir, `config-${port}.yml`);
  writeFileSync(configFile, JSON.stringify(registryConfig(port, storage, auth), null, 2));

  let started: StartedProcess;
  try {
    started = await startProcess(REGISTRY_BIN, ['serve', configFile], {
      // Only PATH: stray REGISTRY_* variables of the caller would override the file.
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
      ready: new RegExp(`msg="listening on 127\\.0\\.0\\.1:${port}"`),
      readyOn: 'both',
      readyTimeoutMs: START_DEADLINE_MS,
      name: 'registry',
    });
  } catch (error) {
    if (error instanceof ExitedBeforeReadyError) throw new PortTakenOrExitError(error.log, /address already in use/.test(error.log));
    throw error;
  }

  const registry: RegistryProcess = {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: started.pid,
    dir,
    log: started.log,
    stop: async () => {
      await started.stop();
      running.delete(registry);
      rmSync(dir, {recursive: true, force: true});
    },
  };
  running.add(registry);
  return registry;
}

class PortTakenOrExitError extends Error {
  constructor(log: string, readonly portTaken: boolean) {
    super(`registry exited before it listened:\n${log}`);
  }
}

/**
 * Starts Debian's registry on a free 127.0.0.1 port and resolves once `GET /v2/` answers as configured:
 * 401 with a Bearer challenge naming the realm under token auth, 200 without. Throws with the registry's
 * log if it exits, stalls or answers otherwise.
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RegistryProcess> {
  // Its own dir, removed by stop(): the shared tmpDir() cleanup may run while the registry still serves.
  const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-registry-'));
  let registry: RegistryProcess | undefined;
  for (let attempt = 1; !registry; attempt++) {
    try {
      registry = await startOn(await freePort(), dir, opts.auth);
    } catch (error) {
      // Another process may take the port between freePort() and the registry's listen.
      if (!(error instanceof PortTakenOrExitError && error.portTaken && attempt < PORT_ATTEMPTS)) {
        rmSync(dir, {recursive: true, force: true});
        throw error;
      }
    }
  }
  const res = await fetch(`${registry.url}/v2/`);
  await res.arrayBuffer();
  const challenge = res.headers.get('www-authenticate') ?? '';
  const ready = opts.auth ? res.status === 401 && challenge.includes(`realm="${opts.auth.realm}"`) : res.status === 200;
  if (!ready) {
    await registry.stop();
    throw new Error(`registry answered GET /v2/ with ${res.status} (${challenge}):\n${registry.log()}`);
  }
  return registry;
}

// Safety net: a failing test must not leave a registry running.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.all([...running].map((r) => r.stop()));
  });
}
process.once('exit', () => {
  for (const r of running) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(r.dir, {recursive: true, force: true});
  }
});
