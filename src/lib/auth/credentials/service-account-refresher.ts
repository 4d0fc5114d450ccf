import type {ServiceAccountKey} from './stored.js';
import {libraryExpiry} from '../tokens/expiry.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {createTransporter, type TransportOptions} from '../tokens/transport.js';

/** A freshly minted access token. */
export interface MintedToken {
  token: string;
  /** Expiry in ms since the epoch. */
  expiry: number;
}

/** What every minter is given: the transport's options, and the context's clock its token's expiry is counted on. */
export interface MintOptions extends TransportOptions {
  now: () => number;
  /** The context's environment (an external account's executable and AWS sources read it), when the minter needs it. */
  env?: Record<string, string | undefined>;
}

/**
 * Exchanges a service-account key for an access token through google-auth-library's JWT client
 * (RS256 assertion, `aud` Google's token URL), posted to tokenUrl by the redirecting transporter.
 * Loaded lazily: nothing here runs when a cached token serves.
 * @throws TokenEndpointError classified for retry.
 */
export async function mintServiceAccountToken(
  key: ServiceAccountKey,
  scopes: string[],
  options: MintOptions,
): Promise<MintedToken> {
  const [{JWT}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes,
    transporter,
  });
  try {
    const credentials = await client.authorize();
    if (!credentials.access_token) throw new Error('the token endpoint answered without an access_token');
    return {token: credentials.access_token, expiry: libraryExpiry(credentials.expiry_date, options.now)};
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
}
