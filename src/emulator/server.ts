import {chmod, mkdir, readFile, rm} from 'node:fs/promises';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {createAdaptorServer} from '@hono/node-server';
import {Hono} from 'hono';
import {routePath} from 'hono/route';
import writeFileAtomic from 'write-file-atomic';
import {ApiDispatcher} from './api.js';
import {Authenticator} from './authn.js';
import {IdTokenSigner} from './id-tokens.js';
import {FaultConfigError, FaultInjector, parseFaultConfig, type FaultConfig} from './faults.js';
import {apiError} from './google-errors.js';
import {buildKeyFile, prepareRsaKeyPair, serializeKeyFile, type GoogleKeyFile} from './keys.js';
import {registerAdminRoutes} from './admin.js';
import {AwsStandIn, awsSecretLookup, registerAwsRoutes, verifyAwsSubjectToken} from './aws.js';
import {CiIssuer, registerCiRoutes} from './ci-issuer.js';
import {registerConsentRoutes} from './consent.js';
import {isMetadataPath, MetadataServer, registerMetadataRoutes, type MetadataUpdate} from './metadata.js';
import {registerOAuthRoutes} from './oauth.js';
import {registerProjectAdminRoutes} from './project-admin.js';
import {loadRegistrySigner, registerRegistryRoutes, registryInfo, writeRegistryCertificate, type RegistryInfo} from './registry.js';
import {API_ROUTES} from './routes.js';
import {requireServiceEnabled} from './serviceusage.js';
import {registerStsRoutes} from './sts.js';
import {EmulatorState} from './state.js';
import {bump, emptyStats, type EmulatorStats} from './stats.js';
import {isAlive} from './util.js';

export type {FaultConfig, FaultStatus} from './faults.js';
export type {EmulatorStats} from './stats.js';
export type {RegistryInfo} from './registry.js';
export type {MetadataFault, MetadataUpdate, MetadataView} from './metadata.js';
export {METADATA_FAULTS, MetadataConfigError} from './metadata.js';
export {EmulatorState} from './state.js';

/** File names inside the data dir. */
export const OWNER_KEY_FILE = 'owner-key.json';
export const INFO_FILE = 'emulator.json';
/** Prefix of the admin routes; never faulted, never counted. */
export const ADMIN_PREFIX = '/__admin/';
/** Google's access tokens live one hour less a second. */
export const DEFAULT_TOKEN_LIFETIME_S = 3599;

export interface StartEmulatorOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Where state, the owner key and emulator.json live; created 0700. */
  dataDir: string;
  /** Project created on first start; default `demo-project`. Ignored when state exists. */
  project?: string;
  /** Services enabled on the project made on first start; default DEFAULT_SERVICES, `[]` for none (`--no-services`). */
  services?: readonly string[];
  /** User accounts the consent page offers (added to existing state); `user@example.com` when none is known. */
  users?: string[];
  faults?: FaultConfig;
  /** `expires_in` of issued access tokens; default 3599. */
  tokenLifetimeSeconds?: number;
  /** The emulated VM's service account (email, `default` or null for none) and scopes, applied to state at start, and its fault (not kept). */
  vm?: MetadataUpdate;
  /** Receives one line per request (method, path without query, status, ms) and lifecycle notes. */
  log?: (line: string) => void;
  /** Clock in ms since the epoch; tests pass a fake one. */
  now?: () => number;
}

/** `dataDir/emulator.json`: how other processes find a running emulator. */
export interface EmulatorInfo {
  url: string;
  pid: number;
  project: string;
  ownerKeyFile: string;
  /** The registry front's token-auth settings, for a registry's `auth.token` section; absent from files of older emulators. */
  registry?: RegistryInfo;
  /** The CI token issuer and its default job's two environment values; absent from files of older emulators. */
  ci?: CiInfo;
}

/** Where the CI issuer is, and the ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN of its default job. */
export interface CiInfo {
  issuer: string;
  requestUrl: string;
  requestToken: string;
}

export interface RunningEmulator extends EmulatorInfo {
  registry: RegistryInfo;
  port: number;
  dataDir: string;
  ownerEmail: string;
  /** The live world; later parts (IAM, CRM) and in-process tests read and mutate it, then call `state.save()`. */
  state: EmulatorState;
  faults: FaultInjector;
  /** The emulated VM behind `/computeMetadata/v1/`. */
  metadata: MetadataServer;
  ci: CiInfo;
  /** The CI token issuer under `/ci`. */
  ciIssuer: CiIssuer;
  /** The stand-in AWS instance metadata and keys under `/aws`. */
  aws: AwsStandIn;
  stats(): EmulatorStats;
  resetStats(): void;
  setTokenLifetime(seconds: number): void;
  /** Stops listening, drops open connections, flushes state and removes emulator.json. Idempotent. */
  close(): Promise<void>;
}

/** Raised when the data dir is already served by a live emulator. */
export class EmulatorBusyError extends Error {}


/** Refuses a data dir that a live emulator answers for; a stale emulator.json from a crash is ignored. */
async function assertNotServed(dataDir: string): Promise<void> {
  let info: EmulatorInfo;
  try {
    info = JSON.parse(await readFile(join(dataDir, INFO_FILE), 'utf8')) as EmulatorInfo;
  } catch {
    return;
  }
  if (info.pid === process.pid || !isAlive(info.pid)) return;
  try {
    const res = await fetch(`${info.url}${ADMIN_PREFIX}health`, {signal: AbortSignal.timeout(1000)});
    if (res.ok) throw new EmulatorBusyError(`An emulator (pid ${info.pid}) already serves ${dataDir} at ${info.url}`);
  } catch (error) {
    if (error instanceof EmulatorBusyError) throw error;
  }
}

function validLifetime(seconds: unknown): seconds is number {
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 1 && seconds <= 43200;
}

function urlFor(host: string, port: number): string {
  // A wildcard bind is reachable on loopback; clients need a concrete address.
  const concrete = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${concrete.includes(':') ? `[${concrete}]` : concrete}:${port}`;
}

async function readKeyFile(file: string): Promise<GoogleKeyFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as GoogleKeyFile;
  } catch {
    return undefined;
  }
}

/**
 * Starts the emulator: loads or creates state in `dataDir`, listens, (re)writes owner-key.json and
 * emulator.json for the current URL. Throws EmulatorBusyError, StateFileError, FaultConfigError or a listen error.
 */
export async function startEmulator(opts: StartEmulatorOptions): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const dataDir = opts.dataDir;
  let tokenLifetime = DEFAULT_TOKEN_LIFETIME_S;
  /** The one place the issued token lifetime changes: flags, the admin endpoint and tests all come here. */
  const setTokenLifetime = (seconds: unknown): void => {
    if (!validLifetime(seconds)) throw new FaultConfigError('token lifetime must be an integer between 1 and 43200 seconds');
    tokenLifetime = seconds;
  };
  setTokenLifetime(opts.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_S);
  const faults = new FaultInjector(parseFaultConfig(opts.faults ?? {}));

  await mkdir(dataDir, {recursive: true, mode: 0o700});
  // mkdir leaves an existing dir's mode alone; the dir holds a private key, so tighten it.
  await chmod(dataDir, 0o700);
  await assertNotServed(dataDir);

  const {state, ownerKey} = await EmulatorState.open(dataDir, {
    project: opts.project ?? 'demo-project',
    users: opts.users ?? [],
    now,
    services: opts.services,
  });
  const project = state.defaultProject;
  const ownerEmail = state.ownerEmail;
  const registrySigner = await loadRegistrySigner(state, now, log);

  // Reset in place: the OAuth routes hold this same object.
  const stats = emptyStats();
  // Every route that acts for a caller learns who it is here.
  const authn = new Authenticator(state);
  const idTokens = new IdTokenSigner(state.idTokenSigningKey, now);
  const metadataDeps = {state, idTokens, stats, now, tokenLifetimeSeconds: () => tokenLifetime};
  const metadata = new MetadataServer(metadataDeps);
  const ci = new CiIssuer({state, now, url: () => info?.url ?? ''});
  // Made on first start and kept, so the job's secret (printed by `emulator env-init --ci`) outlives restarts.
  await ci.ensureDefaultJob();
  const aws = new AwsStandIn({state, now});
  if (opts.vm) await metadata.configure(opts.vm);
  const resetStats = () => {
    Object.assign(stats, emptyStats());
    metadata.clearRequests();
  };
  const app = new Hono();
  // Requests can only arrive after listen(), by which time `info` is set.
  const api = new ApiDispatcher(API_ROUTES, {
    state,
    authn,
    idTokens,
    now,
    url: () => info?.url ?? '',
    requireEnabled: (service, params) => requireServiceEnabled(service, params, state),
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    // On arrival, before any fault, so a test sees every request a client made, in order.
    if (isMetadataPath(c.req.path)) {
      const url = new URL(c.req.url);
      metadata.record(`${url.pathname}${url.search}`);
    }
    await next();
    const ms = Math.round(performance.now() - started);
    const path = c.req.path;
    if (!path.startsWith(ADMIN_PREFIX)) {
      stats.total++;
      const pattern = routePath(c, -1);
      const label = api.label(c.req.method, new URL(c.req.url).pathname) ?? `${c.req.method} ${pattern === '*' || pattern === '/*' ? '(unmatched)' : pattern}`;
      bump(stats.byRoute, label);
      bump(stats.byStatus, String(c.res.status));
    }
    // The path only: queries carry tokens (tokeninfo, revoke), and bodies are never logged.
    log(`${c.req.method} ${path} ${c.res.status} ${ms}ms`);
  });

  registerAdminRoutes(app, {
    stats: () => stats,
    resetStats,
    faults,
    tokenLifetime: () => tokenLifetime,
    setTokenLifetime,
    info: () => info ?? {url: '', pid: process.pid, project},
    stateView: () => state.publicView(),
    metadata,
    setKeyValidAfterTime: async (keyId, validAfterTime) => {
      if (!state.setServiceAccountKeyValidAfterTime(keyId, validAfterTime)) return false;
      await state.save();
      return true;
    },
  });

  registerProjectAdminRoutes(app, state);

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith(ADMIN_PREFIX)) return next();
    const latency = faults.latencyFor(c.req.path);
    if (latency > 0) await delay(latency);
    const status = faults.failureFor(c.req.path);
    if (status !== undefined) {
      stats.faultsInjected++;
      // A metadata client checks the flavor of every answer, refusals included, as the real server sends it.
      const flavor = isMetadataPath(c.req.path) ? {'Metadata-Flavor': 'Google'} : undefined;
      return c.json(apiError(status), status, flavor);
    }
    return next();
  });

  registerOAuthRoutes(app, {state, authn, idTokens, stats, now, tokenLifetimeSeconds: () => tokenLifetime, url: () => info?.url ?? ''});
  registerConsentRoutes(app, {state, now});
  const lookupSecret = awsSecretLookup(state);
  registerStsRoutes(app, {state, now, verifyAws: (input) => verifyAwsSubjectToken({...input, lookupSecret})});
  for (const prefix of api.prefixes) app.all(`${prefix}*`, (c) => api.handle(c));
  registerRegistryRoutes(app, {state, authn, stats, now, url: () => info?.url ?? '', signer: registrySigner});
  registerMetadataRoutes(app, metadata, metadataDeps);
  registerCiRoutes(app, ci, state);
  registerAwsRoutes(app, aws);

  app.notFound((c) => c.json(apiError(404, `The requested URL ${c.req.path} was not found on this server.`), 404));
  app.onError((error, c) => {
    log(`internal error on ${c.req.method} ${c.req.path}: ${error.message}`);
    return c.json(apiError(500), 500);
  });

  let info: EmulatorInfo | undefined;
  const server = createAdaptorServer({fetch: app.fetch});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = urlFor(host, port);
  const ownerKeyFile = join(dataDir, OWNER_KEY_FILE);
  const registry = registryInfo(url, dataDir);
  info = {url, pid: process.pid, project, ownerKeyFile, registry};
  const ciJob = await ci.defaultJob();
  info.ci = {issuer: ci.issuer(), requestUrl: ciJob.requestUrl, requestToken: ciJob.requestToken};
  // The first account a request creates (the VM's, on a client's 500 ms metadata probe) finds its key made.
  prepareRsaKeyPair();

  try {
    await writeOwnerKey(state, ownerKeyFile, url, ownerKey, log);
    await writeRegistryCertificate(dataDir, registrySigner);
    await state.save();
    await writeFileAtomic(join(dataDir, INFO_FILE), `${JSON.stringify(info, null, 2)}\n`, {mode: 0o600});
  } catch (error) {
    server.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      metadata.release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive clients (gcloud, gaxios) would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      try {
        await state.save();
      } catch (error) {
        // A data dir removed under a running emulator (a test's temp dir, say) leaves nothing to flush into.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        log(`data dir ${dataDir} is gone; state not saved`);
        return;
      }
      const current = await readFile(join(dataDir, INFO_FILE), 'utf8').catch(() => undefined);
      if (current !== undefined) {
        const parsed = JSON.parse(current) as EmulatorInfo;
        if (parsed.pid === running.pid && parsed.url === running.url) await rm(join(dataDir, INFO_FILE), {force: true});
      }
    })();
    return closing;
  };

  const running: EmulatorInfo = info;
  return {
    ...running,
    registry,
    port,
    dataDir,
    ownerEmail,
    state,
    faults,
    metadata,
    ci: info.ci,
    ciIssuer: ci,
    aws,
    stats: () => structuredClone(stats),
    resetStats,
    setTokenLifetime,
    close,
  };
}

/**
 * Makes owner-key.json usable against this run: a fresh key on first start; on later starts the same
 * key with token_uri moved to the current URL (the port may change). If the file is gone or names a key
 * the owner no longer has, a new key is minted, since the old private half cannot be recovered.
 */
async function writeOwnerKey(
  state: EmulatorState,
  file: string,
  url: string,
  fresh: {keyId: string; privateKeyPem: string} | undefined,
  log: (line: string) => void,
): Promise<void> {
  const owner = state.serviceAccount(state.ownerEmail);
  if (!owner) throw new Error(`state has no owner account ${state.ownerEmail}`);
  const tokenUri = `${url}/token`;
  let key: GoogleKeyFile | undefined;
  if (fresh) {
    key = buildKeyFile({projectId: owner.projectId, keyId: fresh.keyId, privateKeyPem: fresh.privateKeyPem, email: owner.email, clientId: owner.uniqueId, tokenUri});
  } else {
    const existing = await readKeyFile(file);
    if (existing && existing.client_email === owner.email && owner.keys[existing.private_key_id] && typeof existing.private_key === 'string') {
      key = {...existing, token_uri: tokenUri};
    } else {
      const minted = await state.addServiceAccountKey(owner.email);
      log(`owner key file ${file} was missing or stale; minted key ${minted.key.keyId}`);
      key = buildKeyFile({projectId: owner.projectId, keyId: minted.key.keyId, privateKeyPem: minted.privateKeyPem, email: owner.email, clientId: owner.uniqueId, tokenUri});
    }
  }
  await writeFileAtomic(file, serializeKeyFile(key), {mode: 0o600});
}
