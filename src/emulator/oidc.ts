/**
 * How the emulated STS checks an OIDC subject token against a provider, in Google's order and words: the issuer,
 * the signing keys (the provider's `jwksJson`, else the issuer's discovery document and its `jwks_uri`), the
 * signature (jose), the audience (the allowed audiences, else the provider's own name with and without `https:`),
 * then `iat` and `exp` with Google's minute of clock skew.
 */
import {compactVerify, createLocalJWKSet, decodeJwt, errors, type JSONWebKeySet} from 'jose';
import {defaultAudiences} from './federation.js';
import {STS_MESSAGES} from './google-errors.js';

/** Google's tolerance for clocks, measured: an `exp` 59 s past passes and 61 s past fails; so does `iat` ahead. */
const CLOCK_SKEW_S = 60;
/** How long a discovery document or key set may take; Google's own limit is not documented. */
const FETCH_TIMEOUT_MS = 5000;
/** Bodies larger than this are not an issuer's discovery document or key set. */
const MAX_DOCUMENT_BYTES = 1 << 20;

/** What an OIDC provider checks. */
export interface OidcSettings {
  issuerUri: string;
  allowedAudiences: readonly string[];
  jwksJson?: string;
}

export type OidcVerdict = {ok: true; claims: Record<string, unknown>} | {ok: false; error: 'invalid_grant'; description: string};

const refuse = (description: string): OidcVerdict => ({ok: false, error: 'invalid_grant', description});

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, {signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow'});
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} is too large`);
  return JSON.parse(text) as unknown;
}

/** The issuer's key set: the provider's own, or the one its discovery document names. Throws when it cannot be had. */
async function keySet(settings: OidcSettings): Promise<JSONWebKeySet> {
  if (settings.jwksJson !== undefined) return JSON.parse(settings.jwksJson) as JSONWebKeySet;
  const discovery = (await fetchJson(`${settings.issuerUri.replace(/\/+$/, '')}/.well-known/openid-configuration`)) as {jwks_uri?: unknown};
  if (typeof discovery?.jwks_uri !== 'string') throw new Error('no jwks_uri');
  const jwks = (await fetchJson(discovery.jwks_uri)) as JSONWebKeySet;
  if (!Array.isArray(jwks?.keys)) throw new Error('no keys');
  return jwks;
}

const shown = (value: unknown) => (value === undefined || value === null ? 'null' : String(value));

/**
 * Verifies `token` for a provider whose full resource name is `providerName` at `nowMs`. Never throws: every failure
 * is an `invalid_grant` with the STS's description.
 */
export async function verifyOidcToken(token: string, settings: OidcSettings, providerName: string, nowMs: number): Promise<OidcVerdict> {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return refuse(STS_MESSAGES.notJwt);
  }
  if (claims.iss !== settings.issuerUri) return refuse(STS_MESSAGES.issuer(shown(claims.iss), settings.issuerUri));

  let jwks: JSONWebKeySet;
  try {
    jwks = await keySet(settings);
  } catch {
    return refuse(STS_MESSAGES.issuerUnreachable);
  }
  try {
    await compactVerify(token, createLocalJWKSet(jwks));
  } catch (error) {
    // No key of that id (or of that type): Google answers as if the issuer could not be reached, as measured.
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return refuse(STS_MESSAGES.issuerUnreachable);
    return refuse(STS_MESSAGES.signature);
  }

  const audiences = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)];
  const accepted = settings.allowedAudiences.length > 0 ? settings.allowedAudiences : defaultAudiences(providerName);
  if (!audiences.some((a) => accepted.includes(a))) return refuse(STS_MESSAGES.audience(audiences));

  const now = nowMs / 1000;
  const {iat, exp} = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp < now - CLOCK_SKEW_S || iat > now + CLOCK_SKEW_S) return refuse(STS_MESSAGES.stale(shown(iat)));
  return {ok: true, claims};
}
