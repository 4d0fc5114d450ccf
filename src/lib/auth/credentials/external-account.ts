/**
 * The external account credential type (Workload Identity Federation): a credential configuration that names a
 * source of subject tokens (a file, a URL, an executable, AWS), the STS that exchanges them for Google access tokens,
 * and optionally a service account to impersonate with the STS token. google-auth-library's external-account clients
 * (IdentityPoolClient, AwsClient, PluggableAuthClient, through ExternalAccountClient.fromJSON) do the exchange over
 * gcauth's transporter; gcauth adds its cache, single flight, retry and errors (the token service), reads the source
 * again for every exchange (a new client each time, so nothing of the subject token is kept), and says what failed
 * where: the source, the STS, or IAM Credentials.
 */
import {AuthError, PermissionDeniedError, UsageError} from '../../errors.js';
import {fsErrorReason} from '../../fs/read-file.js';
import {SCOPES} from '../../messages.js';
import {expiryOr, libraryExpiry} from '../tokens/expiry.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {createTransporter} from '../tokens/transport.js';
import {jwtExpiry} from './service-account-id-token.js';
import type {ExternalAccountConfig, StoredExternalAccountCredential} from './stored.js';
import type {CredentialType, MintedToken, MintOptions} from './types.js';

/** Google's STS, where the configuration names none. */
export const DEFAULT_STS_TOKEN_URL = 'https://sts.googleapis.com/v1/token';
/** Where an STS token is introspected (gcloud's default when the configuration names no token_info_url). */
export const DEFAULT_STS_INTROSPECT_URL = 'https://sts.googleapis.com/v1/introspect';
/** The variable that allows executable sources (Google's libraries read the same one). */
export const ALLOW_EXECUTABLES = 'GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES';

const WORKLOAD_AUDIENCE = /^\/\/iam\.[a-z0-9.-]+\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/\s]+\/providers\/[^/\s]+$/;
const WORKFORCE_AUDIENCE = /^\/\/iam\.[a-z0-9.-]+\/locations\/global\/workforcePools\/[^/\s]+\/providers\/[^/\s]+$/;
const AUDIENCE_FORMS =
  '//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (or //iam.googleapis.com/locations/global/workforcePools/POOL/providers/PROVIDER)';
const IMPERSONATION_URL = /\/serviceAccounts\/([^/:]+@[^/:]+):generateAccessToken$/;
const SOURCE_KINDS = ['file', 'url', 'executable', 'environment_id'] as const;
/** The executable timeout google-auth-library accepts, in ms. */
const EXECUTABLE_TIMEOUT = {min: 5000, max: 120_000};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isHttpUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);

/** What kind of source a (checked) configuration names. */
export type SourceKind = 'file' | 'url' | 'executable' | 'aws';

export function sourceKind(config: ExternalAccountConfig): SourceKind {
  const source = config.credential_source;
  if (source.environment_id !== undefined) return 'aws';
  if (source.executable !== undefined) return 'executable';
  return source.url !== undefined ? 'url' : 'file';
}

function formatProblem(format: unknown): string | undefined {
  if (format === undefined) return undefined;
  if (!isObject(format)) return 'credential_source.format is not an object';
  if (format.type !== undefined && format.type !== 'text' && format.type !== 'json') return `credential_source.format.type [${String(format.type)}] is neither text nor json`;
  if (format.type === 'json' && (typeof format.subject_token_field_name !== 'string' || !format.subject_token_field_name)) {
    return 'credential_source.format.type is json but subject_token_field_name is missing (the field of the answer that holds the token)';
  }
  return undefined;
}

function sourceProblem(source: unknown): string | undefined {
  if (!isObject(source)) return 'it has no credential_source object (a file, url, executable or aws source)';
  // An aws source names its metadata URL as `url` too: environment_id decides.
  const kinds = source.environment_id !== undefined ? (['environment_id'] as const) : SOURCE_KINDS.filter((k) => source[k] !== undefined);
  if (kinds.length === 0) {
    const keys = Object.keys(source);
    return `its credential_source ${keys.length > 0 ? `has [${keys.join(', ')}], but` : 'is empty:'} it needs one of file, url, executable or environment_id (aws)`;
  }
  if (kinds.length > 1) return `its credential_source has both ${kinds.join(' and ')}: it takes one`;
  const kind = kinds[0];
  if (kind === 'file') {
    if (typeof source.file !== 'string' || !source.file) return 'credential_source.file is not a path';
    return formatProblem(source.format);
  }
  if (kind === 'url') {
    if (!isHttpUrl(source.url)) return `credential_source.url [${String(source.url)}] is not an http(s) URL`;
    if (source.headers !== undefined && (!isObject(source.headers) || Object.values(source.headers).some((v) => typeof v !== 'string'))) {
      return 'credential_source.headers is not an object of strings';
    }
    return formatProblem(source.format);
  }
  if (kind === 'executable') {
    const executable = source.executable;
    if (!isObject(executable) || typeof executable.command !== 'string' || !executable.command.trim()) return 'credential_source.executable has no command';
    const timeout = executable.timeout_millis;
    if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < EXECUTABLE_TIMEOUT.min || (timeout as number) > EXECUTABLE_TIMEOUT.max)) {
      return `credential_source.executable.timeout_millis [${String(timeout)}] is not from ${EXECUTABLE_TIMEOUT.min} to ${EXECUTABLE_TIMEOUT.max}`;
    }
    if (executable.output_file !== undefined && typeof executable.output_file !== 'string') return 'credential_source.executable.output_file is not a path';
    return undefined;
  }
  if (source.environment_id !== 'aws1') return `credential_source.environment_id [${String(source.environment_id)}] is not aws1`;
  if (!isHttpUrl(source.regional_cred_verification_url)) return 'credential_source.regional_cred_verification_url is not an http(s) URL';
  for (const field of ['region_url', 'url', 'imdsv2_session_token_url']) {
    if (source[field] !== undefined && !isHttpUrl(source[field])) return `credential_source.${field} is not an http(s) URL`;
  }
  return undefined;
}

/**
 * What is wrong with an external account configuration, in words, or undefined when gcauth can use it. The one rule,
 * for credential files, ADC files and stored entries.
 */
export function externalAccountProblem(config: unknown): string | undefined {
  if (!isObject(config)) return 'it is not a JSON object';
  if (config.type !== 'external_account') return `its type is [${String(config.type)}], not external_account`;
  if (typeof config.audience !== 'string' || !config.audience) return `it has no audience: expected ${AUDIENCE_FORMS}`;
  if (!WORKLOAD_AUDIENCE.test(config.audience) && !WORKFORCE_AUDIENCE.test(config.audience)) {
    return `its audience [${config.audience}] is not a workload identity provider: expected ${AUDIENCE_FORMS}`;
  }
  if (typeof config.subject_token_type !== 'string' || !config.subject_token_type) return 'it has no subject_token_type (e.g. urn:ietf:params:oauth:token-type:jwt)';
  for (const field of ['token_url', 'token_info_url', 'service_account_impersonation_url']) {
    if (config[field] !== undefined && !isHttpUrl(config[field])) return `its ${field} [${String(config[field])}] is not an http(s) URL`;
  }
  if (config.service_account_impersonation_url !== undefined && !IMPERSONATION_URL.test(new URL(config.service_account_impersonation_url as string).pathname)) {
    return 'its service_account_impersonation_url does not end in /serviceAccounts/EMAIL:generateAccessToken';
  }
  const impersonation = config.service_account_impersonation;
  if (impersonation !== undefined) {
    const lifetime = isObject(impersonation) ? impersonation.token_lifetime_seconds : undefined;
    if (!isObject(impersonation) || (lifetime !== undefined && (!Number.isInteger(lifetime) || (lifetime as number) < 600 || (lifetime as number) > 43_200))) {
      return 'its service_account_impersonation.token_lifetime_seconds is not from 600 to 43200';
    }
  }
  return sourceProblem(config.credential_source);
}

/** The service account a configuration impersonates (from its impersonation URL), if any. */
export function impersonatedEmail(config: ExternalAccountConfig): string | undefined {
  const url = config.service_account_impersonation_url;
  return url ? IMPERSONATION_URL.exec(new URL(url).pathname)?.[1] : undefined;
}

/** Pool, provider and project of a (checked) audience, for describing it. */
export function audienceParts(audience: string): {project?: string; pool: string; provider: string; workforce: boolean} {
  const parts = audience.split('/');
  const at = (name: string) => parts[parts.indexOf(name) + 1] ?? '';
  const workforce = audience.includes('/workforcePools/');
  return {project: workforce ? undefined : at('projects'), pool: at(workforce ? 'workforcePools' : 'workloadIdentityPools'), provider: at('providers'), workforce};
}

/** The source in words, for messages: `the file [/tmp/oidc]`, `the URL [https://...]`, `the executable [cmd]`, `AWS`. */
export function describeSource(config: ExternalAccountConfig): string {
  const source = config.credential_source;
  switch (sourceKind(config)) {
    case 'file':
      return `the file [${String(source.file)}]`;
    case 'url':
      return `the URL [${String(source.url)}]`;
    case 'executable':
      return `the executable [${String((source.executable as {command: string}).command)}]`;
    default:
      return 'AWS (environment variables or the metadata URLs)';
  }
}

/** The subject token could not be had from the configuration's source: nothing was sent to the STS. */
export class SubjectTokenError extends AuthError {}

/** What the library said about a source, without anything the source answered (a token, an executable's output). */
function sourceFailure(error: unknown, config: ExternalAccountConfig): string {
  const e = error as {message?: string; name?: string; code?: unknown; response?: {status?: number}; config?: {url?: unknown}};
  const message = e?.message ?? String(error);
  const kind = sourceKind(config);
  if (kind === 'executable') {
    const executable = config.credential_source.executable as {timeout_millis?: number};
    if (/within the timeout/.test(message)) return `it did not finish within ${executable.timeout_millis ?? 30_000} ms (credential_source.executable.timeout_millis)`;
    if (e.name === 'ExecutableError' || /^The executable failed with exit code/.test(message)) {
      // Its output (or the message of a {"success": false} answer) is not repeated: it may hold a token.
      // Its exit code, or the code of a {"success": false} answer: the library tells them apart only in the message.
      return `it failed with code [${String(e.code)}]`;
    }
    if (/invalid response/.test(message)) return 'it printed no valid response (expected JSON {"version": 1, "success": true, "token_type": ..., "id_token": ..., "expiration_time": ...})';
    if (/expired/i.test(message)) return 'its response had expired (expiration_time is in the past): it must print a fresh token';
    if (/ENOENT/.test(message) || e.code === 'ENOENT') return 'the command was not found';
    return message.split('\n')[0]!;
  }
  if (e.response?.status !== undefined) return `${String(e.config?.url ?? 'it')} answered HTTP ${e.response.status}`;
  if (kind === 'file' && (typeof e.code === 'string' || /does not exist/.test(message))) {
    return e.code === 'ENOENT' || /does not exist/.test(message) ? 'it does not exist or is not a regular file' : fsErrorReason(error);
  }
  if (/Unable to parse the subject_token/.test(message) || error instanceof SyntaxError) {
    const format = config.credential_source.format as {type?: string; subject_token_field_name?: string} | undefined;
    return format?.type === 'json'
      ? `its content is not JSON with a non-empty string field [${String(format.subject_token_field_name)}]`
      : 'it is empty';
  }
  const network = toTokenEndpointError(error, String(e.config?.url ?? ''));
  if (/could not reach/.test(network.message) && e.config?.url) return network.message;
  return message.split('\n')[0]!;
}

/** What to fix for a source that failed. */
function sourceFix(config: ExternalAccountConfig): string {
  switch (sourceKind(config)) {
    case 'file':
      return 'Make sure whatever writes the token file has written it (a CI step that fetches the token runs first), or fix credential_source.file.';
    case 'url':
      return 'Check the URL and its headers in credential_source (a CI token URL and its bearer secret change with every job).';
    case 'executable':
      return 'Run the command by hand to see what it prints, or fix credential_source.executable.';
    default:
      return 'Set AWS_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or run where the metadata URLs of credential_source answer.';
  }
}

let envLock: Promise<unknown> = Promise.resolve();

/** The variables google-auth-library reads from the process while getting a subject token. */
const LIBRARY_ENV = [ALLOW_EXECUTABLES, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/**
 * Runs fn with the library's variables of process.env taken from the context's environment, so that the context
 * decides (as everywhere else in gcauth) and tests set them through it. Runs are serialised: the process's
 * environment is one. Nothing changes when the context's environment is the process's.
 */
async function withLibraryEnv<T>(env: Record<string, string | undefined> | undefined, fn: () => Promise<T>): Promise<T> {
  // The one place outside createContext that touches process.env: the library reads nothing else.
  if (!env || env === process.env) return fn();
  const run = envLock.then(async () => {
    const saved = LIBRARY_ENV.map((name) => [name, process.env[name]] as const);
    for (const name of LIBRARY_ENV) {
      if (env[name] === undefined) delete process.env[name];
      else process.env[name] = env[name];
    }
    try {
      return await fn();
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
  envLock = run.catch(() => undefined);
  return run;
}

/** Where a credential came from, for messages: its file and, once named, its account. */
export interface ExternalAccountSubject {
  config: ExternalAccountConfig;
  account?: string;
  file?: string;
}

const named = (subject: ExternalAccountSubject) =>
  [subject.account ? `[${subject.account}]` : 'the external account', subject.file ? `(configuration [${subject.file}])` : ''].filter(Boolean).join(' ');

type ExternalClient = {
  getAccessToken(): Promise<{token?: string | null}>;
  credentials: {expiry_date?: number | null};
  retrieveSubjectToken(): Promise<string>;
};

/**
 * A google-auth-library external-account client for config over gcauth's transporter, whose subject-token step is
 * checked: a failure there is a SubjectTokenError naming the source, and an expired JWT is refused before it is sent.
 */
async function externalClient(subject: ExternalAccountSubject, config: ExternalAccountConfig, scopes: string[], options: MintOptions): Promise<ExternalClient> {
  const source = config.credential_source;
  const [{ExternalAccountClient}, transporter] = await Promise.all([
    import('google-auth-library'),
    createTransporter({
      ...options,
      // What the source answers is a subject token (or AWS keys): logged as [REDACTED], whatever its shape.
      secretResponseUrls: [source.url, source.imdsv2_session_token_url].filter((u): u is string => typeof u === 'string'),
    }),
  ]);
  let client: ExternalClient | null;
  try {
    client = ExternalAccountClient.fromJSON({...config, scopes, transporter} as Parameters<typeof ExternalAccountClient.fromJSON>[0]) as unknown as ExternalClient | null;
  } catch (error) {
    throw new UsageError(`Cannot use ${named(subject)}: ${(error as Error).message}`);
  }
  if (!client) throw new UsageError(`Cannot use ${named(subject)}: it is not an external account configuration.`);
  // The library builds its STS client over a transporter of its own: give it gcauth's (timeouts, no hidden retries,
  // redacted debug lines) like every other request.
  const sts = (client as unknown as {stsCredential?: {transporter?: unknown}}).stsCredential;
  if (sts) sts.transporter = transporter;
  const retrieve = client.retrieveSubjectToken.bind(client);
  client.retrieveSubjectToken = async () => {
    if (sourceKind(config) === 'executable' && options.env?.[ALLOW_EXECUTABLES] !== '1') {
      throw new SubjectTokenError(
        `Cannot run ${describeSource(config)} of ${named(subject)}: executable sources run only with ${ALLOW_EXECUTABLES}=1 in the environment, as in Google's libraries. Set it if you trust the configuration.`,
      );
    }
    let token: string;
    try {
      token = await retrieve();
    } catch (error) {
      throw new SubjectTokenError(`Cannot get a subject token for ${named(subject)} from ${describeSource(config)}: ${sourceFailure(error, config)}. ${sourceFix(config)}`);
    }
    const exp = jwtExpiry(token);
    if (exp !== undefined && exp <= options.now()) {
      throw new SubjectTokenError(
        `The subject token from ${describeSource(config)} for ${named(subject)} expired at ${new Date(exp).toISOString()}: nothing was sent to the STS. ${sourceFix(config)}`,
      );
    }
    return token;
  };
  return client;
}

/**
 * The failure of an exchange as gcauth's errors: the source's as they are, the STS's as a TokenEndpointError (for the
 * token service's retry and the type's refusal wording), IAM Credentials' refusal of the impersonation in its words.
 */
function exchangeFailure(error: unknown, subject: ExternalAccountSubject, config: ExternalAccountConfig, tokenUrl: string): Error {
  if (error instanceof SubjectTokenError || error instanceof UsageError) return error;
  const e = error as {config?: {url?: unknown}; response?: {status?: number; data?: unknown}};
  const url = String(e.config?.url ?? '');
  const impersonationUrl = config.service_account_impersonation_url;
  if (impersonationUrl && url && url.startsWith(impersonationUrl.replace(/:generateAccessToken$/, ''))) {
    const status = e.response?.status;
    if (status !== undefined && status < 500 && status !== 429) {
      const data = e.response?.data as {error?: {message?: unknown; status?: unknown}} | undefined;
      const said = typeof data?.error?.message === 'string' ? data.error.message : `HTTP ${status}`;
      const email = impersonatedEmail(config);
      return new PermissionDeniedError(
        `IAM Credentials refused to let the federated identity of ${named(subject)} impersonate [${email}] (${said}). ` +
          `Grant roles/iam.workloadIdentityUser on [${email}] to the pool's principal (principal://... or principalSet://...), or fix service_account_impersonation_url.`,
        {status},
      );
    }
    return toTokenEndpointError(error, url);
  }
  return toTokenEndpointError(error, tokenUrl);
}

/**
 * One Google access token for an external account: the source read, the subject token exchanged at the STS, and (with
 * service_account_impersonation_url) the STS token traded for the service account's at IAM Credentials.
 * @throws SubjectTokenError for a source that gives no (valid) token; PermissionDeniedError for a refused
 *   impersonation; TokenEndpointError (classified for retry) for the STS; UsageError for a configuration the library refuses.
 */
export async function mintExternalAccountToken(subject: ExternalAccountSubject, scopes: string[], options: MintOptions): Promise<MintedToken> {
  const {config} = subject;
  const client = await externalClient(subject, config, scopes, options);
  return withLibraryEnv(options.env, async () => {
    try {
      const {token} = await client.getAccessToken();
      if (!token) throw new Error('the STS answered without an access_token');
      // An impersonated token is stamped with IAM Credentials' expireTime (an instant); an STS token with now + expires_in.
      const expiry = (config.service_account_impersonation_url ? expiryOr : libraryExpiry)(client.credentials.expiry_date, options.now);
      return {token, expiry};
    } catch (error) {
      throw exchangeFailure(error, subject, config, options.tokenUrl);
    }
  });
}

/** The STS token alone (no impersonation), with cloud-platform: what IAM Credentials and the introspection take. */
function stsOnly(config: ExternalAccountConfig): ExternalAccountConfig {
  const {service_account_impersonation_url: _url, service_account_impersonation: _lifetime, ...rest} = config;
  return rest as ExternalAccountConfig;
}

/**
 * An id token of the impersonated service account for audience: the STS token, then IAM Credentials'
 * generateIdToken beside the configuration's generateAccessToken URL (the same host, as gcloud follows it).
 * @throws as mintExternalAccountToken.
 */
export async function mintExternalAccountIdToken(subject: ExternalAccountSubject, audience: string, options: MintOptions): Promise<MintedToken> {
  const {config} = subject;
  const sts = await mintExternalAccountToken({...subject, config: stsOnly(config)}, [SCOPES.cloudPlatform], options);
  const url = config.service_account_impersonation_url!.replace(/:generateAccessToken$/, ':generateIdToken');
  const transporter = await createTransporter(options);
  try {
    const response = await transporter.request<{token?: string}>({
      url,
      method: 'POST',
      headers: {authorization: `Bearer ${sts.token}`, 'content-type': 'application/json'},
      data: {audience, includeEmail: true},
      responseType: 'json',
    });
    const token = response.data.token;
    if (!token) throw new Error('IAM Credentials answered without a token');
    return {token, expiry: expiryOr(jwtExpiry(token), options.now)};
  } catch (error) {
    throw exchangeFailure(error, subject, {...config, service_account_impersonation_url: url.replace(/:generateIdToken$/, ':generateAccessToken')}, options.tokenUrl);
  }
}

/**
 * The principal an STS token stands for, as gcloud names the account of a configuration without impersonation: the
 * `username` of the token's introspection at token_info_url. gcloud authenticates that call with its own OAuth
 * client; gcauth has none of its own, so it sends the configuration's client_id/client_secret when it has them, else none.
 * @throws AuthError when the answer names no principal; TokenEndpointError for the call.
 */
export async function introspectPrincipal(config: ExternalAccountConfig, accessToken: string, options: MintOptions): Promise<string> {
  const url = config.token_info_url ?? DEFAULT_STS_INTROSPECT_URL;
  const transporter = await createTransporter({...options, tokenUrl: url});
  const headers: Record<string, string> = {'content-type': 'application/x-www-form-urlencoded'};
  if (typeof config.client_id === 'string' && config.client_id) {
    headers.authorization = `Basic ${Buffer.from(`${config.client_id}:${typeof config.client_secret === 'string' ? config.client_secret : ''}`).toString('base64')}`;
  }
  let data: {active?: unknown; username?: unknown};
  try {
    const response = await transporter.request<{active?: unknown; username?: unknown}>({
      url,
      method: 'POST',
      headers,
      data: new URLSearchParams({token: accessToken, token_type_hint: 'urn:ietf:params:oauth:token-type:access_token'}).toString(),
      responseType: 'json',
    });
    data = response.data ?? {};
  } catch (error) {
    throw toTokenEndpointError(error, url);
  }
  if (data.active === false || typeof data.username !== 'string' || !data.username) {
    throw new AuthError(`The STS introspection at ${url} named no principal for the exchanged token (${data.active === false ? 'inactive' : 'no username'}).`);
  }
  return data.username;
}

/**
 * The subject token the configuration's source gives now, read (or fetched, or run) and checked as for an exchange;
 * nothing is sent to the STS. For what the token says of itself (`gcauth doctor`: its `exp`, its claims); never shown.
 * @throws SubjectTokenError as an exchange's source step does.
 */
export async function readSubjectToken(subject: ExternalAccountSubject, options: MintOptions): Promise<string> {
  const client = await externalClient(subject, subject.config, [SCOPES.cloudPlatform], options);
  return withLibraryEnv(options.env, () => client.retrieveSubjectToken());
}

/**
 * The federated principal behind a configuration, impersonating or not: one STS exchange (without the impersonation)
 * and its introspection. With impersonation, the principal that needs roles/iam.workloadIdentityUser.
 * @throws as mintExternalAccountToken and introspectPrincipal.
 */
export async function federatedPrincipal(subject: ExternalAccountSubject, options: MintOptions): Promise<string> {
  const config = stsOnly(subject.config);
  const {token} = await mintExternalAccountToken({...subject, config}, [SCOPES.cloudPlatform], options);
  // A configuration that impersonates names no token_info_url (create-cred-config writes none): the STS that issued
  // the token introspects it, beside its token URL as Google lays them out (/v1/token, /v1/introspect).
  const tokenInfoUrl = config.token_info_url ?? (config.token_url && /\/token$/.test(config.token_url) ? config.token_url.replace(/\/token$/, '/introspect') : undefined);
  return introspectPrincipal({...config, ...(tokenInfoUrl ? {token_info_url: tokenInfoUrl} : {})}, token, options);
}

export const externalAccountType: CredentialType<StoredExternalAccountCredential> = {
  type: 'external_account',
  // The STS is the configuration's own: auth/token_host (the OAuth endpoint) does not move it.
  followsTokenHost: false,

  entryProblem(entry) {
    const problem = externalAccountProblem(entry.config);
    if (problem) return `its config: ${problem}`;
    if (entry.file !== undefined && typeof entry.file !== 'string') return '"file" is not a string';
    return undefined;
  },

  ownTokenUrl: (credential) => credential.config.token_url ?? DEFAULT_STS_TOKEN_URL,

  mintAccessToken: (credential, scopes, options) => mintExternalAccountToken(credential, scopes, options),

  idTokenAudience(credential, requested, defaultAudience) {
    if (!credential.config.service_account_impersonation_url) {
      throw new UsageError(
        `[${credential.account}] is an external account without service account impersonation: the STS issues access tokens only, not id tokens. ` +
          'Name a service account in its configuration (gcauth iam workload-identity-pools create-cred-config --service-account=EMAIL), or pass --impersonate-service-account=EMAIL.',
      );
    }
    return requested ?? defaultAudience;
  },

  mintIdToken: (credential, audience, options) => mintExternalAccountIdToken(credential, audience, options),

  describeRefusal(error, credential) {
    const {config} = credential;
    return new AuthError(
      `The STS at ${config.token_url ?? DEFAULT_STS_TOKEN_URL} refused the subject token of ${named(credential)} from ${describeSource(config)} (${error.message}). ` +
        `Check that the provider of the audience [${config.audience}] accepts it: its issuer, its allowed audiences and its attribute condition.`,
      {cause: error},
    );
  },

  describeIdTokenRefusal(error, credential) {
    return externalAccountType.describeRefusal(error, credential);
  },

  describe(credential) {
    const {pool, provider, project, workforce} = audienceParts(credential.config.audience);
    const email = impersonatedEmail(credential.config);
    return (
      `external account (${workforce ? 'workforce' : 'workload identity'} pool ${pool}, provider ${provider}${project ? `, project ${project}` : ''}, ` +
      `${sourceKind(credential.config)} source${email ? `, impersonating ${email}` : ''})`
    );
  },

  adcJson: (credential) => credential.config,

  // STS and impersonated tokens cannot be revoked and there is no refresh token: said on stderr, as gcloud does.
  revoke: async (credential) => ({
    warning:
      `[${credential.account}] is an external account (Workload Identity Federation): its tokens cannot be revoked, but they expire on their own within the hour. ` +
      'It is removed from this machine; to cut it off earlier, remove its IAM bindings or disable its workload identity provider.',
  }),
};

/** The token URL of a checked configuration. */
export const stsTokenUrl = (config: ExternalAccountConfig) => config.token_url ?? DEFAULT_STS_TOKEN_URL;
