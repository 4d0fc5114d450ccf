/**
 * The names `docker/token_source` may list: the sources docker-credential-gcauth tries, in the order given. Kept
 * apart from the sources themselves (helper.ts) so the property table can validate values without loading them.
 */

/** Every token source, in the default order: the active gcauth account, then ADC (a file), then the metadata server. */
export const TOKEN_SOURCE_NAMES = ['gcauth', 'adc', 'metadata'] as const;

export type TokenSourceName = (typeof TOKEN_SOURCE_NAMES)[number];

/** The default of `docker/token_source`. */
export const DEFAULT_TOKEN_SOURCES = TOKEN_SOURCE_NAMES.join(',');

const isName = (item: string): item is TokenSourceName => (TOKEN_SOURCE_NAMES as readonly string[]).includes(item);

/** The problem with a `docker/token_source` value (a comma-separated list, spaces allowed around items), or undefined. */
export function tokenSourceListProblem(value: string): string | undefined {
  const expected = `expected a comma-separated list of ${TOKEN_SOURCE_NAMES.join(', ')}, in the order to try them`;
  const items = value.split(',').map((item) => item.trim());
  if (items.every((item) => item === '')) return `the list is empty; ${expected}`;
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') return `an item is empty; ${expected}`;
    if (!isName(item)) return `unknown token source [${item}]; ${expected}`;
    if (seen.has(item)) return `[${item}] is listed twice; ${expected}`;
    seen.add(item);
  }
  return undefined;
}

/** The sources a valid `docker/token_source` value lists, in order (validate it first: unknown items are dropped). */
export function parseTokenSources(value: string): TokenSourceName[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(isName);
}

/** The canonical spelling of a valid list: items trimmed, joined by commas. */
export const formatTokenSources = (value: string): string => parseTokenSources(value).join(',');
