/**
 * The one home of "how does gcauth reach a URL": which proxy (gcloud's proxy/* properties, else the https_proxy /
 * http_proxy / all_proxy / no_proxy environment), which CAs (core/custom_ca_certs_file) and whether certificates
 * are checked at all (auth/disable_ssl_validation). Every request gcauth makes goes through a gaxios transporter
 * (auth/tokens/transport.ts) that asks this for its agent and for the words of a failure; the metadata server is the
 * one exception, reached by metadata.ts's own request and never through a proxy, as Google's libraries do.
 */
import type {Agent} from 'node:http';

import {GcauthError} from '../errors.js';
import {FileReadError, readRegularFile} from '../fs/read-file.js';
import {networkProblem, type NetworkProblem} from './problems.js';
import {networkSettings, type NetworkSettings, type ProxyRoute} from './settings.js';

/** core/custom_ca_certs_file names a file that cannot be read or holds no certificate. */
export class CaBundleError extends GcauthError {}

export interface Network {
  /**
   * The agent for a request to url: through its proxy, with its TLS choice. The first call reads the settings and
   * the CA bundle; agents are imported then, and only the one the route needs.
   * @throws UsageError for invalid or partial proxy settings; CaBundleError for an unreadable CA bundle.
   */
  agentFor(url: URL): Promise<Agent>;
  /** The proxy of url, or undefined when it is reached directly. @throws as agentFor. */
  route(url: URL): ProxyRoute | undefined;
  /** A failed request to url in words naming the proxy or the property to fix, or undefined when it is not the network's. */
  problem(error: unknown, url: URL): NetworkProblem | undefined;
}

type Props = {get(key: string): string | undefined};

/**
 * A Network over the invocation's properties and environment, read on first use (so an invalid proxy property fails
 * only a command that makes a request, and `config set` can still repair it). `warn` writes a status line on stderr.
 */
export function createNetwork(props: Props, env: Record<string, string | undefined>, warn: (line: string) => void): Network {
  let settings: NetworkSettings | undefined;
  let extraCa: string | undefined;
  const warned = new Set<string>();
  const resolved = (): NetworkSettings => {
    if (settings) return settings;
    const read = networkSettings(props, env);
    if (read.caFile && !read.insecure) extraCa = readCaBundle(read.caFile) + nodeExtraCerts(env);
    return (settings = read);
  };
  return {
    async agentFor(url) {
      const s = resolved();
      if (s.insecure && url.protocol === 'https:' && !warned.has(url.hostname)) {
        warned.add(url.hostname);
        // urllib3's InsecureRequestWarning, which gcloud shows under auth/disable_ssl_validation.
        warn(`WARNING: Unverified HTTPS request is being made to host '${url.hostname}'. Adding certificate verification is strongly advised (auth/disable_ssl_validation is set).`);
      }
      const {createAgent} = await import('./agents.js');
      return createAgent(url, s.route(url), {extraCa, insecure: s.insecure});
    },
    route: (url) => resolved().route(url),
    problem(error, url) {
      if (!settings) return undefined;
      return networkProblem(error, url, settings.route(url), {caFile: settings.caFile});
    },
  };
}

/**
 * The certificates of NODE_EXTRA_CA_CERTS, which Node adds to its roots by itself but which an explicit `ca` list (the
 * roots plus the custom bundle) would otherwise drop. Node warns about an unreadable one at start; so nothing here.
 */
function nodeExtraCerts(env: Record<string, string | undefined>): string {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return '';
  try {
    return `\n${readRegularFile(file)}`;
  } catch {
    return '';
  }
}

/** @throws CaBundleError naming the property and the file. */
function readCaBundle(file: string): string {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    const why = error instanceof FileReadError ? error.reason : (error as Error).message;
    throw new CaBundleError(`Cannot read the CA bundle core/custom_ca_certs_file [${file}]: ${why}.`, {cause: error});
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CaBundleError(`The CA bundle core/custom_ca_certs_file [${file}] holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return text;
}
