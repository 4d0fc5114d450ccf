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

  // The user (authorization code and refresh token) grants.
  missingCode: 'Missing required parameter: code',
  missingRefreshToken: 'Missing required parameter: refresh_token',
  missingRedirectUri: 'Missing parameter: redirect_uri',
  missingClientId: 'Could not determine client ID from request.',
  missingClientSecret: 'client_secret is missing.',
  badClient: 'Unauthorized',
  malformedCode: 'Malformed auth code.',
  badCode: 'Bad Request',
  missingVerifier: 'Missing code verifier.',
  badVerifier: 'Invalid code verifier.',
  expiredRefreshToken: 'Token has been expired or revoked.',
  invalidCredentials: 'Invalid Credentials',
} as const;

/**
 * The authorization endpoint's refusals, shown on its 400 page as `Error 400: <error>` and the message
 * (Google's text where known). None redirects: the redirect_uri may be the thing that is wrong.
 */
export const AUTH_PAGE_MESSAGES = {
  missing: (name: string) => `Missing required parameter: ${name}`,
  badRedirectUri: (uri: string) =>
    `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${uri} is not a loopback (http://127.0.0.1:PORT/, http://[::1]:PORT/ or http://localhost:PORT/) URI.`,
  oob: 'The out-of-band (OOB) flow has been blocked in order to keep users secure. Use a loopback redirect_uri.',
  responseType: (value: string) => `Invalid response_type: ${value}`,
  challengeMethod: (value: string) => `Invalid code_challenge_method: ${value}`,
  challenge: 'Invalid code_challenge: it must be 43-128 characters of [A-Za-z0-9-._~].',
  accessType: (value: string) => `Invalid access_type: ${value}`,
  prompt: (value: string) => `Invalid parameter value for prompt: Invalid prompt: ${value}`,
  scope: (scopes: string[]) => `Some requested scopes were invalid. {invalid=[${scopes.join(', ')}]}`,
  expiredRequest: 'This sign-in request is no longer valid (it was already answered or has expired). Start the sign-in again.',
  unknownUser: (email: string) => `Unknown account: ${email}`,
} as const;

/**
 * The Security Token Service's refusals (`{error, error_description}`). Google's own words where they were seen:
 * the "WIF with a self-held OIDC key" measurements against the real STS (2026-09-28) for the issuer, audience,
 * staleness, signature, key and condition texts; google-github-actions/auth #60 and #211 for `audience`, #370 for
 * `invalid_target`; Google's "Troubleshoot workload identity federation" page for the unreachable issuer and the
 * subject size. The rest are the emulator's, in the same style.
 */
export const STS_MESSAGES = {
  badAudience:
    'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  invalidTarget:
    'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  issuer: (got: string, expected: string) => `The issuer in ID Token ${got} does not match the expected one in config: ${expected}`,
  audience: (got: readonly string[]) => `The audience in ID Token [${got.join(', ')}] does not match the expected audience.`,
  stale: (iat: string) => `ID Token issued at ${iat} is stale to sign-in.`,
  signature: 'Unable to verify the ID Token signature.',
  issuerUnreachable: "Error connecting to the given credential's issuer.",
  condition: 'The given credential is rejected by the attribute condition.',
  subjectTooLong:
    'The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.',

  grantType: (value: string) => `Invalid value for "grant_type": "${value}". It must be "urn:ietf:params:oauth:grant-type:token-exchange".`,
  requestedTokenType: (value: string) => `Invalid value for "requested_token_type": "${value}". It must be "urn:ietf:params:oauth:token-type:access_token".`,
  subjectTokenType: (value: string) => `Invalid value for "subject_token_type": "${value}".`,
  subjectTokenTypeForProvider: (value: string, kind: string) => `Invalid value for "subject_token_type": "${value}" cannot be exchanged through an ${kind} provider.`,
  missing: (name: string) => `Missing required parameter: ${name}`,
  notJwt: 'The subject token is not a JWT.',
  mapping: (attribute: string, message: string) => `The attribute mapping of ${attribute} could not be evaluated: ${message}`,
  badBody: 'The request body is neither a form nor a JSON object.',
  missingToken: 'Missing required parameter: token',
} as const;

/** Builds an OAuth error body. */
export function oauthError(error: string, description?: string): OAuthErrorBody {
  return description === undefined ? {error} : {error, error_description: description};
}

/** One entry of `error.details`: a `google.rpc` message tagged with its `@type`. */
export type ErrorDetail = {'@type': string} & Record<string, unknown>;

/** The error body of Google's JSON APIs (`google.rpc.Status` wrapped in `error`). */
export interface ApiErrorBody {
  error: {code: number; message: string; status: string; details?: ErrorDetail[]};
}

const API_STATUS: Record<number, {status: string; message: string}> = {
  400: {status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.'},
  401: {status: 'UNAUTHENTICATED', message: 'Request is missing required authentication credential.'},
  403: {status: 'PERMISSION_DENIED', message: 'The caller does not have permission'},
  404: {status: 'NOT_FOUND', message: 'Requested entity was not found.'},
  409: {status: 'ABORTED', message: 'The operation was aborted.'},
  429: {status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).'},
  500: {status: 'INTERNAL', message: 'Internal error encountered.'},
  503: {status: 'UNAVAILABLE', message: 'The service is currently unavailable.'},
};

/**
 * Builds a Google API error body for `code`, with Google's canonical message and status unless given
 * (409 is ABORTED or ALREADY_EXISTS, 400 may be FAILED_PRECONDITION). `details` are included only when given.
 */
export function apiError(code: number, message?: string, extra: {status?: string; details?: ErrorDetail[]} = {}): ApiErrorBody {
  const known = API_STATUS[code] ?? {status: 'UNKNOWN', message: 'Unknown error.'};
  const error: ApiErrorBody['error'] = {code, message: message ?? known.message, status: extra.status ?? known.status};
  if (extra.details) error.details = extra.details;
  return {error};
}

/** A `google.rpc.ErrorInfo` detail: the machine-readable reason, e.g. which permission was missing. */
export function errorInfo(reason: string, domain: string, metadata: Record<string, string>): ErrorDetail {
  return {'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata};
}

/** A `google.rpc.BadRequest` detail naming the offending field. */
export function badRequest(field: string, description: string): ErrorDetail {
  return {'@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{field, description}]};
}

/**
 * Resource Manager's detail on a project policy it refuses, under the generic 400 message, e.g.
 * `{"@type": "...ProjectIamPolicyError", "type": "SOLO_MUST_INVITE_OWNERS", "member": "user:x", "role": "roles/owner"}`
 * as gcloud prints it (googleapis/google-api-python-client#537). `type` only where Google's value is known.
 */
export function projectIamPolicyError(member: string, role: string, type?: string): ErrorDetail {
  return {'@type': 'type.googleapis.com/google.cloudresourcemanager.v1.ProjectIamPolicyError', ...(type === undefined ? {} : {type}), member, role};
}

/** A `google.rpc.ResourceInfo` detail naming the resource a conflict is about. */
export function resourceInfo(resourceName: string): ErrorDetail {
  return {'@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName};
}

const AUTH_HELP = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/**
 * The IAM and Resource Manager wording, in one table so handlers and tests agree. The first group is
 * Google's text as seen in the field; the second is the emulator's own, for cases whose wording Google
 * does not document.
 */
export const API_MESSAGES = {
  missingCredentials: `Request is missing required authentication credential. ${AUTH_HELP}`,
  invalidCredentials: `Request had invalid authentication credentials. ${AUTH_HELP}`,
  insufficientScopes: 'Request had insufficient authentication scopes.',
  iamDenied: (permission: string) => `Permission '${permission}' denied on resource (or it may not exist).`,
  crmDenied: 'The caller does not have permission',
  accountExists: (accountId: string, projectId: string) => `Service account ${accountId} already exists within project projects/${projectId}.`,
  concurrentPolicyChange: 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
  tooManyMembers: (count: number) =>
    `The number of members in the policy (${count.toLocaleString('en-US')}) is larger than the maximum allowed size 1,500.`,
  memberForm: 'Policy members must be of the form "<type>:<value>".',
  memberFormDetail:
    "Policy members must be prefixed of the form '<type>:<value>', where <type> is 'domain', 'group', 'serviceAccount', or 'user'.",
  unknownMemberType: (member: string) => `The member ${member} is of an unknown type. Please set a valid type prefix for the member.`,
  serviceAccountMissing: (email: string) => `Service account ${email} does not exist.`,
  unknownRole: (role: string) => `Role (${role}) does not exist in the resource's hierarchy.`,
  // gcloud's `INVALID_ARGUMENT: Role roles/compute.browser is not supported for this resource.`
  // (GoogleCloudPlatform/stackdriver-metrics-export#7; terraform-google-modules/terraform-google-iam#91).
  unsupportedRole: (role: string) => `Role ${role} is not supported for this resource.`,
  unknownField: (name: string) => `Invalid JSON payload received. Unknown name "${name}": Cannot find field.`,
  badJson: 'Invalid JSON payload received. Unexpected token.',
  badEtag: (etag: string) => `Invalid value at 'policy.etag' (TYPE_BYTES), Base64 decoding failed for "${etag}"`,
  preconditionFailed: 'Precondition check failed.',

  invalidMember: (member: string) => `Invalid member: ${member}`,
  conditionNeedsVersion3: 'A policy with conditional role bindings must have version 3.',
  conditionOnBasicRole: (role: string) =>
    `Binding with a condition and a basic role is not allowed: ${role}. Basic roles are roles/owner, roles/editor and roles/viewer.`,
  conditionWithoutExpression: 'A condition must have an expression.',
  policyVersion: (version: unknown) => `Invalid policy version ${String(version)}; valid versions are 0, 1 and 3.`,
  requestedVersion: (version: unknown) => `Invalid requested policy version ${String(version)}; valid versions are 0, 1 and 3.`,
  updateMask: (path: string) => `Invalid update mask path: ${path}`,
  accountId: (accountId: string) => `Invalid account ID "${accountId}": it must be 6-30 characters long and match [a-z]([-a-z0-9]*[a-z0-9]).`,
  tooLong: (field: string, max: number) => `${field} must be a string of at most ${max} bytes.`,
  pageToken: 'Invalid page token.',
  pageSize: 'page_size must not be negative.',
  keyType: (kind: 'Private' | 'Public', type: string) => `${kind} key type ${type} is not supported by the emulator.`,
  keyAlgorithm: (algorithm: string) => `Key algorithm ${algorithm} is not supported.`,
  keyTypesFilter: (type: string) => `Invalid key type: ${type}`,
  // keys:upload: the emulator's own words (Google's were not found): what is wrong with the certificate.
  publicKeyDataMissing: 'public_key_data is required: the base64 of a PEM X.509 certificate wrapping an RSA public key.',
  publicKeyData: 'public_key_data is not a PEM X.509 certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----).',
  publicKeyAlgorithm: 'The certificate must wrap a 2048-bit RSA public key.',
  certificateExpired: (when: string) => `The certificate expired at ${when}; upload one that is still valid.`,
  keyExists: 'A key with this certificate already exists on the service account.',
  keyNotFound: (name: string) => `Service account key ${name} does not exist.`,
  systemKey: 'System-managed keys cannot be deleted, disabled or enabled.',
  permissionsList: 'permissions must be a list of strings.',

  // IAM Credentials.
  scopeRequired: 'Scope required.',
  audienceRequired: 'Audience required.',
  lifetime: (value: unknown) => `Invalid value for lifetime: ${JSON.stringify(value)}; it must be a duration such as "3600s" between 1s and 43200s.`,
  delegate: (value: unknown) => `Invalid delegate: ${JSON.stringify(value)}; delegates must be of the form projects/-/serviceAccounts/EMAIL.`,
  payload: 'payload must be a string holding a JSON object.',
  blobPayload: 'payload must be base64-encoded bytes.',
  payloadExp: 'The exp claim of the payload must be no more than 12 hours in the future.',
  noSigningKey: (email: string) => `Service account ${email} has no valid system-managed key to sign with.`,

  // Workload identity pools and providers. Google's text where measured against the real API (the "WIF with a
  // self-held OIDC key" measurements, 2026-09-28); the emulator's own otherwise.
  issuerScheme: 'Invalid OIDC issuer URI. The scheme must be https.',
  issuerUri: 'Invalid OIDC issuer URI.',
  jwksKeyType: 'Invalid JWKs: Only RSA, EC key types are supported.',
  jwksCorrupt: 'Input jwks contains corrupted key material.',
  alreadyExists: 'Requested entity already exists',
  federationId: (kind: 'pool' | 'provider', id: string) =>
    `Invalid workload identity ${kind} id "${id}": it must be 4-32 characters of [a-z0-9-] and must not start with "gcp-".`,
  location: (location: string) => `Invalid location "${location}": workload identity pools live in location "global".`,
  tooManyChars: (field: string, max: number) => `${field} must be a string of at most ${max} characters.`,
  providerKind: 'A provider must have exactly one of oidc or aws (the emulator serves no saml or x509 providers).',
  audiences: 'oidc.allowed_audiences takes at most 10 audiences of at most 256 characters each.',
  accountIdAws: (id: string) => `Invalid AWS account id "${id}": it must be 12 digits.`,
  mappingRequired: 'The attribute mapping must include google.subject (OIDC providers have no default mapping).',
  mappingKey: (key: string) => `Invalid attribute mapping key "${key}": it must be google.subject, google.groups or attribute.NAME with NAME of at most 100 of [a-z0-9_].`,
  mappingCount: 'An attribute mapping takes at most 50 custom attributes.',
  celLength: (field: string, max: number) => `${field} must be at most ${max} characters.`,
  celSyntax: (field: string, problem: string) => `Invalid CEL expression in ${field}: ${problem}`,
  notDeleted: (name: string) => `${name} is not deleted.`,
  deleted: (name: string) => `${name} is deleted; undelete it first.`,
} as const;

/** Thrown by API handlers to answer with a Google error; the dispatcher turns it into the response. */
export class ApiFailure extends Error {
  readonly body: ApiErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message?: string,
    extra: {status?: string; details?: ErrorDetail[]; headers?: Record<string, string>} = {},
  ) {
    super(apiError(status, message, extra).error.message);
    this.body = apiError(status, message, extra);
    this.headers = extra.headers ?? {};
  }
}
