/**
 * `iam workload-identity-pools create-cred-config`: the `external_account` credential configuration file, written
 * byte for byte as gcloud 528 writes it for the same flags (its byoid_utilities/cred_config.py): the same keys in the
 * same order, Python's `json.dumps(indent=2)` (non-ASCII escaped, no trailing newline). Two deliberate differences:
 * the file is 0600 in a 0700 directory (url headers may carry a bearer secret; gcloud writes it with the umask), and
 * every problem gcloud reports after the fact (exit 0, no file) or lets through silently is one ERROR line, exit 2,
 * before anything is written.
 */
import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';
import {writeSecureFile} from '../fs/secure-fs.js';
import {parseDuration} from '../validators.js';
import {parseArgDict} from './arg-dict.js';
import {invalidValue, validateServiceAccountRef, validateWorkloadIdentityId, validateWorkloadIdentityLocation} from './validate.js';

/** The credential sources, exactly one of which a configuration names: gcloud's mutually exclusive group. */
export const CRED_SOURCE_FLAGS = ['credential-source-file', 'credential-source-url', 'executable-command', 'aws', 'azure'] as const;

export interface CreateCredConfigOptions {
  /** The provider's resource name, `projects/N/locations/global/workloadIdentityPools/P/providers/R`. */
  audience: string;
  outputFile: string;
  credentialSourceFile?: string;
  credentialSourceUrl?: string;
  executableCommand?: string;
  aws?: boolean;
  azure?: boolean;
  serviceAccount?: string;
  /** A duration (`3600`, `1h`), as typed. */
  serviceAccountTokenLifetimeSeconds?: string;
  /** gcloud's dict syntax, `KEY=VALUE,...`. */
  credentialSourceHeaders?: string;
  credentialSourceType?: string;
  credentialSourceFieldName?: string;
  enableImdsv2?: boolean;
  /** A duration (`5000`, `30s`), as typed. */
  executableTimeoutMillis?: string;
  executableOutputFile?: string;
  subjectTokenType?: string;
  appIdUri?: string;
  universeDomain?: string;
}

const DEFAULT_UNIVERSE = 'googleapis.com';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const AWS4_REQUEST = 'urn:ietf:params:aws:token-type:aws4_request';
const AWS_METADATA = 'http://169.254.169.254/latest';
const AZURE_TOKEN_URL = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=';
const DEFAULT_EXECUTABLE_TIMEOUT_MS = 30_000;
/** gcloud's bounds: a token lifetime of 10 minutes to 12 hours, an executable timeout of 5 to 120 seconds. */
const LIFETIME_BOUNDS = {min: 600, max: 43_200};
const TIMEOUT_BOUNDS_MS = {min: 5000, max: 120_000};

const AUDIENCE_FORM =
  'projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID (or locations/global/workforcePools/POOL_ID/providers/PROVIDER_ID)';
const WORKLOAD_AUDIENCE = /^projects\/([^/]*)\/locations\/([^/]*)\/workloadIdentityPools\/([^/]*)\/providers\/([^/]*)$/;
const WORKFORCE_AUDIENCE = /^locations\/([^/]*)\/workforcePools\/([^/\s]+)\/providers\/([^/\s]+)$/;

/**
 * Checks the AUDIENCE argument: a provider's resource name, relative (`projects/...`), as gcloud prefixes it with
 * `//iam.googleapis.com/`. Returns it; throws UsageError.
 */
export function validateAudienceResource(value: string, label = 'AUDIENCE'): string {
  const prefixed = /^(?:https?:)?\/\/iam\.googleapis\.com\/(.*)$/.exec(value.trim());
  if (prefixed) throw invalidValue(label, value, AUDIENCE_FORM, {reason: 'it is written without //iam.googleapis.com/', suggestion: prefixed[1]});
  const workforce = WORKFORCE_AUDIENCE.exec(value);
  if (workforce) {
    validateWorkloadIdentityLocation(workforce[1]!, `${label} location`);
    return value;
  }
  const match = WORKLOAD_AUDIENCE.exec(value);
  if (!match) throw invalidValue(label, value, AUDIENCE_FORM, {reason: /\s/.test(value) ? 'it has whitespace' : undefined});
  const [, project, location, pool, provider] = match as unknown as [string, string, string, string, string];
  if (!/^[0-9]+$/.test(project)) {
    throw invalidValue(label, value, AUDIENCE_FORM, {reason: `the project is named by its number, not [${project}] (gcauth projects describe shows projectNumber)`});
  }
  validateWorkloadIdentityLocation(location, `${label} location`);
  validateWorkloadIdentityId(pool, `${label} pool id`);
  validateWorkloadIdentityId(provider, `${label} provider id`);
  return value;
}

/** A duration flag in whole units of `unit`, within bounds given in that unit. @throws UsageError */
function durationFlag(value: string, flag: string, unit: 's' | 'ms', bounds: {min: number; max: number}): number {
  const parsed = parseDuration(value, unit);
  const form = unit === 's' ? `a duration from ${bounds.min}s to ${bounds.max}s, such as 3600, 90m or 12h` : `a duration from ${bounds.min}ms to ${bounds.max}ms, such as 30000 or 30s`;
  if (typeof parsed !== 'number') throw invalidValue(flag, value, form);
  // As gcloud: a whole number of units, else the fraction to 4 places.
  const amount = Math.round(parsed * (unit === 's' ? 1 : 1000) * 1e4) / 1e4;
  if (amount < bounds.min) throw invalidValue(flag, value, form, {reason: `it is less than ${bounds.min}${unit}`});
  if (amount > bounds.max) throw invalidValue(flag, value, form, {reason: `it is more than ${bounds.max}${unit}`});
  return amount;
}

/** A problem gcloud reports as `Failed to create credential configuration file [FILE]: ...`, in its words. */
const failed = (file: string, message: string) => new UsageError(`Failed to create credential configuration file [${file}]: ${message}`);

/** `--flag` given where the source does not use it. */
const onlyWith = (flag: string, where: string) => new UsageError(`--${flag} can be used only with ${where}.`);

type Json = string | number | boolean | Json[] | {[key: string]: Json};

/** The `format` of a file or url source, or undefined (gcloud's _get_format). @throws UsageError in gcloud's words */
function sourceFormat(options: CreateCredConfigOptions): Record<string, string> | undefined {
  const type = options.credentialSourceType?.toLowerCase();
  if (type === undefined) {
    if (options.credentialSourceFieldName !== undefined) throw onlyWith('credential-source-field-name', '--credential-source-type=json');
    return undefined;
  }
  if (type !== 'json' && type !== 'text') throw failed(options.outputFile, '--credential-source-type must be either "json" or "text".');
  if (type === 'text') {
    if (options.credentialSourceFieldName !== undefined) throw onlyWith('credential-source-field-name', '--credential-source-type=json');
    return {type};
  }
  if (!options.credentialSourceFieldName) throw failed(options.outputFile, '--credential-source-field-name required for JSON formatted tokens.');
  return {type, subject_token_field_name: options.credentialSourceFieldName};
}

/** The `credential_source` and `subject_token_type` of the one source the flags name. @throws UsageError */
function credentialSource(options: CreateCredConfigOptions): {source: Record<string, Json>; tokenType: string} {
  const given = CRED_SOURCE_FLAGS.filter((flag) => {
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof CreateCredConfigOptions;
    return options[key] !== undefined && options[key] !== false;
  });
  if (given.length !== 1) {
    const all = [...CRED_SOURCE_FLAGS].sort().map((f) => `--${f}`).join(' | ');
    throw new UsageError(given.length === 0 ? `Exactly one of (${all}) must be specified.` : `--${given[0]} cannot be used with --${given[1]}.`);
  }
  const kind = given[0]!;
  const fileOrUrl = 'a --credential-source-file or --credential-source-url source';
  if (options.credentialSourceHeaders !== undefined && kind !== 'credential-source-url') throw onlyWith('credential-source-headers', '--credential-source-url');
  if (options.enableImdsv2 && kind !== 'aws') throw new UsageError('--enable-imdsv2 can be used only for AWS credential types.');
  if (options.appIdUri !== undefined && kind !== 'azure') throw onlyWith('app-id-uri', '--azure');
  for (const flag of ['executable-timeout-millis', 'executable-output-file'] as const) {
    const key = flag === 'executable-timeout-millis' ? 'executableTimeoutMillis' : 'executableOutputFile';
    if (options[key] !== undefined && kind !== 'executable-command') throw onlyWith(flag, '--executable-command');
  }
  if (kind === 'aws' || kind === 'azure') {
    if (options.credentialSourceType !== undefined) throw failed(options.outputFile, '--credential-source-type is not supported with --azure or --aws.');
    if (options.credentialSourceFieldName !== undefined) throw onlyWith('credential-source-field-name', fileOrUrl);
    if (options.subjectTokenType !== undefined) throw new UsageError(`--subject-token-type cannot be used with --${kind}: its token type is fixed.`);
  }
  const tokenType = options.subjectTokenType ?? JWT;
  if (options.subjectTokenType !== undefined && !/^urn:\S+$/.test(options.subjectTokenType)) {
    throw invalidValue('--subject-token-type', options.subjectTokenType, 'a token type URN such as urn:ietf:params:oauth:token-type:jwt or urn:ietf:params:oauth:token-type:id_token');
  }

  switch (kind) {
    case 'credential-source-file': {
      const format = sourceFormat(options);
      return {source: {file: options.credentialSourceFile!, ...(format ? {format} : {})}, tokenType};
    }
    case 'credential-source-url': {
      const url = options.credentialSourceUrl!;
      if (!/^https?:\/\/[^/\s]/.test(url) || !URL.canParse(url)) throw invalidValue('--credential-source-url', url, 'an http:// or https:// URL');
      const headers = options.credentialSourceHeaders === undefined ? undefined : Object.fromEntries(parseArgDict(options.credentialSourceHeaders, '--credential-source-headers', {form: 'NAME=VALUE,...'}));
      const format = sourceFormat(options);
      return {source: {url, ...(headers && Object.keys(headers).length > 0 ? {headers} : {}), ...(format ? {format} : {})}, tokenType};
    }
    case 'executable-command': {
      if (options.credentialSourceType !== undefined || options.credentialSourceFieldName !== undefined) {
        throw onlyWith(options.credentialSourceType !== undefined ? 'credential-source-type' : 'credential-source-field-name', fileOrUrl);
      }
      if (options.executableCommand!.trim() === '') throw invalidValue('--executable-command', options.executableCommand!, 'the command to run, an absolute path with its arguments');
      const timeout =
        options.executableTimeoutMillis === undefined ? DEFAULT_EXECUTABLE_TIMEOUT_MS : durationFlag(options.executableTimeoutMillis, '--executable-timeout-millis', 'ms', TIMEOUT_BOUNDS_MS);
      const executable: Record<string, Json> = {command: options.executableCommand!, timeout_millis: timeout};
      if (options.executableOutputFile) executable.output_file = options.executableOutputFile;
      return {source: {executable}, tokenType};
    }
    case 'aws':
      return {
        source: {
          environment_id: 'aws1',
          region_url: `${AWS_METADATA}/meta-data/placement/availability-zone`,
          url: `${AWS_METADATA}/meta-data/iam/security-credentials`,
          regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
          ...(options.enableImdsv2 ? {imdsv2_session_token_url: `${AWS_METADATA}/api/token`} : {}),
        },
        tokenType: AWS4_REQUEST,
      };
    case 'azure':
      return {
        source: {
          url: AZURE_TOKEN_URL + (options.appIdUri || `https://iam.googleapis.com/${options.audience}`),
          headers: {Metadata: 'True'},
          format: {type: 'json', subject_token_field_name: 'access_token'},
        },
        tokenType: JWT,
      };
  }
}

/**
 * The configuration the flags describe, keys in gcloud's order.
 * @throws UsageError for any bad or conflicting input (the message names the flag).
 */
export function buildCredentialConfig(options: CreateCredConfigOptions): Record<string, Json> {
  validateAudienceResource(options.audience);
  const universe = options.universeDomain ?? DEFAULT_UNIVERSE;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(universe)) throw invalidValue('--universe-domain', universe, 'a domain such as googleapis.com');
  if (options.serviceAccountTokenLifetimeSeconds !== undefined && options.serviceAccount === undefined) {
    throw new UsageError('--service-account-token-lifetime-seconds: --service-account must be specified.');
  }
  const serviceAccount = options.serviceAccount === undefined ? undefined : validateServiceAccountRef(options.serviceAccount, '--service-account');
  const lifetime =
    options.serviceAccountTokenLifetimeSeconds === undefined
      ? undefined
      : durationFlag(options.serviceAccountTokenLifetimeSeconds, '--service-account-token-lifetime-seconds', 's', LIFETIME_BOUNDS);
  const {source, tokenType} = credentialSource(options);

  const config: Record<string, Json> = {
    universe_domain: universe,
    type: 'external_account',
    audience: `//iam.googleapis.com/${options.audience}`,
    subject_token_type: tokenType,
    token_url: `https://sts.${universe}/v1/token`,
    credential_source: source,
  };
  if (serviceAccount !== undefined) {
    config.service_account_impersonation_url = `https://iamcredentials.${universe}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`;
    // gcloud writes the object only with a lifetime (and 0 is no lifetime).
    if (lifetime) config.service_account_impersonation = {token_lifetime_seconds: lifetime};
  } else {
    config.token_info_url = `https://sts.${universe}/v1/introspect`;
  }
  return config;
}

/** JSON as Python's `json.dumps(value, indent=2)` writes it: every character outside printable ASCII as \uXXXX, no final newline. */
export function pythonJson(value: Json): string {
  return JSON.stringify(value, null, 2).replace(/[^\x20-\x7e\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Writes the configuration the flags describe to `outputFile` (atomically, 0600), replacing any file there, as gcloud
 * does; then says so on stderr in gcloud's words.
 * @throws UsageError for bad input (nothing written); NotWritableError/DiskFullError/GcauthError when the file cannot be written.
 */
export async function createCredConfig(options: CreateCredConfigOptions, ctx: Pick<AppContext, 'io'>): Promise<void> {
  if (options.outputFile === '') throw invalidValue('--output-file', '', 'a file name');
  const text = pythonJson(buildCredentialConfig(options));
  await writeSecureFile(options.outputFile, text);
  ctx.io.stderr.write(`Created credential configuration file [${options.outputFile}].\n`);
}
