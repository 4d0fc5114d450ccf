import type {gaxios} from 'google-auth-library';

import type {Logger} from '../../log.js';
import type {Network} from '../../net/network.js';
import {redactText, redactValue} from '../../redact.js';

/** google-auth-library posts service-account assertions here, whatever the key file says. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface TransportOptions {
  /** Where token requests really go (`auth/token_host`, or the key's token_uri). */
  tokenUrl: string;
  log: Logger;
  /** Each request is aborted after this long. */
  timeoutMs: number;
  /** Which proxy and CAs each request uses (ctx.network). */
  network: Network;
  /** URLs whose answers are secrets whatever their shape (an external account's subject-token source): logged as [REDACTED]. */
  secretResponseUrls?: string[];
}

const describeBody = (data: unknown): string => {
  if (data === undefined || data === null) return '';
  if (data instanceof URLSearchParams || typeof data === 'string') return redactText(String(data));
  return JSON.stringify(redactValue(data));
};

/**
 * A gaxios transporter for google-auth-library and the API clients: it redirects Google's
 * hard-coded token URL to `tokenUrl`, sends each request through the agent `network` gives its URL
 * (proxy, CAs), words a proxy's or a certificate's refusal (NetworkProblem), leaves retries to
 * gcauth's own policy, bounds each request in time and logs every exchange (redacted) at debug verbosity.
 * @throws UsageError for invalid proxy settings; CaBundleError for an unreadable CA bundle (before any request).
 */
export async function createTransporter(options: TransportOptions): Promise<gaxios.Gaxios> {
  const tokenUrl = new URL(options.tokenUrl);
  // Settings are read (and the CA bundle loaded) now, so their errors reach the user as they are, not as a failed request.
  options.network.route(tokenUrl);
  // google-auth-library's own copy of gaxios, so one gaxios is loaded, not two.
  const {gaxios: lib} = await import('google-auth-library');
  const transporter = new lib.Gaxios();
  const secret = (url: unknown) => (options.secretResponseUrls ?? []).some((prefix) => String(url ?? '').startsWith(prefix));
  const bodyOf = (url: unknown, data: unknown) => (secret(url) && data !== undefined && data !== null && data !== '' ? '[REDACTED]' : describeBody(data));
  transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url.href === GOOGLE_TOKEN_URL) config.url = tokenUrl;
      config.retry = false;
      config.retryConfig = undefined;
      // Always an explicit agent: gaxios would otherwise pick a proxy from process.env on its own.
      config.agent = await options.network.agentFor(config.url);
      // gaxios turns `timeout` into a signal before interceptors run, so set the signal itself.
      const timeout = AbortSignal.timeout(options.timeoutMs);
      config.signal = config.signal ? AbortSignal.any([config.signal, timeout]) : timeout;
      options.log.debug(`--> ${config.method ?? 'GET'} ${redactText(config.url.href)} ${describeBody(config.data)}`.trimEnd());
      return config;
    },
  });
  transporter.interceptors.response.add({
    resolved: async (response) => {
      options.log.debug(`<-- ${response.status} ${redactText(response.config.url.href)} ${bodyOf(response.config.url.href, response.data)}`.trimEnd());
      // A proxy's refusal reaches callers that accept any status (validateStatus) as an answer: it is none.
      const problem = response.status === 407 || response.status === 401 ? options.network.problem(response, response.config.url) : undefined;
      if (problem) throw problem;
      return response;
    },
    rejected: async (error: {status?: number; response?: {status: number; data: unknown}; config?: {url?: URL}; message?: string}) => {
      const status = error.response?.status ?? error.status ?? 'error';
      options.log.debug(`<-- ${status} ${redactText(String(error.config?.url ?? ''))} ${bodyOf(error.config?.url, error.response?.data ?? error.message)}`.trimEnd());
      throw (error.config?.url && options.network.problem(error, new URL(error.config.url))) || error;
    },
  });
  return transporter;
}
