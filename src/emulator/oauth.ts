import {createHash, createPublicKey, timingSafeEqual} from 'node:crypto';
import type {Context, Hono} from 'hono';
import {compactVerify, exportJWK, jwtVerify} from 'jose';
import {ID_TOKEN_ISSUER, type IdTokenSigner} from './id-tokens.js';
import {OAUTH_MESSAGES, apiError, oauthError, type OAuthErrorBody} from './google-errors.js';
import type {Authenticator} from './authn.js';
import type {ServiceAccountRecord} from './records.js';
import type {EmulatorState} from './state.js';
import {bump, type EmulatorStats} from './stats.js';
import {selfSignedCertificate, toPem} from './x509.js';

/** What the OAuth routes need from the server. */
export interface OAuthDeps {
  state: EmulatorState;
  authn: Authenticator;
  idTokens: IdTokenSigner;
  stats: EmulatorStats;
  now(): number;
  tokenLifetimeSeconds(): number;
  /** The emulator's base URL: `{url}/token` is its own token URL, an audience it accepts like Google's. */
  url(): string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const EMAIL_SCOPES = ['email', 'https://www.googleapis.com/auth/userinfo.email'];
const REALM = 'Bearer realm="https://accounts.google.com/"';
/**
 * Google accepts an assertion addressed to any of its token URLs: the current one (google-auth's fixed `aud`),
 * the legacy v4 one, and the old accounts.google.com one that older key files carry as `token_uri`. Clients
 * that sign for the key file's `token_uri` (Go's golang.org/x/oauth2/jwt, oauth2client, older google-auth)
 * therefore work with Google's keys; the emulator's own `{url}/token` is that URL for the keys it writes.
 */
const GOOGLE_AUDIENCES: ReadonlySet<string> = new Set([
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
  'https://accounts.google.com/o/oauth2/token',
]);
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 300;

/** Google marks every token answer uncacheable; clients and proxies must not reuse one. */
const NO_STORE = {
  'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  Pragma: 'no-cache',
};

/** Reads request parameters from the query and, for bodies, from a form or JSON object. */
async function readParams(c: Context, includeBody: boolean): Promise<Map<string, string>> {
  const params = new Map<string, string>();
  for (const [k, v] of new URL(c.req.url).searchParams) params.set(k, v);
  if (!includeBody) return params;
  const text = await c.req.text();
  if (text.length === 0) return params;
  if ((c.req.header('content-type') ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') params.set(k, v);
      }
    } catch {
      // An unparseable body is treated as carrying no parameters; the handler then names what is missing.
    }
  } else {
    for (const [k, v] of new URLSearchParams(text)) params.set(k, v);
  }
  return params;
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Verdict =
  | {ok: true; account: ServiceAccountRecord; claims: Record<string, unknown>}
  | {ok: false; body: OAuthErrorBody};

const refuse = (error: string, description: string): Verdict => ({ok: false, body: oauthError(error, description)});

/**
 * Checks a jwt-bearer assertion the way Google's token endpoint does: account, key, RS256 signature,
 * timeframe, audience, subject. Order matters only for which message a doubly-bad assertion gets.
 */
async function verifyAssertion(assertion: string, header: Record<string, unknown>, claims: Record<string, unknown>, deps: OAuthDeps): Promise<Verdict> {
  if (header.alg !== 'RS256') return refuse('invalid_grant', OAUTH_MESSAGES.badSignature);

  const account = typeof claims.iss === 'string' ? deps.state.serviceAccount(claims.iss) : undefined;
  // Google gives disabled and missing accounts the same answer.
  if (!account || account.disabled) return refuse('invalid_grant', OAUTH_MESSAGES.accountNotFound);

  // A deleted, disabled or out-of-window key is simply not a key Google will check against.
  const candidates = deps.state.validKeys(account, typeof header.kid === 'string' ? header.kid : undefined);
  let verified = false;
  for (const key of candidates) {
    try {
      await compactVerify(assertion, createPublicKey(key.publicKeyPem), {algorithms: ['RS256']});
      verified = true;
      break;
    } catch {
      // try the next key
    }
  }
  if (!verified) return refuse('invalid_grant', OAUTH_MESSAGES.badSignature);

  const now = deps.now() / 1000;
  const {iat, exp} = claims;
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    exp <= iat ||
    exp - iat > MAX_ASSERTION_LIFETIME_S ||
    iat > now + CLOCK_SKEW_S ||
    exp < now - CLOCK_SKEW_S
  ) {
    return refuse('invalid_grant', OAUTH_MESSAGES.badTimeframe);
  }

  if (typeof claims.aud !== 'string' || !(GOOGLE_AUDIENCES.has(claims.aud) || claims.aud === `${deps.url()}/token`)) {
    return refuse('invalid_grant', OAUTH_MESSAGES.badAudience);
  }

  // A `sub` other than the account itself asks for domain-wide delegation, which no emulated account has.
  if (claims.sub !== undefined && claims.sub !== account.email) {
    return refuse('unauthorized_client', OAUTH_MESSAGES.unauthorizedSubject);
  }
  return {ok: true, account, claims};
}

/** base64url(SHA-256(text)): the S256 PKCE transform and, halved, an id token's at_hash. */
function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'ascii').digest();
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client's id and secret, from the form or an HTTP Basic header (RFC 6749 §2.3.1 allows either). */
function clientCredentials(c: Context, params: Map<string, string>): {clientId?: string; clientSecret?: string} {
  const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return {clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1))};
  }
  return {clientId: params.get('client_id') || undefined, clientSecret: params.get('client_secret') || undefined};
}

/** Whether `scopes` include one that shows the user's email (in tokeninfo, userinfo and id tokens). */
function grantsEmail(scopes: readonly string[]): boolean {
  return scopes.some((s) => EMAIL_SCOPES.includes(s));
}

/**
 * Registers `/token`, `/tokeninfo`, `/revoke`, `/oauth2/v3/userinfo`, the id-token keys at `/oauth2/v3/certs` (JWKS)
 * and `/oauth2/v1/certs` (X.509), and each service account's public keys at `/service_accounts/v1/jwk/{email}`.
 */
export function registerOAuthRoutes(app: Hono, deps: OAuthDeps): void {
  const {idTokens} = deps;

  type GrantResult = {ok: Record<string, unknown>} | {error: OAuthErrorBody; status: 400 | 401};
  const refused = (error: string, description: string, status: 400 | 401 = 400): GrantResult => ({error: oauthError(error, description), status});

  /**
   * Checks the client's credentials: any id is welcome (users bring their own Desktop client), but the first
   * secret seen for an id is the only one accepted from then on. Returns the client id, or the refusal.
   */
  const authenticateClient = (c: Context, params: Map<string, string>): string | GrantResult => {
    const {clientId, clientSecret} = clientCredentials(c, params);
    if (!clientId) return refused('invalid_request', OAUTH_MESSAGES.missingClientId);
    if (!clientSecret) return refused('invalid_request', OAUTH_MESSAGES.missingClientSecret);
    const known = deps.state.oauthClient(clientId);
    if (!known) {
      deps.state.addOAuthClient(clientId, clientSecret);
    } else if (!sameString(known.clientSecret, clientSecret)) {
      return refused('invalid_client', OAUTH_MESSAGES.badClient, 401);
    }
    return clientId;
  };

  /** An id token for a user's grant, when `openid` was granted; email only with an email scope, as at Google. */
  const userIdToken = async (email: string, clientId: string, scopes: string[], accessToken: string, nonce?: string): Promise<string | undefined> => {
    if (!scopes.includes('openid')) return undefined;
    const user = deps.state.user(email);
    if (!user) return undefined;
    const claims: Record<string, unknown> = {azp: clientId, at_hash: sha256(accessToken).subarray(0, 16).toString('base64url')};
    if (grantsEmail(scopes)) {
      claims.email = user.email;
      claims.email_verified = true;
    }
    if (nonce !== undefined) claims.nonce = nonce;
    return idTokens.sign(claims, clientId, user.uniqueId);
  };

  /** `grant_type=authorization_code`: client, code (single use, 10 minutes), redirect_uri, PKCE verifier. */
  const exchangeCode = async (c: Context, params: Map<string, string>): Promise<GrantResult> => {
    const code = params.get('code');
    if (!code) return refused('invalid_request', OAUTH_MESSAGES.missingCode);
    const clientId = authenticateClient(c, params);
    if (typeof clientId !== 'string') return clientId;
    const record = deps.state.authCode(code);
    if (!record) return refused('invalid_grant', OAUTH_MESSAGES.malformedCode);
    if (record.used) {
      // RFC 6749 §4.1.2: a replayed code may mean it was stolen; what the first exchange produced is revoked.
      if (record.refreshToken !== undefined) deps.state.revokeRefreshToken(record.refreshToken);
      return refused('invalid_grant', OAUTH_MESSAGES.badCode);
    }
    if (record.expiresAt <= deps.now()) {
      deps.state.forgetAuthCode(code);
      return refused('invalid_grant', OAUTH_MESSAGES.badCode);
    }
    // Whatever happens next, this code has been tried once: a wrong verifier cannot be retried against it.
    record.used = true;
    if (record.clientId !== clientId) return refused('invalid_grant', OAUTH_MESSAGES.badCode);
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return refused('invalid_request', OAUTH_MESSAGES.missingRedirectUri);
    if (redirectUri !== record.redirectUri) return refused('redirect_uri_mismatch', OAUTH_MESSAGES.badCode);
    if (record.codeChallenge !== undefined) {
      const verifier = params.get('code_verifier');
      if (!verifier) return refused('invalid_grant', OAUTH_MESSAGES.missingVerifier);
      const transformed = record.codeChallengeMethod === 'S256' ? sha256(verifier).toString('base64url') : verifier;
      if (!sameString(transformed, record.codeChallenge)) return refused('invalid_grant', OAUTH_MESSAGES.badVerifier);
    }
    if (!deps.state.user(record.email)) return refused('invalid_grant', OAUTH_MESSAGES.badCode);

    const refreshToken = record.accessType === 'offline' ? deps.state.issueRefreshToken(record.email, clientId, record.scopes) : undefined;
    if (refreshToken !== undefined) record.refreshToken = refreshToken;
    const lifetime = deps.tokenLifetimeSeconds();
    const {token} = deps.state.issueAccessToken(record.email, record.scopes, clientId, lifetime, refreshToken);
    deps.stats.userGrants.issued++;
    const body: Record<string, unknown> = {access_token: token, expires_in: lifetime};
    if (refreshToken !== undefined) body.refresh_token = refreshToken;
    body.scope = record.scopes.join(' ');
    body.token_type = 'Bearer';
    const idToken = await userIdToken(record.email, clientId, record.scopes, token, record.nonce);
    if (idToken !== undefined) body.id_token = idToken;
    return {ok: body};
  };

  /** `grant_type=refresh_token`: a live refresh token of this client; an optional narrower `scope`. */
  const refresh = async (c: Context, params: Map<string, string>): Promise<GrantResult> => {
    const refreshToken = params.get('refresh_token');
    if (!refreshToken) return refused('invalid_request', OAUTH_MESSAGES.missingRefreshToken);
    const clientId = authenticateClient(c, params);
    if (typeof clientId !== 'string') return clientId;
    const record = deps.state.refreshToken(refreshToken);
    if (!record || !deps.state.user(record.email)) return refused('invalid_grant', OAUTH_MESSAGES.expiredRefreshToken);
    if (record.clientId !== clientId) return refused('unauthorized_client', OAUTH_MESSAGES.badClient, 401);
    let scopes = record.scopes;
    const asked = params.get('scope')?.trim();
    if (asked) {
      const wanted = [...new Set(asked.split(/\s+/))];
      if (wanted.some((s) => !record.scopes.includes(s))) return refused('invalid_scope', OAUTH_MESSAGES.noScope);
      scopes = wanted;
    }
    const lifetime = deps.tokenLifetimeSeconds();
    const {token} = deps.state.issueAccessToken(record.email, scopes, clientId, lifetime, refreshToken);
    deps.stats.userGrants.issued++;
    const body: Record<string, unknown> = {access_token: token, expires_in: lifetime, scope: scopes.join(' '), token_type: 'Bearer'};
    const idToken = await userIdToken(record.email, clientId, scopes, token);
    if (idToken !== undefined) body.id_token = idToken;
    return {ok: body};
  };

  app.post('/token', async (c) => {
    const params = await readParams(c, true);
    const grantType = params.get('grant_type') ?? '';
    const fail = (body: OAuthErrorBody, status: 400 | 401 = 400) => {
      deps.stats.tokenErrors++;
      return c.json(body, status, NO_STORE);
    };

    if (grantType === 'authorization_code' || grantType === 'refresh_token') {
      if (grantType === 'authorization_code') deps.stats.userGrants.authorizationCode++;
      else deps.stats.userGrants.refreshToken++;
      const result = grantType === 'authorization_code' ? await exchangeCode(c, params) : await refresh(c, params);
      if ('error' in result) return fail(result.error, result.status);
      await deps.state.save();
      return c.json(result.ok, 200, NO_STORE);
    }
    if (grantType !== JWT_BEARER) {
      deps.stats.tokenRequests.unsupportedGrant++;
      return fail(oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType}`));
    }
    const assertion = params.get('assertion');
    if (!assertion) return fail(oauthError('invalid_request', OAUTH_MESSAGES.missingAssertion));

    const parts = assertion.split('.');
    const header = parts.length === 3 ? decodeSegment(parts[0]) : undefined;
    const claims = parts.length === 3 ? decodeSegment(parts[1]) : undefined;
    if (!header || !claims) {
      deps.stats.tokenRequests.accessToken++;
      return fail(oauthError('invalid_grant', OAUTH_MESSAGES.badSignature));
    }
    const wantsIdToken = typeof claims.target_audience === 'string';
    if (wantsIdToken) deps.stats.tokenRequests.idToken++;
    else deps.stats.tokenRequests.accessToken++;

    const verdict = await verifyAssertion(assertion, header, claims, deps);
    if (!verdict.ok) return fail(verdict.body);
    const {account} = verdict;
    bump(deps.stats.assertionAudiences, claims.aud as string);

    if (wantsIdToken) {
      const idToken = await idTokens.sign({azp: account.uniqueId, email: account.email, email_verified: true}, claims.target_audience as string, account.uniqueId);
      deps.stats.tokensIssued.idToken++;
      return c.json({id_token: idToken}, 200, NO_STORE);
    }

    const scope = typeof claims.scope === 'string' ? claims.scope.trim() : '';
    if (!scope) return fail(oauthError('invalid_scope', OAUTH_MESSAGES.noScope));
    const lifetime = deps.tokenLifetimeSeconds();
    const {token} = deps.state.issueAccessToken(account.email, scope.split(/\s+/), account.uniqueId, lifetime);
    await deps.state.save();
    deps.stats.tokensIssued.accessToken++;
    return c.json({access_token: token, expires_in: lifetime, token_type: 'Bearer'}, 200, NO_STORE);
  });

  const tokeninfo = async (c: Context) => {
    const params = await readParams(c, c.req.method === 'POST');
    const accessToken = params.get('access_token');
    const idToken = params.get('id_token');
    if (accessToken !== undefined) {
      const described = deps.authn.describe(accessToken);
      if (!described) return c.json(oauthError('invalid_token', OAUTH_MESSAGES.invalidTokenValue), 400, NO_STORE);
      const {record, sub} = described;
      const nowMs = deps.now();
      // Google answers numbers as strings here, and shows identity only when an identity scope was granted.
      const body: Record<string, string> = {
        azp: record.clientId,
        aud: record.clientId,
        scope: record.scopes.join(' '),
        exp: String(Math.floor(record.expiresAt / 1000)),
        expires_in: String(Math.max(0, Math.floor((record.expiresAt - nowMs) / 1000))),
      };
      const scopes = new Set(record.scopes);
      if (scopes.has('openid')) body.sub = sub;
      if (grantsEmail(record.scopes)) {
        body.email = record.email;
        body.email_verified = 'true';
      }
      body.access_type = record.refreshToken === undefined ? 'online' : 'offline';
      return c.json(body, 200, NO_STORE);
    }
    if (idToken !== undefined) {
      try {
        const {payload, protectedHeader} = await jwtVerify(idToken, idTokens.publicKey, {
          issuer: ID_TOKEN_ISSUER,
          algorithms: ['RS256'],
          currentDate: new Date(deps.now()),
        });
        const body: Record<string, string> = {};
        for (const [k, v] of Object.entries(payload)) body[k] = typeof v === 'string' ? v : JSON.stringify(v);
        body.alg = protectedHeader.alg;
        if (protectedHeader.kid) body.kid = protectedHeader.kid;
        body.typ = protectedHeader.typ ?? 'JWT';
        return c.json(body, 200, NO_STORE);
      } catch {
        return c.json(oauthError('invalid_token', OAUTH_MESSAGES.invalidTokenValue), 400, NO_STORE);
      }
    }
    return c.json(oauthError('invalid_request', 'Either access_token, id_token, or token_handle required'), 400, NO_STORE);
  };
  app.get('/tokeninfo', tokeninfo);
  app.post('/tokeninfo', tokeninfo);

  app.post('/revoke', async (c) => {
    const params = await readParams(c, true);
    const token = params.get('token');
    if (!token) return c.json(oauthError('invalid_request', 'Missing required parameter: token'), 400, NO_STORE);
    // As at Google, revoking an access token issued from a refresh token revokes that grant too.
    const grant = deps.state.accessToken(token)?.refreshToken;
    if (grant !== undefined) deps.state.revokeRefreshToken(grant);
    if (!deps.state.revokeRefreshToken(token) && !deps.state.revokeAccessToken(token) && grant === undefined) {
      return c.json(oauthError('invalid_token', OAUTH_MESSAGES.revokedToken), 400, NO_STORE);
    }
    await deps.state.save();
    return c.json({}, 200, NO_STORE);
  });

  const userinfo = (c: Context) => {
    const header = c.req.header('authorization');
    const token = (header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]) ?? new URL(c.req.url).searchParams.get('access_token');
    const described = token ? deps.authn.describe(token) : undefined;
    if (!described) {
      return c.json(oauthError('invalid_request', OAUTH_MESSAGES.invalidCredentials), 401, {...NO_STORE, 'WWW-Authenticate': `${REALM}, error="invalid_token"`});
    }
    const {record, sub} = described;
    const body: Record<string, unknown> = {sub};
    if (grantsEmail(record.scopes)) {
      body.email = record.email;
      body.email_verified = true;
    }
    return c.json(body, 200, NO_STORE);
  };
  app.get('/oauth2/v3/userinfo', userinfo);
  app.post('/oauth2/v3/userinfo', userinfo);

  // The same key as X.509, the format google-auth-library's verifyIdToken reads by default (its PEM certs URL).
  const nowMs = deps.now();
  const signingCertificate = toPem(
    selfSignedCertificate(idTokens.privateKey, {commonName: 'gcauth emulator id token signer', notBefore: nowMs - 3600_000, notAfter: nowMs + 365 * 24 * 3600_000}),
  );
  app.get('/oauth2/v1/certs', (c) => c.json({[idTokens.kid]: signingCertificate}, 200, {'Cache-Control': 'public, max-age=3600'}));

  /** Google publishes each service account's public keys, so what signJwt and the account's keys sign can be checked. */
  const accountKeys = (email: string) => {
    const account = deps.state.serviceAccount(email);
    return account && !account.disabled ? deps.state.validKeys(account) : undefined;
  };
  const notFound = (c: Context) => c.json(apiError(404, `The requested URL ${c.req.path} was not found on this server.`), 404);
  app.get('/service_accounts/v1/jwk/:email', async (c) => {
    const keys = accountKeys(c.req.param('email'));
    if (!keys) return notFound(c);
    const jwks = await Promise.all(keys.map(async (k) => ({...(await exportJWK(createPublicKey(k.publicKeyPem))), alg: 'RS256', use: 'sig', kid: k.keyId})));
    return c.json({keys: jwks}, 200, {'Cache-Control': 'public, max-age=3600'});
  });

  app.get('/oauth2/v3/certs', async (c) => c.json(await idTokens.jwks(), 200, {'Cache-Control': 'public, max-age=3600'}));
}
