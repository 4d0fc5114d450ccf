import {classifyNetworkFailure} from '../auth/tokens/retry.js';
import {ApiError, AuthError, ConflictError, GcauthError, NotFoundError, PermissionDeniedError} from '../errors.js';
import {asClause, FIX, HINTS, SCOPES, shortScope} from '../messages.js';
import {NetworkProblem} from '../net/problems.js';

/** What a failed call was about, so its message can name the account and the resource. */
export interface CallSubject {
  /** The account the call was authenticated as. */
  account: string;
  /** The resource in words, e.g. `project [p]` or `service account [sa@p.iam.gserviceaccount.com]`. */
  resource: string;
  /** The project the call was about, when known: named in a fix instead of the number Google reports. */
  project?: string;
}

/** Google's JSON error body (`google.rpc.Status` inside `error`). */
interface GoogleStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{
    '@type'?: string;
    reason?: string;
    metadata?: Record<string, string>;
    member?: string;
    role?: string;
    type?: string;
    violations?: Array<{type?: string; subject?: string; description?: string}>;
  }>;
}

interface TransportFailure {
  status?: number;
  code?: string | number;
  name?: string;
  message?: string;
  response?: {status?: number; data?: unknown};
  config?: {url?: URL | string; method?: string};
  cause?: {code?: string};
}

/** The body's `error` object when it is Google's shape. */
export function googleStatusOf(error: unknown): GoogleStatus | undefined {
  const data = (error as TransportFailure | undefined)?.response?.data;
  const body = typeof data === 'string' ? safeParse(data) : data;
  const status = (body as {error?: unknown} | undefined)?.error;
  return status && typeof status === 'object' ? (status as GoogleStatus) : undefined;
}

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** HTTP status of a transport failure, when the server answered. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as TransportFailure | undefined;
  return e?.response?.status ?? (typeof e?.status === 'number' ? e.status : undefined);
}

/** Google's ErrorInfo reason for a token without the OAuth scope the method needs. */
export const SCOPE_INSUFFICIENT_REASON = 'ACCESS_TOKEN_SCOPE_INSUFFICIENT';

/** The property under which the session records the scopes the refused token holds (see clients.ts). */
export const TOKEN_SCOPES = 'gcauthTokenScopes';

/** The property under which the session records where a given access token came from (see clients.ts, given-token.ts). */
export const GIVEN_TOKEN_ORIGIN = 'gcauthGivenTokenOrigin';

/** The OAuth scopes each API accepts (any one of them will do), by the ErrorInfo's `service`. */
export const ACCEPTED_SCOPES: Record<string, string[]> = {
  'iam.googleapis.com': [SCOPES.cloudPlatform, SCOPES.iam],
  'cloudresourcemanager.googleapis.com': [SCOPES.cloudPlatform, SCOPES.cloudPlatformReadOnly],
  'iamcredentials.googleapis.com': [SCOPES.cloudPlatform, SCOPES.iam],
};

/** A 403 because the token lacks the API's OAuth scope (not an IAM permission): the fix is the token's scopes. */
export class InsufficientScopesError extends PermissionDeniedError {
  constructor(
    message: string,
    readonly requiredScopes: string[],
    readonly tokenScopes: string[] | undefined,
    options?: {hint?: string; cause?: unknown; status?: number},
  ) {
    super(message, options);
  }
}

/** A 403 because the API is not enabled on the consumer project (Google's SERVICE_DISABLED): the fix is `services enable`. */
export class ServiceDisabledError extends PermissionDeniedError {
  constructor(
    message: string,
    readonly service: string,
    readonly project: string,
    options?: {cause?: unknown; status?: number},
  ) {
    super(message, options);
  }
}

/** A key refused by an organization policy constraint (`iam.disableServiceAccountKeyCreation` or `...KeyUpload`). */
export class KeyPolicyError extends ApiError {
  constructor(
    message: string,
    readonly constraint: string,
    options?: {cause?: unknown; status?: number},
  ) {
    super(message, options);
  }
}

/** The SERVICE_DISABLED ErrorInfo of a Google error, if that is what it is. */
export function serviceDisabledOf(status: GoogleStatus | undefined): {service: string; project: string; title: string} | undefined {
  const info = status?.details?.find((d) => d.reason === 'SERVICE_DISABLED');
  const service = info?.metadata?.service;
  if (!service) return undefined;
  const project = (info.metadata?.consumer ?? '').replace(/^projects\//, '') || info.metadata?.containerInfo || 'PROJECT';
  return {service, project, title: info.metadata?.serviceTitle ?? service};
}

/** The one line gcauth says for a disabled API: which API, on which project, and the command that enables it. */
export function serviceDisabled(error: unknown, subject: CallSubject): ServiceDisabledError | undefined {
  const found = serviceDisabledOf(googleStatusOf(error));
  if (!found) return undefined;
  const {service, title} = found;
  const project = subject.project ?? found.project;
  return new ServiceDisabledError(
    `${title} (${service}) is not enabled on project ${project}, so ${subject.resource} cannot be used; enable it with: ${FIX.enableService(service, project)}`,
    service,
    project,
    {cause: error, status: 403},
  );
}

/** Service Usage's ErrorInfo reason for a service name it does not know. */
const UNKNOWN_SERVICE_REASON = 'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED';

/** The organization policy constraints that forbid service-account keys: made by Google, and uploaded by their owner. */
export const KEY_CONSTRAINTS = {creation: 'iam.disableServiceAccountKeyCreation', upload: 'iam.disableServiceAccountKeyUpload'} as const;
const KEY_CONSTRAINT_TYPES: ReadonlySet<string> = new Set(Object.values(KEY_CONSTRAINTS).map((c) => `constraints/${c}`));

/** An organization policy's refusal of a key (400 FAILED_PRECONDITION with its PreconditionFailure), in one line with the keyless ways. */
function keyPolicyRefusal(error: unknown, subject: CallSubject): KeyPolicyError | undefined {
  const google = googleStatusOf(error);
  const violation = (google?.details ?? []).flatMap((d) => d.violations ?? []).find((v) => KEY_CONSTRAINT_TYPES.has(v.type ?? ''));
  if (!violation?.type) return undefined;
  const email = /serviceAccounts\/([^?/]+)/.exec(violation.subject ?? '')?.[1] ?? 'EMAIL';
  const what = violation.type.endsWith('Upload') ? 'Key upload' : 'Key creation';
  return new KeyPolicyError(
    `${what} is not allowed on ${subject.resource}: the organization policy constraint ${violation.type} is enforced on its project. ` +
      `Act as the account without a key: ${HINTS.keyless(email)}.`,
    violation.type,
    {cause: error, status: httpStatusOf(error)},
  );
}

/** True for Google's 403 "Request had insufficient authentication scopes." (ACCESS_TOKEN_SCOPE_INSUFFICIENT). */
export function isScopeInsufficient(error: unknown): boolean {
  if (httpStatusOf(error) !== 403) return false;
  const google = googleStatusOf(error);
  return (
    (google?.details ?? []).some((d) => d.reason === SCOPE_INSUFFICIENT_REASON) ||
    /insufficient authentication scopes/i.test(google?.message ?? '') ||
    /insufficient_scope/.test(String((error as {response?: {headers?: Record<string, unknown>}}).response?.headers?.['www-authenticate'] ?? ''))
  );
}

/** The scope-insufficient 403 as a message naming the scope needed, the scopes held and how to change a VM's. */
export function insufficientScopes(error: unknown, subject: CallSubject): InsufficientScopesError {
  const google = googleStatusOf(error);
  const info = google?.details?.find((d) => d.reason === SCOPE_INSUFFICIENT_REASON);
  const service = info?.metadata?.service;
  const required = (service && ACCEPTED_SCOPES[service]) || [SCOPES.cloudPlatform];
  const held = (error as Record<string, unknown>)[TOKEN_SCOPES] as string[] | undefined;
  const api = service ? ` by ${service}` : '';
  const heldText = held ? (held.length > 0 ? held.map(shortScope).join(', ') : 'none') : undefined;
  const message =
    `The access token of [${subject.account}] lacks the OAuth scope needed${api} for ${subject.resource}: ` +
    `it needs ${required.map(shortScope).join(' or ')}${heldText ? `, and has ${heldText}` : ''} (Google: ${google?.message ?? 'insufficient authentication scopes'}).`;
  return new InsufficientScopesError(message, required, held, {
    cause: error,
    status: 403,
    hint:
      'On a Compute Engine VM the scopes are set on the VM: stop it, then gcloud compute instances set-service-account INSTANCE --zone=ZONE ' +
      `--service-account=${subject.account} --scopes=cloud-platform, and start it again; on GKE, recreate the node pool with --scopes=cloud-platform or use Workload Identity. ` +
      'Elsewhere, ask for the scope: --scopes=cloud-platform.',
  });
}

/** The permission a 403 names: from its ErrorInfo detail, else from IAM's message wording. */
function missingPermission(status: GoogleStatus | undefined): string | undefined {
  for (const detail of status?.details ?? []) {
    if (detail.metadata?.permission) return detail.metadata.permission;
  }
  return /Permission '([^']+)' denied/.exec(status?.message ?? '')?.[1];
}

const PROJECT_POLICY_ERROR = 'type.googleapis.com/google.cloudresourcemanager.v1.ProjectIamPolicyError';
const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

/**
 * The bindings a refused project setIamPolicy names in its ProjectIamPolicyError details (Google's message
 * is only "Request contains an invalid argument."), e.g. ` Refused: allUsers in roles/owner.`; empty if none.
 */
function refusedBindings(status: GoogleStatus | undefined): {text: string; publicMember: boolean} {
  const refused = (status?.details ?? []).filter((d) => d['@type'] === PROJECT_POLICY_ERROR && d.member);
  if (refused.length === 0) return {text: '', publicMember: false};
  const parts = refused.map((d) => `${d.member}${d.role ? ` in ${d.role}` : ''}${d.type ? ` (${d.type})` : ''}`);
  return {text: ` Refused: ${parts.join(', ')}.`, publicMember: refused.some((d) => PUBLIC_MEMBERS.has(d.member ?? ''))};
}

/**
 * Turns a failed API call into the typed error a command reports: 401 AuthError, 403
 * PermissionDeniedError naming the missing permission, 404 NotFoundError, 409 ConflictError,
 * anything else (and an unreachable server) ApiError.
 */
export function toApiError(error: unknown, subject: CallSubject): Error {
  // Already typed (the bearer token could not be had: no credentials, a refused key): it says what is wrong.
  if (error instanceof GcauthError) return error;
  const status = httpStatusOf(error);
  const google = googleStatusOf(error);
  const detail = google?.message ?? (error as TransportFailure).message ?? 'no message';
  const word = google?.status ? `${google.status}: ` : '';
  const options = {cause: error, status};
  switch (status) {
    case undefined:
      return unreachable(error);
    case 401: {
      // gcloud's words for a token it was handed: no account to activate again, and nothing gcauth can refresh.
      const origin = (error as Record<string, unknown> | undefined)?.[GIVEN_TOKEN_ORIGIN];
      if (typeof origin === 'string') return new AuthError(`${word}${detail} This command is authenticated with an access token ${origin}.`, options);
      return new AuthError(`The access token of [${subject.account}] was refused (${word}${detail}).`, {
        ...options,
        hint: `Activate the account's key again: ${FIX.activateKey(subject.account)}`,
      });
    }
    case 403: {
      if (isScopeInsufficient(error)) return insufficientScopes(error, subject);
      const disabled = serviceDisabled(error, subject);
      if (disabled) return disabled;
      // Service Usage's answer for a service name it does not know (or may not show): its own words are the clearest.
      if ((google?.details ?? []).some((d) => d.reason === UNKNOWN_SERVICE_REASON)) {
        return new PermissionDeniedError(`${word}${detail}`, {...options, hint: 'gcauth services list --available lists the services a project may enable.'});
      }
      const permission = missingPermission(google);
      // IAM answers an unknown account with this same 403; Google's "(or it may not exist)" keeps a typo findable.
      const maybeMissing = /or it may not exist/.test(detail) ? ' (or it may not exist)' : '';
      const message = permission
        ? `${subject.account} lacks permission ${permission} on ${subject.resource}${maybeMissing}.`
        : `${subject.account} does not have permission to access ${subject.resource} (or it may not exist): ${detail}`;
      return new PermissionDeniedError(message, {
        ...options,
        hint: 'Grant a role that includes it (gcauth projects add-iam-policy-binding), or run as another account with --account.',
      });
    }
    case 404:
      return new NotFoundError(`${capitalize(subject.resource)} was not found: ${detail}`, options);
    case 409:
      return new ConflictError(`${capitalize(subject.resource)}: ${word}${detail}`, {...options, reason: google?.status});
    default: {
      const keyPolicy = keyPolicyRefusal(error, subject);
      if (keyPolicy) return keyPolicy;
      const refused = refusedBindings(google);
      // Resource Manager refuses allUsers and allAuthenticatedUsers in any binding of a project's policy.
      const hint = refused.publicMember ? "A project's policy cannot grant roles to allUsers or allAuthenticatedUsers." : undefined;
      return new ApiError(`${capitalize(subject.resource)}: ${word}${detail}${refused.text}`, {...options, hint});
    }
  }
}

function unreachable(error: unknown): ApiError {
  const e = error as TransportFailure;
  if (error instanceof NetworkProblem) return new ApiError(`Could not reach ${new URL(error.url).origin}: ${asClause(error)}.`, {cause: error});
  const url = e.config?.url ? ` ${new URL(String(e.config.url)).origin}` : '';
  const {code, timedOut} = classifyNetworkFailure(error);
  const what = timedOut ? 'the request timed out' : code || e.message || 'network error';
  return new ApiError(`Could not reach${url}: ${what}.`, {cause: error});
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Runs one API call, turning its failure into the typed error for `subject`. */
export async function withApiErrors<T>(subject: CallSubject, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toApiError(error, subject);
  }
}
