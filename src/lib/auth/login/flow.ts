/**
 * The installed-app OAuth flow (RFC 8252) with every outside effect injected, so that it can be tested
 * piece by piece: a loopback redirect on 127.0.0.1, PKCE S256, a random `state`, a timeout, and the
 * account taken from the verified id token. `auth login` and `auth application-default login` share it.
 */
import {createHash, randomBytes} from 'node:crypto';

import {AuthError, CancelledError, GcauthError} from '../../errors.js';
import type {OAuthClientConfig} from './oauth-client.js';
import {type AuthorizationResponse, startLoopbackServer} from './loopback.js';

/** What the token endpoint gave for an authorization code. */
export interface CodeGrant {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** ms since the epoch. */
  expiry: number;
}

/** A finished login: the verified account and its tokens. */
export interface UserGrant {
  account: string;
  refreshToken: string;
  accessToken: string;
  expiry: number;
}

export interface LoginFlowOptions {
  client: OAuthClientConfig;
  scopes: string[];
  /** The authorization page (`auth/auth_host`). */
  authUrl: string;
  /** Open a browser on this machine; otherwise print the URL and read the pasted answer. */
  launchBrowser: boolean;
  timeoutMs: number;
  /** A fixed loopback port; default any free one. */
  port?: number;
  /** The account the user asked for: sent as login_hint and required of the id token. */
  expectedAccount?: string;
}

export interface LoginFlowDeps {
  /** Starts a browser on url. @throws when no browser can be started. */
  openBrowser(url: string): Promise<void>;
  /** Reads the pasted code or redirect URL; the signal withdraws the question once the redirect arrived. */
  readPasted(message: string, signal: AbortSignal): Promise<string>;
  /** Trades the code at the token endpoint. @throws AuthError when it is refused. */
  exchangeCode(request: {code: string; codeVerifier: string; redirectUri: string; client: OAuthClientConfig}): Promise<CodeGrant>;
  /** The verified email of an id token. @throws AuthError. */
  verifyIdToken(idToken: string, clientId: string): Promise<string>;
  /** A status line on stderr. */
  status(text: string): void;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** A PKCE pair (RFC 7636): an 86-character random verifier and its S256 challenge. */
export function createPkce(): {verifier: string; challenge: string} {
  const verifier = base64url(randomBytes(64));
  return {verifier, challenge: base64url(createHash('sha256').update(verifier).digest())};
}

/** An unguessable `state` tying the redirect to this login (CSRF). */
export const createState = () => base64url(randomBytes(24));

/** The authorization URL of one login. */
export function authorizationUrl(options: Pick<LoginFlowOptions, 'authUrl' | 'client' | 'scopes' | 'expectedAccount'>, redirectUri: string, state: string, challenge: string): string {
  const url = new URL(options.authUrl);
  const params: Record<string, string> = {
    client_id: options.client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: options.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    access_type: 'offline',
    // Google issues a refresh token again only when the user consents again.
    prompt: 'consent',
  };
  if (options.expectedAccount) params.login_hint = options.expectedAccount;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * Reads what the user pasted: the whole redirect URL (its state is checked) or a bare code (the PKCE
 * verifier still binds it to this login: a code issued to anyone else's request cannot be exchanged).
 * @throws AuthError for input that is neither.
 */
export function parsePasted(text: string): AuthorizationResponse & {bare: boolean} {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    const q = new URL(trimmed).searchParams;
    const response = {code: q.get('code') ?? undefined, state: q.get('state') ?? undefined, error: q.get('error') ?? undefined, bare: false};
    if (!response.code && !response.error) throw new AuthError('The pasted address has no code: paste the whole address the browser was sent to (with ?state=...&code=...), or just the code.');
    return response;
  }
  if (!/^[\w./~+-]+$/.test(trimmed)) throw new AuthError('That is not an authorization code: paste the whole address the browser was sent to, or just the value of its code parameter.');
  return {code: trimmed, bare: true};
}

/**
 * Runs one login: loopback listener, authorization URL (browser or printed), the redirect or pasted answer
 * checked against `state`, the code exchanged with the PKCE verifier, the account read from the verified
 * id token. The browser is answered with the real outcome. Nothing is stored here.
 * @throws AuthError for a denial, a state mismatch, a refused code, a bad id token, a wrong account or a timeout;
 *   UsageError when a requested port is in use.
 */
export async function runLoginFlow(options: LoginFlowOptions, deps: LoginFlowDeps): Promise<UserGrant> {
  const pkce = createPkce();
  const state = createState();
  const server = await startLoopbackServer({port: options.port});
  const url = authorizationUrl(options, server.redirectUri, state, pkce.challenge);
  const withdraw = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onInterrupt: (() => void) | undefined;
  let finishBrowser: ((outcome: {ok: boolean; message: string}) => void) | undefined;
  try {
    const answers: Array<Promise<AuthorizationResponse & {bare?: boolean}>> = [
      server.redirect.then((pending) => {
        finishBrowser = pending.finish;
        return pending.response;
      }),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new AuthError(`No answer from the browser within ${Math.round(options.timeoutMs / 1000)} s: run the login again. Nothing was stored.`)),
          options.timeoutMs,
        );
      }),
      // Ctrl-C while waiting for the browser ends like Ctrl-C at a prompt: `ERROR: Cancelled.`, exit 130,
      // the loopback listener closed, rather than death by the signal.
      new Promise((_resolve, reject) => {
        onInterrupt = () => reject(new CancelledError('Cancelled.'));
        process.once('SIGINT', onInterrupt);
      }),
    ];
    // An answer that fails before the race below starts (Ctrl-C while the browser opens) is not unhandled.
    for (const answer of answers) answer.catch(() => undefined);
    // optional: beside a redirect that may still come, where a closed stdin must not end the login.
    const acceptPasted = (optional = false) => {
      const question = `Once finished, paste the address your browser was sent to (${server.redirectUri}?state=...), or just its code:`;
      answers.push(
        deps.readPasted(question, withdraw.signal).then(
          (text) => parsePasted(text),
          (error: unknown) => {
            // Withdrawn because the redirect won: that answer is the one that counts.
            if (withdraw.signal.aborted || optional) return new Promise<never>(() => undefined);
            throw error;
          },
        ),
      );
    };
    if (options.launchBrowser) {
      deps.status(`Your browser has been opened to visit:\n\n    ${url}\n`);
      try {
        await deps.openBrowser(url);
      } catch (error) {
        // Opened by hand on this machine, the redirect still arrives; from another machine, the answer is pasted.
        deps.status(`WARNING: Could not open a browser (${(error as Error).message}). Open the address above yourself.`);
        acceptPasted(true);
      }
    } else {
      deps.status(`Go to the following link in your browser, and complete the sign-in prompts:\n\n    ${url}\n`);
      acceptPasted();
    }
    const response = await Promise.race(answers);
    withdraw.abort();
    clearTimeout(timer);
    const grant = await completeLogin(response, {state, verifier: pkce.verifier, redirectUri: server.redirectUri}, options, deps);
    finishBrowser?.({ok: true, message: `gcauth is now signed in as ${grant.account}.`});
    return grant;
  } catch (error) {
    finishBrowser?.({ok: false, message: error instanceof GcauthError ? error.message : 'gcauth could not complete the sign-in; see the terminal.'});
    throw error;
  } finally {
    withdraw.abort();
    clearTimeout(timer);
    if (onInterrupt) process.removeListener('SIGINT', onInterrupt);
    await server.close();
  }
}

async function completeLogin(
  response: AuthorizationResponse & {bare?: boolean},
  session: {state: string; verifier: string; redirectUri: string},
  options: LoginFlowOptions,
  deps: LoginFlowDeps,
): Promise<UserGrant> {
  if (response.error === 'access_denied') throw new AuthError('Access was denied in the browser (access_denied). Nothing was stored.');
  if (response.error) {
    throw new AuthError(`The authorization server refused the login (${response.error}${response.errorDescription ? `: ${response.errorDescription}` : ''}). Nothing was stored.`);
  }
  // A bare pasted code carries no state; every redirect must carry exactly this login's.
  if (!response.bare && response.state !== session.state) {
    throw new AuthError("The answer's state does not match this login: it may be forged or from another login. Refused; nothing was stored.");
  }
  if (!response.code) throw new AuthError('The answer carries no authorization code. Nothing was stored.');
  const grant = await deps.exchangeCode({code: response.code, codeVerifier: session.verifier, redirectUri: session.redirectUri, client: options.client});
  if (!grant.idToken) throw new AuthError('The token endpoint sent no id token, so the account cannot be verified (was the openid scope granted?). Nothing was stored.');
  const account = await deps.verifyIdToken(grant.idToken, options.client.clientId);
  // Email addresses are matched without regard to case, as Google matches them.
  if (options.expectedAccount && account.toLowerCase() !== options.expectedAccount.toLowerCase()) {
    throw new AuthError(`You signed in as [${account}], not [${options.expectedAccount}] as asked. Nothing was stored; run the login again and choose [${options.expectedAccount}], or omit ACCOUNT.`);
  }
  if (!grant.refreshToken) {
    throw new AuthError('The token endpoint sent no refresh token. Remove gcauth\'s access at https://myaccount.google.com/permissions and log in again. Nothing was stored.');
  }
  return {account, refreshToken: grant.refreshToken, accessToken: grant.accessToken, expiry: grant.expiry};
}
