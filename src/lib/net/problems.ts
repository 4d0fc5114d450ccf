/**
 * A request that failed because of the network in between (a proxy that refuses, a certificate that is not trusted)
 * is worded here once, naming the proxy (never its password) and the property to fix; the token and API error
 * mappers embed the message.
 */
import {classifyNetworkFailure} from '../auth/tokens/retry.js';
import type {ProxyRoute} from './settings.js';

/** A request failed at a proxy or a TLS check: its message says which, and which setting to look at. Never retried. */
export class NetworkProblem extends Error {
  readonly code = 'ENETWORKSETUP';

  constructor(
    message: string,
    /** The URL the request was for. */
    readonly url: string,
    options?: {cause?: unknown},
  ) {
    super(message, options);
    this.name = 'NetworkProblem';
  }
}

// Node's names for a certificate the client does not trust (tls's X509 verify codes).
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

// A connection to the proxy itself that failed, or an answer that was no proxy's.
const PROXY_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'could not be found (its host name does not resolve)',
  EAI_AGAIN: 'could not be found (its host name does not resolve)',
  EHOSTUNREACH: 'could not be reached',
  ENETUNREACH: 'could not be reached',
  ECONNRESET: 'closed the connection',
  EPIPE: 'closed the connection',
};

interface Answer {
  status?: number;
  headers?: {get?(name: string): string | null} | Record<string, string>;
}

interface Failure extends Answer {
  code?: string;
  message?: string;
  response?: Answer;
  cause?: Failure;
}

const header = (answer: Answer | undefined, name: string): string => {
  const headers = answer?.headers;
  if (!headers) return '';
  return (typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, string>)[name]) ?? '';
};

/**
 * A proxy's refusal of its credentials: 407, or the 401 with a Basic challenge and no JSON that tinyproxy answers
 * wrong credentials with (Google's APIs and token endpoint answer 401 in JSON, with a Bearer challenge).
 */
function proxyAuthRefused(answer: Answer | undefined): boolean {
  if (answer?.status === 407) return true;
  return answer?.status === 401 && /^basic\b/i.test(header(answer, 'www-authenticate')) && !/json/i.test(header(answer, 'content-type'));
}

/** The first code in an error's cause chain (gaxios wraps node-fetch's error, which wraps Node's). */
function codeOf(error: Failure | undefined): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) if (e.code && typeof e.code === 'string') return e.code;
  return undefined;
}

/**
 * The agent's own words for a failure: the innermost message of the chain, less the `request to URL failed, reason: `
 * node-fetch puts before it (node-fetch keeps the agent's code but not its error).
 */
function innermostMessage(error: Failure | undefined): string | undefined {
  let message: string | undefined;
  for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) if (e.message) message = e.message;
  return message === undefined ? undefined : (/^request to \S+ failed, reason: (.*)$/s.exec(message)?.[1] ?? message);
}

/**
 * The NetworkProblem a failed request to url amounts to, or undefined when the failure is the server's own (an HTTP
 * answer other than 407, a timeout) and the caller's usual wording applies.
 */
export function networkProblem(error: unknown, url: URL, route: ProxyRoute | undefined, tls: {caFile?: string}): NetworkProblem | undefined {
  const e = error as Failure | undefined;
  const status = e?.response?.status ?? e?.status;
  const code = codeOf(e);
  if (code && UNTRUSTED.has(code)) {
    const why = innermostMessage(e) ?? code;
    const trust = tls.caFile
      ? `neither the system's CAs nor core/custom_ca_certs_file [${tls.caFile}] trust it`
      : 'trust the CA that signed it with core/custom_ca_certs_file';
    return new NetworkProblem(`the certificate of ${url.host} is not trusted (${why.replace(/\.$/, '')}): ${trust}`, url.href, {cause: error});
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new NetworkProblem(`the certificate of ${url.host} is not valid for it (${code})`, url.href, {cause: error});
  }
  if (!route) return undefined;
  const proxy = `the proxy ${route.shown} (${route.setBy})`;
  if (proxyAuthRefused(e?.response ?? e)) {
    const fix = route.credentialsSetBy ? `check ${route.credentialsSetBy}` : 'set proxy/username and proxy/password';
    const what = route.credentialsSetBy ? 'refused its credentials' : 'asks for credentials';
    return new NetworkProblem(`${proxy} ${what} (HTTP ${status}): ${fix}`, url.href, {cause: error});
  }
  if (status !== undefined) return undefined;
  if (classifyNetworkFailure(error).timedOut) {
    return new NetworkProblem(`no answer in time through ${proxy}: check that it runs and that proxy/type is right`, url.href, {cause: error});
  }
  // The socks client words a failed connection to the proxy without a code: `connect ECONNREFUSED 127.0.0.1:1080`.
  const connectCode = code ?? /^connect (E[A-Z]+)\b/.exec(innermostMessage(e) ?? '')?.[1];
  if (connectCode && PROXY_FAILURES[connectCode]) return new NetworkProblem(`${proxy} ${PROXY_FAILURES[connectCode]}`, url.href, {cause: error});
  // The innermost message is the agent's own (node-fetch prefixes "request to URL failed, reason: ").
  const reason = (innermostMessage(e) ?? code ?? 'no answer').replace(/\.$/, '');
  const credentials = /auth/i.test(reason) && /socks/i.test(reason);
  const fix = credentials ? (route.credentialsSetBy ? `check ${route.credentialsSetBy}` : 'set proxy/username and proxy/password') : 'check that proxy/type is right';
  return new NetworkProblem(`${proxy} failed: ${reason}; ${fix}`, url.href, {cause: error});
}
