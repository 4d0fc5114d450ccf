import {sign as cryptoSign} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {cliBin, repoRoot, startEmulator} from '../../scripts/launch.js';
import {emulatorEnv, runCli} from './cli.js';
import type {FaultConfig} from '../../src/emulator/faults.js';
import type {StateData} from '../../src/emulator/records.js';
import type {EmulatorState} from '../../src/emulator/state.js';
import type {EmulatorStats} from '../../src/emulator/stats.js';

export type {FaultConfig, EmulatorStats};

// The repository root and the built CLI, as every launcher of the CLI finds them.
export {cliBin, repoRoot};

const tmpDirs: string[] = [];
const running = new Set<EmulatorProcess>();

/**
 * Makes a fresh temp dir, removed in this module's afterAll. Jest runs that hook before the test file's own
 * afterAll hooks, so an in-process emulator closed there finds its dir gone (close() tolerates that).
 */
export function tmpDir(prefix = 'gcauth-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** Removes every dir tmpDir() made so far. */
export function cleanupTmpDirs(): void {
  for (const dir of tmpDirs.splice(0)) rmSync(dir, {recursive: true, force: true});
}

export interface EmulatorProcess {
  url: string;
  dataDir: string;
  ownerKeyFile: string;
  project: string;
  pid: number;
  /** Everything the emulator printed on stderr so far (request log, status lines). */
  stderr(): string;
  stats(): Promise<EmulatorStats>;
  /** Replaces the whole fault config (absent fields switch that fault off). */
  setFaults(faults: FaultConfig): Promise<void>;
  resetStats(): Promise<void>;
  /** Sets `expires_in` of access tokens issued from now on. */
  setTokenLifetime(seconds: number): Promise<void>;
  /** SIGTERM by PID, wait for exit (SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
  /** Settles when the process has exited, with its exit code and signal. */
  exited: Promise<{exitCode?: number; signal?: string}>;
}

export interface StartEmulatorProcessOptions {
  /** Extra arguments for `gcauth emulator start` (e.g. ['--fail-rate', '1']). */
  args?: string[];
  /** Reuse a data dir (e.g. to test restarts); default a fresh tmpDir(). */
  dataDir?: string;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

/** GET (or, with a body, POST JSON to) `{url}/__admin/{route}`; throws on a refusal. */
export async function admin(url: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/__admin/${route}`, body === undefined ? {} : {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`emulator admin ${route} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Spawns the built CLI's `gcauth emulator start --port 0` on 127.0.0.1 (scripts/launch.js) and resolves once it
 * prints its "Emulator listening on" line (no sleeps). Rejects with its stderr if it exits or stalls first.
 */
export async function startEmulatorProcess(opts: StartEmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const dataDir = opts.dataDir ?? tmpDir('gcauth-emu-');
  const started = await startEmulator({
    dataDir,
    args: opts.args,
    // The CLI must not read or write the developer's real config while it runs here.
    env: {...process.env, GCAUTH_CONFIG: path.join(dataDir, '.gcauth-config'), NO_COLOR: '1', ...opts.env},
  });
  const {url, pid} = started;
  const info = JSON.parse(readFileSync(path.join(dataDir, 'emulator.json'), 'utf8')) as {ownerKeyFile: string; project: string};
  const emulator: EmulatorProcess = {
    url,
    dataDir,
    ownerKeyFile: info.ownerKeyFile,
    project: info.project,
    pid,
    exited: started.exited.then((r) => ({exitCode: r.exitCode ?? undefined, signal: r.signal ?? undefined})),
    stderr: started.stderr,
    stats: async () => (await admin(url, 'stats')) as EmulatorStats,
    setFaults: async (faults) => {
      await admin(url, 'faults', faults);
    },
    resetStats: async () => {
      await admin(url, 'reset-stats', {});
    },
    setTokenLifetime: async (seconds) => {
      await admin(url, 'token-lifetime', {seconds});
    },
    stop: async () => {
      await started.stop();
      running.delete(emulator);
    },
  };
  running.add(emulator);
  return emulator;
}

// Safety net: a failing test must not leave an emulator running or temp dirs behind.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.all([...running].map((e) => e.stop()));
    cleanupTmpDirs();
  });
}
process.once('exit', () => {
  for (const e of running) {
    try {
      process.kill(e.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  cleanupTmpDirs();
});

/** The fields of a Google service-account key file that tests use. */
export interface KeyFileFields {
  private_key: string;
  private_key_id: string;
  client_email: string;
  token_uri: string;
  project_id: string;
  client_id: string;
}

/** Reads a Google JSON key file. */
export function readKeyFile(file: string): KeyFileFields {
  return JSON.parse(readFileSync(file, 'utf8')) as KeyFileFields;
}

/**
 * Signs a jwt-bearer assertion with plain node:crypto (deliberately not jose, which the emulator uses), shaped like
 * google-auth's: header {typ, alg, kid}, claims {iat, exp = iat + 3600, iss, aud, scope}. Overrides replace or,
 * with `undefined`, remove fields.
 */
export function signAssertion(
  key: Pick<KeyFileFields, 'private_key' | 'private_key_id' | 'client_email'>,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const iat = Math.floor(Date.now() / 1000);
  const h: Record<string, unknown> = {typ: 'JWT', alg: 'RS256', kid: key.private_key_id, ...header};
  const c: Record<string, unknown> = {
    iat,
    exp: iat + 3600,
    iss: key.client_email,
    aud: 'https://oauth2.googleapis.com/token',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    ...claims,
  };
  for (const obj of [h, c]) for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(h)}.${enc(c)}`;
  const signature = cryptoSign('RSA-SHA256', Buffer.from(input), key.private_key).toString('base64url');
  return `${input}.${signature}`;
}

/** POSTs a jwt-bearer grant to `{url}/token`; returns status and parsed JSON. */
export async function postToken(url: string, assertion: string | undefined, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer'): Promise<{status: number; body: Record<string, unknown>}> {
  const form = new URLSearchParams();
  if (assertion !== undefined) form.set('assertion', assertion);
  form.set('grant_type', grantType);
  const res = await fetch(`${url}/token`, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: form});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

/** Mints an access token for a key at the emulator's `/token` (default scope cloud-platform); throws if refused. */
export async function accessTokenFor(
  url: string,
  key: Pick<KeyFileFields, 'private_key' | 'private_key_id' | 'client_email'>,
  scope = 'https://www.googleapis.com/auth/cloud-platform',
): Promise<string> {
  const r = await postToken(url, signAssertion(key, {scope}));
  if (r.status !== 200) throw new Error(`token refused for ${key.client_email}: ${JSON.stringify(r.body)}`);
  return String(r.body.access_token);
}

/** The answer of a Google JSON API call, body parsed. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * Calls an emulated Google JSON API the way gcloud does: `{url}{path}`, JSON body, `Authorization: Bearer`
 * when a token is given (pass undefined to send none).
 */
export async function callApi(url: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = {accept: 'application/json'};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers};
}

/**
 * What an in-process emulator has persisted, flushed first: the whole of `state.json`, secrets and tokens included,
 * for tests that must see past State's queries (what is kept at all, the file's version).
 */
export async function savedState(emu: {state: EmulatorState; dataDir: string}): Promise<StateData> {
  await emu.state.save();
  return JSON.parse(readFileSync(path.join(emu.dataDir, 'state.json'), 'utf8')) as StateData;
}

/** `GET /__admin/state`: the emulated world without secrets, to check that a refused call changed nothing. */
export async function adminState(url: string): Promise<unknown> {
  return admin(url, 'state');
}

/** A fresh config dir in which keyFile's account is the active one (the test fails if activation does); its env. */
export async function activatedEnv(url: string, keyFile: string): Promise<Record<string, string>> {
  const env = emulatorEnv(url, tmpDir());
  expect(await runCli(['auth', 'activate-service-account', `--key-file=${keyFile}`], {env})).toMatchObject({exitCode: 0});
  return env;
}

/** Google's 403 for a permission the caller lacks on `resource`, as callApi answers it (with its ErrorInfo). */
export function permissionDenied(permission: string, resource: string) {
  return {
    status: 403,
    body: {
      error: {
        code: 403,
        message: `Permission '${permission}' denied on resource (or it may not exist).`,
        status: 'PERMISSION_DENIED',
        details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: {permission, resource}}],
      },
    },
  };
}

/** A user at the emulator's consent page `pageUrl` allows as `user`; returns where the browser is then sent. */
export async function allowOnConsentPage(emulatorUrl: string, pageUrl: string, user: string): Promise<string> {
  const html = await (await fetch(pageUrl)).text();
  const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
  const decided = await fetch(`${emulatorUrl}/o/oauth2/v2/auth/decision`, {method: 'POST', body: new URLSearchParams({request, decision: 'allow', user}), redirect: 'manual'});
  return decided.headers.get('location')!;
}
