/**
 * Registry hosts as clients send them and as users type them. Docker passes the bare `host[:port]` of an
 * image reference; `docker login` URLs, gcloud-era `list` keys and other clients add a scheme, a path or a
 * trailing newline. Everything is reduced to `host[:port]` in lower case before any decision is made.
 */

/**
 * The registry host (`host[:port]`, lower case, IPv6 in brackets) of a server URL: lines joined and trimmed as
 * Docker's helpers read them, then the scheme and anything from the first `/`, `?` or `#` dropped.
 */
export function registryHost(serverUrl: string): string {
  const joined = serverUrl.replace(/[\r\n]/g, '').trim();
  const withoutScheme = joined.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return (withoutScheme.split(/[/?#]/, 1)[0] ?? '').toLowerCase();
}

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*\\.?$`);
const IPV6 = /^\[[0-9a-f:.]*:[0-9a-f:.]*\]$/;

/** Why `host[:port]` is not a registry host, or undefined when it is one. Takes a normalised host. */
export function registryHostProblem(host: string): string | undefined {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (!match) return 'expected HOST or HOST:PORT';
  const [, name, port] = match;
  if (!name || !(IPV6.test(name) || HOST_NAME.test(name))) return 'expected HOST or HOST:PORT';
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65_535)) return 'the port must be between 1 and 65535';
  // Docker reads the first part of an image name as a registry only when it has a dot or a port or is
  // localhost; `foo/app` is the Docker Hub user foo's image, so a host `foo` would never be asked for.
  if (port === undefined && !name.startsWith('[') && !name.replace(/\.$/, '').includes('.') && name !== 'localhost') {
    return `[${name}] has no dot and no port, so Docker never treats it as a registry (${name}/IMAGE is an image on Docker Hub); use HOST.DOMAIN, HOST:PORT, an IP address or localhost`;
  }
  return undefined;
}

/** The hosts of a comma-separated list (items trimmed and normalised, empty items and duplicates dropped). */
export function splitHostList(value: string): string[] {
  return [...new Set(value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean))];
}

/** Checks a `docker/registries` value: comma-separated bare `host[:port]` items. Returns the problem, if any. */
export function registryListProblem(value: string): string | undefined {
  for (const item of value.split(',').map((i) => i.trim())) {
    if (!item) continue;
    if (/[/@]/.test(item)) return `[${item}]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000`;
    const problem = registryHostProblem(item.toLowerCase());
    if (problem) return `[${item}]: ${problem}, e.g. 127.0.0.1:5000`;
  }
  return undefined;
}
