import {randomBytes} from 'node:crypto';
import type {Context, Hono} from 'hono';
import {AUTH_PAGE_MESSAGES} from './google-errors.js';
import type {AuthCodeRecord} from './records.js';
import type {EmulatorState} from './state.js';

/** What the authorization endpoint needs from the server. */
export interface ConsentDeps {
  state: EmulatorState;
  now(): number;
}

/** Where the consent page is served (v2, and gcloud's default v1 path) and where its form posts. */
export const AUTH_PATHS = ['/o/oauth2/v2/auth', '/o/oauth2/auth'] as const;
export const DECISION_PATH = '/o/oauth2/v2/auth/decision';
/** Google's authorization codes live ten minutes; so does an unanswered consent page. */
export const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/**
 * gcloud's `--no-launch-browser` redirects: at Google, pages that show the code for pasting into gcloud. The
 * emulator is offline, so for these it shows the code on its own page (`#code`) instead of redirecting.
 */
export const MANUAL_COPY_REDIRECTS: ReadonlySet<string> = new Set([
  'https://sdk.cloud.google.com/authcode.html',
  'https://sdk.cloud.google.com/applicationdefaultauthcode.html',
]);
const OOB = /^urn:ietf:wg:oauth:2\.0:oob(:auto)?$/;
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const PROMPTS = new Set(['none', 'consent', 'select_account']);
const SHORT_SCOPES = new Set(['openid', 'email', 'profile']);
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** A validated authorization request waiting for the user's Allow or Deny. */
interface PendingRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  accessType: 'online' | 'offline';
  nonce?: string;
  loginHint?: string;
  expiresAt: number;
}

class AuthPageError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Pages that carry a one-time request id and a user choice must not be framed, cached or leak a referrer. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  // No form-action: browsers apply it to the redirect after the POST, which goes to the client's loopback port.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}label{display:block;margin:.4em 0}button{margin-right:1em}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function errorPage(c: Context, failure: AuthPageError): Response {
  const body = `<h1>Access blocked: authorization error</h1>
<p id="error">Error 400: ${escapeHtml(failure.error)}</p>
<p id="error-description">${escapeHtml(failure.message)}</p>`;
  return c.body(page('Error 400', body), 400, PAGE_HEADERS);
}

/** Accepts the loopback redirects Google allows for Desktop app clients; refuses everything else. */
function checkRedirectUri(uri: string): void {
  if (OOB.test(uri)) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.oob);
  if (MANUAL_COPY_REDIRECTS.has(uri)) return;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new AuthPageError('redirect_uri_mismatch', AUTH_PAGE_MESSAGES.badRedirectUri(uri));
  }
  if (parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname) || parsed.username || parsed.password || parsed.hash || uri.includes('#')) {
    throw new AuthPageError('redirect_uri_mismatch', AUTH_PAGE_MESSAGES.badRedirectUri(uri));
  }
}

/** Validates an authorization request in Google's order of complaints. Throws AuthPageError. */
function validate(params: URLSearchParams, nowMs: number): PendingRequest & {prompt: Set<string>} {
  const get = (name: string) => {
    const value = params.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const clientId = get('client_id');
  if (!clientId) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.missing('client_id'));
  const redirectUri = get('redirect_uri');
  if (!redirectUri) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.missing('redirect_uri'));
  checkRedirectUri(redirectUri);

  const responseType = get('response_type');
  if (!responseType) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.missing('response_type'));
  if (responseType !== 'code') throw new AuthPageError('unsupported_response_type', AUTH_PAGE_MESSAGES.responseType(responseType));

  const scope = get('scope');
  if (!scope) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.missing('scope'));
  const scopes = [...new Set(scope.trim().split(/\s+/))];
  const badScopes = scopes.filter((s) => !SHORT_SCOPES.has(s) && !(s.startsWith(SCOPE_PREFIX) && s.length > SCOPE_PREFIX.length));
  if (badScopes.length > 0) throw new AuthPageError('invalid_scope', AUTH_PAGE_MESSAGES.scope(badScopes));

  const codeChallenge = get('code_challenge');
  const method = get('code_challenge_method');
  if (method !== undefined && method !== 'S256' && method !== 'plain') throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.challengeMethod(method));
  if (method !== undefined && codeChallenge === undefined) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.missing('code_challenge'));
  if (codeChallenge !== undefined && !PKCE_VALUE.test(codeChallenge)) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.challenge);

  const accessType = get('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.accessType(accessType));

  const prompt = new Set((get('prompt') ?? '').split(/\s+/).filter(Boolean));
  for (const p of prompt) if (!PROMPTS.has(p)) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.prompt(p));
  if (prompt.has('none') && prompt.size > 1) throw new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.prompt([...prompt].join(' ')));

  const request: PendingRequest & {prompt: Set<string>} = {clientId, redirectUri, scopes, accessType, prompt, expiresAt: nowMs + AUTH_CODE_LIFETIME_MS};
  const state = params.get('state');
  if (state !== null) request.state = state;
  if (codeChallenge !== undefined) {
    request.codeChallenge = codeChallenge;
    // RFC 7636: a challenge without a method is plain. Google accepts plain too; clients should send S256.
    request.codeChallengeMethod = method === 'S256' ? 'S256' : 'plain';
  }
  const nonce = get('nonce');
  if (nonce !== undefined) request.nonce = nonce;
  const loginHint = get('login_hint');
  if (loginHint !== undefined) request.loginHint = loginHint;
  return request;
}

/** `redirectUri` with `extra` appended to its query (its own query is kept, as Google keeps it). */
function redirectTo(redirectUri: string, extra: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) url.searchParams.append(k, v);
  return url.toString();
}

function consentPage(id: string, request: PendingRequest, users: string[]): string {
  const chosen = request.loginHint !== undefined && users.includes(request.loginHint) ? request.loginHint : users[0];
  const radios = users
    .map((email, i) => {
      const e = escapeHtml(email);
      return `<label for="user-${i}"><input type="radio" name="user" id="user-${i}" value="${e}" data-user="${e}"${email === chosen ? ' checked' : ''}> ${e}</label>`;
    })
    .join('\n');
  const scopes = request.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n');
  return page(
    'Sign in - gcauth emulator',
    `<h1>Sign in to continue</h1>
<p>The application <code id="client-id">${escapeHtml(request.clientId)}</code> wants to access your emulated Google account.</p>
<form method="post" action="${DECISION_PATH}">
<input type="hidden" name="request" value="${escapeHtml(id)}">
<fieldset id="users"><legend>Choose an account</legend>
${radios}
</fieldset>
<p>It asks for:</p>
<ul id="scopes">
${scopes}
</ul>
<p>It will be sent back to <code id="redirect-uri">${escapeHtml(request.redirectUri)}</code>.</p>
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** Registers the authorization endpoint (consent page) and the consent form's decision endpoint. */
export function registerConsentRoutes(app: Hono, deps: ConsentDeps): void {
  const pending = new Map<string, PendingRequest>();
  const prune = () => {
    const now = deps.now();
    for (const [id, r] of pending) if (r.expiresAt <= now) pending.delete(id);
    deps.state.pruneAuthCodes();
  };

  const authorize = (c: Context) => {
    prune();
    let request: PendingRequest & {prompt: Set<string>};
    try {
      request = validate(new URL(c.req.url).searchParams, deps.now());
    } catch (error) {
      if (error instanceof AuthPageError) return errorPage(c, error);
      throw error;
    }
    // The emulator keeps no browser session, so a request that forbids any page cannot succeed.
    if (request.prompt.has('none')) {
      return c.redirect(redirectTo(request.redirectUri, {error: 'interaction_required', state: request.state}), 302);
    }
    const {prompt: _prompt, ...rest} = request;
    const id = randomBytes(24).toString('base64url');
    pending.set(id, rest);
    return c.body(consentPage(id, rest, deps.state.userEmails()), 200, PAGE_HEADERS);
  };
  for (const path of AUTH_PATHS) app.get(path, authorize);

  app.post(DECISION_PATH, async (c) => {
    prune();
    const form = new URLSearchParams(await c.req.text());
    const id = form.get('request') ?? '';
    const request = pending.get(id);
    // Each page answers once: a replayed or forged form gets the error page, never a redirect.
    if (!request) return errorPage(c, new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.expiredRequest));
    pending.delete(id);
    const manual = MANUAL_COPY_REDIRECTS.has(request.redirectUri);
    if (form.get('decision') !== 'allow') {
      if (manual) return c.body(page('Access denied', '<h1>Access denied</h1>\n<p id="error">access_denied</p>'), 200, PAGE_HEADERS);
      return c.redirect(redirectTo(request.redirectUri, {error: 'access_denied', state: request.state}), 302);
    }
    const email = form.get('user') ?? '';
    if (!deps.state.user(email)) return errorPage(c, new AuthPageError('invalid_request', AUTH_PAGE_MESSAGES.unknownUser(email)));
    const code = `4/0${randomBytes(32).toString('base64url')}`;
    const record: AuthCodeRecord = {
      email,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      accessType: request.accessType,
      expiresAt: deps.now() + AUTH_CODE_LIFETIME_MS,
      used: false,
    };
    if (request.codeChallenge !== undefined) {
      record.codeChallenge = request.codeChallenge;
      record.codeChallengeMethod = request.codeChallengeMethod ?? 'plain';
    }
    if (request.nonce !== undefined) record.nonce = request.nonce;
    deps.state.addAuthCode(code, record);
    if (manual) {
      const body = `<h1>Sign in to continue</h1>\n<p>Copy this code and paste it where you were asked for it:</p>\n<p><code id="code">${escapeHtml(code)}</code></p>`;
      return c.body(page('Authorization code', body), 200, PAGE_HEADERS);
    }
    return c.redirect(redirectTo(request.redirectUri, {state: request.state, code, scope: request.scopes.join(' ')}), 302);
  });
}
