import {AuthError} from '../errors.js';
import type {Logger} from '../log.js';
import type {StoredUserCredential} from '../store/credential-store.js';
import {jwtExpiry} from './service-account-id-token.js';
import type {MintedToken} from './service-account-refresher.js';
import {toTokenEndpointError} from './token-endpoint-error.js';
import {createTransporter} from './transport.js';

/**
 * A user's id token: the one the refresh grant answers with (its `aud` is the OAuth client), through
 * google-auth-library's UserRefreshClient over the redirecting transporter. Loaded lazily.
 * @throws AuthError when the endpoint answers without an id token (no openid scope); TokenEndpointError classified for retry.
 */
export async function mintUserIdToken(
  credential: Pick<StoredUserCredential, 'account' | 'clientId' | 'clientSecret' | 'refreshToken'>,
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
    await client.getAccessToken();
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
  const token = client.credentials.id_token;
  if (!token) {
    throw new AuthError(`The token endpoint returned no id token for [${credential.account}]: its login did not grant the openid scope. Run gcauth auth login again.`);
  }
  return {token, expiry: jwtExpiry(token) ?? Date.now() + 3600_000};
}
