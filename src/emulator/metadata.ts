/**
 * The Compute Engine metadata server of an "emulated VM", under `{url}/computeMetadata/v1/` (and `GET /`, the
 * ping Google's Python library sends to GCE_METADATA_IP). Google's libraries reach it with
 * `GCE_METADATA_HOST=HOST:PORT`; gcloud with `GCE_METADATA_ROOT` and `GCE_METADATA_IP` as well.
 *
 * As at Google: every request needs `Metadata-Flavor: Google` (or the legacy `X-Google-Metadata-Request: True`)
 * and no `X-Forwarded-For`; every answer, refusals included, carries `Metadata-Flavor: Google`; directories
 * list entries one per line with a trailing `/` for subdirectories, `?recursive=true` answers a directory as
 * JSON with camelCase keys, `?alt=json|text` picks the form. `token` hands out ordinary emulator access tokens
 * of the VM's account (so every API and the registry front take them, limited by their scopes) and
 * `identity` RS256 id tokens signed by the key served at /oauth2/v3/certs.
 */
import type {Context, Hono} from 'hono';
import type {IdTokenSigner} from './id-tokens.js';
import type {ServiceAccountRecord, VmRecord} from './records.js';
import type {EmulatorState} from './state.js';
import type {EmulatorStats} from './stats.js';

export const METADATA_PREFIX = '/computeMetadata/';
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';
const CLOUD_PLATFORM = `${SCOPE_PREFIX}cloud-platform`;
/** A cached token is handed out again while this much of it remains, as the real server reuses its tokens. */
const REUSE_MARGIN_MS = 5 * 60 * 1000;

/** GCE's default access scopes for a VM created without `--scopes`. */
export const DEFAULT_VM_SCOPES: readonly string[] = [
  'devstorage.read_only',
  'logging.write',
  'monitoring.write',
  'servicecontrol',
  'service.management.readonly',
  'trace.append',
].map((s) => SCOPE_PREFIX + s);

/**
 * Test-only misbehaviour of the metadata server, for clients' tests of bad servers: `html` answers everything as a
 * captive portal would (200, HTML, no flavor header), `hang` never answers; the `token-` faults touch only the token
 * leaf while the rest of the tree answers: `token-404` (no account), `token-not-json` (200 with an HTML page),
 * `token-503-once` (the next token request is 503, then the fault lifts itself) and `token-hang`.
 */
export const METADATA_FAULTS = ['html', 'hang', 'token-404', 'token-not-json', 'token-503-once', 'token-hang'] as const;
export type MetadataFault = (typeof METADATA_FAULTS)[number];
/** The most recent requests the log keeps, so a long-running emulator does not grow without bound. */
const REQUEST_LOG_LIMIT = 1000;

/** Whether a path is the metadata server's: `/` (the ping) or under `/computeMetadata/`. */
export function isMetadataPath(path: string): boolean {
  return path === '/' || path.startsWith(METADATA_PREFIX);
}

/** Raised for a VM configuration that cannot be applied (unknown account, malformed scope, unknown fault). */
export class MetadataConfigError extends Error {}

/** `cloud-platform` → `https://www.googleapis.com/auth/cloud-platform`; full URLs and `email`/`openid` pass unchanged. */
export function expandScope(scope: string): string {
  const s = scope.trim();
  if (s === '' || /\s|,/.test(s)) throw new MetadataConfigError(`invalid scope "${scope}"`);
  if (/^https?:\/\//.test(s) || s === 'email' || s === 'openid' || s === 'profile') return s;
  if (!/^[a-z][\w.-]*$/.test(s)) throw new MetadataConfigError(`invalid scope "${scope}": expected a URL or a short name such as cloud-platform`);
  return SCOPE_PREFIX + s;
}

/** The VM's live configuration as `GET /__admin/metadata` shows it. */
export interface MetadataView {
  serviceAccount: string | null;
  scopes: string[];
  fault: MetadataFault | null;
  instanceId: string;
  name: string;
  zone: string;
}

/** A change to the VM: absent fields stay as they are; `serviceAccount: "default"` means the Compute Engine default account. */
export interface MetadataUpdate {
  serviceAccount?: string | null;
  scopes?: string[];
  fault?: MetadataFault | null;
}

/** What the metadata routes need from the server. */
export interface MetadataDeps {
  state: EmulatorState;
  idTokens: IdTokenSigner;
  stats: EmulatorStats;
  now(): number;
  tokenLifetimeSeconds(): number;
}

/** The emulated VM: its identity (persisted in state), its token cache and its test fault. */
export class MetadataServer {
  private fault: MetadataFault | null = null;
  private readonly log: string[] = [];
  private readonly reuse = new Map<string, string>();
  private readonly hanging = new Set<() => void>();
  constructor(private readonly deps: MetadataDeps) {}

  /** The persisted VM record, made on first use. */
  private vm(): VmRecord {
    return this.deps.state.vm();
  }

  private project() {
    const {state} = this.deps;
    const project = state.project(state.defaultProject);
    if (!project) throw new Error(`state has no project ${state.defaultProject}`);
    return project;
  }

  /** `PROJECT_NUMBER-compute@developer.gserviceaccount.com`, the account GCE gives a VM unless told otherwise. */
  computeDefaultEmail(): string {
    return `${this.project().projectNumber}-compute@developer.gserviceaccount.com`;
  }

  /** The VM's scopes, full URLs. */
  scopes(): string[] {
    return [...(this.vm().scopes ?? DEFAULT_VM_SCOPES)];
  }

  /** The email of the VM's account, or null for a VM without one. */
  accountEmail(): string | null {
    const configured = this.vm().serviceAccount;
    if (configured === null) return null;
    return configured ?? this.computeDefaultEmail();
  }

  /**
   * The VM's account record, creating the Compute Engine default account (with roles/editor on the project, as
   * GCE does) or a missing `ID@PROJECT.iam.gserviceaccount.com` of an emulated project on first use. Undefined
   * for a VM without an account, or one whose account is disabled or cannot be made.
   */
  async account(): Promise<ServiceAccountRecord | undefined> {
    const email = this.accountEmail();
    if (email === null) return undefined;
    const {state} = this.deps;
    let account = state.serviceAccount(email);
    if (!account) {
      account = this.create(email);
      if (!account) return undefined;
      await state.addSystemManagedKey(account.email);
      await state.save();
    }
    return account.disabled ? undefined : account;
  }

  private create(email: string): ServiceAccountRecord | undefined {
    const {state} = this.deps;
    const project = this.project();
    if (email === this.computeDefaultEmail()) {
      const account = state.createServiceAccount(project.projectId, `${project.projectNumber}-compute`, {
        displayName: 'Compute Engine default service account',
        domain: 'developer.gserviceaccount.com',
      });
      state.addBinding(project.projectId, 'roles/editor', `serviceAccount:${email}`);
      return account;
    }
    const match = /^([a-z][-a-z0-9]{4,28}[a-z0-9])@([a-z][-a-z0-9]*)\.iam\.gserviceaccount\.com$/.exec(email);
    if (!match?.[1] || !match[2] || !state.project(match[2])) return undefined;
    return state.createServiceAccount(match[2], match[1], {displayName: 'Emulated VM service account'});
  }

  /** Applies a change from a flag or the admin endpoint. Throws MetadataConfigError (nothing changed then). */
  async configure(update: MetadataUpdate): Promise<void> {
    let email: string | null | undefined;
    if (update.serviceAccount !== undefined) {
      const asked = update.serviceAccount;
      if (asked !== null && (typeof asked !== 'string' || asked.trim() === '')) throw new MetadataConfigError('serviceAccount must be an email, "default" or null');
      email = asked === null || asked === 'none' ? null : asked === 'default' ? this.computeDefaultEmail() : asked.trim();
      if (email !== null && !this.deps.state.serviceAccount(email) && email !== this.computeDefaultEmail() && !/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]*\.iam\.gserviceaccount\.com$/.test(email)) {
        throw new MetadataConfigError(`unknown service account "${email}": give an existing account, ID@PROJECT.iam.gserviceaccount.com of an emulated project, "default" or null`);
      }
      const project = /@([a-z][-a-z0-9]*)\.iam\.gserviceaccount\.com$/.exec(email ?? '')?.[1];
      if (email !== null && !this.deps.state.serviceAccount(email) && project !== undefined && !this.deps.state.project(project)) {
        throw new MetadataConfigError(`unknown service account "${email}": project ${project} is not emulated`);
      }
    }
    let scopes: string[] | undefined;
    if (update.scopes !== undefined) {
      if (!Array.isArray(update.scopes) || !update.scopes.every((s) => typeof s === 'string')) throw new MetadataConfigError('scopes must be an array of strings');
      scopes = [...new Set(update.scopes.map(expandScope))];
    }
    if (update.fault !== undefined && update.fault !== null && !(METADATA_FAULTS as readonly string[]).includes(update.fault)) {
      throw new MetadataConfigError(`unknown metadata fault "${String(update.fault)}"; valid: ${METADATA_FAULTS.join(', ')} or null`);
    }
    if (email !== undefined) this.deps.state.updateVm({serviceAccount: email === this.computeDefaultEmail() ? undefined : email});
    if (scopes !== undefined) this.deps.state.updateVm({scopes});
    if (update.fault !== undefined) this.setFault(update.fault);
    this.reuse.clear();
    if (email !== undefined || scopes !== undefined) await this.deps.state.save();
  }

  private setFault(fault: MetadataFault | null): void {
    if (fault !== this.fault) this.release();
    this.fault = fault;
  }

  /** The `token-503-once` fault fires once: true for the first token request after it is set, which lifts it. */
  takeToken503(): boolean {
    if (this.fault !== 'token-503-once') return false;
    this.fault = null;
    return true;
  }

  /** Notes a request's path and query, in order of arrival, refused and faulted ones included. */
  record(pathAndQuery: string): void {
    this.log.push(pathAndQuery);
    if (this.log.length > REQUEST_LOG_LIMIT) this.log.splice(0, this.log.length - REQUEST_LOG_LIMIT);
  }

  /** The metadata requests since start or the last reset-stats, oldest first (the last 1000 at most). */
  requests(): string[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  /** Lets every hanging request end (answered 503); called when the fault is lifted and on close. */
  release(): void {
    for (const done of this.hanging) done();
    this.hanging.clear();
  }

  view(): MetadataView {
    const vm = this.vm();
    return {serviceAccount: this.accountEmail(), scopes: this.scopes(), fault: this.fault, instanceId: vm.instanceId, name: vm.name, zone: vm.zone};
  }

  /** The scopes a token asked with `?scopes=` gets: those the VM holds (all, when the VM holds cloud-platform), else the VM's own. */
  grantedScopes(asked: string | undefined): string[] {
    const vmScopes = this.scopes();
    if (asked === undefined || asked.trim() === '') return vmScopes;
    const wanted = [...new Set(asked.split(/[,\s]+/).filter((s) => s !== ''))];
    const granted = vmScopes.includes(CLOUD_PLATFORM) ? wanted : wanted.filter((s) => vmScopes.includes(s));
    return granted.length > 0 ? granted : vmScopes;
  }

  /** An access token of the VM's account, reused while more than five minutes of it remain. */
  token(account: ServiceAccountRecord, scopes: string[]): {token: string; expiresIn: number} {
    const {state, now, stats} = this.deps;
    const key = `${account.email}\u0000${account.uniqueId}\u0000${[...scopes].sort().join(' ')}`;
    const cached = this.reuse.get(key);
    const record = cached === undefined ? undefined : state.accessToken(cached);
    if (cached !== undefined && record && record.expiresAt - now() > REUSE_MARGIN_MS) {
      return {token: cached, expiresIn: Math.floor((record.expiresAt - now()) / 1000)};
    }
    const lifetime = this.deps.tokenLifetimeSeconds();
    const {token} = state.issueAccessToken(account.email, scopes, account.uniqueId, lifetime);
    this.reuse.set(key, token);
    stats.tokensIssued.metadata++;
    return {token, expiresIn: lifetime};
  }

  /** An id token for `audience`, as GCE signs them; `full` adds the `google.compute_engine` claim. */
  async identity(account: ServiceAccountRecord, audience: string, full: boolean, licenses: boolean): Promise<string> {
    const claims: Record<string, unknown> = {azp: account.uniqueId, email: account.email, email_verified: true};
    if (full) {
      const vm = this.vm();
      const project = this.project();
      const computeEngine: Record<string, unknown> = {
        instance_creation_timestamp: Math.floor(Date.parse(vm.createTime) / 1000),
        instance_id: vm.instanceId,
        instance_name: vm.name,
        project_id: project.projectId,
        project_number: Number(project.projectNumber),
        zone: vm.zone,
      };
      if (licenses) computeEngine.license_id = [];
      claims.google = {compute_engine: computeEngine};
    }
    return this.deps.idTokens.sign(claims, audience, account.uniqueId);
  }

  /** The static part of the tree (token and identity are computed), keyed as the paths are. */
  async tree(): Promise<Directory> {
    const vm = this.vm();
    const project = this.project();
    const account = await this.account();
    const accounts: Directory = {};
    if (account) {
      const info: Directory = {aliases: ['default'], email: account.email, scopes: this.scopes()};
      accounts['default'] = info;
      accounts[account.email] = info;
    }
    return {
      instance: {
        attributes: {},
        hostname: `${vm.name}.${vm.zone}.c.${project.projectId}.internal`,
        id: Number(vm.instanceId),
        'machine-type': `projects/${project.projectNumber}/machineTypes/e2-medium`,
        name: vm.name,
        'service-accounts': accounts,
        zone: `projects/${project.projectNumber}/zones/${vm.zone}`,
      },
      project: {attributes: {}, 'numeric-project-id': Number(project.projectNumber), 'project-id': project.projectId},
      universe: {'universe-domain': 'googleapis.com'},
    };
  }

  /** Holds a request open until the fault is lifted, the client gives up or the server closes. */
  hang(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.hanging.delete(done);
        resolve();
      };
      this.hanging.add(done);
      signal.addEventListener('abort', done, {once: true});
    });
  }

  get currentFault(): MetadataFault | null {
    return this.fault;
  }
}

/** A node of the metadata tree: a directory (object), or a leaf. */
type Node = string | number | string[] | Directory;
interface Directory {
  [name: string]: Node;
}

function isDirectory(node: Node): node is Directory {
  return typeof node === 'object' && !Array.isArray(node);
}

/** Google's recursive JSON uses camelCase keys for hyphenated names (`numeric-project-id` → `numericProjectId`). */
function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function toJson(node: Node): unknown {
  if (!isDirectory(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k.includes('@') ? k : camel(k), toJson(v)]));
}

function leafText(node: string | number | string[]): string {
  return Array.isArray(node) ? node.map((v) => `${v}\n`).join('') : String(node);
}

/** Every leaf as `path value` lines, the text form of a recursive answer. */
function flatten(node: Node, prefix: string): string[] {
  if (!isDirectory(node)) return Array.isArray(node) ? node.map((v, i) => `${prefix}/${i} ${v}`) : [`${prefix} ${String(node)}`];
  return Object.entries(node).flatMap(([k, v]) => flatten(v, prefix === '' ? k : `${prefix}/${k}`));
}

const FLAVOR = {'Metadata-Flavor': 'Google', Server: 'Metadata Server for VM'};
const TEXT = {...FLAVOR, 'Content-Type': 'application/text'};
const JSON_TYPE = {...FLAVOR, 'Content-Type': 'application/json'};

/** Google's HTML error page, as the metadata server sends it for 403, 404 and friends. */
function errorPage(status: number, title: string, text: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang=en>',
    '  <meta charset=utf-8>',
    `  <title>Error ${status} (${title})!!1</title>`,
    `  <p><b>${status}.</b> <ins>That’s an error.</ins>`,
    `  <p>${text}  <ins>That’s all we know.</ins>`,
    '',
  ].join('\n');
}

function htmlError(c: Context, status: 400 | 403 | 404 | 503, title: string, text: string): Response {
  return c.body(errorPage(status, title, text), status, {...FLAVOR, 'Content-Type': 'text/html; charset=UTF-8'});
}

function notFound(c: Context): Response {
  return htmlError(c, 404, 'Not Found', `The requested URL <code>${escapeHtml(c.req.path)}</code> was not found on this server.`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[ch] ?? ch);
}

/** Why a request is refused before it reaches the tree, as Google words it; undefined when it may pass. */
function refusal(c: Context): string | undefined {
  if (c.req.header('x-forwarded-for') !== undefined) return 'Request had X-Forwarded-For header, but was not proxied through the metadata server.';
  const flavor = c.req.header('metadata-flavor');
  const legacy = c.req.header('x-google-metadata-request');
  if (flavor === 'Google' || (flavor === undefined && legacy?.toLowerCase() === 'true')) return undefined;
  return 'Missing Metadata-Flavor:Google header.';
}

/** Registers `GET /` (the ping) and `GET /computeMetadata/*` on `app`. */
export function registerMetadataRoutes(app: Hono, server: MetadataServer, deps: MetadataDeps): void {
  /** A hanging fault: no answer until the fault is lifted (then a 503), the client gives up or the server closes. */
  const hung = async (c: Context): Promise<Response> => {
    await server.hang(c.req.raw.signal);
    return htmlError(c, 503, 'Service Unavailable', 'The metadata server did not answer.');
  };
  const guard = async (c: Context, serve: () => Promise<Response>): Promise<Response> => {
    const why = refusal(c);
    if (why !== undefined) {
      return htmlError(c, 403, 'Forbidden', `Your client does not have permission to get URL <code>${escapeHtml(c.req.path)}</code> from this server. ${why}`);
    }
    const fault = server.currentFault;
    if (fault === 'hang') return hung(c);
    if (fault === 'html') {
      // A captive portal or proxy: 200, HTML, and no Metadata-Flavor.
      return c.body('<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body><p>Please sign in.</p></body></html>\n', 200, {'Content-Type': 'text/html; charset=UTF-8'});
    }
    return serve();
  };

  app.get('/', (c) => guard(c, async () => c.body('computeMetadata/\n', 200, TEXT)));
  app.get(METADATA_PREFIX, (c) => guard(c, async () => c.body('v1/\n', 200, TEXT)));
  app.get(`${METADATA_PREFIX}*`, (c) => guard(c, () => serve(c)));
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], [METADATA_PREFIX, `${METADATA_PREFIX}*`], (c) =>
    guard(c, async () => htmlError(c, 403, 'Forbidden', 'The metadata server is read-only.')),
  );

  const serve = async (c: Context): Promise<Response> => {
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(METADATA_PREFIX.length);
    if (!rest.startsWith('v1/') && rest !== 'v1') return notFound(c);
    const segments = rest.slice('v1'.length).split('/').slice(1);
    const trailingSlash = segments.length > 0 && segments[segments.length - 1] === '';
    const names = segments.filter((s) => s !== '').map((s) => decodeURIComponent(s));
    const query = url.searchParams;

    // The computed leaves: service-accounts/{default|EMAIL}/{token|identity}.
    if (names.length === 4 && names[0] === 'instance' && names[1] === 'service-accounts' && (names[3] === 'token' || names[3] === 'identity') && !trailingSlash) {
      return computed(c, names[2] ?? '', names[3], query);
    }

    let node: Node = await server.tree();
    for (const name of names) {
      if (!isDirectory(node) || !Object.hasOwn(node, name)) return notFound(c);
      node = node[name] as Node;
    }
    const alt = query.get('alt');
    if (alt !== null && alt !== 'json' && alt !== 'text') return htmlError(c, 400, 'Bad Request', `Invalid alt parameter: ${escapeHtml(alt)}`);
    if (!isDirectory(node)) {
      if (trailingSlash) return notFound(c);
      return alt === 'json' ? c.body(JSON.stringify(node), 200, JSON_TYPE) : c.body(leafText(node), 200, TEXT);
    }
    if (!trailingSlash && names.length > 0) {
      // A directory asked without its slash is redirected, as Google does; clients follow it.
      return c.body('', 301, {...FLAVOR, Location: `${url.pathname}/${url.search}`});
    }
    if (query.get('recursive')?.toLowerCase() === 'true') {
      return alt === 'text' ? c.body(`${flatten(node, '').join('\n')}\n`, 200, TEXT) : c.body(JSON.stringify(toJson(node)), 200, JSON_TYPE);
    }
    const entries = Object.entries(node).map(([k, v]) => (isDirectory(v) ? `${k}/` : k));
    if (names.length === 3 && names[1] === 'service-accounts') entries.push('identity', 'token');
    entries.sort();
    return alt === 'json' ? c.body(JSON.stringify(entries), 200, JSON_TYPE) : c.body(entries.map((e) => `${e}\n`).join(''), 200, TEXT);
  };

  const computed = async (c: Context, who: string, what: 'token' | 'identity', query: URLSearchParams): Promise<Response> => {
    if (what === 'token') deps.stats.tokenRequests.metadata++;
    else deps.stats.tokenRequests.metadataIdentity++;
    const account = await server.account();
    if (!account || (who !== 'default' && who !== account.email)) return notFound(c);
    if (what === 'token') {
      const fault = server.currentFault;
      if (fault === 'token-404') return notFound(c);
      if (fault === 'token-hang') return hung(c);
      if (fault === 'token-not-json') return c.body('<!DOCTYPE html>\n<html><body><p>Service starting.</p></body></html>\n', 200, {...FLAVOR, 'Content-Type': 'text/html; charset=UTF-8'});
      if (server.takeToken503()) return htmlError(c, 503, 'Service Unavailable', 'The metadata server is temporarily unavailable.');
      const {token, expiresIn} = server.token(account, server.grantedScopes(query.get('scopes') ?? undefined));
      await deps.state.save();
      return c.body(JSON.stringify({access_token: token, expires_in: expiresIn, token_type: 'Bearer'}), 200, JSON_TYPE);
    }
    const audience = query.get('audience');
    if (!audience) return c.body('non-empty audience parameter required', 400, TEXT);
    const format = query.get('format') ?? 'standard';
    if (format !== 'standard' && format !== 'full') return c.body(`invalid format "${format}": expected standard or full`, 400, TEXT);
    const idToken = await server.identity(account, audience, format === 'full', query.get('licenses')?.toUpperCase() === 'TRUE');
    deps.stats.tokensIssued.metadataIdentity++;
    return c.body(idToken, 200, TEXT);
  };
}
