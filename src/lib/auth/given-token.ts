/**
 * An access token handed to gcauth the way gcloud takes one, used as given by every command that needs a token: no
 * account is needed, nothing is refreshed and nothing is cached. gcloud's order (store.py `_Load`): the
 * CLOUDSDK_AUTH_ACCESS_TOKEN variable (gcauth's own GCAUTH_AUTH_ACCESS_TOKEN before it), else the file of
 * `auth/access_token_file` (`--access-token-file`, GCAUTH_AUTH_ACCESS_TOKEN_FILE, CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, the
 * configuration), else the account.
 */
import type {Properties} from '../config/resolver.js';
import {UsageError} from '../errors.js';
import {FileReadError, readRegularFile} from '../fs/read-file.js';

/** The variables that hand gcauth a token, first one set wins. */
export const ACCESS_TOKEN_VARIABLES = ['GCAUTH_AUTH_ACCESS_TOKEN', 'CLOUDSDK_AUTH_ACCESS_TOKEN'] as const;

export const ACCESS_TOKEN_FILE_PROPERTY = 'auth/access_token_file';

/** An OAuth access token is far shorter; a larger file is not one. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

export interface GivenToken {
  token: string;
  /**
   * Where it came from, in gcloud's words (they end its 401 message: `This command is authenticated with an access
   * token ${origin}.`): `from the CLOUDSDK_AUTH_ACCESS_TOKEN environment variable`, `from FILE specified by the
   * [auth/access_token_file] property`.
   */
  origin: string;
}

/**
 * The token handed to gcauth, or undefined when none is (then the account's own credential serves).
 * @throws UsageError for an unreadable or empty token file, or a token with white space inside it.
 */
export function givenAccessToken(ctx: {env: Record<string, string | undefined>; props: Pick<Properties, 'get'>}): GivenToken | undefined {
  for (const name of ACCESS_TOKEN_VARIABLES) {
    const value = ctx.env[name]?.trim();
    if (value) return checked(value, `from the ${name} environment variable`, name);
  }
  const file = ctx.props.get(ACCESS_TOKEN_FILE_PROPERTY);
  if (!file) return undefined;
  const where = `the access token file [${file}] (property ${ACCESS_TOKEN_FILE_PROPERTY})`;
  let text: string;
  try {
    text = readRegularFile(file, MAX_TOKEN_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new UsageError(`Cannot read ${where}: ${error.reason}.`, {cause: error});
  }
  const token = text.trim();
  if (!token) throw new UsageError(`${capitalized(where)} is empty: it must hold an access token and nothing else.`);
  return checked(token, `from ${file} specified by the [${ACCESS_TOKEN_FILE_PROPERTY}] property`, where);
}

// A bearer token is one word: anything else would be sent as a broken Authorization header.
function checked(token: string, origin: string, where: string): GivenToken {
  if (/\s/.test(token)) throw new UsageError(`${capitalized(where)} holds more than one word: it must hold an access token and nothing else.`);
  return {token, origin};
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
