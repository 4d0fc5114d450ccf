/** Revoking a user's refresh token at the authorization server. */
import {asClause} from '../../messages.js';
import {NetworkProblem} from '../../net/problems.js';
import type {StoredUserCredential} from './stored.js';
import {createTransporter, GOOGLE_TOKEN_URL, type TransportOptions} from '../tokens/transport.js';

/** Google's revoke endpoint (gcloud hard-codes it). */
export const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke';

/** The revoke endpoint beside a token endpoint: Google's, or `{origin}/revoke` of an overridden token URL (the emulator's layout). */
export function revokeUrlFor(tokenUrl: string): string {
  return tokenUrl === GOOGLE_TOKEN_URL ? GOOGLE_REVOKE_URL : new URL('/revoke', tokenUrl).href;
}

/**
 * Revokes the credential's refresh token (and with it its access tokens). Never throws: returns what happened,
 * so that the caller removes the credential locally whatever the endpoint said.
 * A token the endpoint no longer knows (`invalid_token`) counts as revoked.
 */
export async function revokeRefreshToken(
  credential: Pick<StoredUserCredential, 'refreshToken'>,
  revokeUrl: string,
  transport: Pick<TransportOptions, 'log' | 'network'>,
  timeoutMs = 10_000,
): Promise<{ok: true} | {ok: false; reason: string}> {
  try {
    const transporter = await createTransporter({...transport, tokenUrl: revokeUrl, timeoutMs});
    const response = await transporter.request<{error?: string; error_description?: string}>({
      url: revokeUrl,
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      data: new URLSearchParams({token: credential.refreshToken}).toString(),
      responseType: 'text',
      validateStatus: () => true,
    });
    if (response.status >= 200 && response.status < 300) return {ok: true};
    let body: {error?: string} = {};
    try {
      body = JSON.parse(String(response.data)) as {error?: string};
    } catch {
      // not JSON: the status says enough
    }
    if (response.status === 400 && (body.error === 'invalid_token' || body.error === 'invalid_request')) return {ok: true};
    return {ok: false, reason: `${revokeUrl} answered HTTP ${response.status}${body.error ? ` (${body.error})` : ''}`};
  } catch (error) {
    if (error instanceof NetworkProblem) return {ok: false, reason: asClause(error)};
    const e = error as {name?: string; message?: string; cause?: {code?: string; message?: string; errors?: Array<{code?: string}>}};
    const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message ?? String(error));
    return {ok: false, reason: `${revokeUrl} could not be reached (${why})`};
  }
}
