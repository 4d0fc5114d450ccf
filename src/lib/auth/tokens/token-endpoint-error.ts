import {ApiError} from '../../errors.js';
import {asClause} from '../../messages.js';
import {NetworkProblem} from '../../net/problems.js';
import {classifyNetworkFailure} from './retry.js';

/** A failed call to the OAuth2 token endpoint, classified for retry and for the user's message. */
export class TokenEndpointError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** HTTP status, when the endpoint answered. */
      status?: number;
      /** OAuth2 `error` code, e.g. invalid_grant. */
      oauthError?: string;
      description?: string;
      /** 5xx, 429, a reset connection or a timeout: worth another try. */
      transient: boolean;
    },
  ) {
    super(message);
    this.name = 'TokenEndpointError';
  }
}

/** Classifies a gaxios (or fetch) failure of a token request. */
export function toTokenEndpointError(error: unknown, url: string): TokenEndpointError {
  const e = error as {response?: {status?: number; data?: unknown}; code?: string | number; cause?: {code?: string}; name?: string; message?: string};
  const status = e.response?.status;
  if (status !== undefined) {
    const data = (e.response?.data ?? {}) as {error?: unknown; error_description?: unknown};
    const oauthError = typeof data.error === 'string' ? data.error : undefined;
    const description = typeof data.error_description === 'string' ? data.error_description : undefined;
    const transient = status >= 500 || status === 429;
    const what = oauthError ? `${oauthError}${description ? `: ${description}` : ''}` : `HTTP ${status}`;
    return new TokenEndpointError(what, {status, oauthError, description, transient});
  }
  // A proxy or certificate refusal: its own words name what to fix, and no retry cures it.
  if (error instanceof NetworkProblem) return new TokenEndpointError(asClause(error), {transient: false});
  const {code, timedOut, transient} = classifyNetworkFailure(error);
  const what = timedOut ? 'the request timed out' : `${code || 'network error'}: ${e.message ?? ''}`.trim();
  return new TokenEndpointError(`could not reach ${url}: ${what}`, {transient});
}

/** An unexpected failure of any credential type's token request, past the retry budget. */
export const unreachable = (what: string, account: string, tokenUrl: string, error: TokenEndpointError) =>
  new ApiError(`Could not get ${what} for [${account}] from ${tokenUrl}: ${error.message}.`, {cause: error, status: error.details.status});
