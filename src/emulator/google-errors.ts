/** The error body of Google's OAuth2 endpoints (RFC 6749 §5.2 shape). */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

/** Google's own wording for the token endpoint's refusals, in one table so tests and handlers agree. */
export const OAUTH_MESSAGES = {
  badSignature: 'Invalid JWT Signature.',
  badTimeframe:
    'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
  badAudience: 'Invalid JWT: Failed audience check.',
  accountNotFound: 'Invalid grant: account not found',
  noScope: 'Invalid OAuth scope or ID token audience provided.',
  unauthorizedSubject:
    'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
  missingAssertion: 'Missing required parameter: assertion',
  invalidTokenValue: 'Invalid Value',
  revokedToken: 'Token expired or revoked',
} as const;

/** Builds an OAuth error body. */
export function oauthError(error: string, description?: string): OAuthErrorBody {
  return description === undefined ? {error} : {error, error_description: description};
}

/** The error body of Google's JSON APIs (`google.rpc.Status` wrapped in `error`). */
export interface ApiErrorBody {
  error: {code: number; message: string; status: string};
}

const API_STATUS: Record<number, {status: string; message: string}> = {
  400: {status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.'},
  404: {status: 'NOT_FOUND', message: 'Requested entity was not found.'},
  429: {status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).'},
  500: {status: 'INTERNAL', message: 'Internal error encountered.'},
  503: {status: 'UNAVAILABLE', message: 'The service is currently unavailable.'},
};

/** Builds a Google API error body for `code`, with Google's canonical message unless one is given. */
export function apiError(code: number, message?: string): ApiErrorBody {
  const known = API_STATUS[code] ?? {status: 'UNKNOWN', message: 'Unknown error.'};
  return {error: {code, message: message ?? known.message, status: known.status}};
}
