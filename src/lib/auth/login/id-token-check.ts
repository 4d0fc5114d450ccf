/** Verifying the id token of a login: whose refresh token this is. */
import {AuthError} from '../../errors.js';
import {GOOGLE_TOKEN_URL} from '../tokens/transport.js';

/** Where Google publishes the keys its id tokens are signed with. */
export const GOOGLE_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';

/** Issuers of Google id tokens (both spellings occur). */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/**
 * The JWKS of the token endpoint that issued an id token: Google's for Google's token URL, else
 * `{origin of the token URL}/oauth2/v3/certs` (the emulator's layout), so an `auth/token_host` override
 * also moves the keys the id token is checked against.
 */
export function jwksUrlFor(tokenUrl: string): string {
  if (tokenUrl === GOOGLE_TOKEN_URL) return GOOGLE_JWKS_URL;
  return new URL('/oauth2/v3/certs', tokenUrl).href;
}

/**
 * Checks an id token's signature against the issuer's JWKS, its issuer, expiry and `aud` (the client id),
 * and returns its verified `email`.
 * @throws AuthError when any check fails or the token carries no verified email.
 */
export async function verifyIdTokenEmail(idToken: string, options: {clientId: string; jwksUrl: string; timeoutMs?: number}): Promise<string> {
  const {createRemoteJWKSet, jwtVerify} = await import('jose');
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {timeoutDuration: options.timeoutMs ?? 10_000});
  let payload: Record<string, unknown>;
  try {
    ({payload} = await jwtVerify(idToken, jwks, {issuer: GOOGLE_ISSUERS, audience: options.clientId, algorithms: ['RS256'], clockTolerance: 60}));
  } catch (error) {
    throw new AuthError(`The id token of this login did not verify against ${options.jwksUrl}: ${(error as Error).message}. Nothing was stored.`, {cause: error});
  }
  const email = payload.email;
  if (typeof email !== 'string' || !email) throw new AuthError('The id token of this login has no email: was the email scope granted? Nothing was stored.');
  if (payload.email_verified === false || payload.email_verified === 'false') {
    throw new AuthError(`The email [${email}] of this login is not verified. Nothing was stored.`);
  }
  return email;
}
