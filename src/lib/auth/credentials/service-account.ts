/** The service-account key credential type: a JSON key, the jwt-bearer grant, id tokens for any audience. */
import {AuthError} from '../../errors.js';
import {HINTS} from '../../messages.js';
import type {StoredServiceAccountCredential} from './stored.js';
import type {CredentialType} from './types.js';
import {mintServiceAccountToken} from './service-account-refresher.js';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim() !== '';

// What to do about each refusal the token endpoint can give a service-account grant.
const REFUSAL_ADVICE: Record<string, string> = {
  invalid_grant: `The key may have been deleted or disabled, or the account disabled or deleted: ${HINTS.newKey}.`,
  invalid_client: 'The key or its account is not valid here: check the key file, or create a new key and activate it.',
  invalid_scope: 'One of the requested scopes is not valid: check --scopes.',
  unauthorized_client: 'The account may not use this grant: check the key file and its account.',
};

const adviceFor = (oauthError: string) => REFUSAL_ADVICE[oauthError] ?? 'Check the key file, or create a new key and activate it.';

export const serviceAccountType: CredentialType<StoredServiceAccountCredential> = {
  type: 'service_account',
  followsTokenHost: true,

  entryProblem(entry) {
    const key = entry.key;
    if (!isObject(key)) return 'it has no "key" object';
    const missing = ['client_email', 'private_key'].filter((f) => !nonEmpty(key[f]));
    if (missing.length > 0) return `its key lacks ${missing.join(' and ')}`;
    if (key.token_uri !== undefined && typeof key.token_uri !== 'string') return 'its key\'s token_uri is not a string';
    return undefined;
  },

  ownTokenUrl: (credential) => credential.key.token_uri,

  mintAccessToken: (credential, scopes, options) => mintServiceAccountToken(credential.key, scopes, options),

  idTokenAudience: (_credential, requested, defaultAudience) => requested ?? defaultAudience,

  async mintIdToken(credential, audience, options) {
    const {mintServiceAccountIdToken} = await import('./service-account-id-token.js');
    return mintServiceAccountIdToken(credential.key, audience, options);
  },

  describeRefusal(error, credential) {
    const keyId = credential.key.private_key_id ? `key [${credential.key.private_key_id}]` : 'the key';
    return new AuthError(`The token endpoint refused ${keyId} of service account [${credential.account}] (${error.message}). ${adviceFor(error.details.oauthError ?? '')}`, {
      cause: error,
    });
  },

  describeIdTokenRefusal: (error, credential) =>
    new AuthError(
      `The token endpoint refused an id token for service account [${credential.account}] (${error.message}). The key may have been deleted or disabled: ${HINTS.newKey}.`,
      {cause: error},
    ),

  describe: () => 'service-account key',

  adcJson: (credential) => credential.key,

  // A key's tokens cannot be revoked at Google: said on stderr, as gcloud 528 says it, with the command that cuts the key off.
  revoke: async (credential) => ({
    warning:
      `[${credential.account}] is a service account: its tokens cannot be revoked, but they expire on their own within the hour. ` +
      `Its key is removed from this machine; to cut the key off earlier, disable it: gcauth iam service-accounts keys disable ${credential.key.private_key_id} --iam-account=${credential.account}`,
  }),
};
