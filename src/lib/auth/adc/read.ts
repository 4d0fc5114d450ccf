/**
 * Application Default Credentials, for `docker/token_source = adc`: `GOOGLE_APPLICATION_CREDENTIALS`, else the
 * well-known file gcloud writes, else the metadata server. The file is found here (from the context, not the
 * process) so that the token can be cached per credential and its token request redirected; google-auth-library
 * (loaded only when a token is minted) turns the credential into a token.
 */
import {stat} from 'node:fs/promises';
import path from 'node:path';

import {pathFor, windowsAppData} from '../../config/paths.js';
import type {AppContext} from '../../context.js';
import {ApiError, AuthError} from '../../errors.js';
import {FIX, SCOPES} from '../../messages.js';
import {fsErrorReason, jsonErrorAt, readRegularFile, withoutBom} from '../../fs/read-file.js';
import {type CachedToken, fnv1a} from '../../store/token-cache.js';
import {metadataAccessToken, type MetadataContext, NoMetadataServerError, onGce} from '../credentials/metadata.js';
import {DEFAULT_RETRY, withRetry} from '../tokens/retry.js';
import {libraryExpiry} from '../tokens/expiry.js';
import type {MintedToken, MintOptions} from '../credentials/service-account-refresher.js';
import type {ExternalAccountConfig} from '../credentials/stored.js';
import {TokenEndpointError, toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {REQUEST_TIMEOUT_MS} from '../tokens/token-service.js';
import {createTransporter, GOOGLE_TOKEN_URL} from '../tokens/transport.js';

/** What an ADC token is for: registries accept cloud-platform. */
export const ADC_SCOPES = [SCOPES.cloudPlatform];

/** No Application Default Credentials anywhere: no variable, no well-known file, no metadata server. */
export class NoApplicationDefaultCredentialsError extends AuthError {}

/** The well-known ADC file: `$CLOUDSDK_CONFIG`, else `%APPDATA%\gcloud` on Windows, else `~/.config/gcloud`. */
export function wellKnownAdcFile(env: Record<string, string | undefined>, homeDir: string, platform: NodeJS.Platform): string {
  const p = pathFor(platform);
  const dir = env.CLOUDSDK_CONFIG || (platform === 'win32' ? p.join(windowsAppData(env, homeDir), 'gcloud') : p.join(homeDir, '.config', 'gcloud'));
  return p.join(dir, 'application_default_credentials.json');
}

/** Where ADC come from: a file (with what identifies its current contents), or the metadata server. */
export interface AdcSource {
  file?: string;
  /** Stands for the credential in the token cache: the file's path, size and mtime, or `metadata`. */
  identity: string;
}

/**
 * Finds the ADC source the way google-auth-library does.
 * @throws AuthError when GOOGLE_APPLICATION_CREDENTIALS names a file that cannot be read.
 */
export async function findAdcSource(ctx: Pick<AppContext, 'env' | 'homeDir' | 'platform'>): Promise<AdcSource> {
  const explicit = ctx.env.GOOGLE_APPLICATION_CREDENTIALS;
  const candidates = explicit ? [path.resolve(explicit)] : [wellKnownAdcFile(ctx.env, ctx.homeDir, ctx.platform)];
  for (const file of candidates) {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error(info.isDirectory() ? 'it is a directory' : 'it is not a regular file'), {code: 'ENOTREG'});
      return {file, identity: `file:${file}:${info.size}:${info.mtimeMs}:${info.ino}`};
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOTREG' ? (error as Error).message : fsErrorReason(error);
      if (explicit) throw new AuthError(`GOOGLE_APPLICATION_CREDENTIALS names [${explicit}], which cannot be read: ${why}.`);
      // The well-known file is optional, but one that is there and unusable is reported, as google-auth-library does.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new AuthError(`Cannot use the Application Default Credentials file [${file}]: ${why}.`);
    }
  }
  return {identity: 'metadata'};
}

/**
 * An access token from Application Default Credentials, cached and refreshed single-flight like gcauth's own.
 * @throws NoApplicationDefaultCredentialsError when there are none; AuthError when they are refused or unusable;
 *   ApiError when the token endpoint stays unreachable.
 */
export async function adcAccessToken(ctx: Pick<AppContext, 'env' | 'homeDir' | 'platform' | 'tokens' | 'log' | 'network'> & MetadataContext): Promise<CachedToken> {
  const source = await findAdcSource(ctx);
  // No file: gcauth's own metadata client, not google-auth-library's, whose probe prints Node warnings and waits 3 s.
  if (!source.file) return metadataAdcToken(ctx);
  // The cache file name holds the account part: a short hash of the identity keeps it within name limits.
  const key = {account: `application-default.${fnv1a(source.identity)}`, scopes: ADC_SCOPES};
  const file = source.file;
  return ctx.tokens.cachedOrMinted(key, async () => {
    const json = readAdcJson(file);
    if (json.type === 'external_account') return externalAdcToken(json, file, ctx);
    // An impersonated file whose source is an external account: the source's exchange first, with its own retry and
    // words; then IAM Credentials, below, as for any impersonated file.
    const source = externalSourceOf(json);
    const sourceToken = source ? await externalAdcToken(source, file, ctx, {scopes: [SCOPES.cloudPlatform], part: 'its source_credentials: '}) : undefined;
    const tokenUrl = ctx.tokens.explicitTokenUrl() ?? tokenUriOf(json) ?? GOOGLE_TOKEN_URL;
    const what = `the Application Default Credentials in [${file}]`;
    try {
      return await withRetry(
        (_attempt, remainingMs) =>
          mintAdcToken(json, file, ADC_SCOPES, {tokenUrl, log: ctx.log, network: ctx.network, timeoutMs: Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs)), now: ctx.now}, sourceToken),
        (error) => error instanceof TokenEndpointError && error.details.transient,
        DEFAULT_RETRY,
      );
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      if (error.details.oauthError && !error.details.transient) {
        throw new AuthError(`The token endpoint refused ${what} (${error.message}).`, {cause: error});
      }
      throw new ApiError(`Could not get an access token with ${what} from ${tokenUrl}: ${error.message}.`, {cause: error, status: error.details.status});
    }
  });
}

/** The source_credentials of an impersonated_service_account file when they are an external account. */
function externalSourceOf(json: Record<string, unknown>): Record<string, unknown> | undefined {
  const source = json.source_credentials;
  const isExternal = source !== null && typeof source === 'object' && !Array.isArray(source) && (source as {type?: unknown}).type === 'external_account';
  return json.type === 'impersonated_service_account' && isExternal ? (source as Record<string, unknown>) : undefined;
}

/**
 * An external account ADC file (or the external account source of an impersonated one, `part` naming it in messages):
 * the same client, retry and errors as a stored external account (the type's module), not GoogleAuth's, which would
 * first look the project up at Resource Manager.
 * @throws AuthError for a configuration gcauth cannot use, or as the external account type's minting does.
 */
async function externalAdcToken(
  json: Record<string, unknown>,
  file: string,
  ctx: Pick<AppContext, 'log' | 'now' | 'env' | 'network'>,
  {scopes = ADC_SCOPES, part = ''}: {scopes?: string[]; part?: string} = {},
): Promise<MintedToken> {
  const {externalAccountProblem, externalAccountType, mintExternalAccountToken, stsTokenUrl} = await import('../credentials/external-account.js');
  const problem = externalAccountProblem(json);
  if (problem) throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: ${part}${problem}.`);
  const config = json as unknown as ExternalAccountConfig;
  const tokenUrl = stsTokenUrl(config);
  const credential = {type: 'external_account' as const, account: '', config, file, addedAt: ''};
  try {
    return await withRetry(
      (_attempt, remainingMs) =>
        mintExternalAccountToken(credential, scopes, {tokenUrl, log: ctx.log, network: ctx.network, env: ctx.env, now: ctx.now, timeoutMs: Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, remainingMs))}),
      (error) => error instanceof TokenEndpointError && error.details.transient,
      DEFAULT_RETRY,
    );
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    if (error.details.oauthError && !error.details.transient) throw externalAccountType.describeRefusal(error, credential);
    throw new ApiError(`Could not get an access token with the Application Default Credentials in [${file}] from ${tokenUrl}: ${error.message}.`, {cause: error, status: error.details.status});
  }
}

/** The VM's token (its own scopes, as google-auth-library's Compute client asks with none given). */
async function metadataAdcToken(ctx: MetadataContext): Promise<CachedToken> {
  if (!(await onGce(ctx))) throw new NoApplicationDefaultCredentialsError(NO_ADC_ANYWHERE);
  try {
    return await metadataAccessToken(ctx);
  } catch (error) {
    if (error instanceof NoMetadataServerError) throw new NoApplicationDefaultCredentialsError(`${NO_ADC_ANYWHERE} ${error.message}`, {cause: error});
    throw error;
  }
}

const NO_ADC_ANYWHERE = `No Application Default Credentials: set GOOGLE_APPLICATION_CREDENTIALS to a key file, run ${FIX.adcLogin}, or run on Google Cloud.`;

/**
 * The ADC file's JSON object, read once (bounded, regular files only) and handed to google-auth-library as is.
 * @throws AuthError naming the file when it cannot be read or is not a JSON object.
 */
function readAdcJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: ${fsErrorReason(error)}.`, {cause: error});
  }
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (error) {
    throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: it is not valid JSON${jsonErrorAt(error)}.`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: it is not a JSON object.`);
  return json as Record<string, unknown>;
}

function tokenUriOf(json: Record<string, unknown>): string | undefined {
  // An impersonated file's token requests are its source's.
  const source = json.source_credentials as {token_uri?: unknown} | undefined;
  const uri = json.token_uri ?? (source && typeof source === 'object' ? source.token_uri : undefined);
  return typeof uri === 'string' && /^https?:\/\//.test(uri) ? uri : undefined;
}

/**
 * One token from google-auth-library's GoogleAuth, its token requests sent through gcauth's redirecting transporter
 * (an impersonated file's from its source, or from sourceToken, its external account source's token already had).
 * @throws NoApplicationDefaultCredentialsError, AuthError for an unusable file, TokenEndpointError classified for retry.
 */
async function mintAdcToken(json: Record<string, unknown>, file: string, scopes: string[], options: MintOptions, sourceToken?: MintedToken): Promise<MintedToken> {
  if (json.type === 'impersonated_service_account') {
    const {mintImpersonatedAdcToken} = await import('./impersonated.js');
    return mintImpersonatedAdcToken(json, file, scopes, options, sourceToken);
  }
  const [{GoogleAuth}, transporter] = await Promise.all([import('google-auth-library'), createTransporter(options)]);
  // The JSON gcauth read, not the file name: google-auth-library would read the file again, with no bound.
  const auth = new GoogleAuth({credentials: json, scopes, clientOptions: {transporter}});
  let client: Awaited<ReturnType<typeof auth.getClient>>;
  try {
    client = await auth.getClient();
  } catch (error) {
    throw new AuthError(`Cannot use the Application Default Credentials in [${file}]: ${(error as Error).message ?? String(error)}`, {cause: error});
  }
  try {
    const {token} = await client.getAccessToken();
    if (!token) throw new Error('the token endpoint answered without an access_token');
    return {token, expiry: libraryExpiry(client.credentials.expiry_date, options.now)};
  } catch (error) {
    throw toTokenEndpointError(error, options.tokenUrl);
  }
}

