/**
 * Reading `docker/token_source`: the sources docker-credential-gcauth tries, in the order given. The names and the
 * rule of the value live in validators.ts, which the property table reads without loading any of docker/.
 */
import {isTokenSourceName, type TokenSourceName} from '../validators.js';

export {DEFAULT_TOKEN_SOURCES, TOKEN_SOURCE_NAMES, type TokenSourceName} from '../validators.js';

/** The sources a valid `docker/token_source` value lists, in order (validate it first: unknown items are dropped). */
export function parseTokenSources(value: string): TokenSourceName[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(isTokenSourceName);
}

/** The canonical spelling of a valid list: items trimmed, joined by commas. */
export const formatTokenSources = (value: string): string => parseTokenSources(value).join(',');
