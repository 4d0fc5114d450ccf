/** Reading an external account configuration file (`auth login --cred-file`), and naming its account as gcloud does. */
import path from 'node:path';

import {UsageError} from '../../errors.js';
import {DEFAULT_RETRY, withRetry} from '../tokens/retry.js';
import {TokenEndpointError, unreachable} from '../tokens/token-endpoint-error.js';
import {DEFAULT_SCOPES, REQUEST_TIMEOUT_MS} from '../tokens/token-service.js';
import {externalAccountProblem, externalAccountType, impersonatedEmail, introspectPrincipal, mintExternalAccountToken, stsTokenUrl} from './external-account.js';
import type {ExternalAccountConfig, StoredExternalAccountCredential} from './stored.js';
import type {CredentialFileReader, MintedToken} from './types.js';

/**
 * An external account configuration, checked, and its account: the impersonated service account's email (nothing is
 * contacted), else the principal the STS names for one exchange (introspected at token_info_url), as gcloud names it.
 * That exchange asks for DEFAULT_SCOPES, the token service's own, so its token is handed back to be cached: the next
 * command serves it instead of exchanging again.
 * @throws UsageError for a configuration gcauth cannot use; SubjectTokenError, AuthError, ApiError from the exchange.
 */
export const readExternalAccountFile: CredentialFileReader<StoredExternalAccountCredential> = async ({file, data}, ctx) => {
  const problem = externalAccountProblem(data);
  if (problem) throw new UsageError(`Credential file [${file}] is not an external account configuration gcauth can use: ${problem}.`);
  const config = data as ExternalAccountConfig;
  const stored = {type: 'external_account' as const, config, file: path.resolve(file), addedAt: new Date(ctx.now()).toISOString()};
  const email = impersonatedEmail(config);
  if (email) return {credential: {...stored, account: email}};
  const tokenUrl = stsTokenUrl(config);
  const subject = {config, file: stored.file};
  const attempt = async (remainingMs: number) => {
    const options = {tokenUrl, log: ctx.log, network: ctx.network, now: ctx.now, env: ctx.env, timeoutMs: Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs))};
    const token = await mintExternalAccountToken(subject, DEFAULT_SCOPES, options);
    return {account: await introspectPrincipal(config, token.token, options), token};
  };
  let named: {account: string; token: MintedToken};
  try {
    named = await withRetry((_n, remainingMs) => attempt(remainingMs), (error) => error instanceof TokenEndpointError && error.details.transient, DEFAULT_RETRY);
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    const credential = {...stored, account: ''};
    if (error.details.oauthError && !error.details.transient) throw externalAccountType.describeRefusal(error, credential);
    throw unreachable('an access token', 'the external account', tokenUrl, error);
  }
  return {credential: {...stored, account: named.account}, token: named.token};
};
