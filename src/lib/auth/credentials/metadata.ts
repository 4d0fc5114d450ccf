/**
 * The Compute Engine / GKE metadata server as a token source: gcloud's model, where a VM's attached service
 * account is the default account and needs no key. Detection follows Google's libraries (GCE_METADATA_HOST /
 * GCE_METADATA_IP, METADATA_SERVER_DETECTION, a residency check, a probe that must answer
 * `Metadata-Flavor: Google`) but never costs a machine that is not on Google Cloud anything: with no variable and
 * no residency signal there is no network at all, and a probe's answer is cached in the config dir (`gce`) so
 * later commands do not probe again. Tokens go through the token service's cache and single-flight lock like
 * every other source. Only node:fs is loaded up front; node:http only when a request is made.
 */
import path from 'node:path';

import {GCE_CACHE_FILE} from '../../config/paths.js';
import type {Properties} from '../../config/resolver.js';
import {isTrue} from '../../config/properties.js';
import {ApiError, AuthError, UsageError} from '../../errors.js';
import type {Logger} from '../../log.js';
import {existsAsNonRegular, readRegularFile} from '../../fs/read-file.js';
import {readTextIfExists, writeSecureFile} from '../../fs/secure-fs.js';
import {type CachedToken, fnv1a, type TokenKey} from '../../store/token-cache.js';
import {expiryOr} from '../tokens/expiry.js';
import {DEFAULT_RETRY, type RetryPolicy, withRetry} from '../tokens/retry.js';
import type {TokenService} from '../tokens/token-service.js';
import type {TokenSource} from './types.js';

/** Not on GCE, detection turned off, or no service account attached to the VM. */
export class NoMetadataServerError extends AuthError {}

/** The link-local address of every Google metadata server. */
export const DEFAULT_METADATA_IP = '169.254.169.254';

/**
 * How long the probe may take, connect and answer. The metadata server is link-local and answers in a few
 * milliseconds on a VM, even a loaded one; 500 ms leaves a wide margin while bounding what a machine with a
 * residency signal but no server (or a GCE_METADATA_HOST that hangs) pays, once per negative-cache period.
 * Google's libraries wait 3 s off GCE, which gcauth's start-up budget cannot afford.
 */
export const PROBE_TIMEOUT_MS = 500;
/**
 * How long the probe of a host named by GCE_METADATA_HOST (or _IP) may take: the user has said a metadata server is
 * there (an emulator, a sidecar, a proxy in front of the real one), so it gets a request's time, as Google's libraries
 * give it, rather than failing on a busy machine as if nothing were there.
 */
export const NAMED_HOST_PROBE_TIMEOUT_MS = 3_000;
/** One metadata request (a token) may take this long; a hung server is not retried. */
export const METADATA_REQUEST_TIMEOUT_MS = 3_000;
/** A cached "present" answer is trusted this long (a VM stays a VM; a failing request drops it sooner). */
export const POSITIVE_CACHE_MS = 60 * 60 * 1000;
/** A cached "absent" answer is trusted this long (gcloud re-checks too: a server may come up). */
export const NEGATIVE_CACHE_MS = 10 * 60 * 1000;
export const GCE_CACHE_VERSION = 1;

/** What detection needs of the machine, injectable so tests fake residency without touching the real one. */
export interface GceEnvironment {
  /** Root under which `sys/class/dmi/id/*` is read: `/` on a real machine. */
  sysRoot: string;
  /** MAC addresses of the network interfaces. */
  macAddresses: () => string[];
  platform: NodeJS.Platform;
  /** The host probed when residency says GCE and no variable names one: 169.254.169.254 (tests name the emulator). */
  defaultHost?: string;
  /** Detection's answer, once per invocation. */
  detected?: Promise<Detection>;
}

/** What the metadata client needs of the context. */
export interface MetadataContext {
  env: Record<string, string | undefined>;
  paths: {configDir: string};
  props: Pick<Properties, 'get'>;
  tokens: Pick<TokenService, 'cachedOrMinted'>;
  log: Logger;
  gce: GceEnvironment;
  now: () => number;
}

/** Detection's answer: whether a metadata server is there, and why not when it is not. */
export interface Detection {
  present: boolean;
  host: string;
  /** The VM's default service account when the probe learnt it; null when the VM has none. */
  email?: string | null;
  /** Why not, in words, when an explicitly named host did not answer as a metadata server. */
  reason?: string;
  /** The setting that turned detection off, when one did. */
  off?: string;
}

/** `GCE_METADATA_HOST` (host:port, Google's libraries), else `GCE_METADATA_IP`, else 169.254.169.254. */
export function metadataHost(env: Record<string, string | undefined>, fallback = DEFAULT_METADATA_IP): string {
  return env.GCE_METADATA_HOST?.trim() || env.GCE_METADATA_IP?.trim() || fallback;
}

const DETECTION_MODES = ['none', 'assume-present', 'bios-only', 'ping-only'];

/**
 * Zero-network residency check, as google-auth-library's gcp-residency: Cloud Run / Functions variables, a Google
 * BIOS vendor or product name (Linux), or a MAC address in Google's 42:01 prefix.
 */
export async function gceResidency(env: Record<string, string | undefined>, gce: GceEnvironment): Promise<boolean> {
  if (env.K_SERVICE || env.CLOUD_RUN_JOB || env.FUNCTION_NAME) return true;
  if (gce.platform === 'linux') {
    for (const name of ['bios_vendor', 'product_name']) {
      let text = '';
      try {
        text = readRegularFile(path.join(gce.sysRoot, 'sys', 'class', 'dmi', 'id', name));
      } catch {
        // No DMI data (a container, another kernel): not evidence either way.
      }
      if (/Google/.test(text)) return true;
    }
  }
  return macOnGce(gce);
}

function macOnGce(gce: GceEnvironment): boolean {
  try {
    return gce.macAddresses().some((mac) => /^42:01/i.test(mac));
  } catch {
    return false;
  }
}

/**
 * True when commands may use the metadata server: detection on, and the server there (cached, else probed).
 * @throws UsageError for an unknown METADATA_SERVER_DETECTION value or an invalid core/check_gce_metadata.
 */
export async function onGce(ctx: MetadataContext): Promise<boolean> {
  return (await detectMetadataServer(ctx)).present;
}

/** Detection with its details, memoised for the invocation. @throws as onGce. */
export function detectMetadataServer(ctx: MetadataContext): Promise<Detection> {
  return (ctx.gce.detected ??= detect(ctx));
}

async function detect(ctx: MetadataContext): Promise<Detection> {
  const host = metadataHost(ctx.env, ctx.gce.defaultHost);
  const absent = {present: false, host};
  const check = ctx.props.get('core/check_gce_metadata');
  if (check !== undefined && !isTrue(check)) return {...absent, off: 'core/check_gce_metadata is false'};
  const mode = ctx.env.METADATA_SERVER_DETECTION?.trim().toLowerCase();
  if (mode && !DETECTION_MODES.includes(mode)) {
    throw new UsageError(`Invalid value for METADATA_SERVER_DETECTION: ${JSON.stringify(ctx.env.METADATA_SERVER_DETECTION)}: expected one of ${DETECTION_MODES.join(', ')}.`);
  }
  if (mode === 'none') return {...absent, off: 'METADATA_SERVER_DETECTION=none'};
  if (mode === 'assume-present') return {present: true, host};
  const explicit = Boolean(ctx.env.GCE_METADATA_HOST?.trim() || ctx.env.GCE_METADATA_IP?.trim());
  if (mode === 'bios-only') return {present: await gceResidency(ctx.env, ctx.gce), host};
  // Without a named host or a residency signal nothing is sent anywhere: off Google Cloud this costs no time.
  if (!explicit && mode !== 'ping-only' && !(await gceResidency(ctx.env, ctx.gce))) return absent;
  const cached = await readGceCache(ctx, host);
  if (cached) return cached;
  const answer = await probe(host, explicit ? NAMED_HOST_PROBE_TIMEOUT_MS : PROBE_TIMEOUT_MS);
  ctx.log.debug(`metadata server probe of ${host}: ${answer.present ? 'present' : `absent${answer.reason ? ` (${answer.reason})` : ''}`}`);
  await writeGceCache(ctx, answer);
  return answer;
}

interface GceCacheEntry {
  present: boolean;
  email?: string | null;
  reason?: string;
  checked: string;
}

const gceCacheFile = (ctx: MetadataContext) => path.join(ctx.paths.configDir, GCE_CACHE_FILE);

async function readCacheFile(ctx: MetadataContext): Promise<Record<string, GceCacheEntry>> {
  try {
    const data = JSON.parse((await readTextIfExists(gceCacheFile(ctx))) ?? '{}') as {version?: number; hosts?: Record<string, GceCacheEntry>};
    return data.version === GCE_CACHE_VERSION && data.hosts && typeof data.hosts === 'object' ? data.hosts : {};
  } catch {
    // An unreadable cache is a miss; the next probe rewrites it.
    return {};
  }
}

async function readGceCache(ctx: MetadataContext, host: string): Promise<Detection | undefined> {
  const entry = (await readCacheFile(ctx))[host];
  const checked = entry ? Date.parse(entry.checked) : Number.NaN;
  if (!entry || Number.isNaN(checked)) return undefined;
  const age = ctx.now() - checked;
  if (age < 0 || age > (entry.present ? POSITIVE_CACHE_MS : NEGATIVE_CACHE_MS)) return undefined;
  return {present: entry.present, host, ...(entry.email !== undefined ? {email: entry.email} : {}), ...(entry.reason ? {reason: entry.reason} : {})};
}

// A read-modify-write without a lock: two processes probing at once may lose one entry, which costs one more probe.
async function writeGceCache(ctx: MetadataContext, detection: Detection): Promise<void> {
  // Not over a directory, FIFO or device (or through a symlink to one): it was read as a miss, and stays as it is.
  if (existsAsNonRegular(gceCacheFile(ctx))) return;
  const hosts = await readCacheFile(ctx);
  hosts[detection.host] = {
    present: detection.present,
    ...(detection.email !== undefined ? {email: detection.email} : {}),
    ...(detection.reason ? {reason: detection.reason} : {}),
    checked: new Date(ctx.now()).toISOString(),
  };
  try {
    await writeSecureFile(gceCacheFile(ctx), `${JSON.stringify({version: GCE_CACHE_VERSION, hosts})}\n`);
  } catch (error) {
    ctx.log.debug(`could not cache the metadata probe in ${gceCacheFile(ctx)}: ${(error as Error).message}`);
  }
}

/** Forgets what is cached about host (the server stopped answering, or the VM's account went away). */
async function forgetGceCache(ctx: MetadataContext, host: string): Promise<void> {
  const hosts = await readCacheFile(ctx);
  if (!(host in hosts)) return;
  delete hosts[host];
  await writeSecureFile(gceCacheFile(ctx), `${JSON.stringify({version: GCE_CACHE_VERSION, hosts})}\n`).catch(() => undefined);
  ctx.gce.detected = undefined;
}

/** One answer of the metadata server. */
interface MetadataAnswer {
  status: number;
  /** The answer carried `Metadata-Flavor: Google`: a metadata server, not a proxy or a captive portal. */
  flavored: boolean;
  body: string;
}

/** A request to the metadata server that failed; transient ones (5xx, 429, a reset) are retried. */
export class MetadataRequestError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

const MAX_BODY = 1 << 20;

/** GET http://HOST/computeMetadata/v1/PATH with the flavor header, bounded by timeoutMs from start to answer. */
async function metadataGet(host: string, pathAndQuery: string, timeoutMs: number): Promise<MetadataAnswer> {
  const http = await import('node:http');
  const url = new URL(`http://${host}/computeMetadata/v1/${pathAndQuery}`);
  return new Promise((resolve, reject) => {
    const request = http.get(url, {headers: {'Metadata-Flavor': 'Google'}, agent: false}, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) request.destroy(new MetadataRequestError('the answer is too large', false));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({status: response.statusCode ?? 0, flavored: response.headers['metadata-flavor'] === 'Google', body: Buffer.concat(chunks).toString('utf8')});
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => request.destroy(new MetadataRequestError(`no answer within ${timeoutMs} ms`, false)), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      if (error instanceof MetadataRequestError) return reject(error);
      const code = (error as NodeJS.ErrnoException).code ?? '';
      reject(new MetadataRequestError(code || error.message, code === 'ECONNRESET' || code === 'EPIPE'));
    }
    request.on('error', fail);
  });
}

const EMAIL_PATH = 'instance/service-accounts/default/email';

/**
 * Probes host: the default account's email, which also tells a VM without a service account (404) from no server.
 * Never throws: any failure is "absent", with the reason.
 */
async function probe(host: string, timeoutMs: number): Promise<Detection> {
  try {
    const answer = await metadataGet(host, EMAIL_PATH, timeoutMs);
    if (!answer.flavored) return {present: false, host, reason: `its answer (HTTP ${answer.status}) lacks the header Metadata-Flavor: Google`};
    if (answer.status === 200 && answer.body.trim()) return {present: true, host, email: answer.body.trim()};
    if (answer.status === 404) return {present: true, host, email: null};
    return {present: true, host};
  } catch (error) {
    return {present: false, host, reason: (error as Error).message};
  }
}

/**
 * One metadata GET with the flavor and status checked, 5xx/429 and resets retried within the retry budget.
 * @throws MetadataRequestError (status 404 for a missing entry).
 */
async function metadataText(host: string, pathAndQuery: string, retry: RetryPolicy = DEFAULT_RETRY): Promise<string> {
  return withRetry(
    async () => {
      const answer = await metadataGet(host, pathAndQuery, METADATA_REQUEST_TIMEOUT_MS);
      if (!answer.flavored) throw new MetadataRequestError(`its answer (HTTP ${answer.status}) lacks the header Metadata-Flavor: Google, so it is not a metadata server`, false, answer.status);
      if (answer.status === 200) return answer.body;
      const transient = answer.status === 429 || answer.status >= 500;
      throw new MetadataRequestError(`HTTP ${answer.status}${answer.body.trim() ? `: ${answer.body.trim().split('\n')[0]!.slice(0, 200)}` : ''}`, transient, answer.status);
    },
    (error) => error instanceof MetadataRequestError && error.transient,
    retry,
  );
}

/** Why detection said no, as a sentence for NoMetadataServerError. */
function absentMessage(detection: Detection, env: Record<string, string | undefined>): string {
  const named = env.GCE_METADATA_HOST?.trim() ? 'GCE_METADATA_HOST' : env.GCE_METADATA_IP?.trim() ? 'GCE_METADATA_IP' : undefined;
  if (named) return `${named} names [${detection.host}], which did not answer as a metadata server${detection.reason ? ` (${detection.reason})` : ''}.`;
  if (detection.off) return `Metadata-server detection is off (${detection.off}).`;
  return 'Not running on Google Cloud (no metadata server was detected).';
}

const NO_SERVICE_ACCOUNT_ADVICE =
  'Attach one: gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=EMAIL --scopes=cloud-platform (with the VM stopped).';

/** The detected metadata server. @throws NoMetadataServerError, saying why, when there is none. */
async function presentServer(ctx: MetadataContext): Promise<Detection> {
  const detection = await detectMetadataServer(ctx);
  if (!detection.present) throw new NoMetadataServerError(absentMessage(detection, ctx.env));
  return detection;
}

/**
 * The VM's default service-account email (cached with the probe's answer).
 * @throws NoMetadataServerError off GCE or when the VM has no service account; ApiError when the server fails.
 */
export async function metadataEmail(ctx: MetadataContext): Promise<string> {
  const detection = await presentServer(ctx);
  if (detection.email === null) throw noServiceAccount(detection.host);
  if (detection.email) return detection.email;
  const email = (await request(ctx, detection.host, EMAIL_PATH, 'the service account email')).trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ApiError(`The metadata server at ${detection.host} answered the service account email with something that is not an email.`);
  detection.email = email;
  await writeGceCache(ctx, {...detection, present: true});
  return email;
}

/** The VM's email, or undefined when there is no metadata server or no service account. @throws UsageError as onGce. */
export async function metadataEmailIfAny(ctx: MetadataContext): Promise<string | undefined> {
  if (!(await onGce(ctx))) return undefined;
  try {
    return await metadataEmail(ctx);
  } catch (error) {
    if (error instanceof AuthError || error instanceof ApiError) return undefined;
    throw error;
  }
}

const noServiceAccount = (host: string) =>
  new NoMetadataServerError(`The metadata server at ${host} has no service account for this VM. ${NO_SERVICE_ACCOUNT_ADVICE}`);

/** A GET whose failure becomes the typed error for `what`; a 404 means the VM has no service account. */
async function request(ctx: MetadataContext, host: string, pathAndQuery: string, what: string): Promise<string> {
  try {
    return await metadataText(host, pathAndQuery);
  } catch (error) {
    if (!(error instanceof MetadataRequestError)) throw error;
    if (error.status === 404 && pathAndQuery.startsWith('instance/service-accounts/')) {
      await forgetGceCache(ctx, host);
      throw noServiceAccount(host);
    }
    if (error.status === undefined || !error.transient) await forgetGceCache(ctx, host);
    throw new ApiError(`Could not get ${what} from the metadata server at ${host}: ${error.message}.`, {status: error.status});
  }
}

/** The token cache's name for the metadata server of host, stable and safe as a file name. */
export const metadataCacheAccount = (host: string) => `metadata.${fnv1a(host)}`;

/** Cache key of the VM's access token: its email is part of it, so a new service account means a new token. */
export function metadataTokenKey(host: string, email: string, scopes: string[] | undefined): TokenKey {
  return {account: metadataCacheAccount(host), scopes: scopes ?? [], variant: `metadata ${email}${scopes ? '' : ' vm-scopes'}`};
}

/**
 * An access token of the VM's service account (with `?scopes=` when asked), cached and minted single-flight.
 * @throws NoMetadataServerError off GCE or with no service account; ApiError for a failing or bad server.
 */
export async function metadataAccessToken(ctx: MetadataContext, scopes?: string[]): Promise<CachedToken> {
  const email = await metadataEmail(ctx);
  const {host} = await detectMetadataServer(ctx);
  const token = await ctx.tokens.cachedOrMinted(metadataTokenKey(host, email, scopes), async () => {
    const query = scopes?.length ? `?scopes=${scopes.map(encodeURIComponent).join(',')}` : '';
    const body = await request(ctx, host, `instance/service-accounts/default/token${query}`, 'an access token');
    const parsed = parseTokenAnswer(body);
    if (!parsed) throw new ApiError(`The metadata server at ${host} answered the token request with something that is not a token (expected JSON with access_token and expires_in).`);
    return {token: parsed.token, expiry: ctx.now() + parsed.expiresIn * 1000};
  });
  return {...token, account: email};
}

/** `{"access_token","expires_in","token_type"}`, or undefined for anything else. */
export function parseTokenAnswer(body: string): {token: string; expiresIn: number} | undefined {
  try {
    const json = JSON.parse(body) as {access_token?: unknown; expires_in?: unknown};
    if (typeof json.access_token !== 'string' || !json.access_token || typeof json.expires_in !== 'number' || !(json.expires_in > 0)) return undefined;
    return {token: json.access_token, expiresIn: json.expires_in};
  } catch {
    return undefined;
  }
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * An id token of the VM's service account for audience (`format=full` by default: it carries email and
 * email_verified, as gcloud's), cached per audience and format.
 * @throws NoMetadataServerError off GCE or with no service account; ApiError for a failing or bad server.
 */
export async function metadataIdentityToken(ctx: MetadataContext, audience: string, options: {format?: 'standard' | 'full'} = {}): Promise<CachedToken> {
  const email = await metadataEmail(ctx);
  const {host} = await detectMetadataServer(ctx);
  const format = options.format ?? 'full';
  const key = {account: metadataCacheAccount(host), scopes: [], variant: `metadata ${email} id_token aud=${audience} format=${format}`};
  const token = await ctx.tokens.cachedOrMinted(key, async () => {
    const body = (await request(ctx, host, `instance/service-accounts/default/identity?audience=${encodeURIComponent(audience)}&format=${format}`, 'an identity token')).trim();
    if (!JWT.test(body)) throw new ApiError(`The metadata server at ${host} answered the identity token request with something that is not a JWT.`);
    const {jwtExpiry} = await import('./service-account-id-token.js');
    return {token: body, expiry: expiryOr(jwtExpiry(body), ctx.now)};
  });
  return {...token, account: email};
}

/**
 * The VM's service account as a token source: its access tokens (the VM's scopes unless others are asked) and its id
 * tokens (format=full, so they carry email and email_verified, as gcloud's do).
 */
export function metadataTokenSource(ctx: MetadataContext, defaultAudience: string): TokenSource {
  return {
    accessToken: (scopes) => metadataAccessToken(ctx, scopes),
    idToken: (audience) => metadataIdentityToken(ctx, audience ?? defaultAudience, {format: 'full'}),
  };
}

/**
 * The VM's access scopes, one URL each.
 * @throws NoMetadataServerError off GCE or with no service account; ApiError for a failing server.
 */
export async function metadataScopes(ctx: MetadataContext): Promise<string[]> {
  const {host} = await presentServer(ctx);
  const body = await request(ctx, host, 'instance/service-accounts/default/scopes', 'the access scopes');
  return body
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The project the VM runs in. @throws as metadataScopes. */
export async function metadataProjectId(ctx: MetadataContext): Promise<string> {
  const {host} = await presentServer(ctx);
  return (await request(ctx, host, 'project/project-id', 'the project id')).trim();
}

/** Why there is no metadata account, for a "no active account" message: only when a host was named explicitly. */
export async function metadataAbsenceNote(ctx: MetadataContext): Promise<string | undefined> {
  if (!ctx.env.GCE_METADATA_HOST?.trim() && !ctx.env.GCE_METADATA_IP?.trim()) return undefined;
  const detection = await detectMetadataServer(ctx).catch(() => undefined);
  if (!detection) return undefined;
  if (!detection.present) return absentMessage(detection, ctx.env);
  return detection.email === null ? `The metadata server at ${detection.host} has no service account for this VM.` : undefined;
}
