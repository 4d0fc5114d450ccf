/**
 * The registry front: Docker Registry v2 token auth as gcr.io and *-docker.pkg.dev speak it, so `docker login`
 * works against the emulator alone and a real registry (distribution's `auth.token`) can use the emulator as
 * its token server. `GET /v2/` challenges; `GET|POST /v2/token` trades Google credentials (an access token or a
 * service-account key, in HTTP Basic) for a registry JWT granting what the identity's IAM permissions allow on the
 * image's Artifact Registry repository (the union of the project's and the repository's policies), or a 403 with
 * Artifact Registry's own denial. The emulator holds no images: every other `/v2/...` path is a 404.
 */
import {createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject} from 'node:crypto';
import {join} from 'node:path';
import type {Context, Hono} from 'hono';
import {jwtVerify, SignJWT} from 'jose';
import writeFileAtomic from 'write-file-atomic';
import {AR_MESSAGES, createGcrRepository, registryTarget, repositoryPermissions, type RegistryTarget} from './artifactregistry.js';
import {ANONYMOUS_PRINCIPALS, hasAnyScope, type Authenticator, type Credential, type Identity, type RefusalReason} from './authn.js';
import {generateRsaKeyPair} from './keys.js';
import type {ProjectRecord} from './records.js';
import {serviceDisabled} from './serviceusage.js';
import type {EmulatorState} from './state.js';
import type {EmulatorStats} from './stats.js';
import {selfSignedCertificate, toPem} from './x509.js';

/** The `service` of the challenge and the `aud` of every token; a registry's `auth.token.service`. */
export const REGISTRY_SERVICE = 'gcauth-emulator-registry';
/** The `iss` of every token; a registry's `auth.token.issuer`. */
export const REGISTRY_ISSUER = 'gcauth-emulator';
/** The certificate of the signing key, in the data dir; a registry's `auth.token.rootcertbundle`. */
export const REGISTRY_CERT_FILE = 'registry-token.crt';
/** Registry tokens live five minutes, as distribution's own token server issues them; clients fetch another. */
export const REGISTRY_TOKEN_LIFETIME_S = 300;

const CERT_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;
/** A certificate this close to its end is replaced at start, so a running registry never meets an expired one. */
const CERT_RENEW_MS = 24 * 3600 * 1000;
const CERT_SUBJECT = {commonName: 'gcauth emulator registry token signer', organization: 'gcauth emulator'};

/**
 * Which permission makes an action on a repository: Artifact Registry's, or on a gcr.io repository also Container
 * Registry's (storage on the project's bucket), as a pull from gcr.io works with roles/storage.objectViewer or
 * roles/artifactregistry.reader. roles/viewer holds neither, so it does not pull: at Google a project viewer
 * reaches gcr.io images only through the legacy bucket ACLs (projectViewer convenience values), which the
 * emulator does not model; grant a reader role instead.
 */
export const ACTION_PERMISSIONS: Readonly<Record<string, {repository: string; gcr: string}>> = {
  pull: {repository: 'artifactregistry.repositories.downloadArtifacts', gcr: 'storage.objects.get'},
  push: {repository: 'artifactregistry.repositories.uploadArtifacts', gcr: 'storage.objects.create'},
  delete: {repository: 'artifactregistry.repositories.deleteArtifacts', gcr: 'storage.objects.delete'},
};
/** What creates a missing gcr.io repository on its first push. */
const CREATE_ON_PUSH = 'artifactregistry.repositories.createOnPush';

/** OAuth scopes that let an access token read images (GCR: devstorage.read_only or wider) and write them. */
const READ_SCOPES = new Set([
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/cloud-platform.read-only',
  'https://www.googleapis.com/auth/devstorage.read_only',
  'https://www.googleapis.com/auth/devstorage.read_write',
  'https://www.googleapis.com/auth/devstorage.full_control',
]);
const WRITE_SCOPES = new Set([
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/devstorage.read_write',
  'https://www.googleapis.com/auth/devstorage.full_control',
]);

/** The registry front's wording, in one table so handlers and tests agree. */
export const REGISTRY_MESSAGES = {
  authRequired: 'authentication required',
  invalidToken: 'invalid credentials: the bearer token is not a valid, unexpired token of this registry',
  badAccessToken: 'invalid credentials: the access token is unknown, expired or revoked, or its account is disabled or deleted',
  badKeyJson: 'invalid credentials: the password is not a JSON service account key',
  keyAccount: (email: string) => `invalid credentials: service account ${email} does not exist or is disabled`,
  keyUnknown: (keyId: string) => `invalid credentials: key ${keyId} does not exist, is disabled or has expired`,
  keyMismatch: (keyId: string) => `invalid credentials: the private key does not match key ${keyId}`,
  badBasic: 'invalid credentials: malformed Basic authorization header',
  badService: (service: string) =>
    `unknown service "${service}": this token server issues tokens for service "${REGISTRY_SERVICE}" (emulator.json registry.service)`,
  badScope: (scope: string) => `invalid scope "${scope}": expected TYPE:NAME:ACTIONS, e.g. repository:PROJECT/IMAGE:pull,push`,
  badGrant: (grant: string) => `unsupported grant_type "${grant}": this token server issues no refresh tokens; use grant_type=password`,
  scopeTooNarrow: (action: string, name: string, held: readonly string[]) =>
    `Permission to ${action} ${name} denied: the access token's OAuth scopes (${held.length > 0 ? held.join(', ') : 'none'}) do not include ` +
    `${action === 'pull' ? 'https://www.googleapis.com/auth/devstorage.read_only' : 'https://www.googleapis.com/auth/devstorage.read_write'} or https://www.googleapis.com/auth/cloud-platform, ` +
    'although its IAM roles allow it. On Compute Engine, stop the VM and widen its access scopes: ' +
    'gcloud compute instances set-service-account VM --scopes=cloud-platform (or devstorage.read_write).',
} as const;

/** What emulator.json says about the registry front: everything a registry's `auth.token` section needs. */
export interface RegistryInfo {
  /** `{url}/v2/token`: `auth.token.realm`. */
  realm: string;
  /** `auth.token.service`, and the `aud` of every token. */
  service: string;
  /** `auth.token.issuer`, and the `iss` of every token. */
  issuer: string;
  /** `DATA_DIR/registry-token.crt`: `auth.token.rootcertbundle`. */
  rootCertBundle: string;
}

/** The registry front's description for an emulator at `url` keeping its data in `dataDir`. */
export function registryInfo(url: string, dataDir: string): RegistryInfo {
  return {realm: `${url}/v2/token`, service: REGISTRY_SERVICE, issuer: REGISTRY_ISSUER, rootCertBundle: join(dataDir, REGISTRY_CERT_FILE)};
}

/** The key registry tokens are signed with, and its certificate (carried in each token's `x5c`). */
export interface RegistrySigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificatePem: string;
  certificateDer: Buffer;
}

function certificateFor(privateKey: KeyObject, nowMs: number): string {
  // An hour back, so a registry whose clock runs a little behind still finds the certificate valid.
  return toPem(selfSignedCertificate(privateKey, {...CERT_SUBJECT, notBefore: nowMs - 3600_000, notAfter: nowMs + CERT_LIFETIME_MS}));
}

/**
 * The registry signing key from state, made on first start. A certificate that is unreadable, does not match
 * the key or ends within a day is replaced (a registry must then be given the new file); a key that does not
 * parse is replaced with its certificate. Mutates state; the caller saves it.
 */
export async function loadRegistrySigner(state: EmulatorState, now: () => number, log: (line: string) => void): Promise<RegistrySigner> {
  const nowMs = now();
  let record = state.registryKey();
  let privateKey: KeyObject | undefined;
  if (record) {
    try {
      privateKey = createPrivateKey(record.privateKeyPem);
    } catch {
      log('registry signing key in state does not parse; making a new key and certificate');
    }
  }
  if (!record || !privateKey) {
    const pair = await generateRsaKeyPair();
    privateKey = createPrivateKey(pair.privateKeyPem);
    record = {privateKeyPem: pair.privateKeyPem, certificatePem: certificateFor(privateKey, nowMs), createTime: new Date(nowMs).toISOString()};
    state.setRegistryKey(record);
  }
  let certificate: X509Certificate | undefined;
  try {
    certificate = new X509Certificate(record.certificatePem);
  } catch {
    certificate = undefined;
  }
  if (!certificate || !certificate.checkPrivateKey(privateKey) || Date.parse(certificate.validTo) - nowMs < CERT_RENEW_MS) {
    log(`registry token certificate is unreadable, mismatched or expiring; issuing a new one (update the registry's rootcertbundle)`);
    record.certificatePem = certificateFor(privateKey, nowMs);
    certificate = new X509Certificate(record.certificatePem);
  }
  return {privateKey, publicKey: createPublicKey(privateKey), certificatePem: record.certificatePem, certificateDer: certificate.raw};
}

/** Writes the signer's certificate to `dataDir/registry-token.crt` (public, so 0644), atomically. */
export async function writeRegistryCertificate(dataDir: string, signer: RegistrySigner): Promise<void> {
  await writeFileAtomic(join(dataDir, REGISTRY_CERT_FILE), signer.certificatePem, {mode: 0o644});
}

/** One entry of a token's `access` claim, as distribution reads it. */
export interface ResourceActions {
  type: string;
  name: string;
  actions: string[];
}

/** Who is asking: an authenticated caller, or an anonymous request (no email, `allUsers` only, no scope limit). */
type Caller = Pick<Identity, 'principals' | 'scopes'> & {email?: string};

const ANONYMOUS: Caller = {principals: ANONYMOUS_PRINCIPALS};

/** The registry front's wording of why a credential is refused; no default, so a new reason must be worded here. */
function refusalMessage(reason: RefusalReason, detail = '(any)'): string {
  switch (reason) {
    case 'bad-key-file':
      return REGISTRY_MESSAGES.badKeyJson;
    case 'key-account':
      return REGISTRY_MESSAGES.keyAccount(detail);
    case 'key-unknown':
      return REGISTRY_MESSAGES.keyUnknown(detail);
    case 'key-mismatch':
      return REGISTRY_MESSAGES.keyMismatch(detail);
    case 'missing':
    case 'invalid-token':
    case 'account-disabled':
    case 'account-gone':
      return REGISTRY_MESSAGES.badAccessToken;
  }
}

/**
 * Google's registry usernames: `_json_key` (the key file's JSON), `_json_key_base64` (its base64); any other
 * username (`oauth2accesstoken`, `_token`, `_dcgcloud_token`, ...) means the password is an access token.
 */
function credentialOf(username: string, password: string): Credential {
  if (username === '_json_key') return {kind: 'key-file', json: password};
  if (username === '_json_key_base64') return {kind: 'key-file', json: Buffer.from(password, 'base64').toString('utf8')};
  return {kind: 'access-token', token: password.trim()};
}

/** Whether IAM lets `held` do `action` on `target` (Container Registry's storage permissions count on gcr.io only). */
function iamAllows(held: ReadonlySet<string>, action: string, target: RegistryTarget): boolean {
  const permissions = ACTION_PERMISSIONS[action];
  return permissions !== undefined && (held.has(permissions.repository) || (target.gcr && held.has(permissions.gcr)));
}

function scopesAllow(caller: Caller, action: string): boolean {
  return hasAnyScope(caller, action === 'pull' ? READ_SCOPES : WRITE_SCOPES);
}

/** Requested actions with `*` spelled out, writes first: a refused push is named as such, as Google names it. */
const expand = (actions: readonly string[]) => {
  const all = new Set(actions.flatMap((a) => (a === '*' ? ['pull', 'push', 'delete'] : [a])));
  return [...all].sort((a, b) => Number(a === 'pull') - Number(b === 'pull'));
};

/** A token request the registry front refuses outright, with the status and distribution error code to answer. */
interface Refusal {
  status: 403 | 404;
  code: 'DENIED' | 'NAME_UNKNOWN';
  message: string;
}

/** What a token request gets: the access per requested scope and the gcr.io repositories its pushes create; or a refusal. */
type Decision = {ok: true; access: ResourceActions[]; creates: RegistryTarget[]} | {ok: false; refusal: Refusal};

/**
 * Decides a token request as Artifact Registry does. An image name maps to its repository (`registryTarget`); what
 * the caller holds there is the union of the project's and the repository's policies. An action IAM refuses,
 * a pkg.dev repository that does not exist, or a gcr.io repository that does not exist pushed to without
 * `artifactregistry.repositories.createOnPush` refuses the whole request with Artifact Registry's text, as
 * Google's token endpoint does, except on a pull-only scope beside a push (docker's and skopeo's cross-repository
 * mount source), which is granted in part so the push goes on without the mount. `*` is granted only with pull,
 * push and delete; `registry:catalog:*` needs pull somewhere; unknown types and actions are never granted.
 */
function decide(state: EmulatorState, caller: Caller, anonymous: boolean, requested: ResourceActions[], nowMs: number): Decision {
  const pushing = requested.some((r) => r.type === 'repository' && expand(r.actions).includes('push'));
  const access: ResourceActions[] = [];
  const creates: RegistryTarget[] = [];
  for (const r of requested) {
    if (r.type === 'registry' && r.name === 'catalog') {
      const anywhere = state.projects().some(({projectId}) => {
        const target = registryTarget(`${projectId}/-`);
        if (!target) return false;
        const {held} = repositoryPermissions(state, target, caller.principals, nowMs);
        return iamAllows(held, 'pull', target) && scopesAllow(caller, 'pull');
      });
      access.push({type: r.type, name: r.name, actions: anywhere ? r.actions.filter((a) => a === '*') : []});
      continue;
    }
    const target = r.type === 'repository' ? registryTarget(r.name) : undefined;
    if (!target) {
      access.push({type: r.type, name: r.name, actions: []});
      continue;
    }
    const optional = pushing && expand(r.actions).every((a) => a === 'pull');
    const {repository, held} = repositoryPermissions(state, target, caller.principals, nowMs);
    const refuse = (refusal: Refusal): Decision | undefined => (optional ? undefined : {ok: false, refusal});
    const denial = (permission: string): Refusal => ({
      status: 403,
      code: 'DENIED',
      message: anonymous ? AR_MESSAGES.registryUnauthenticated(permission, target.resource) : AR_MESSAGES.registryDenied(permission, target.resource),
    });
    let refused: Decision | undefined;
    let skip = false;
    const granted = new Set<string>();
    for (const action of expand(r.actions).filter((a) => Object.hasOwn(ACTION_PERMISSIONS, a))) {
      if (!iamAllows(held, action, target)) {
        refused = refuse(denial(ACTION_PERMISSIONS[action]?.repository ?? action));
      } else if (!repository && !target.gcr) {
        refused = refuse({status: 404, code: 'NAME_UNKNOWN', message: AR_MESSAGES.registryNotFound(target.repositoryId)});
      } else if (repository && repository.format !== 'DOCKER') {
        refused = refuse({status: 404, code: 'NAME_UNKNOWN', message: AR_MESSAGES.registryNotDocker(target.repositoryId, repository.format)});
      } else if (!repository && action === 'push' && !held.has(CREATE_ON_PUSH)) {
        refused = refuse(denial(CREATE_ON_PUSH));
      } else {
        if (!repository && action === 'push') creates.push(target);
        granted.add(action);
        continue;
      }
      if (refused) return refused;
      skip = true;
    }
    const all = ['pull', 'push', 'delete'].every((a) => granted.has(a));
    const actions = skip ? [] : r.actions.filter((a) => (a === '*' ? all : granted.has(a)));
    access.push({type: r.type, name: r.name, actions});
  }
  return {ok: true, access, creates};
}

/**
 * The first requested action that the caller's IAM roles allow but its token's OAuth scopes do not, as
 * `{action, name}`; undefined when none is refused for that reason alone.
 */
function refusedByOAuthScopes(state: EmulatorState, caller: Caller, requested: ResourceActions[], nowMs: number): {action: string; name: string} | undefined {
  if (caller.scopes === undefined) return undefined;
  for (const r of requested) {
    const target = r.type === 'repository' ? registryTarget(r.name) : undefined;
    if (!target) continue;
    const {held} = repositoryPermissions(state, target, caller.principals, nowMs);
    for (const action of expand(r.actions)) {
      if (iamAllows(held, action, target) && !scopesAllow(caller, action)) return {action, name: r.name};
    }
  }
  return undefined;
}

/**
 * Parses `scope` values: each is one or more space-separated `TYPE:NAME:ACTIONS` (the name may hold colons, as in
 * `host:5000/img`); the same resource asked twice is merged. Returns the offending scope when one is malformed.
 */
/** The API a project must have enabled for its repositories to be served. */
const REGISTRY_API = 'artifactregistry.googleapis.com';

/** The first project named by a requested repository that exists and has not enabled the registry API. */
function projectWithoutRegistryApi(state: EmulatorState, requested: ResourceActions[]): ProjectRecord | undefined {
  for (const r of requested) {
    const target = r.type === 'repository' ? registryTarget(r.name) : undefined;
    const project = target === undefined ? undefined : state.findProject(target.projectId);
    if (project && !state.serviceEnabled(project.projectId, REGISTRY_API)) return project;
  }
  return undefined;
}

function parseScopes(values: string[]): {ok: true; scopes: ResourceActions[]} | {ok: false; bad: string} {
  const merged = new Map<string, ResourceActions>();
  for (const scope of values.flatMap((v) => v.split(' ')).filter((s) => s !== '')) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first <= 0 || last <= first + 1) return {ok: false, bad: scope};
    const type = scope.slice(0, first);
    const name = scope.slice(first + 1, last);
    const actions = scope.slice(last + 1).split(',').filter((a) => a !== '');
    const key = `${type}\u0000${name}`;
    const entry = merged.get(key) ?? {type, name, actions: []};
    for (const a of actions) if (!entry.actions.includes(a)) entry.actions.push(a);
    merged.set(key, entry);
  }
  return {ok: true, scopes: [...merged.values()]};
}

/** distribution's error body, with `details` too: without it docker misreads a 401 and falls back to plain HTTP. */
function registryError(code: string, message: string): {details: string; errors: Array<{code: string; message: string}>} {
  return {details: message, errors: [{code, message}]};
}

/** Decodes `Authorization: Basic`; undefined when absent, null when present but malformed. */
function basicCredentials(header: string | undefined): {username: string; password: string} | null | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return /^Basic\b/i.test(header) ? null : undefined;
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return {username: text.slice(0, colon), password: text.slice(colon + 1)};
}

/** What the registry routes need from the server. */
export interface RegistryDeps {
  state: EmulatorState;
  authn: Authenticator;
  stats: EmulatorStats;
  now(): number;
  /** The emulator's base URL, for the challenge's realm. */
  url(): string;
  signer: RegistrySigner;
}

const API_VERSION = {'Docker-Distribution-API-Version': 'registry/2.0'};
const NO_STORE = {'Cache-Control': 'no-store'};

/** Registers `GET|HEAD /v2/` and `GET|POST /v2/token`. */
export function registerRegistryRoutes(app: Hono, deps: RegistryDeps): void {
  const {state, authn, stats, signer} = deps;
  const challenge = (error?: string) =>
    `Bearer realm="${deps.url()}/v2/token",service="${REGISTRY_SERVICE}"${error ? `,error="${error}"` : ''}`;

  app.get('/v2/', async (c) => {
    const header = c.req.header('authorization');
    const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (bearer === undefined) {
      return c.json(registryError('UNAUTHORIZED', REGISTRY_MESSAGES.authRequired), 401, {...API_VERSION, 'WWW-Authenticate': challenge()});
    }
    try {
      await jwtVerify(bearer, signer.publicKey, {
        algorithms: ['RS256'],
        issuer: REGISTRY_ISSUER,
        audience: REGISTRY_SERVICE,
        currentDate: new Date(deps.now()),
      });
    } catch {
      return c.json(registryError('UNAUTHORIZED', REGISTRY_MESSAGES.invalidToken), 401, {
        ...API_VERSION,
        'WWW-Authenticate': challenge('invalid_token'),
      });
    }
    return c.json({}, 200, API_VERSION);
  });

  const token = async (c: Context): Promise<Response> => {
    const refuse = (status: 400 | 401, code: string, message: string) => {
      stats.registryTokens.refused++;
      return c.json(registryError(code, message), status, NO_STORE);
    };
    const query = new URL(c.req.url).searchParams;
    const scopes = query.getAll('scope');
    let service = query.get('service');
    let credentials = basicCredentials(c.req.header('authorization'));
    if (c.req.method === 'POST') {
      // distribution's OAuth2 form: grant_type=password with username/password, or Basic plus the same fields.
      const form = new URLSearchParams(await c.req.text());
      scopes.push(...form.getAll('scope'));
      service = form.get('service') ?? service;
      const grantType = form.get('grant_type');
      if (grantType === 'password') credentials = {username: form.get('username') ?? '', password: form.get('password') ?? ''};
      else if (grantType !== null) return refuse(400, 'UNSUPPORTED', REGISTRY_MESSAGES.badGrant(grantType));
    }
    if (credentials === null) return refuse(401, 'UNAUTHORIZED', REGISTRY_MESSAGES.badBasic);
    if (service !== null && service !== REGISTRY_SERVICE) return refuse(400, 'UNSUPPORTED', REGISTRY_MESSAGES.badService(service));
    const parsed = parseScopes(scopes);
    if (!parsed.ok) return refuse(400, 'UNSUPPORTED', REGISTRY_MESSAGES.badScope(parsed.bad));

    const nowMs = deps.now();
    let caller = ANONYMOUS;
    if (credentials !== undefined) {
      const verdict = authn.authenticate(credentialOf(credentials.username, credentials.password));
      if (!verdict.ok) return refuse(401, 'UNAUTHORIZED', refusalMessage(verdict.reason, verdict.detail));
      caller = verdict.identity;
    }
    // A repository of a project that has not enabled Artifact Registry (which also serves gcr.io hosts today) is
    // refused with Google's SERVICE_DISABLED text, which names the API and where to enable it.
    const disabled = projectWithoutRegistryApi(state, parsed.scopes);
    if (disabled !== undefined) {
      stats.registryTokens.refused++;
      return c.json(registryError('DENIED', serviceDisabled(REGISTRY_API, disabled).message), 403, NO_STORE);
    }
    // Refused outright rather than granted in part: a registry's own refusal could not say that the scopes are the
    // cause, while this message reaches the user (docker: "denied: ...", skopeo: "requesting bearer token: ...").
    const narrow = refusedByOAuthScopes(state, caller, parsed.scopes, nowMs);
    if (narrow !== undefined) {
      stats.registryTokens.refused++;
      const message = REGISTRY_MESSAGES.scopeTooNarrow(narrow.action, narrow.name, caller.scopes ?? []);
      return c.json(registryError('DENIED', message), 403, NO_STORE);
    }
    const decision = decide(state, caller, credentials === undefined, parsed.scopes, nowMs);
    if (!decision.ok) {
      stats.registryTokens.refused++;
      return c.json(registryError(decision.refusal.code, decision.refusal.message), decision.refusal.status, NO_STORE);
    }
    const {access} = decision;
    // Google creates a gcr.io repository on its first push by a caller who may (createOnPush).
    const creates = new Map(decision.creates.map((t) => [t.resource, t]));
    for (const target of creates.values()) if (!state.repository(target.projectId, target.location, target.repositoryId)) createGcrRepository(state, target);
    if (creates.size > 0) await state.save();
    const iat = Math.floor(nowMs / 1000);
    const jwt = new SignJWT({access})
      // x5c carries the certificate, so a registry needs only the rootcertbundle and no libtrust key id.
      .setProtectedHeader({alg: 'RS256', typ: 'JWT', x5c: [signer.certificateDer.toString('base64')]})
      .setIssuer(REGISTRY_ISSUER)
      .setAudience(REGISTRY_SERVICE)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + REGISTRY_TOKEN_LIFETIME_S)
      .setJti(randomBytes(16).toString('hex'));
    if (caller.email !== undefined) jwt.setSubject(caller.email);
    const signed = await jwt.sign(signer.privateKey);
    stats.registryTokens.issued++;
    // No refresh_token: docker would keep it as an identity token and blank the password it stores.
    return c.json(
      {token: signed, access_token: signed, expires_in: REGISTRY_TOKEN_LIFETIME_S, issued_at: new Date(iat * 1000).toISOString()},
      200,
      NO_STORE,
    );
  };
  app.get('/v2/token', token);
  app.post('/v2/token', token);
}
