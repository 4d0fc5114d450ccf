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

/** The hosts of a comma-separated list (items trimmed and normalised, empty items and duplicates dropped). */
export function splitHostList(value: string): string[] {
  return [...new Set(value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean))];
}
