/**
 * The connection agents of a Network: loaded only when a request is about to be made (the proxy agents are
 * imported here, and only for the kind of proxy in use), never on a cached path.
 */
import type {Agent} from 'node:http';
import type {AgentOptions} from 'node:https';

import type {ProxyRoute} from './settings.js';

/** How HTTPS certificates are checked: extra CAs besides Node's roots, or not at all. */
export interface TlsChoice {
  /** PEM text of `core/custom_ca_certs_file`. */
  extraCa?: string;
  insecure: boolean;
}

async function tlsOptions(tls: TlsChoice): Promise<AgentOptions> {
  if (tls.insecure) return {rejectUnauthorized: false};
  if (!tls.extraCa) return {};
  const {rootCertificates} = await import('node:tls');
  return {ca: [...rootCertificates, tls.extraCa]};
}

/**
 * The agent for a request to url through route (undefined: direct) with tls. Always an explicit agent, so no library
 * underneath (gaxios reads process.env's proxies by itself) picks a proxy of its own.
 */
export async function createAgent(url: URL, route: ProxyRoute | undefined, tls: TlsChoice): Promise<Agent> {
  const secure = url.protocol === 'https:';
  // The TLS options reach the target's handshake: agent-base's agents pass their own options to it.
  const options = secure ? await tlsOptions(tls) : {};
  if (!route) {
    // node: modules imported here, not at the top: the bundler would hoist them onto the cached path.
    if (!secure) return (await import('node:http')).globalAgent;
    const https = await import('node:https');
    return Object.keys(options).length === 0 ? https.globalAgent : new https.Agent(options);
  }
  switch (route.kind) {
    case 'forward': {
      const {HttpProxyAgent} = await import('http-proxy-agent');
      return new HttpProxyAgent(route.url);
    }
    case 'tunnel': {
      const {HttpsProxyAgent} = await import('https-proxy-agent');
      return new HttpsProxyAgent(route.url, options);
    }
    case 'socks': {
      const {SocksProxyAgent} = await import('socks-proxy-agent');
      return new SocksProxyAgent(route.url, options);
    }
  }
}
