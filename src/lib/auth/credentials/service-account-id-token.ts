import type {ServiceAccountKey} from './stored.js';
import {expiryOr} from '../tokens/expiry.js';
import type {MintedToken, MintOptions} from './service-account-refresher.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {createTransporter} from '../tokens/transport.js';

/** The claims of a JWT's payload, read without checking its signature (for what it says of itself), or undefined. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` of a JWT, in ms since the epoch, read without verifying it (the issuer just handed it over). */
export function jwtExpiry(token: string): number | undefined {
  const exp = jwtPayload(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/**
 * Exchanges a service-account key for an OpenID Connect id token with `aud` = audience: the jwt-bearer
 * grant with a `target_audience` claim, through google-auth-library's JWT client and the redirecting
 * transporter (so it lands on `tokenUrl`). Loaded lazily.
 * @throws TokenEndpointError classified for retry.
 */
export async function mintServiceAccountIdToken(
  key: ServiceAccountKey,
  audience: string,
  options: MintOptions,
): Promise<MintedToken> {
  const [{JWT}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  const client = new JWT({email: key.client_email, key: key.private_key, keyId: key.private_key_id, transporter});
  try {
    const token = await client.fetchIdToken(audience);
    return {token, expiry: expiryOr(jwtExpiry(token), options.now)};
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
}
