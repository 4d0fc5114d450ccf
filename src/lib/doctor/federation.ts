/**
 * The doctor's view of an external account (Workload Identity Federation): what it is (pool, provider, project number,
 * source, impersonation, principal), the fix for an exchange that fails (from what the STS, the source or IAM
 * Credentials said), the member a role binding names for it, and whether its tokens last as long as Docker needs them.
 * Nothing here prints a subject token, a header value or an access token.
 */
import {ADC_SCOPES} from '../auth/adc/read.js';
import {
  audienceParts,
  externalAccountProblem,
  externalAccountType,
  mintExternalAccountToken,
  describeSource,
  federatedPrincipal,
  ALLOW_EXECUTABLES,
  impersonatedEmail,
  introspectPrincipal,
  readSubjectToken,
  sourceKind,
  stsTokenUrl,
  SubjectTokenError,
} from '../auth/credentials/external-account.js';
import {jwtPayload} from '../auth/credentials/service-account-id-token.js';
import type {MintOptions} from '../auth/credentials/service-account-refresher.js';
import type {ExternalAccountConfig} from '../auth/credentials/stored.js';
import {TokenEndpointError} from '../auth/tokens/token-endpoint-error.js';
import {REQUEST_TIMEOUT_MS} from '../auth/tokens/token-service.js';
import type {AppContext} from '../context.js';
import {minTokenLifetimeMs} from '../docker/helper.js';
import {PermissionDeniedError} from '../errors.js';
import {fsErrorReason, readRegularFile, withoutBom} from '../fs/read-file.js';
import {asClause} from '../messages.js';
import type {CachedToken} from '../store/token-cache.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'federation';
const LIFETIME_CHECK = 'token-lifetime';
const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

/** An external account as the doctor meets it: a stored credential, or an ADC file. */
export interface FederatedIdentity {
  config: ExternalAccountConfig;
  /** The stored account (the principal or the impersonated email), when it is one. */
  account?: string;
  /** The configuration file, for messages and fixes. */
  file?: string;
}

/** What the doctor learnt of an external account, for the checks after the account's. */
export interface FederationFacts {
  /** The federated principal, as the STS's introspection names it. */
  principal?: string;
  /** Why the principal could not be had. */
  principalError?: string;
  /** The member a binding names to grant this identity (a principalSet of its repository, else its principal). */
  member?: string;
  /** The subject token's `exp`, in ms, when it is a JWT that has one. */
  subjectExpiry?: number;
}

type FederationContext = Pick<AppContext, 'env' | 'log' | 'now' | 'props' | 'network'>;

const mintOptions = (ctx: FederationContext, config: ExternalAccountConfig): MintOptions => ({
  tokenUrl: stsTokenUrl(config),
  log: ctx.log,
  network: ctx.network,
  now: ctx.now,
  env: ctx.env,
  timeoutMs: REQUEST_TIMEOUT_MS,
});

/** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL`: the pool part of the audience. */
const poolResource = (config: ExternalAccountConfig): string => config.audience.replace(/\/providers\/[^/]+$/, '');

/** The audience as create-cred-config takes it: `projects/N/.../providers/P`. */
const relativeAudience = (config: ExternalAccountConfig): string => config.audience.replace(/^\/\/iam\.[^/]+\//, '');

/** The pool's flags in gcauth's provider commands. */
function providerFlags(config: ExternalAccountConfig): string {
  const {pool, project} = audienceParts(config.audience);
  return `--workload-identity-pool=${pool} --location=global${project ? ` --project=${project}` : ''}`;
}

/**
 * The principal (introspected: of the token given when it is an STS token, else of one exchange without the
 * impersonation), the subject token's `exp` and repository, and the member to grant. Never throws: what could not be
 * had is said in principalError.
 */
export async function federationFacts(ctx: FederationContext, identity: FederatedIdentity, stsToken?: CachedToken): Promise<FederationFacts> {
  const {config} = identity;
  const options = mintOptions(ctx, config);
  const facts: FederationFacts = {};
  try {
    facts.principal =
      stsToken && !impersonatedEmail(config) ? await introspectPrincipal(config, stsToken.token, options) : await federatedPrincipal(identity, options);
  } catch (error) {
    facts.principalError = asClause(error);
  }
  let repository: string | undefined;
  if (sourceKind(config) !== 'aws') {
    const claims = await readSubjectToken(identity, options).then(jwtPayload, () => undefined);
    if (typeof claims?.exp === 'number') facts.subjectExpiry = claims.exp * 1000;
    if (typeof claims?.repository === 'string' && claims.repository) repository = claims.repository;
  }
  // GitHub-shaped job tokens name their repository: a binding for every job of it outlives this job's subject.
  facts.member = repository ? `principalSet:${poolResource(config)}/attribute.repository/${repository}` : facts.principal;
  return facts;
}

/** The `federation` row: what the external account is and who it acts as. */
export function describeFederation(identity: FederatedIdentity, facts: FederationFacts | undefined, tokenOk: boolean): CheckResult {
  const {config} = identity;
  const {pool, provider, project, workforce} = audienceParts(config.audience);
  const email = impersonatedEmail(config);
  const what =
    `external_account${identity.file ? ` [${identity.file}]` : ''}: ${workforce ? 'workforce' : 'workload identity'} pool ${pool}, provider ${provider}` +
    `${project ? ` of project number ${project}` : ''}; subject tokens from ${describeSource(config)}`;
  const principal = facts?.principal
    ? `principal ${facts.principal} (named by the STS's introspection)`
    : `principal not known (${facts?.principalError ?? 'no token: see account'})`;
  const who = email ? `; impersonates ${email}, as the ${principal}` : `; acts as the ${principal}`;
  return result(CHECK, tokenOk ? 'ok' : 'skip', `${what}${who}`);
}

/** The `federation` row when the account is no external account. */
export const noFederation = (): CheckResult => result(CHECK, 'skip', 'no external account (Workload Identity Federation) in use');

/** The create-cred-config command that writes this configuration again (for audience), header values and secrets left out. */
export function credConfigCommand(config: ExternalAccountConfig, audience: string, file = 'FILE'): string {
  const source = config.credential_source;
  const flags: string[] = [];
  const format = source.format as {type?: string; subject_token_field_name?: string} | undefined;
  const formatFlags = () => {
    if (format?.type) flags.push(`--credential-source-type=${format.type}`);
    if (format?.subject_token_field_name) flags.push(`--credential-source-field-name=${format.subject_token_field_name}`);
  };
  switch (sourceKind(config)) {
    case 'file':
      flags.push(`--credential-source-file=${String(source.file)}`);
      formatFlags();
      break;
    case 'url': {
      flags.push(`--credential-source-url="${String(source.url)}"`);
      const headers = Object.keys((source.headers as Record<string, string> | undefined) ?? {});
      // A header's value is a secret (a CI job's bearer token): named, never shown.
      if (headers.length > 0) flags.push(`--credential-source-headers="${headers.map((h) => `${h}=VALUE`).join(',')}"`);
      formatFlags();
      break;
    }
    case 'executable': {
      const executable = source.executable as {command: string; timeout_millis?: number; output_file?: string};
      flags.push(`--executable-command="${executable.command}"`);
      if (executable.timeout_millis !== undefined) flags.push(`--executable-timeout-millis=${executable.timeout_millis}`);
      if (executable.output_file) flags.push(`--executable-output-file=${executable.output_file}`);
      break;
    }
    default:
      flags.push('--aws');
      if (source.imdsv2_session_token_url) flags.push('--enable-imdsv2');
  }
  const email = impersonatedEmail(config);
  if (email) flags.push(`--service-account=${email}`);
  return `gcauth iam workload-identity-pools create-cred-config ${audience} ${flags.join(' ')} --output-file=${file}`;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 8; e = (e as {cause?: unknown}).cause) chain.push(e);
  return chain;
}

/** What to do about a source that gave no subject token. */
function sourceFix(identity: FederatedIdentity, env: Record<string, string | undefined>): string {
  const {config} = identity;
  const source = config.credential_source;
  const in_ = identity.file ? ` in ${identity.file}` : '';
  switch (sourceKind(config)) {
    case 'file':
      return `write the CI job's token to ${String(source.file)} before this step (or fix credential_source.file${in_})`;
    case 'url':
      return `check credential_source.url and its headers${in_}: a CI token URL and its bearer secret change with every job`;
    case 'executable':
      return env[ALLOW_EXECUTABLES] === '1'
        ? `run the command by hand to see what it prints: ${(source.executable as {command: string}).command}`
        : `export ${ALLOW_EXECUTABLES}=1   (only if you trust the command${in_}: ${(source.executable as {command: string}).command})`;
    default:
      return 'export AWS_REGION=REGION AWS_ACCESS_KEY_ID=KEY_ID AWS_SECRET_ACCESS_KEY=SECRET   (or run where the metadata URLs of credential_source answer)';
  }
}

/**
 * The fix for an external account whose exchange failed, from what failed: the source, IAM Credentials' refusal of the
 * impersonation, or the STS (its OAuth error and Google's description: the audience, the attribute condition, the
 * token's audience or issuer).
 */
export async function exchangeFix(ctx: FederationContext, identity: FederatedIdentity, error: unknown): Promise<string> {
  const {config} = identity;
  const chain = causes(error);
  const {pool, provider, project} = audienceParts(config.audience);
  const describe = `gcauth iam workload-identity-pools providers describe ${provider} ${providerFlags(config)}`;
  if (chain.some((e) => e instanceof SubjectTokenError)) return sourceFix(identity, ctx.env);
  const email = impersonatedEmail(config);
  if (email && chain.some((e) => e instanceof PermissionDeniedError)) {
    const facts = await federationFacts(ctx, identity);
    const member = facts.member ?? `principalSet:${poolResource(config)}/attribute.repository/OWNER/REPO`;
    return `gcauth iam service-accounts add-iam-policy-binding ${email} --member=${member} --role=${WORKLOAD_IDENTITY_USER}   (as an account that may set the service account's policy)`;
  }
  const refusal = chain.find((e): e is TokenEndpointError => e instanceof TokenEndpointError);
  if (!refusal?.details.oauthError) return `check that the STS at ${stsTokenUrl(config)} (token_url${identity.file ? ` in ${identity.file}` : ''}) answers`;
  const {oauthError, description = ''} = refusal.details;
  if (oauthError === 'invalid_target' || /"audience"/.test(description)) {
    const audience = project ? `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/PROVIDER` : 'AUDIENCE';
    const list = project ? `gcauth iam workload-identity-pools providers list ${providerFlags(config)}` : 'gcauth iam workload-identity-pools providers list';
    const file = identity.file ?? 'FILE';
    return `${credConfigCommand(config, audience, file)} && gcauth auth login --cred-file=${file}   (PROVIDER: an active provider, from ${list})`;
  }
  if (oauthError === 'unauthorized_client') {
    return `${describe} --format="value(attributeCondition)"   (the attribute condition of provider ${provider} refused the token's claims: check it against them)`;
  }
  // Google's descriptions of an OIDC token the provider refuses begin with what it checked.
  if (description.startsWith('The audience in ID Token')) {
    return `request the CI token for the audience https:${config.audience} (the provider's default), or allow the token's: ${describe} --format="value(oidc.allowedAudiences)"`;
  }
  if (description.startsWith('The issuer in ID Token')) {
    return `${describe} --format="value(oidc.issuerUri)"   (the provider must trust the token's issuer, or the configuration must name a provider that does)`;
  }
  return `${describe}   (the provider refused the subject token from ${describeSource(config)})`;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)}m`;

/**
 * The `token-lifetime` row: whether the tokens this external account yields let Docker finish a long push, and
 * whether the subject token a file holds outlives the next exchange. Warns only for what was measured: the lifetime
 * of the token just minted, the subject token's own `exp`.
 */
export function checkTokenLifetime(
  ctx: Pick<AppContext, 'props' | 'now'>,
  identity: FederatedIdentity | undefined,
  facts: FederationFacts | undefined,
  tokens: {proven?: CachedToken; cachedExpiry?: number},
): CheckResult {
  if (!identity) return result(LIFETIME_CHECK, 'skip', 'no external account (Workload Identity Federation) in use');
  const {proven} = tokens;
  if (!proven) return result(LIFETIME_CHECK, 'skip', 'no token to measure (see account)');
  const {config} = identity;
  const min = minTokenLifetimeMs(ctx);
  const lifetime = proven.expiry - (proven.issued ?? ctx.now());
  const email = impersonatedEmail(config);
  const kind = sourceKind(config);
  if (lifetime < min) {
    const bound = email ? 'service_account_impersonation.token_lifetime_seconds' : `the subject token from ${describeSource(config)}, whose exp the STS's token does not outlive`;
    const fix = email
      ? `${credConfigCommand(config, relativeAudience(config), identity.file)} --service-account-token-lifetime-seconds=3600`
      : `${credConfigCommand(config, relativeAudience(config), identity.file)} --service-account=EMAIL   (a service account's token lasts an hour whatever the subject token's; grant ${WORKLOAD_IDENTITY_USER} on it to ${facts?.member ?? 'the principal'})`;
    return result(
      LIFETIME_CHECK,
      'warn',
      `a token minted now lasts ${minutes(lifetime)} (bounded by ${bound}), less than docker/min_token_lifetime (${minutes(min)}): the helper hands Docker tokens with as little as 5m left, and a push that outlasts one fails halfway with 401`,
      fix,
    );
  }
  const minted = `a token minted now lasts ${minutes(lifetime)}, at least docker/min_token_lifetime (${minutes(min)})`;
  if (kind !== 'file') return result(LIFETIME_CHECK, 'ok', `${minted}; ${describeSource(config)} is read again at every exchange`);
  const expiry = facts?.subjectExpiry;
  if (expiry === undefined) return result(LIFETIME_CHECK, 'ok', `${minted}; the subject token in ${describeSource(config)} states no expiry`);
  // The helper exchanges again once the token it holds has less than docker/min_token_lifetime left.
  const next = (tokens.cachedExpiry ?? proven.expiry) - min;
  const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (expiry <= next) {
    return result(
      LIFETIME_CHECK,
      'warn',
      `${minted}, but the subject token in ${describeSource(config)} expires at ${when(expiry)}, before the next exchange (${when(next)}, when the token now cached has less than ${minutes(min)} left): from then on every exchange fails unless a fresh token is written there`,
      `write a fresh job token to ${String(config.credential_source.file)} before each step that pulls or pushes, or name the CI's token URL instead, read at every exchange: create-cred-config --credential-source-url="URL" --credential-source-headers="Authorization=VALUE" --credential-source-type=json --credential-source-field-name=value`,
    );
  }
  return result(LIFETIME_CHECK, 'ok', `${minted}; the subject token in ${describeSource(config)} lasts until ${when(expiry)}, past the next exchange (${when(next)})`);
}

/**
 * The account check's verdict for an ADC file that is an external account (the Docker helper uses it: see adc.ts):
 * one fresh exchange, as the helper's would be, or the fix for what refused it. Undefined when the file is no
 * external account (or cannot be read: adc.ts reports the helper's error).
 */
export async function checkAdcExternalAccount(
  ctx: FederationContext,
  file: string,
  what: string,
): Promise<{ok: boolean; message: string; fix?: string; identity?: FederatedIdentity; proven?: CachedToken} | undefined> {
  let config: unknown;
  try {
    config = JSON.parse(withoutBom(readRegularFile(file)));
  } catch (error) {
    ctx.log.debug(`the ADC file [${file}] was not read as JSON: ${fsErrorReason(error)}`);
    return undefined;
  }
  if ((config as {type?: unknown} | null)?.type !== 'external_account') return undefined;
  const problem = externalAccountProblem(config);
  const identity: FederatedIdentity = {config: config as ExternalAccountConfig, file};
  const named = `${what}: [${file}], an external account`;
  if (problem) return {ok: false, message: `${named}: ${problem}`, fix: `gcauth iam workload-identity-pools create-cred-config AUDIENCE --credential-source-file=PATH --output-file=${file}`};
  try {
    const minted = await mintExternalAccountToken(identity, ADC_SCOPES, mintOptions(ctx, identity.config));
    const proven = {account: '', scopes: ADC_SCOPES, token: minted.token, expiry: minted.expiry, issued: ctx.now()};
    return {ok: true, message: `${named}: a token can be had now`, identity, proven};
  } catch (error) {
    // Worded as the helper's ADC source words the same refusal.
    const said =
      error instanceof TokenEndpointError && error.details.oauthError && !error.details.transient
        ? externalAccountType.describeRefusal(error, {type: 'external_account', account: '', config: identity.config, file, addedAt: ''})
        : error;
    return {ok: false, message: `${named}: no token can be had now: ${asClause(said)}`, fix: await exchangeFix(ctx, identity, error), identity};
  }
}
