/**
 * `auth login` as library code: the login flow wired to the context (browser, prompt, token endpoint,
 * JWKS), and storing what it yields. `auth application-default login` calls obtainUserGrant too.
 */
import path from 'node:path';
import {createInterface} from 'node:readline';

import type {AppContext} from '../../context.js';
import {ApiError, AuthError, UsageError} from '../../errors.js';
import {fsErrorReason, readRegularFile, withoutBom} from '../../fs/read-file.js';
import type {StoredCredential, StoredUserCredential} from '../credentials/stored.js';
import {writeAdcFile} from '../adc/write.js';
import {credentialFileReader} from '../credentials/files.js';
import {credentialType} from '../credentials/registry.js';
import {openBrowser} from './browser.js';
import {libraryExpiry} from '../tokens/expiry.js';
import {jwksUrlFor, verifyIdTokenEmail} from './id-token-check.js';
import {type CodeGrant, type LoginFlowDeps, runLoginFlow, type UserGrant} from './flow.js';
import {type OAuthClientConfig, resolveOAuthClient} from './oauth-client.js';
import {toTokenEndpointError} from '../tokens/token-endpoint-error.js';
import {DEFAULT_SCOPES, REQUEST_TIMEOUT_MS} from '../tokens/token-service.js';
import {createTransporter, GOOGLE_TOKEN_URL} from '../tokens/transport.js';

/** How long a login waits for the browser by default; `GCAUTH_LOGIN_TIMEOUT` (seconds) overrides it. */
export const DEFAULT_LOGIN_TIMEOUT_S = 300;

export interface ObtainUserGrantOptions {
  client: OAuthClientConfig;
  scopes?: string[];
  launchBrowser: boolean;
  expectedAccount?: string;
  port?: number;
}

/** The token endpoint of a login: an explicit `auth/token_host`, else Google's. */
export const loginTokenUrl = (ctx: Pick<AppContext, 'tokens'>) => ctx.tokens.explicitTokenUrl() ?? GOOGLE_TOKEN_URL;

/** The flow's outside effects, from the context. Tests replace single members. */
export function loginFlowDeps(ctx: AppContext, tokenUrl: string): LoginFlowDeps {
  const status = (text: string) => ctx.io.stderr.write(`${text}\n`);
  return {
    status,
    openBrowser: (url) => openBrowser(url, {env: ctx.env, platform: ctx.platform, onFailure: (message) => status(`WARNING: ${message}`)}),
    readPasted: (message, signal) => {
      if (ctx.canPrompt) return ctx.prompter.input(message, {flag: '--no-launch-browser with the answer on standard input', signal});
      status(message);
      return readLine(ctx.io.stdin, signal);
    },
    exchangeCode: (request) => exchangeCode(request, {tokenUrl, ctx}),
    verifyIdToken: (idToken, clientId) => verifyIdTokenEmail(idToken, {clientId, jwksUrl: jwksUrlFor(tokenUrl), log: ctx.log, network: ctx.network}),
  };
}

/**
 * Runs the browser login for `options.client` and returns the verified account with its tokens. Stores nothing.
 * @throws AuthError, UsageError as runLoginFlow does.
 */
export async function obtainUserGrant(options: ObtainUserGrantOptions, ctx: AppContext, deps?: Partial<LoginFlowDeps>): Promise<UserGrant & {tokenUrl: string}> {
  const tokenUrl = loginTokenUrl(ctx);
  const launchBrowser = options.launchBrowser && canLaunchBrowser(ctx.env, ctx.platform);
  if (options.launchBrowser && !launchBrowser) ctx.io.stderr.write('No display and no BROWSER set: continuing as with --no-launch-browser.\n');
  const timeoutS = Number(ctx.env.GCAUTH_LOGIN_TIMEOUT) > 0 ? Number(ctx.env.GCAUTH_LOGIN_TIMEOUT) : DEFAULT_LOGIN_TIMEOUT_S;
  const grant = await runLoginFlow(
    {
      client: options.client,
      scopes: options.scopes ?? DEFAULT_SCOPES,
      authUrl: ctx.props.get('auth/auth_host') ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      launchBrowser,
      timeoutMs: timeoutS * 1000,
      expectedAccount: options.expectedAccount,
      port: options.port,
    },
    {...loginFlowDeps(ctx, tokenUrl), ...deps},
  );
  return {...grant, tokenUrl};
}

/** Whether a browser can be started here: BROWSER is set, or the platform has a desktop (on Linux, a display). */
export function canLaunchBrowser(env: Record<string, string | undefined>, platform: NodeJS.Platform): boolean {
  if (env.BROWSER) return true;
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}

/**
 * Trades an authorization code and its PKCE verifier at the token endpoint through google-auth-library's OAuth2Client.
 * @throws AuthError when the code is refused (expired, used, another verifier or redirect URI); ApiError when unreachable.
 */
async function exchangeCode(
  request: {code: string; codeVerifier: string; redirectUri: string; client: OAuthClientConfig},
  options: {tokenUrl: string; ctx: AppContext},
): Promise<CodeGrant> {
  const [{OAuth2Client}, transporter] = await Promise.all([
    import('google-auth-library'),
    createTransporter({tokenUrl: options.tokenUrl, log: options.ctx.log, network: options.ctx.network, timeoutMs: REQUEST_TIMEOUT_MS}),
  ]);
  const client = new OAuth2Client({clientId: request.client.clientId, clientSecret: request.client.clientSecret, redirectUri: request.redirectUri, transporter});
  try {
    const {tokens} = await client.getToken({code: request.code, codeVerifier: request.codeVerifier, redirect_uri: request.redirectUri});
    if (!tokens.access_token) throw new Error('the token endpoint answered without an access_token');
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? undefined,
      idToken: tokens.id_token ?? undefined,
      expiry: libraryExpiry(tokens.expiry_date, options.ctx.now),
    };
  } catch (error) {
    const failure = toTokenEndpointError(error, options.tokenUrl);
    if (failure.details.oauthError) {
      throw new AuthError(
        `The token endpoint refused the authorization code (${failure.message}): it may have expired or been used already. Run the login again. Nothing was stored.`,
        {cause: failure},
      );
    }
    throw new ApiError(`Could not exchange the authorization code at ${options.tokenUrl}: ${failure.message}. Nothing was stored.`, {cause: failure});
  }
}

/** Reads one line from a stream; an aborted signal stops reading. @throws AuthError at end of input. */
function readLine(stream: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({input: stream, terminal: false});
    let answered = false;
    const stop = () => rl.close();
    signal.addEventListener('abort', stop, {once: true});
    rl.once('line', (line) => {
      answered = true;
      signal.removeEventListener('abort', stop);
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) reject(new AuthError('Standard input ended before an authorization code was pasted. Nothing was stored.'));
    });
  });
}

export interface LoginOptions {
  account?: string;
  clientIdFile?: string;
  credFile?: string;
  launchBrowser: boolean;
  force: boolean;
  activate: boolean;
  updateAdc: boolean;
  port?: number;
}

export interface LoginResult {
  account: string;
  kind: 'user' | 'service_account' | 'external_account';
  /** The stored credentials were kept (no new login, or the user chose to keep them). */
  reused: boolean;
  project?: string;
  adcFile?: string;
}

/**
 * `auth login`: a browser login (or `--cred-file`), stored, made active, its token cached; ADC too with updateAdc.
 * Nothing is stored unless the whole login succeeded.
 * @throws UsageError for a missing OAuth client or bad files; AuthError for a failed login.
 */
export async function loginUser(options: LoginOptions, ctx: AppContext, deps?: Partial<LoginFlowDeps>): Promise<LoginResult> {
  if (options.credFile) return loginFromCredFile(options, ctx);
  const client = await resolveOAuthClient(options.clientIdFile, ctx);
  if (options.account && !options.force && (await ctx.store.get(options.account))) {
    if (!(await replaceStored(options.account, ctx))) return finish(options.account, 'user', true, options, ctx);
  }
  const grant = await obtainUserGrant({client, launchBrowser: options.launchBrowser, expectedAccount: options.account, port: options.port}, ctx, deps);
  if (!options.account && !options.force && (await ctx.store.get(grant.account))) {
    if (!(await replaceStored(grant.account, ctx))) return finish(grant.account, 'user', true, options, ctx);
  }
  const credential: StoredUserCredential = {
    type: 'authorized_user',
    account: grant.account,
    refreshToken: grant.refreshToken,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    tokenUri: grant.tokenUrl,
    addedAt: new Date(ctx.now()).toISOString(),
  };
  await ctx.store.put(credential);
  await ctx.cache.removeAccount(grant.account);
  await ctx.tokens.keep(grant.account, {token: grant.accessToken, expiry: grant.expiry});
  return finish(grant.account, 'user', false, options, ctx, credential);
}

// On a terminal, asks; otherwise (or with --quiet) keeps the stored credentials and says so.
async function replaceStored(account: string, ctx: AppContext): Promise<boolean> {
  if (!ctx.canPrompt) {
    ctx.io.stderr.write(`WARNING: Re-using locally stored credentials for [${account}]. To fetch new credentials, re-run the command with the --force flag.\n`);
    return false;
  }
  const replace = await ctx.prompter.confirm(`Credentials for [${account}] are already stored. Replace them with a new login?`, {default: true, flag: '--force'});
  if (!replace) ctx.io.stderr.write(`Keeping the stored credentials for [${account}].\n`);
  return replace;
}

async function finish(account: string, kind: LoginResult['kind'], reused: boolean, options: LoginOptions, ctx: AppContext, fresh?: StoredCredential): Promise<LoginResult> {
  if (options.activate) {
    await ctx.configurations.update(ctx.props.configuration, (values) => {
      values.core = {...values.core, account};
    });
  }
  let adcFile: string | undefined;
  if (options.updateAdc) {
    const credential = fresh ?? (await ctx.store.get(account));
    if (credential) adcFile = await writeAdcFile((await credentialType(credential)).adcJson(credential), ctx);
  }
  let project: string | undefined;
  try {
    project = ctx.props.get('core/project');
  } catch {
    project = undefined;
  }
  return {account, kind, reused, project, adcFile};
}

/**
 * `--cred-file`: an `authorized_user` (ADC or gcloud-style), `service_account` or `external_account` JSON file, read
 * and named by its type (an external account without impersonation is named by one exchange and an introspection).
 * Nothing is stored unless it was read and named.
 * @throws UsageError for an unreadable or unsupported file or an ACCOUNT mismatch; AuthError/ApiError from naming it.
 */
async function loginFromCredFile(options: LoginOptions, ctx: AppContext): Promise<LoginResult> {
  const file = options.credFile!;
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    throw new UsageError(`Unable to read credential file [${path.resolve(file)}]: ${fsErrorReason(error)}.`, {cause: error});
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(withoutBom(text)) as Record<string, unknown>;
  } catch {
    throw new UsageError(`Credential file [${file}] is not JSON.`);
  }
  const read = typeof data?.type === 'string' ? credentialFileReader(data.type) : undefined;
  if (!read) {
    throw new UsageError(`Credential file [${file}] is of type [${String(data?.type)}]; auth login --cred-file takes authorized_user, service_account or external_account files.`);
  }
  const {credential, token} = await read(
    {file, text, data, account: options.account},
    {explicitTokenUrl: () => ctx.tokens.explicitTokenUrl(), log: ctx.log, network: ctx.network, now: ctx.now, env: ctx.env},
  );
  if (options.account && options.account !== credential.account) {
    throw new UsageError(`The account [${options.account}] does not match the credential file's account [${credential.account}]. Omit ACCOUNT, or pass the file for that account.`);
  }
  if (!options.force && (await ctx.store.get(credential.account)) && !(await replaceStored(credential.account, ctx))) {
    return finish(credential.account, loginKind(credential), true, options, ctx);
  }
  await ctx.store.put(credential);
  await ctx.cache.removeAccount(credential.account);
  // The exchange that named an external account gave a token: the first print-access-token need not exchange again.
  if (token) await ctx.tokens.keep(credential.account, token);
  return finish(credential.account, loginKind(credential), false, options, ctx, credential);
}

const loginKind = (credential: StoredCredential): LoginResult['kind'] => (credential.type === 'authorized_user' ? 'user' : credential.type);
