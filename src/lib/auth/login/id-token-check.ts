/** Verifying the id token of a login: whose refresh token this is. */
import {AuthError} from '../../errors.js';
import {asClause} from '../../messages.js';
import {createTransporter, GOOGLE_TOKEN_URL, type TransportOptions} from '../tokens/transport.js';

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
export async function verifyIdTokenEmail(
  idToken: string,
  options: {clientId: string; jwksUrl: string; timeoutMs?: number} & Pick<TransportOptions, 'log' | 'network'>,
): Promise<string> {
  const [{createLocalJWKSet, jwtVerify}, transporter] = await Promise.all([
    import('jose'),
    createTransporter({tokenUrl: options.jwksUrl, log: options.log, network: options.network, timeoutMs: options.timeoutMs ?? 10_000}),
  ]);
  let payload: Record<string, unknown>;
  try {
    // Fetched through the shared transporter (proxy, CAs) rather than jose's own fetch: one id token needs one read.
    const {data} = await transporter.request<Parameters<typeof createLocalJWKSet>[0]>({url: options.jwksUrl, responseType: 'json'});
    const jwks = createLocalJWKSet(data);
    ({payload} = await jwtVerify(idToken, jwks, {issuer: GOOGLE_ISSUERS, audience: options.clientId, algorithms: ['RS256'], clockTolerance: 60}));
  } catch (error) {
    throw new AuthError(`The id token of this login did not verify against ${options.jwksUrl}: ${asClause(error)}. Nothing was stored.`, {cause: error});
  }
  const email = payload.email;
  if (typeof email !== 'string' || !email) throw new AuthError('The id token of this login has no email: was the email scope granted? Nothing was stored.');
  if (payload.email_verified === false || payload.email_verified === 'false') {
    throw new AuthError(`The email [${email}] of this login is not verified. Nothing was stored.`);
  }
  return email;
}
