/**
 * `auth login` as library code: the login flow wired to the context (browser, prompt, token endpoint,
 * JWKS), and storing what it yields. `auth application-default login` calls obtainUserGrant too.
 */
import path from 'node:path';
import {createInterface} from 'node:readline';

import type {AppContext} from '../../context.js';
import {ApiError, AuthError, UsageError} from '../../errors.js';
import {fsErrorReason, readRegularFile} from '../../fs/read-file.js';
import type {StoredCredential, StoredUserCredential} from '../../store/credential-store.js';
import {authorizedUserAdc, writeAdcFile} from '../adc/write.js';
import {openBrowser} from './browser.js';
import {libraryExpiry} from '../tokens/expiry.js';
import {jwksUrlFor, verifyIdTokenEmail} from './id-token-check.js';
import {type CodeGrant, type LoginFlowDeps, runLoginFlow, type UserGrant} from './flow.js';
import {type OAuthClientConfig, resolveOAuthClient} from './oauth-client.js';
import {parseServiceAccountKey} from '../credentials/service-account-key.js';
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
    verifyIdToken: (idToken, clientId) => verifyIdTokenEmail(idToken, {clientId, jwksUrl: jwksUrlFor(tokenUrl)}),
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
    createTransporter({tokenUrl: options.tokenUrl, log: options.ctx.log, timeoutMs: REQUEST_TIMEOUT_MS}),
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
  kind: 'user' | 'service_account';
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
  await ctx.cache.write({account: grant.account, scopes: DEFAULT_SCOPES, token: grant.accessToken, expiry: grant.expiry, issued: ctx.now()});
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
    if (credential?.type === 'authorized_user') {
      adcFile = await writeAdcFile(authorizedUserAdc(credential), ctx);
    } else if (credential?.type === 'service_account') {
      adcFile = await writeAdcFile(credential.key, ctx);
    }
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
 * `--cred-file`: an `authorized_user` (ADC or gcloud-style) or `service_account` JSON file, stored without a
 * browser or network call.
 * @throws UsageError for an unreadable or unsupported file or an ACCOUNT mismatch.
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
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`Credential file [${file}] is not JSON.`);
  }
  const now = new Date(ctx.now()).toISOString();
  let credential: StoredCredential;
  if (data?.type === 'service_account') {
    const key = parseServiceAccountKey(text, file);
    credential = {type: 'service_account', account: key.client_email, key, addedAt: now};
  } else if (data?.type === 'authorized_user') {
    const {client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken} = data;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || typeof refreshToken !== 'string' || !clientId || !clientSecret || !refreshToken) {
      throw new UsageError(`Credential file [${file}] lacks client_id, client_secret or refresh_token.`);
    }
    const tokenUri = typeof data.token_uri === 'string' ? data.token_uri : undefined;
    const account =
      options.account ||
      (typeof data.account === 'string' && data.account) ||
      (await identifyRefreshToken({clientId, clientSecret, refreshToken}, ctx.tokens.explicitTokenUrl() ?? tokenUri ?? GOOGLE_TOKEN_URL, ctx, file));
    credential = {type: 'authorized_user', account, refreshToken, clientId, clientSecret, ...(tokenUri ? {tokenUri} : {}), addedAt: now};
  } else {
    throw new UsageError(`Credential file [${file}] is of type [${String(data?.type)}]; auth login --cred-file takes authorized_user or service_account files.`);
  }
  if (options.account && options.account !== credential.account) {
    throw new UsageError(`The account [${options.account}] does not match the credential file's account [${credential.account}]. Omit ACCOUNT, or pass the file for that account.`);
  }
  if (!options.force && (await ctx.store.get(credential.account)) && !(await replaceStored(credential.account, ctx))) {
    return finish(credential.account, credential.type === 'service_account' ? 'service_account' : 'user', true, options, ctx);
  }
  await ctx.store.put(credential);
  await ctx.cache.removeAccount(credential.account);
  return finish(credential.account, credential.type === 'service_account' ? 'service_account' : 'user', false, options, ctx, credential);
}

/**
 * The verified account of a refresh token that names none (gcloud's ADC files carry `"account": ""`): one refresh,
 * whose id token is checked like a login's.
 * @throws UsageError when the refresh brings no id token (pass ACCOUNT); AuthError when the token is refused or does not verify.
 */
async function identifyRefreshToken(
  user: {clientId: string; clientSecret: string; refreshToken: string},
  tokenUrl: string,
  ctx: AppContext,
  file: string,
): Promise<string> {
  const [{UserRefreshClient}, transporter] = await Promise.all([
    import('google-auth-library'),
    createTransporter({tokenUrl, log: ctx.log, timeoutMs: REQUEST_TIMEOUT_MS}),
  ]);
  const client = new UserRefreshClient({clientId: user.clientId, clientSecret: user.clientSecret, refreshToken: user.refreshToken, transporter});
  try {
    await client.getAccessToken();
  } catch (error) {
    const failure = toTokenEndpointError(error, tokenUrl);
    if (failure.details.oauthError) throw new AuthError(`The token endpoint refused the refresh token in [${file}] (${failure.message}).`, {cause: failure});
    throw new ApiError(`Could not check the refresh token in [${file}] at ${tokenUrl}: ${failure.message}.`, {cause: failure});
  }
  const idToken = client.credentials.id_token;
  if (!idToken) throw new UsageError(`Credential file [${file}] does not name its account: pass it, as in gcauth auth login ACCOUNT --cred-file=${file}.`);
  return verifyIdTokenEmail(idToken, {clientId: user.clientId, jwksUrl: jwksUrlFor(tokenUrl)});
}
