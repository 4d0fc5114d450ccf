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
      const Tunnel = withTargetTls(HttpsProxyAgent, options, await import('node:tls'));
      return new Tunnel(route.url);
    }
    case 'socks': {
      const {SocksProxyAgent} = await import('socks-proxy-agent');
      const Socks = withTargetTls(SocksProxyAgent, options, await import('node:tls'));
      return new Socks(route.url);
    }
  }
}

type ConnectOptions = {host?: string; secureEndpoint?: boolean};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's mixin form
type ProxyAgentClass = new (...args: any[]) => Agent & {connect(req: unknown, opts: ConnectOptions): Promise<unknown>};

/**
 * The proxy agents start TLS with the target from the request's options alone: the agent's own CA and check options do
 * not reach that handshake, and an IP address target (which SNI cannot carry) is checked as `localhost`. This subclass
 * adds the TLS choice and checks the certificate against the host the request was for.
 */
function withTargetTls<C extends ProxyAgentClass>(Base: C, options: AgentOptions, tls: typeof import('node:tls')): C {
  return class extends Base {
    override connect(req: unknown, opts: ConnectOptions) {
      if (!opts.secureEndpoint || !opts.host) return super.connect(req, opts);
      const host = opts.host;
      return super.connect(req, {...opts, ...options, checkServerIdentity: (_name: string, cert: import('node:tls').PeerCertificate) => tls.checkServerIdentity(host, cert)} as ConnectOptions);
    }
  };
}
