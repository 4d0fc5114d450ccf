/**
 * `auth application-default print-access-token`'s core, apart from the login code so that the fast path
 * (src/hot/gcauth.ts) can serve it without loading the login flow.
 */
import type {AppContext} from '../../context.js';
import {AuthError} from '../../errors.js';
import {adcAccessToken, NoApplicationDefaultCredentialsError} from './read.js';

/** gcloud's words when no ADC can be found. */
export const NO_ADC_MESSAGE =
  'Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.';

export interface PrintedAdcToken {
  token: string;
  /** ISO 8601 expiry. */
  expiry: string;
}

/**
 * A token from ADC (GOOGLE_APPLICATION_CREDENTIALS, the well-known file, the metadata server). Unlike gcloud, which
 * refreshes every time, a cached token with more than five minutes left is reused; the cache is keyed by the file's
 * path, size, mtime and inode, so any rewrite of the file (a new login, set-quota-project) means a fresh token.
 * @throws AuthError with gcloud's message when there are none, or when they are refused; ApiError when unreachable.
 */
export async function printApplicationDefaultAccessToken(ctx: AppContext): Promise<PrintedAdcToken> {
  try {
    const cached = await adcAccessToken(ctx);
    return {token: cached.token, expiry: new Date(cached.expiry).toISOString()};
  } catch (error) {
    if (error instanceof NoApplicationDefaultCredentialsError) throw new AuthError(NO_ADC_MESSAGE, {cause: error});
    throw error;
  }
}
