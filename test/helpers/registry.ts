import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';

// Debian's `docker-registry` (distribution 2.8) on 127.0.0.1, plain HTTP, storage in a temp dir, optionally
// with token auth against the emulator's registry token front. Plain HTTP keeps it simple: the docker CLI
// treats loopback hosts as insecure registries; skopeo needs --tls-verify=false.

/** Where Debian installs distribution's registry. */
export const REGISTRY_BIN = '/usr/bin/docker-registry';

const START_DEADLINE_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 3;
const LISTENING = /msg="listening on ([^"\s]+)"/;

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

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** One attempt on one port: resolves when the registry logs that it listens, rejects if it exits first. */
async function startOn(port: number, dir: string, auth: RegistryTokenAuth | undefined): Promise<RegistryProcess> {
  const storage = path.join(dir, `storage-${port}`);
  mkdirSync(storage, {recursive: true});
  const configFile = path.join(dir, `config-${port}.yml`);
  writeFileSync(configFile, JSON.stringify(registryConfig(port, storage, auth), null, 2));

  // Only PATH: stray REGISTRY_* variables of the caller would override the file.
  const child = spawn(REGISTRY_BIN, ['serve', configFile], {
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${REGISTRY_BIN}`);
  const pid = child.pid;
  let logText = '';
  const exited = waitForExit(child);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`registry did not listen within ${START_DEADLINE_MS} ms:\n${logText}`));
    }, START_DEADLINE_MS);
    // Drained for the registry's whole life, so its log never blocks it.
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({input: stream}).on('line', (line) => {
        logText += `${line}\n`;
        if (LISTENING.exec(line)?.[1] === `127.0.0.1:${port}`) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      reject(new PortTakenOrExitError(logText, /address already in use/.test(logText)));
    });
  });

  let stopping: Promise<void> | undefined;
  const registry: RegistryProcess = {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    dir,
    log: () => logText,
    stop: () => {
      stopping ??= (async () => {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const killer = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
        running.delete(registry);
        rmSync(dir, {recursive: true, force: true});
      })();
      return stopping;
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
