/**
 * The Security Token Service at `{url}/sts/v1/token` (RFC 8693 token exchange) and `{url}/sts/v1/introspect`.
 * A subject token from a workload identity pool provider's issuer (an OIDC JWT, or a signed AWS GetCallerIdentity
 * request) becomes a federated access token of the principal its attribute mapping names. Bodies come as forms
 * (gcloud, google-auth) or JSON (Google's REST reference), with snake_case or camelCase names; HTTP Basic client
 * credentials (gcloud sends its own) are accepted and not checked, as the real STS does not require them.
 */
import type {Context, Hono} from 'hono';
import {mapCredential, parseAudience, principalMember, providerName} from './federation.js';
import {STS_MESSAGES} from './google-errors.js';
import {verifyOidcToken} from './oidc.js';
import type {WorkloadIdentityPoolRecord, WorkloadIdentityProviderRecord} from './records.js';
import {poolName, type EmulatorState} from './state.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPES: ReadonlySet<string> = new Set(['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);
const AWS_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
const KNOWN_SUBJECT_TYPES: ReadonlySet<string> = new Set([...JWT_TYPES, AWS_TYPE, 'urn:ietf:params:oauth:token-type:saml2']);
/** A federated token lives an hour at most, and never past the subject token's `exp` (measured at Google). */
const MAX_LIFETIME_S = 3600;

/** The AWS check another module provides: a signed GetCallerIdentity request (the subject token) → its caller. */
export type AwsSubjectTokenVerifier = (input: {
  subjectToken: string;
  audience: string;
  accountId: string;
  now: number;
}) => {ok: true; assertion: Record<string, unknown>} | {ok: false; description: string};

export interface StsDeps {
  state: EmulatorState;
  now(): number;
  /** Verifies AWS subject tokens; without it, AWS exchanges are refused with a sentence saying so. */
  verifyAws?: AwsSubjectTokenVerifier;
}

/** Google marks token answers uncacheable. */
const NO_STORE = {'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate', Pragma: 'no-cache'};

const CAMEL_TO_SNAKE: Readonly<Record<string, string>> = {
  grantType: 'grant_type',
  subjectToken: 'subject_token',
  subjectTokenType: 'subject_token_type',
  requestedTokenType: 'requested_token_type',
  tokenTypeHint: 'token_type_hint',
};

/** The request's fields by snake_case name, from a form or a JSON object (a JSON list of scopes is joined). Undefined for another body. */
async function readFields(c: Context): Promise<Map<string, string> | undefined> {
  const text = await c.req.text();
  const fields = new Map<string, string>();
  const put = (name: string, value: string) => fields.set(CAMEL_TO_SNAKE[name] ?? name, value);
  if ((c.req.header('content-type') ?? '').includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') put(name, value);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) put(name, value.join(' '));
    }
    return fields;
  }
  for (const [name, value] of new URLSearchParams(text)) put(name, value);
  return fields;
}

/** The client id of HTTP Basic credentials, if any (never checked). */
function basicClientId(c: Context): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return decodeURIComponent(colon < 0 ? decoded : decoded.slice(0, colon)) || undefined;
}

type Refusal = {status: 400; error: string; description: string};
const refusal = (error: string, description: string): Refusal => ({status: 400, error, description});

/** The pool and provider an audience names, when both exist, are active and are enabled. */
function target(state: EmulatorState, audience: string): {pool: WorkloadIdentityPoolRecord; provider: WorkloadIdentityProviderRecord} | Refusal {
  const parts = parseAudience(audience);
  if (!parts) return refusal('invalid_request', STS_MESSAGES.badAudience);
  const project = state.findProject(parts.project);
  const pool = project ? state.workloadIdentityPool(poolName(project.projectNumber, parts.poolId)) : undefined;
  const provider = pool ? state.workloadIdentityProvider(pool, parts.providerId) : undefined;
  if (!pool || !provider || pool.state !== 'ACTIVE' || pool.disabled || provider.state !== 'ACTIVE' || provider.disabled) {
    return refusal('invalid_target', STS_MESSAGES.invalidTarget);
  }
  return {pool, provider};
}

/**
 * Exchanges a subject token for a federated access token, or says why not (400 with Google's error and description).
 */
async function exchange(deps: StsDeps, fields: Map<string, string>, clientId: string | undefined): Promise<Record<string, unknown> | Refusal> {
  const grantType = fields.get('grant_type');
  if (grantType !== TOKEN_EXCHANGE) return refusal('invalid_request', grantType === undefined ? STS_MESSAGES.missing('grant_type') : STS_MESSAGES.grantType(grantType));
  const requested = fields.get('requested_token_type');
  if (requested !== ACCESS_TOKEN_TYPE) {
    return refusal('invalid_request', requested === undefined ? STS_MESSAGES.missing('requested_token_type') : STS_MESSAGES.requestedTokenType(requested));
  }
  const subjectTokenType = fields.get('subject_token_type');
  if (subjectTokenType === undefined) return refusal('invalid_request', STS_MESSAGES.missing('subject_token_type'));
  if (!KNOWN_SUBJECT_TYPES.has(subjectTokenType)) return refusal('invalid_request', STS_MESSAGES.subjectTokenType(subjectTokenType));
  // gcloud sends a file's content as it is, trailing newline included.
  const subjectToken = fields.get('subject_token')?.trim();
  if (!subjectToken) return refusal('invalid_request', STS_MESSAGES.missing('subject_token'));
  const audience = fields.get('audience');
  if (audience === undefined) return refusal('invalid_request', STS_MESSAGES.badAudience);
  const found = target(deps.state, audience);
  if ('error' in found) return found;
  const {pool, provider} = found;
  const scopes = (fields.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (scopes.length === 0) return refusal('invalid_scope', STS_MESSAGES.missing('scope'));

  const now = deps.now();
  const fullName = providerName(poolName(pool.projectNumber, pool.poolId), provider.providerId);
  let assertion: Record<string, unknown>;
  let lifetime = MAX_LIFETIME_S;
  if (provider.oidc) {
    if (!JWT_TYPES.has(subjectTokenType)) return refusal('invalid_request', STS_MESSAGES.subjectTokenTypeForProvider(subjectTokenType, 'OIDC'));
    const verdict = await verifyOidcToken(subjectToken, provider.oidc, fullName, now);
    if (!verdict.ok) return refusal(verdict.error, verdict.description);
    assertion = verdict.claims;
    lifetime = Math.min(MAX_LIFETIME_S, Math.floor((verdict.claims.exp as number) - now / 1000));
  } else if (provider.aws) {
    if (subjectTokenType !== AWS_TYPE) return refusal('invalid_request', STS_MESSAGES.subjectTokenTypeForProvider(subjectTokenType, 'AWS'));
    if (!deps.verifyAws) return refusal('invalid_grant', STS_MESSAGES.awsUnavailable);
    const verdict = deps.verifyAws({subjectToken, audience, accountId: provider.aws.accountId, now});
    if (!verdict.ok) return refusal('invalid_grant', verdict.description);
    assertion = verdict.assertion;
  } else {
    return refusal('invalid_target', STS_MESSAGES.invalidTarget);
  }

  const mapped = mapCredential(provider, assertion);
  if (!mapped.ok) {
    const {refusal: why} = mapped;
    if (why.reason === 'condition') return refusal('unauthorized_client', STS_MESSAGES.condition);
    if (why.reason === 'subject-too-long') return refusal('invalid_request', STS_MESSAGES.subjectTooLong);
    return refusal('invalid_grant', STS_MESSAGES.mapping(why.attribute, why.message));
  }
  // An exp inside the clock skew still exchanges, for the little time left (Google answers the same).
  lifetime = Math.max(1, lifetime);
  const {token} = deps.state.issueFederatedToken(
    {pool: poolName(pool.projectNumber, pool.poolId), providerId: provider.providerId, ...mapped.identity, scopes, ...(clientId === undefined ? {} : {clientId})},
    lifetime,
  );
  await deps.state.save();
  return {access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: lifetime};
}

/** Mounts `POST {url}/sts/v1/token` and `POST {url}/sts/v1/introspect`. */
export function registerStsRoutes(app: Hono, deps: StsDeps): void {
  app.post('/sts/v1/token', async (c) => {
    const fields = await readFields(c);
    const answer = fields === undefined ? refusal('invalid_request', STS_MESSAGES.badBody) : await exchange(deps, fields, basicClientId(c));
    if ('error' in answer && 'description' in answer) return c.json({error: answer.error, error_description: answer.description}, 400, NO_STORE);
    return c.json(answer, 200, NO_STORE);
  });

  app.post('/sts/v1/introspect', async (c) => {
    const fields = await readFields(c);
    const token = fields?.get('token');
    if (!token) return c.json({error: 'invalid_request', error_description: STS_MESSAGES.missingToken}, 400, NO_STORE);
    const record = deps.state.federatedToken(token);
    if (!record) return c.json({active: false}, 200, NO_STORE);
    const body: Record<string, unknown> = {active: true};
    if (record.clientId !== undefined) body.client_id = record.clientId;
    body.exp = Math.floor(record.expiresAt / 1000);
    body.iat = Math.floor(record.issuedAt / 1000);
    body.scope = record.scopes.join(' ');
    body.username = principalMember(record.pool, record.subject);
    return c.json(body, 200, NO_STORE);
  });
}
