/**
 * The Node side of docker-credential-gcauth's fast path. bin/docker-credential-gcauth (POSIX sh) answers a `get`
 * without starting Node when this module has pre-rendered the answer Node would give: the token, the hosts it may
 * go to, and everything that answer depends on, so the sh can tell with certainty that nothing changed.
 *
 * What an answer depends on, and how each is pinned:
 * - the environment: the sh passes a fingerprint of every variable that can change an answer (FAST_ENV_PREFIXES,
 *   FAST_ENV_NAMES) in GCAUTH_HELPER_FAST_ENV; Node checks it describes its own environment and records only a
 *   salted SHA-256 of it (values such as NODE_AUTH_TOKEN or GOOGLE_CREDENTIALS are secrets, never written); the sh
 *   answers only while `sha256sum` of the salt and its own fingerprint gives the same digest;
 * - files: the configurations, active_config, credentials.json, the gce cache, the ADC files and the token's cache
 *   entry are recorded by identity (mode, owner, device, inode, size, ctime to the nanosecond, which no write keeps;
 *   absent files as absent), first before the context reads them and again after the token is had: an answer is
 *   rendered only when both agree, so a write Node may have missed is never pinned; the sh compares the identities
 *   with one `stat` call;
 * - the token: its expiry less what the helper requires of it (docker/min_token_lifetime, by token-service.ts's
 *   remainingRequired), against the ctime of /proc/self read in the same `stat`
 *   call: stat's own /proc entry, made when stat looks it up, so never older than now in any PID namespace
 *   (`date +%s` where there is no /proc/self);
 * - the host: the sh reads only canonical input (`host` or `http(s)://host`, which server-url.ts leaves unchanged)
 *   and serves a Google name by registries.ts's rule restated in sh (port-less names only) or a host listed here,
 *   each of which servesHost accepted under the same state; every other form goes to Node.
 * Only tokens of a stored credential or an ADC file are rendered: the metadata server, impersonation (whose warning
 * Node prints) and Windows always go to Node. Every write of credentials or properties also deletes the answer
 * (config/fast-answer-file.ts). The answer is 0600, written atomically, in the 0700 config dir; the sh answers only in a
 * config dir of the user's that no one else may write, and checks the answer's owner on the descriptor it read.
 */
import {createHash, randomBytes} from 'node:crypto';
import {closeSync, fchmodSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import path from 'node:path';

import {wellKnownAdcFile} from '../auth/adc/read.js';
import {activeConfigFromEnv} from '../config/configurations.js';
import {GCE_CACHE_FILE, resolvePaths} from '../config/paths.js';
import {readRegularFile} from '../fs/read-file.js';
import {MIN_REMAINING_MS, remainingRequired} from '../auth/tokens/token-service.js';
import {type CachedToken, tokenKeyId} from '../store/token-cache.js';
import {discardFastAnswer, fastAnswerPath, fastAnswerTempPath} from '../config/fast-answer-file.js';
import {registryHost} from './server-url.js';

/** The variable the sh passes its environment fingerprint in (and so asks for an answer). */
export const FAST_ENV_VARIABLE = 'GCAUTH_HELPER_FAST_ENV';
/** Set (non-empty), the sh always runs Node: the forced path of tests and of anyone who wants no fast path. */
export const NO_FAST_VARIABLE = 'GCAUTH_HELPER_NO_FAST';
/** Variables that can change what the helper answers, by prefix (the sh's case patterns list the same). */
export const FAST_ENV_PREFIXES = ['GCAUTH_', 'CLOUDSDK_', 'GOOGLE_', 'GCE_', 'NODE_'] as const;
/** ...and by name: the config dir's, ADC's and metadata detection's inputs. */
export const FAST_ENV_NAMES = ['HOME', 'XDG_CONFIG_HOME', 'APPDATA', 'METADATA_SERVER_DETECTION', 'K_SERVICE', 'CLOUD_RUN_JOB', 'FUNCTION_NAME', 'NO_GCE_CHECK'] as const;
/** The answer format's first line. */
export const ANSWER_MAGIC = 'gcauth-docker-answer 2';

/** Paths that must be absolute for the answer to mean the same thing in any working directory. */
const PATH_VARIABLES = ['GCAUTH_CONFIG', 'XDG_CONFIG_HOME', 'HOME', 'CLOUDSDK_CONFIG', 'GOOGLE_APPLICATION_CREDENTIALS'];
const CONFIGURATION_FILE = /^config_[a-z][-a-z0-9]*$/;
const CANONICAL_HOST = /^[a-z0-9.:[\]-]+$/;

/** True for a variable the fingerprint covers. */
export function fingerprinted(name: string): boolean {
  if (name === FAST_ENV_VARIABLE || name === NO_FAST_VARIABLE) return false;
  return FAST_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)) || (FAST_ENV_NAMES as readonly string[]).includes(name);
}

/**
 * The sh's fingerprint, `NAME=BYTES:VALUE;` per variable, parsed, or undefined when it is not one. Values are
 * counted in bytes, as dash counts them.
 */
export function parseFingerprint(text: string): Map<string, string> | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const entries = new Map<string, string>();
  let at = 0;
  while (at < bytes.length) {
    const eq = bytes.indexOf(0x3d, at);
    const colon = eq < 0 ? -1 : bytes.indexOf(0x3a, eq);
    if (colon < 0) return undefined;
    const name = bytes.subarray(at, eq).toString('utf8');
    const length = bytes.subarray(eq + 1, colon).toString('utf8');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !/^\d+$/.test(length)) return undefined;
    const end = colon + 1 + Number(length);
    if (end >= bytes.length || bytes[end] !== 0x3b || entries.has(name)) return undefined;
    entries.set(name, bytes.subarray(colon + 1, end).toString('utf8'));
    at = end + 1;
  }
  return entries;
}

/** True when the fingerprint names exactly the fingerprinted variables of env, with their values. */
export function fingerprintMatches(text: string, env: Record<string, string | undefined>): boolean {
  const entries = parseFingerprint(text);
  if (!entries) return false;
  const names = Object.keys(env).filter((name) => fingerprinted(name) && env[name] !== undefined);
  return names.length === entries.size && names.every((name) => entries.get(name) === env[name]);
}

/**
 * What the answer records of the environment: `SALT DIGEST`, the SHA-256 (hex) of the salt and the fingerprint as
 * the sh feeds them to `sha256sum` (a here-document: each on its own line). The salt is new with every answer.
 */
export function fingerprintDigest(fingerprint: string, salt = randomBytes(8).toString('hex')): string {
  return `${salt} ${createHash('sha256').update(`${salt}\n${fingerprint}\n`).digest('hex')}`;
}

/** A file's identity as `stat -L -c '%a:%u:%d:%i:%s:%.9Z'` prints it, or undefined when it does not exist. */
export function fileIdentity(file: string): string | undefined {
  try {
    const s = statSync(file, {bigint: true});
    const ctime = `${s.ctimeNs / 1_000_000_000n}.${(s.ctimeNs % 1_000_000_000n).toString().padStart(9, '0')}`;
    return `${(s.mode & 0o7777n).toString(8)}:${s.uid}:${s.dev}:${s.ino}:${s.size}:${ctime}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

type Snapshot = Array<[file: string, identity: string | undefined]>;

const snapshot = (files: readonly string[]): Snapshot => files.map((file) => [file, fileIdentity(file)]);

/** What a get's answer was read from, pinned before the context reads it. */
export interface FastAnswerProbe {
  configDir: string;
  fingerprint: string;
  before: Snapshot;
}

/**
 * Starts a get that may pre-render its answer: only when the sh asked (its fingerprint describes this process's
 * environment), off Windows, with absolute paths. Pins the files the context is about to read. Never throws.
 */
export function beginFastAnswer(env: Record<string, string | undefined>, homeDir: string, platform: NodeJS.Platform): FastAnswerProbe | undefined {
  try {
    const fingerprint = env[FAST_ENV_VARIABLE];
    if (!fingerprint || platform === 'win32' || !fingerprintMatches(fingerprint, env)) return undefined;
    if (PATH_VARIABLES.some((name) => env[name] && !path.isAbsolute(env[name]!)) || !path.isAbsolute(homeDir)) return undefined;
    const paths = resolvePaths(env, homeDir, platform);
    const active = activeConfigFromEnv(env)?.name ?? readActiveName(paths.activeConfigFile);
    const configurations = new Set([`config_${active}`, ...listDir(paths.configurationsDir)].filter((name) => CONFIGURATION_FILE.test(name)));
    const files = [
      paths.activeConfigFile,
      ...[...configurations].sort().map((name) => path.join(paths.configurationsDir, name)),
      paths.credentialsFile,
      path.join(paths.configDir, GCE_CACHE_FILE),
      wellKnownAdcFile(env, homeDir, platform),
      ...(env.GOOGLE_APPLICATION_CREDENTIALS ? [path.resolve(env.GOOGLE_APPLICATION_CREDENTIALS)] : []),
    ];
    if (files.some((file) => /[\n\r]/.test(file))) return undefined;
    return {configDir: paths.configDir, fingerprint, before: snapshot(files)};
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function readActiveName(file: string): string {
  try {
    return readRegularFile(file).trim() || 'default';
  } catch {
    return 'default';
  }
}

/** What the helper answered a get with. */
export interface HelperAnswer {
  /** The normalised host asked for. */
  host: string;
  /** The token source that answered, and the sources tried before it (which had nothing). */
  source: string;
  tried: readonly string[];
  token: CachedToken;
  /** What the helper required of the token (docker/min_token_lifetime): the sh serves it only while Node would. */
  minRemainingMs: number;
  username: string;
  /** The hosts of docker/registries. */
  extraHosts: readonly string[];
  /** True when impersonation is configured. */
  impersonated: boolean;
}

/** What rendering needs of the context. */
export interface FastAnswerContext {
  paths: {configDir: string; tokensDir: string};
  log: {debug(message: string): void};
}

/** The deadline the sh compares `date +%s` with: the last whole second at which more than remainingMs remain. */
export const answerDeadline = (expiryMs: number, remainingMs = MIN_REMAINING_MS) => Math.floor((expiryMs - remainingMs) / 1000) - 1;

/**
 * The hosts the sh may hand this token to: gcloud's GCR hosts, every Artifact Registry host, docker/registries
 * and the host just asked for, each only if `serves` accepts it and in a form the Node helper reads unchanged.
 */
export function answerHosts(answer: Pick<HelperAnswer, 'host' | 'extraHosts'>, serves: (host: string) => boolean): string[] {
  // The sh knows Google's port-less names by pattern (google_host): listing all 98 would only make it read more
  // (a shell's read costs a system call a byte).
  const hosts = new Set([...answer.extraHosts, answer.host]);
  return [...hosts].filter((host) => CANONICAL_HOST.test(host) && registryHost(host) === host && serves(host));
}

/** The answer file's text. */
export function answerText(configDir: string, envDigest: string, deadline: number, hosts: readonly string[], tail: string, files: Snapshot): string {
  const lines = [ANSWER_MAGIC, configDir, String(deadline), envDigest, hosts.join(' '), tail];
  // Paths in the config dir are written relative to it: fewer bytes for the sh to read.
  const inConfig = (file: string) => (file.startsWith(`${configDir}/`) ? file.slice(configDir.length + 1) : file);
  for (const [file, identity] of files) lines.push(identity === undefined ? `a ${inConfig(file)}` : `p ${identity} ${inConfig(file)}`);
  return `${[...lines, 'end'].join('\n')}\n`;
}

/** What an answer file says of itself (its deadline, in seconds, and its listed hosts), or undefined when it is not a whole answer. */
export function answerSummary(text: string): {deadline: number; hosts: string[]} | undefined {
  const lines = text.split('\n');
  if (lines[0] !== ANSWER_MAGIC || !lines.includes('end') || !/^\d+$/.test(lines[2] ?? '')) return undefined;
  return {deadline: Number(lines[2]), hosts: (lines[4] ?? '').split(' ').filter(Boolean)};
}

/**
 * Pre-renders the answer of a get that succeeded, when every input of it is pinned (see the module comment);
 * otherwise removes any answer. `serves` is the helper's own host rule under this state. Never throws.
 */
export function renderFastAnswer(probe: FastAnswerProbe, ctx: FastAnswerContext, answer: HelperAnswer, serves: (host: string) => boolean): void {
  try {
    const why = notRenderable(probe, ctx, answer);
    if (why) {
      ctx.log.debug(`docker helper fast path: no answer rendered (${why})`);
      discardFastAnswer(probe.configDir);
      return;
    }
    const after = snapshot(probe.before.map(([file]) => file));
    if (after.some(([, identity], i) => identity !== probe.before[i]![1])) {
      ctx.log.debug('docker helper fast path: no answer rendered (a file changed while it was read)');
      discardFastAnswer(probe.configDir);
      return;
    }
    const tokenFile = path.join(ctx.paths.tokensDir, `${tokenKeyId(answer.token)}.json`);
    const tokenIdentity = cachedTokenIdentity(tokenFile, answer.token.token);
    if (!tokenIdentity) {
      ctx.log.debug('docker helper fast path: no answer rendered (the token is not the cached one)');
      discardFastAnswer(probe.configDir);
      return;
    }
    const tail = `","Username":${JSON.stringify(answer.username)},"Secret":${JSON.stringify(answer.token.token)}}`;
    const text = answerText(probe.configDir, fingerprintDigest(probe.fingerprint), answerDeadline(answer.token.expiry, remainingRequired(answer.token, answer.minRemainingMs)), answerHosts(answer, serves), tail, [...after, [tokenFile, tokenIdentity]]);
    writeAnswer(probe.configDir, text);
  } catch (error) {
    ctx.log.debug(`docker helper fast path: no answer rendered (${(error as Error).message})`);
    discardFastAnswer(probe.configDir);
  }
}

function notRenderable(probe: FastAnswerProbe, ctx: FastAnswerContext, answer: HelperAnswer): string | undefined {
  if (ctx.paths.configDir !== probe.configDir) return 'the context has another config dir';
  if (answer.source !== 'gcauth' && answer.source !== 'adc') return `token source ${answer.source}`;
  if (answer.tried.includes('metadata')) return 'the metadata server was asked first';
  if (answer.impersonated || answer.token.variant !== undefined) return 'impersonation';
  if (answer.token.account.startsWith('metadata.')) return 'a metadata-server token';
  if (!Number.isFinite(answer.token.expiry)) return 'a given access token, whose expiry is unknown';
  return undefined;
}

// stat, read, stat: the identity recorded is that of a file that held exactly this token.
function cachedTokenIdentity(file: string, token: string): string | undefined {
  const identity = fileIdentity(file);
  if (!identity) return undefined;
  const cached = (JSON.parse(readRegularFile(file)) as {token?: unknown}).token;
  return cached === token && fileIdentity(file) === identity ? identity : undefined;
}

// Plain fs rather than write-file-atomic (a module load on every get): an exclusive 0600 temp file, then rename.
// No fsync: an answer lost or torn in a crash is only a miss, since the sh requires the final `end` line. Whatever
// fails (a full disk, a read-only dir), the temp file goes: it holds a token.
function writeAnswer(configDir: string, text: string): void {
  const temp = fastAnswerTempPath(configDir, process.pid);
  rmSync(temp, {force: true});
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600);
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, fastAnswerPath(configDir));
  } catch (error) {
    rmSync(temp, {force: true});
    throw error;
  }
}
