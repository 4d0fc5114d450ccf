import type {Context} from 'hono';
import {hasAnyScope, type Authenticator, type Identity} from './authn.js';
import type {IdTokenSigner} from './id-tokens.js';
import {API_MESSAGES, ApiFailure, errorInfo} from './google-errors.js';
import {permissionsHeld} from './policy.js';
import type {IamPolicy} from './records.js';
import type {EmulatorState} from './state.js';

/** One of Google's JSON APIs, mounted under its own path prefix. */
export interface ApiService {
  /** Path prefix including both slashes, e.g. `/iam/`; clients use `{url}/iam/` as their root URL. */
  prefix: string;
  /** Google's service name, e.g. `iam.googleapis.com`; the domain of this API's ErrorInfo details. */
  name: string;
  /** The message of this API's 403 for a missing permission on `resource` (or a resource the caller cannot see). */
  denial(permission: string, resource: string): string;
  /** The domain of that 403's ErrorInfo; default `name` (IAM Credentials reports `iam.googleapis.com`). */
  denialDomain?: string;
  /** Scopes accepted besides cloud-platform (IAM Credentials also takes `auth/iam`, which gcloud's impersonation uses). */
  extraScopes?: readonly string[];
  /** Served whatever services the project has enabled (Service Usage); every other API needs its own enabled. */
  alwaysEnabled?: boolean;
}

/** What a handler may use: the request, its authenticated caller, the world, and permission checks. */
export interface ApiCall {
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body; `{}` when there was none. */
  body: Record<string, unknown>;
  caller: Identity;
  state: EmulatorState;
  /** Signs id tokens with the emulator's key (IAM Credentials' generateIdToken). */
  idTokens: IdTokenSigner;
  now(): number;
  /** The emulator's base URL, e.g. for the `token_uri` of a key file. */
  url(): string;
  /** Whether the caller holds `permission` through one of `policies` (an absent one grants nothing). */
  holds(permission: string, policies: Array<IamPolicy | undefined>): boolean;
  /** Throws this API's 403 unless the caller holds `permission` through one of `policies`. */
  require(permission: string, resource: string, policies: Array<IamPolicy | undefined>): void;
  /** The 403 this API answers for `permission` on `resource`, also used for resources that do not exist. */
  denied(permission: string, resource: string): ApiFailure;
}

/** One API method: a row of the dispatch table. */
export interface ApiRoute {
  service: ApiService;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the prefix with `{param}` segments and an optional `:verb`, e.g. `v1/projects/{project}:getIamPolicy`. */
  path: string;
  /** Google's RPC name, reported in authentication errors as Google does. */
  rpc: string;
  /** Top-level body fields Google accepts; any other is refused with Google's "Unknown name" 400. */
  body?: readonly string[];
  /** Read-only methods also accept a token scoped to `cloud-platform.read-only`. */
  readOnly?: boolean;
  handle(call: ApiCall): unknown;
}

/** What the dispatcher needs from the server. */
export interface ApiDeps {
  state: EmulatorState;
  authn: Authenticator;
  idTokens: IdTokenSigner;
  now(): number;
  url(): string;
  /** Throws the API's refusal when the request's project has not enabled `service` (Service Usage's SERVICE_DISABLED). */
  requireEnabled?(service: ApiService, params: Record<string, string>): void;
}

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const CLOUD_PLATFORM_READ_ONLY = 'https://www.googleapis.com/auth/cloud-platform.read-only';
const REALM = 'Bearer realm="https://accounts.google.com/"';

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
  /** `"<METHOD> <prefix><path>"`, the key this method is counted under in `stats.byRoute`. */
  label: string;
}

function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => {
      const name = /^\{([a-zA-Z]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/:]+)';
    })
    .join('');
  return {route, pattern: new RegExp(`^${source}$`), names, label: `${route.method} ${route.service.prefix}${route.path}`};
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function unauthenticated(route: ApiRoute, message: string, reason: string, challenge: string): ApiFailure {
  return new ApiFailure(401, message, {
    details: [errorInfo(reason, 'googleapis.com', {service: route.service.name, method: route.rpc})],
    headers: {'WWW-Authenticate': challenge},
  });
}

/**
 * The caller of a request, as the authenticator says. A missing token answers 401 CREDENTIALS_MISSING; a token it
 * refuses (unknown, expired, revoked, or of an account since deleted or disabled) 401 ACCESS_TOKEN_EXPIRED, as
 * Google does; a token without a scope the route accepts, 403. Throws ApiFailure.
 */
function authenticate(authn: Authenticator, token: string | undefined, route: ApiRoute): Identity {
  const verdict = authn.authenticate(token === undefined ? undefined : {kind: 'access-token', token});
  if (!verdict.ok) {
    if (verdict.reason === 'missing') throw unauthenticated(route, API_MESSAGES.missingCredentials, 'CREDENTIALS_MISSING', REALM);
    throw unauthenticated(route, API_MESSAGES.invalidCredentials, 'ACCESS_TOKEN_EXPIRED', `${REALM}, error="invalid_token"`);
  }
  const {identity} = verdict;
  const scoped = hasAnyScope(identity, [CLOUD_PLATFORM, ...(route.service.extraScopes ?? [])]);
  if (!scoped && !(route.readOnly && hasAnyScope(identity, [CLOUD_PLATFORM_READ_ONLY]))) {
    throw new ApiFailure(403, API_MESSAGES.insufficientScopes, {
      details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', {service: route.service.name, method: route.rpc})],
      headers: {'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${CLOUD_PLATFORM}"`},
    });
  }
  return identity;
}

/** Google's bearer token of a request: the Authorization header, else the `access_token` query parameter. */
function bearerToken(c: Context, query: URLSearchParams): string | undefined {
  const header = c.req.header('authorization');
  const match = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? query.get('access_token') ?? undefined;
}

async function readBody(c: Context, route: ApiRoute): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure(400, API_MESSAGES.badJson);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiFailure(400, API_MESSAGES.badJson);
  const allowed = new Set(route.body ?? []);
  for (const name of Object.keys(body)) if (!allowed.has(name)) throw new ApiFailure(400, API_MESSAGES.unknownField(name));
  return body as Record<string, unknown>;
}

/** Serves a table of API methods: matches the path, authenticates the caller, parses the body, runs the handler. */
export class ApiDispatcher {
  private readonly compiled: CompiledRoute[];
  /** The path prefixes to mount the dispatcher under. */
  readonly prefixes: string[];

  constructor(
    routes: readonly ApiRoute[],
    private readonly deps: ApiDeps,
  ) {
    this.compiled = routes.map(compile);
    this.prefixes = [...new Set(routes.map((r) => r.service.prefix))];
  }

  /**
   * The `stats.byRoute` key of a request: `"<METHOD> <route pattern>"` for a method of the table,
   * `"<METHOD> (unmatched)"` for another path under a prefix, undefined for paths outside every prefix.
   */
  label(method: string, path: string): string | undefined {
    if (!this.prefixes.some((p) => path.startsWith(p))) return undefined;
    return this.match(method, path)?.compiled.label ?? `${method} (unmatched)`;
  }

  /** Answers one request under a prefix; every failure is Google's error JSON. */
  async handle(c: Context): Promise<Response> {
    const url = new URL(c.req.url);
    const matched = this.match(c.req.method, url.pathname);
    if (!matched) return c.json(new ApiFailure(404, `The requested URL ${url.pathname} was not found on this server.`).body, 404);
    try {
      const {route} = matched.compiled;
      const caller = authenticate(this.deps.authn, bearerToken(c, url.searchParams), route);
      this.deps.requireEnabled?.(route.service, matched.params);
      const body = await readBody(c, route);
      const call = this.call(route, matched.params, url.searchParams, body, caller);
      return c.json(await route.handle(call), 200);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      return c.json(error.body, error.status as 400, error.headers);
    }
  }

  private match(method: string, path: string): {compiled: CompiledRoute; params: Record<string, string>} | undefined {
    for (const compiled of this.compiled) {
      const {route} = compiled;
      if (route.method !== method || !path.startsWith(route.service.prefix)) continue;
      const found = compiled.pattern.exec(path.slice(route.service.prefix.length));
      if (!found) continue;
      const params = Object.fromEntries(compiled.names.map((name, i) => [name, decode(found[i + 1] ?? '')]));
      return {compiled, params};
    }
    return undefined;
  }

  private call(route: ApiRoute, params: Record<string, string>, query: URLSearchParams, body: Record<string, unknown>, caller: Identity): ApiCall {
    const {state, idTokens, now, url} = this.deps;
    const denied = (permission: string, resource: string) =>
      new ApiFailure(403, route.service.denial(permission, resource), {
        details: [errorInfo('IAM_PERMISSION_DENIED', route.service.denialDomain ?? route.service.name, {permission, resource})],
      });
    const holds = (permission: string, policies: Array<IamPolicy | undefined>) => permissionsHeld(caller.principals, policies, now()).has(permission);
    return {
      params,
      query,
      body,
      caller,
      state,
      idTokens,
      now,
      url,
      denied,
      holds,
      require: (permission, resource, policies) => {
        if (!holds(permission, policies)) throw denied(permission, resource);
      },
    };
  }
}
