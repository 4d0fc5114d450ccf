/**
 * Which proxy a request goes through and how its TLS is checked, from gcloud's properties (`proxy/*`,
 * `core/custom_ca_certs_file`, `auth/disable_ssl_validation`) and, when no proxy property is set, the
 * `https_proxy` / `http_proxy` / `all_proxy` / `no_proxy` environment as curl and Python's requests read it. Pure:
 * nothing is loaded or read here, so the cached paths can hold a Network without paying for it.
 */
import {isTrue} from '../config/properties.js';
import {UsageError} from '../errors.js';
import type {ProxyType} from '../validators.js';

/** How a request reaches its proxy. */
export interface ProxyRoute {
  /**
   * `tunnel`: a CONNECT tunnel (https-proxy-agent); `forward`: the request itself, with its absolute URL, to an HTTP
   * proxy (http-proxy-agent; http:// URLs only); `socks`: a SOCKS4/5 connection (socks-proxy-agent).
   */
  kind: 'tunnel' | 'forward' | 'socks';
  /** The proxy's URL for the agent, credentials included: never shown. */
  url: string;
  /** The proxy as messages show it: scheme://[user@]host:port, never the password. */
  shown: string;
  /** What set it, for messages: the properties or the variable. */
  setBy: string;
  /** What set its credentials (for a refusal), when any were given. */
  credentialsSetBy?: string;
}

/** The network settings of one invocation. */
export interface NetworkSettings {
  /** The proxy a request to `url` goes through, or undefined for a direct connection. */
  route(url: URL): ProxyRoute | undefined;
  /** `core/custom_ca_certs_file`: a PEM bundle trusted besides Node's roots. */
  caFile?: string;
  /** `auth/disable_ssl_validation`: certificates are not checked. */
  insecure: boolean;
}

type Env = Record<string, string | undefined>;
type Props = {get(key: string): string | undefined};

const PROXY_PROPERTIES = ['proxy/type', 'proxy/address', 'proxy/port'] as const;
const SOCKS_SCHEMES: Record<string, string> = {socks4: 'socks4', socks4a: 'socks4a', socks5: 'socks5', socks5h: 'socks5h', socks: 'socks5h'};

/**
 * Reads the network settings. gcloud's rule: proxy/type, proxy/address and proxy/port are set together or not at all;
 * with them set, the environment's proxies are not read.
 * @throws UsageError for a partial proxy configuration or an invalid property or proxy variable.
 */
export function networkSettings(props: Props, env: Env): NetworkSettings {
  const [type, address, port] = PROXY_PROPERTIES.map((key) => props.get(key));
  const set = [type, address, port].filter(Boolean).length;
  if (set > 0 && set < 3) {
    throw new UsageError('Please set all or none of the following properties: proxy/type, proxy/address and proxy/port.');
  }
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  const chosen = set === 3 ? propertyRoutes(type as ProxyType, address!, port!, props) : environmentRoutes(env);
  return {
    route: (url) => (noProxyMatches(noProxy, url) ? undefined : chosen(url)),
    caFile: props.get('core/custom_ca_certs_file'),
    insecure: isTrue(props.get('auth/disable_ssl_validation')),
  };
}

function propertyRoutes(type: ProxyType, address: string, port: string, props: Props): (url: URL) => ProxyRoute | undefined {
  const username = props.get('proxy/username');
  const password = props.get('proxy/password');
  const rdns = isTrue(props.get('proxy/rdns') ?? 'true');
  const scheme = type === 'socks4' ? (rdns ? 'socks4a' : 'socks4') : type === 'socks5' ? (rdns ? 'socks5h' : 'socks5') : 'http';
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  const auth = username || password ? `${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@` : '';
  const route = (kind: ProxyRoute['kind']): ProxyRoute => ({
    kind,
    url: `${scheme}://${auth}${host}:${port}`,
    shown: `${scheme}://${username ? `${encodeURIComponent(username)}@` : ''}${host}:${port}`,
    setBy: 'proxy/type, proxy/address and proxy/port',
    credentialsSetBy: auth ? 'proxy/username and proxy/password' : undefined,
  });
  if (scheme !== 'http') return () => route('socks');
  // httplib2's two HTTP types: `http` tunnels every request; `http_no_tunnel` hands an http:// request to the proxy
  // as it is. For https:// both tunnel (gcloud: "For https requests, http_no_tunnel is equivalent to http").
  return (url) => route(type === 'http_no_tunnel' && url.protocol === 'http:' ? 'forward' : 'tunnel');
}

/**
 * `https_proxy` for https:// URLs, `http_proxy` for http:// ones, else `all_proxy` for both; the lower-case spelling
 * first, as curl and Python's requests read them.
 */
function environmentRoutes(env: Env): (url: URL) => ProxyRoute | undefined {
  return (url) => {
    const scheme = url.protocol.slice(0, -1);
    const names = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY'];
    const name = names.find((n) => env[n]);
    if (!name) return undefined;
    return environmentRoute(name, env[name]!, url);
  };
}

function environmentRoute(name: string, value: string, target: URL): ProxyRoute {
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new UsageError(`Invalid proxy in ${name}: expected [SCHEME://][USER:PASSWORD@]HOST:PORT.`);
  }
  const scheme = proxy.protocol.slice(0, -1).toLowerCase();
  const socks = SOCKS_SCHEMES[scheme];
  if (!socks && scheme !== 'http' && scheme !== 'https') {
    throw new UsageError(`Invalid proxy in ${name}: the scheme ${scheme}:// is not one of http, https, socks4, socks4a, socks5, socks5h.`);
  }
  const port = proxy.port || (socks ? '1080' : scheme === 'https' ? '443' : '80');
  const url = `${socks ?? scheme}://${proxy.username || proxy.password ? `${proxy.username}:${proxy.password}@` : ''}${proxy.hostname}:${port}`;
  return {
    kind: socks ? 'socks' : target.protocol === 'http:' ? 'forward' : 'tunnel',
    url,
    shown: `${socks ?? scheme}://${proxy.username ? `${proxy.username}@` : ''}${proxy.hostname}:${port}`,
    setBy: name,
    credentialsSetBy: proxy.username || proxy.password ? name : undefined,
  };
}

const DEFAULT_PORTS: Record<string, string> = {'http:': '80', 'https:': '443'};

/**
 * Whether `no_proxy` exempts a URL, as curl reads it: entries separated by commas (or spaces); `*` exempts
 * everything; a name exempts itself and its subdomains (a leading `.` or `*.` is ignored); an IP address exempts
 * itself, and an IPv4 `a.b.c.d/n` its range; `HOST:PORT` only that port.
 */
export function noProxyMatches(noProxy: string, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  const port = url.port || DEFAULT_PORTS[url.protocol] || '';
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      let entry = raw.toLowerCase();
      if (entry === '*') return true;
      let entryPort: string | undefined;
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      if (bracketed) [, entry, entryPort] = bracketed as unknown as [string, string, string | undefined];
      else if (/^[^:]+:\d+$/.test(entry)) [entry, entryPort] = entry.split(':') as [string, string];
      if (entryPort && entryPort !== port) return false;
      entry = entry.replace(/^\*?\./, '').replace(/\.$/, '');
      if (entry.includes('/')) return inIpv4Range(host, entry);
      // An IP address is matched whole: only names have subdomains.
      return host === entry || (!isIpLiteral(host) && host.endsWith(`.${entry}`));
    });
}

const isIpLiteral = (host: string) => host.includes(':') || ipv4(host) !== undefined;

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inIpv4Range(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const [address, network, bits] = [ipv4(host), ipv4(base!), Number(bitsText)];
  if (address === undefined || network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}
