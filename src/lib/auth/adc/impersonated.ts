/**
 * Tokens from an `impersonated_service_account` ADC file. google-auth-library builds such a file's source client
 * without the caller's options (so its refresh could not be redirected) and ignores the file's
 * `service_account_impersonation_url` (always Google's IAM Credentials); gcauth, like Python's google-auth and
 * gcloud, honours the URL, and sends the source refresh through the redirecting transporter.
 */
import {AuthError} from '../../errors.js';
import {HINTS, SCOPES} from '../../messages.js';
import {expiryOr} from '../tokens/expiry.js';
import type {MintedToken, MintOptions} from '../credentials/service-account-refresher.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {createTransporter} from '../tokens/transport.js';

const IMPERSONATION_URL = /^(https?:\/\/.+?)\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;

/**
 * One access token of the file's target, paid for by its source credentials: a user's refresh token, a service
 * account's key, or an external account, whose STS token (sourceToken) the caller exchanged already.
 * @throws AuthError for an unusable file or a refused impersonation; TokenEndpointError from the source's refresh.
 */
export async function mintImpersonatedAdcToken(
  json: Record<string, unknown>,
  file: string,
  scopes: string[],
  options: MintOptions,
  sourceToken?: MintedToken,
): Promise<MintedToken> {
  const url = typeof json.service_account_impersonation_url === 'string' ? json.service_account_impersonation_url : '';
  const match = IMPERSONATION_URL.exec(url);
  const source = json.source_credentials as Record<string, unknown> | undefined;
  if (!match || !source || typeof source !== 'object') {
    throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: an impersonated_service_account file needs source_credentials and a service_account_impersonation_url ending in :generateAccessToken.`);
  }
  const [, endpoint, target] = match as unknown as [string, string, string];
  const [{Impersonated, JWT, OAuth2Client, UserRefreshClient}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  let sourceClient: InstanceType<typeof OAuth2Client>;
  if (source.type === 'external_account' && sourceToken) {
    // A client that holds the token and refreshes nothing; no expiry_date, so the library's own clock never deems a
    // short STS token (it lives no longer than the subject token) due for a refresh it cannot make.
    sourceClient = new OAuth2Client({transporter});
    sourceClient.setCredentials({access_token: sourceToken.token});
  } else if (source.type === 'authorized_user') {
    sourceClient = new UserRefreshClient({
      clientId: String(source.client_id ?? ''),
      clientSecret: String(source.client_secret ?? ''),
      refreshToken: String(source.refresh_token ?? ''),
      transporter,
    });
  } else if (source.type === 'service_account') {
    sourceClient = new JWT({
      email: String(source.client_email ?? ''),
      key: String(source.private_key ?? ''),
      scopes: [SCOPES.cloudPlatform],
      transporter,
    });
  } else {
    throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: source credentials of type [${String(source.type)}] are not supported.`);
  }
  const delegates = Array.isArray(json.delegates) ? json.delegates.map(String) : [];
  const client = new Impersonated({sourceClient, targetPrincipal: target, targetScopes: scopes, delegates, endpoint, lifetime: 3600, transporter});
  try {
    const {token} = await client.getAccessToken();
    if (!token) throw new Error('IAM Credentials answered without an accessToken');
    // Impersonated stamps IAM Credentials' expireTime, an instant, not a lifetime on the library's clock.
    return {token, expiry: expiryOr(client.credentials.expiry_date, options.now)};
  } catch (error) {
    const e = error as {config?: {url?: URL | string}; response?: {status?: number}; message?: string};
    const requested = String(e.config?.url ?? '');
    if (requested.startsWith(endpoint) && e.response?.status && e.response.status < 500 && e.response.status !== 429) {
      throw new AuthError(`IAM Credentials refused to impersonate [${target}] with the Application Default Credentials in [${file}]: ${e.message}`, {
        hint: `The source account needs ${HINTS.tokenCreatorRole} on the target.`,
        cause: error,
      });
    }
    throw toTokenEndpointError(error, requested.startsWith(endpoint) ? url : options.tokenUrl);
  }
}
