import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto';
import type {Context, Hono} from 'hono';
import {compactVerify, exportJWK, jwtVerify, SignJWT} from 'jose';
import {OAUTH_MESSAGES, oauthError, type OAuthErrorBody} from './google-errors.js';
import type {EmulatorState, ServiceAccountRecord} from './state.js';
import type {EmulatorStats} from './stats.js';

/** What the OAuth routes need from the server. */
export interface OAuthDeps {
  state: EmulatorState;
  stats: EmulatorStats;
  now(): number;
  tokenLifetimeSeconds(): number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts its current token URL and the legacy v4 one as assertion audiences. */
const ACCEPTED_AUDIENCES = new Set(['https://oauth2.googleapis.com/token', 'https://www.googleapis.com/oauth2/v4/token']);
const ID_TOKEN_ISSUER = 'https://accounts.google.com';
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 300;
const ID_TOKEN_LIFETIME_S = 3600;

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

  const nowMs = deps.now();
  const candidates =
    typeof header.kid === 'string' ? [account.keys[header.kid]] : Object.values(account.keys);
  let verified = false;
  for (const key of candidates) {
    // A deleted, disabled or out-of-window key is simply not a key Google will check against.
    if (!key || key.disabled) continue;
    if (Date.parse(key.validAfterTime) > nowMs || Date.parse(key.validBeforeTime) < nowMs) continue;
    try {
      await compactVerify(assertion, createPublicKey(key.publicKeyPem), {algorithms: ['RS256']});
      verified = true;
      break;
    } catch {
      // try the next key
    }
  }
  if (!verified) return refuse('invalid_grant', OAUTH_MESSAGES.badSignature);

  const now = nowMs / 1000;
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

  if (typeof claims.aud !== 'string' || !ACCEPTED_AUDIENCES.has(claims.aud)) {
    return refuse('invalid_grant', OAUTH_MESSAGES.badAudience);
  }

  // A `sub` other than the account itself asks for domain-wide delegation, which no emulated account has.
  if (claims.sub !== undefined && claims.sub !== account.email) {
    return refuse('unauthorized_client', OAUTH_MESSAGES.unauthorizedSubject);
  }
  return {ok: true, account, claims};
}

/** Registers `/token`, `/tokeninfo`, `/revoke` and `/oauth2/v3/certs`. */
export function registerOAuthRoutes(app: Hono, deps: OAuthDeps): void {
  const signing = deps.state.data.signingKey;
  const signingPrivate: KeyObject = createPrivateKey(signing.privateKeyPem);
  const signingPublic: KeyObject = createPublicKey(signing.publicKeyPem);

  app.post('/token', async (c) => {
    const params = await readParams(c, true);
    const grantType = params.get('grant_type') ?? '';
    const fail = (body: OAuthErrorBody, status: 400 | 401 = 400) => {
      deps.stats.tokenErrors++;
      return c.json(body, status, NO_STORE);
    };

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

    if (wantsIdToken) {
      const iat = Math.floor(deps.now() / 1000);
      const idToken = await new SignJWT({
        azp: account.uniqueId,
        email: account.email,
        email_verified: true,
      })
        .setProtectedHeader({alg: 'RS256', kid: signing.kid, typ: 'JWT'})
        .setIssuer(ID_TOKEN_ISSUER)
        .setAudience(claims.target_audience as string)
        .setSubject(account.uniqueId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ID_TOKEN_LIFETIME_S)
        .sign(signingPrivate);
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
      const record = deps.state.accessToken(accessToken);
      if (!record) return c.json(oauthError('invalid_token', OAUTH_MESSAGES.invalidTokenValue), 400, NO_STORE);
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
      if (scopes.has('openid')) body.sub = record.clientId;
      if (scopes.has('email') || scopes.has('https://www.googleapis.com/auth/userinfo.email')) {
        body.email = record.email;
        body.email_verified = 'true';
      }
      body.access_type = 'online';
      return c.json(body, 200, NO_STORE);
    }
    if (idToken !== undefined) {
      try {
        const {payload, protectedHeader} = await jwtVerify(idToken, signingPublic, {
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
    if (!deps.state.revokeAccessToken(token)) {
      return c.json(oauthError('invalid_token', OAUTH_MESSAGES.revokedToken), 400, NO_STORE);
    }
    await deps.state.save();
    return c.json({}, 200, NO_STORE);
  });

  app.get('/oauth2/v3/certs', async (c) => {
    const jwk = await exportJWK(signingPublic);
    return c.json({keys: [{...jwk, alg: 'RS256', use: 'sig', kid: signing.kid}]}, 200, {
      'Cache-Control': 'public, max-age=3600',
    });
  });
}
