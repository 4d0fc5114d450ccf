import type {Logger} from '../log.js';
import type {StoredUserCredential} from '../store/credential-store.js';
import type {MintedToken} from './service-account-refresher.js';
import {toTokenEndpointError} from './token-endpoint-error.js';
import {createTransporter} from './transport.js';

/**
 * Exchanges a user's refresh token for an access token through google-auth-library's UserRefreshClient,
 * posted to tokenUrl by the redirecting transporter. The grant carries no scope: a refresh token yields
 * the scopes it was granted. Loaded lazily: nothing here runs when a cached token serves.
 * @throws TokenEndpointError classified for retry.
 */
export async function mintUserToken(
  credential: Pick<StoredUserCredential, 'clientId' | 'clientSecret' | 'refreshToken'>,
  options: {tokenUrl: string; log: Logger; timeoutMs: number},
): Promise<MintedToken> {
  const [{UserRefreshClient}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  const client = new UserRefreshClient({
    clientId: credential.clientId,
    clientSecret: credential.clientSecret,
    refreshToken: credential.refreshToken,
    transporter,
  });
  try {
    const {token} = await client.getAccessToken();
    if (!token) throw new Error('the token endpoint answered without an access_token');
    return {token, expiry: client.credentials.expiry_date ?? Date.now() + 3600_000};
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
}
