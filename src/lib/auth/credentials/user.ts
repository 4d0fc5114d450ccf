/** The user credential type: a refresh token from `auth login`, with the OAuth client it was issued to. */
import {AuthError, UsageError} from '../../errors.js';
import {FIX, HINTS} from '../../messages.js';
import {revokeRefreshToken, revokeUrlFor} from './revoke-user.js';
import type {StoredUserCredential} from './stored.js';
import type {CredentialType} from './types.js';
import {mintUserIdToken, mintUserToken} from './user-refresher.js';

/** An `authorized_user` ADC file as gcloud writes it and google-auth-library reads it. */
export interface AuthorizedUserAdc {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  quota_project_id?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** The ADC JSON for a user's refresh token. */
export function authorizedUserAdc(user: {clientId: string; clientSecret: string; refreshToken: string; quotaProjectId?: string}): AuthorizedUserAdc {
  return {
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
    type: 'authorized_user',
    universe_domain: 'googleapis.com',
    ...(user.quotaProjectId ? {quota_project_id: user.quotaProjectId} : {}),
  };
}

const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim() !== '';

export const userType: CredentialType<StoredUserCredential> = {
  type: 'authorized_user',
  followsTokenHost: true,

  entryProblem(entry) {
    const missing = ['refreshToken', 'clientId', 'clientSecret'].filter((f) => !nonEmpty(entry[f]));
    if (missing.length > 0) return `it lacks ${missing.join(', ')}`;
    if (entry.tokenUri !== undefined && typeof entry.tokenUri !== 'string') return '"tokenUri" is not a string';
    return undefined;
  },

  ownTokenUrl: (credential) => credential.tokenUri,

  mintAccessToken: (credential, _scopes, options) => mintUserToken(credential, options),

  idTokenAudience(credential, requested) {
    if (requested !== undefined) {
      throw new UsageError(
        `Invalid value for [--audiences]: [${credential.account}] is a user account, whose id tokens are issued to its OAuth client; --audiences is for service accounts, or with --impersonate-service-account.`,
      );
    }
    return credential.clientId;
  },

  mintIdToken: (credential, _audience, options) => mintUserIdToken(credential, options),

  describeRefusal(error, credential) {
    const {oauthError} = error.details;
    const advice =
      oauthError === 'invalid_grant'
        ? `The refresh token was revoked or has expired: run ${FIX.login()} again.`
        : oauthError === 'invalid_client' || oauthError === 'unauthorized_client'
          ? `The OAuth client it was issued to is no longer valid: run ${FIX.login()} again with a valid client.`
          : HINTS.loginAgain;
    return new AuthError(`The token endpoint refused the credentials of [${credential.account}] (${error.message}). ${advice}`, {cause: error});
  },

  describeIdTokenRefusal: (error, credential) =>
    new AuthError(`The token endpoint refused the credentials of [${credential.account}] (${error.message}). ${HINTS.loginAgain}`, {cause: error}),

  describe: () => 'user login',


  adcJson: (credential) => authorizedUserAdc(credential),

  async revoke(credential, {tokenUrl, log, network}) {
    const outcome = await revokeRefreshToken(credential, revokeUrlFor(tokenUrl), {log, network});
    if (outcome.ok) return {};
    return {
      warning:
        `Could not revoke the refresh token of [${credential.account}]: ${outcome.reason}. It is removed from this machine anyway; ` +
        'to cut it off at Google too, remove the app at https://myaccount.google.com/permissions.',
    };
  },
};
