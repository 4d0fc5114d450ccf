/** Reading a user's credential file (`auth login --cred-file` with an ADC or gcloud-style `authorized_user` file). */
import {ApiError, AuthError, UsageError} from '../../errors.js';
import {jwksUrlFor, verifyIdTokenEmail} from '../login/id-token-check.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {REQUEST_TIMEOUT_MS} from '../tokens/token-service.js';
import {createTransporter} from '../tokens/transport.js';
import type {StoredUserCredential} from './stored.js';
import {GOOGLE_TOKEN_URL} from '../tokens/transport.js';
import type {CredentialFileReader, CredFileContext} from './types.js';

/**
 * The verified account of a refresh token that names none (gcloud's ADC files carry `"account": ""`): one refresh,
 * whose id token is checked like a login's.
 * @throws UsageError when the refresh brings no id token (pass ACCOUNT); AuthError when the token is refused or does not verify.
 */
export async function identifyRefreshToken(
  user: {clientId: string; clientSecret: string; refreshToken: string},
  tokenUrl: string,
  ctx: CredFileContext,
  file: string,
): Promise<string> {
  const [{UserRefreshClient}, transporter] = await Promise.all([import('google-auth-library'), createTransporter({tokenUrl, log: ctx.log, network: ctx.network, timeoutMs: REQUEST_TIMEOUT_MS})]);
  const client = new UserRefreshClient({clientId: user.clientId, clientSecret: user.clientSecret, refreshToken: user.refreshToken, transporter});
  try {
    await client.getAccessToken();
  } catch (error) {
    const failure = toTokenEndpointError(error, tokenUrl);
    if (failure.details.oauthError) throw new AuthError(`The token endpoint refused the refresh token in [${file}] (${failure.message}).`, {cause: failure});
    throw new ApiError(`Could not check the refresh token in [${file}] at ${tokenUrl}: ${failure.message}.`, {cause: failure});
  }
  const idToken = client.credentials.id_token;
  if (!idToken) throw new UsageError(`Credential file [${file}] does not name its account: pass it, as in gcauth auth login ACCOUNT --cred-file=${file}.`);
  return verifyIdTokenEmail(idToken, {clientId: user.clientId, jwksUrl: jwksUrlFor(tokenUrl), log: ctx.log, network: ctx.network});
}

/** An ADC or gcloud-style file; one that names no account is named by one refresh, whose id token is checked. */
export const readUserFile: CredentialFileReader<StoredUserCredential> = async ({file, data, account: given}, ctx) => {
  const {client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken} = data;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || typeof refreshToken !== 'string' || !clientId || !clientSecret || !refreshToken) {
    throw new UsageError(`Credential file [${file}] lacks client_id, client_secret or refresh_token.`);
  }
  const tokenUri = typeof data.token_uri === 'string' ? data.token_uri : undefined;
  const account =
    given ||
    (typeof data.account === 'string' && data.account) ||
    (await identifyRefreshToken({clientId, clientSecret, refreshToken}, ctx.explicitTokenUrl() ?? tokenUri ?? GOOGLE_TOKEN_URL, ctx, file));
  return {credential: {type: 'authorized_user', account, refreshToken, clientId, clientSecret, ...(tokenUri ? {tokenUri} : {}), addedAt: new Date(ctx.now()).toISOString()}};
};
