/**
 * Docker's credential-helper protocol (docker/docker-credential-helpers `credentials.Serve`), independent of
 * where credentials come from: argv[0] is the action, input comes on stdin, answers and errors go to stdout,
 * failures exit 1. Docker and other clients read only stdout; the helper's stderr reaches the user's terminal.
 */
import {redactText} from '../redact.js';

/** The exact answer for "no credentials here": clients then go on anonymously. Any other error aborts them. */
export const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';

/** Nothing to offer for this server: answered with exactly NOT_FOUND_MESSAGE. */
export class CredentialsNotFoundError extends Error {
  /** An optional line for the user's terminal (stderr), which the client does not read. */
  readonly note?: string;

  constructor(note?: string) {
    super(NOT_FOUND_MESSAGE);
    this.name = 'CredentialsNotFoundError';
    this.note = note;
  }
}

/** Credentials for one server. */
export interface HelperCredentials {
  username: string;
  secret: string;
}

/** Where the helper's answers come from. */
export interface HelperBackend {
  /** @throws CredentialsNotFoundError when the server is not served; anything else is reported as an error. */
  get(serverUrl: string): Promise<HelperCredentials>;
  /** Server URL → username of every server the helper serves. */
  list(): Promise<Record<string, string>>;
  /** Docker calls `store` after `docker login` on a helper-managed host; gcauth keeps no passwords. */
  store?(credentials: {ServerURL?: string; Username?: string}): Promise<void>;
  erase?(serverUrl: string): Promise<void>;
}

export interface HelperIO {
  /** All of stdin. */
  readInput(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface HelperIdentity {
  /** The executable's name, e.g. `docker-credential-gcauth`. */
  name: string;
  /** Its package, shown by `version` as `<name> (<package>) <version>`. */
  packageName: string;
  /** Read only when `version` is asked for. */
  version: () => string;
}

/** The usage line Docker's helpers print. */
export const usageLine = (name: string) => `Usage: ${name} <store|get|erase|list|version>\n`;

/**
 * Runs one helper invocation and returns its exit code: 0, or 1 with the error (or NOT_FOUND_MESSAGE) on stdout.
 * Never throws.
 */
export async function serveCredentialHelper(argv: string[], io: HelperIO, backend: HelperBackend, identity: HelperIdentity): Promise<number> {
  if (argv.length !== 1) {
    io.stdout(usageLine(identity.name));
    return 1;
  }
  const action = argv[0]!;
  try {
    switch (action) {
      case '--help':
      case '-h':
        io.stdout(usageLine(identity.name));
        return 0;
      case 'version':
      case '--version':
      case '-v':
        io.stdout(`${identity.name} (${identity.packageName}) ${identity.version()}\n`);
        return 0;
      case 'get': {
        const serverUrl = (await io.readInput()).replace(/[\r\n]/g, '').trim();
        if (!serverUrl) throw new Error('no credentials server URL');
        const {username, secret} = await backend.get(serverUrl);
        io.stdout(`${JSON.stringify({ServerURL: serverUrl, Username: username, Secret: secret})}\n`);
        return 0;
      }
      case 'store': {
        const text = await io.readInput();
        await backend.store?.(parseStoreInput(text));
        return 0;
      }
      case 'erase': {
        const serverUrl = (await io.readInput()).replace(/[\r\n]/g, '').trim();
        await backend.erase?.(serverUrl);
        return 0;
      }
      case 'list':
        await io.readInput();
        io.stdout(`${JSON.stringify(await backend.list())}\n`);
        return 0;
      default:
        throw new Error(`unknown credential action \`${action}\``);
    }
  } catch (error) {
    if (error instanceof CredentialsNotFoundError) {
      if (error.note) io.stderr(`${error.note}\n`);
      io.stdout(`${NOT_FOUND_MESSAGE}\n`);
      return 1;
    }
    io.stdout(`${errorLine(error, identity.name)}\n`);
    return 1;
  }
}

// store's input is Docker's JSON; gcauth keeps nothing, so anything unreadable is simply ignored.
function parseStoreInput(text: string): {ServerURL?: string; Username?: string} {
  try {
    const data = JSON.parse(text) as unknown;
    return data && typeof data === 'object' ? (data as {ServerURL?: string; Username?: string}) : {};
  } catch {
    return {};
  }
}

/** One line for stdout: the error's message (and hint), redacted, prefixed with the helper's name so Docker's report says who failed. */
function errorLine(error: unknown, name: string): string {
  const e = error as {message?: string; hint?: string};
  const text = [e?.message ?? String(error), e?.hint].filter(Boolean).join(' ');
  return `${name}: ${redactText(text.replace(/\s*\n\s*/g, ' ').trim())}`;
}
