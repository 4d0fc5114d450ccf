import {AuthError} from '../../errors.js';
import {HINTS} from '../../messages.js';
import type {StoredUserCredential} from './stored.js';
import {expiryOr, libraryExpiry} from '../tokens/expiry.js';
import {jwtExpiry} from './service-account-id-token.js';
import type {MintedToken, MintOptions} from './service-account-refresher.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {createTransporter} from '../tokens/transport.js';

type UserGrant = Pick<StoredUserCredential, 'clientId' | 'clientSecret' | 'refreshToken'>;

/**
 * One refresh grant through google-auth-library's UserRefreshClient, posted to tokenUrl by the redirecting
 * transporter. The grant carries no scope: a refresh token yields the scopes it was granted. Loaded lazily:
 * nothing here runs when a cached token serves.
 * @returns what the endpoint answered (access token, its expiry, and the id token when openid was granted).
 * @throws TokenEndpointError classified for retry.
 */
async function refreshGrant(credential: UserGrant, options: MintOptions): Promise<{token?: string | null; expiry?: number | null; idToken?: string | null}> {
  const [{UserRefreshClient}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  const client = new UserRefreshClient({
    clientId: credential.clientId,
    clientSecret: credential.clientSecret,
    refreshToken: credential.refreshToken,
    transporter,
  });
  try {
    const {token} = await client.getAccessToken();
    return {token, expiry: client.credentials.expiry_date, idToken: client.credentials.id_token};
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
}

/**
 * Exchanges a user's refresh token for an access token.
 * @throws TokenEndpointError classified for retry.
 */
export async function mintUserToken(credential: UserGrant, options: MintOptions): Promise<MintedToken> {
  const {token, expiry} = await refreshGrant(credential, options);
  if (!token) throw toTokenEndpointError(new Error('the token endpoint answered without an access_token'), options.tokenUrl);
  return {token, expiry: libraryExpiry(expiry, options.now)};
}

/**
 * A user's id token: the one the refresh grant answers with (its `aud` is the OAuth client).
 * @throws AuthError when the endpoint answers without an id token (no openid scope); TokenEndpointError classified for retry.
 */
export async function mintUserIdToken(credential: UserGrant & Pick<StoredUserCredential, 'account'>, options: MintOptions): Promise<MintedToken> {
  const {idToken} = await refreshGrant(credential, options);
  if (!idToken) {
    throw new AuthError(`The token endpoint returned no id token for [${credential.account}]: its login did not grant the openid scope. ${HINTS.loginAgain}`);
  }
  return {token: idToken, expiry: expiryOr(jwtExpiry(idToken), options.now)};
}
