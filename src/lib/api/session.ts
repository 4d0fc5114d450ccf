import type {gaxios} from 'google-auth-library';

import {classifyNetworkFailure, DEFAULT_RETRY, type RetryPolicy, withRetry} from '../auth/tokens/retry.js';
import type {TokenService} from '../auth/tokens/token-service.js';
import {createTransporter} from '../auth/tokens/transport.js';
import {GcauthError} from '../errors.js';
import type {Logger} from '../log.js';
import type {Network} from '../net/network.js';
import {httpStatusOf} from './api-error.js';

/** No single API request may take longer than this. */
export const API_TIMEOUT_MS = 30_000;

/** What googleapis-common needs of `auth`: it hands every prepared request to `request()`. */
export interface RequestAuth {
  request<T>(options: gaxios.GaxiosOptions): Promise<gaxios.GaxiosResponse<T>>;
}

export interface SessionDeps {
  account: string;
  tokens: TokenService;
  log: Logger;
  network: Network;
  /** Token URL for the transporter's redirect; API requests never go there. */
  tokenUrl: string;
  /** Where the bearer token comes from instead of the account's own (an impersonated target's token). */
  accessToken?: () => Promise<{token: string}>;
  retry?: RetryPolicy;
}

// Gateways answer these without the request having run; the others may come after it ran.
const NOT_PROCESSED = new Set([429, 503]);
const TRANSIENT = new Set([429, 500, 502, 503, 504]);

/**
 * A create (POST to a collection, such as `.../keys`) is not safe to repeat: a retry after a lost
 * answer could make a second account or an orphan key. Nor is `:setIamPolicy`: a repeat of a write
 * that landed meets its own new etag (409), and the read-modify-write would then report the change
 * as already made, or as nothing to remove. Other custom methods (`:getIamPolicy`, `:disable`) and
 * GET, PATCH and DELETE are.
 */
export function isRepeatable(method: string | undefined, url: string): boolean {
  if ((method ?? 'GET').toUpperCase() !== 'POST') return true;
  const {pathname} = new URL(url);
  return /:[A-Za-z]+$/.test(pathname) && !pathname.endsWith(':setIamPolicy');
}

/** Whether a failed request may be tried again: see isRepeatable and NOT_PROCESSED. */
export function mayRetry(error: unknown, repeatable: boolean): boolean {
  // The token service's own failures come typed, after its own retries.
  if (error instanceof GcauthError) return false;
  const status = httpStatusOf(error);
  if (status === undefined) return repeatable && classifyNetworkFailure(error).transient;
  return TRANSIENT.has(status) && (repeatable || NOT_PROCESSED.has(status));
}

/**
 * Authenticates API requests as one account: a token from the token service (cached, single-flight),
 * the shared redirecting transporter, and retries of 5xx/429 and lost connections with backoff.
 */
export async function createSession(deps: SessionDeps): Promise<RequestAuth> {
  const transporter = await createTransporter({tokenUrl: deps.tokenUrl, log: deps.log, network: deps.network, timeoutMs: API_TIMEOUT_MS});
  return {
    request<T>(options: gaxios.GaxiosOptions) {
      const url = String(options.url);
      const repeatable = isRepeatable(options.method, url);
      return withRetry(
        async (attempt) => {
          if (attempt > 0) deps.log.debug(`retrying ${options.method ?? 'GET'} ${new URL(url).pathname} (attempt ${attempt + 1})`);
          const {token} = await (deps.accessToken?.() ?? deps.tokens.getAccessToken(deps.account));
          const headers = new Headers(options.headers as HeadersInit | undefined);
          headers.set('authorization', `Bearer ${token}`);
          return transporter.request<T>({...options, headers});
        },
        (error) => mayRetry(error, repeatable),
        deps.retry ?? DEFAULT_RETRY,
      );
    },
  };
}
