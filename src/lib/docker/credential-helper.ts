/**
 * Docker's credential-helper protocol (docker/docker-credential-helpers `credentials.Serve`), independent of
 * where credentials come from: argv[0] is the action, input comes on stdin, answers and errors go to stdout,
 * failures exit 1. Docker and other clients read only stdout; the helper's stderr reaches the user's terminal.
 *
 * Beside the protocol's actions a helper may have commands for people (docker-credential-gcr's
 * `configure-docker`, `config`): those follow gcauth's rules instead, data on stdout and one `ERROR:` line on
 * stderr with gcauth's exit codes, because no client parses them.
 */
import {reportError} from '../report-error.js';
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

/** A command for people, run as `<helper> NAME [ARGS...]`. */
export interface HelperCommand {
  name: string;
  /** One line for `help`. */
  summary: string;
  /** The arguments it takes, for `help NAME` and usage errors, e.g. `[--token-source=LIST]`. */
  synopsis: string;
  /** Lines explaining each flag, for `help NAME`. */
  details: string[];
  /** Resolves to the exit status (0 when it returns nothing). @throws GcauthError for bad input or a failure, reported as one `ERROR:` line. */
  run(args: string[]): Promise<number | void>;
}

/** The protocol's actions, which Docker runs, with their lines for `help`. */
const PROTOCOL_ACTIONS: ReadonlyArray<[string, string]> = [
  ['get', 'print the credentials for the registry named on stdin, as JSON'],
  ['store', 'accept what docker login stores (kept nowhere: tokens are minted when asked for)'],
  ['erase', 'accept docker logout (nothing is stored, so nothing to erase)'],
  ['list', 'print the registries this helper serves, as JSON'],
  ['version', 'print the name and version of this helper'],
];

/** The usage line for a wrong command line: every action, as Docker's helpers print theirs. */
export const usageLine = (name: string, commands: readonly HelperCommand[] = []) =>
  `Usage: ${name} <${[...PROTOCOL_ACTIONS.map(([action]) => action), ...commands.map((c) => c.name), ...(commands.length > 0 ? ['help'] : [])].join('|')}>\n`;

/** `help`: every action and command, one line each. */
export function helpText(name: string, commands: readonly HelperCommand[]): string {
  const rows: Array<[string, string]> = [...PROTOCOL_ACTIONS, ...commands.map((c): [string, string] => [c.name, c.summary]), ['help', 'print this help; help ACTION for one action']];
  const width = Math.max(...rows.map(([action]) => action.length));
  return [
    usageLine(name, commands).trimEnd(),
    '',
    'Docker runs get, store, erase and list (input on stdin, the answer or the error on stdout).',
    '',
    ...rows.map(([action, summary]) => `  ${action.padEnd(width)}  ${summary}`),
    '',
  ].join('\n');
}

function commandHelp(name: string, command: HelperCommand): string {
  return [`Usage: ${name} ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`, '', command.summary, ...(command.details.length > 0 ? ['', ...command.details.map((d) => `  ${d}`)] : []), ''].join('\n');
}

// --verbosity=debug shows a crash's stack, as in gcauth; parsed here because the error is reported here.
function verbosityOf(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--verbosity' || a.startsWith('--verbosity='));
  return i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.slice('--verbosity='.length) : args[i + 1];
}

/** Runs a command for people: its errors on stderr as `ERROR: ...`, gcauth's exit codes. */
async function runCommand(command: HelperCommand, args: string[], io: HelperIO, name: string): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(commandHelp(name, command));
    return 0;
  }
  try {
    return (await command.run(args)) ?? 0;
  } catch (error) {
    return reportError(error, io.stderr, verbosityOf(args));
  }
}

/**
 * Runs one helper invocation and returns its exit code: for the protocol's actions 0, or 1 with the error (or
 * NOT_FOUND_MESSAGE) on stdout; for `commands`, see HelperCommand. Never throws.
 */
export async function serveCredentialHelper(argv: string[], io: HelperIO, backend: HelperBackend, identity: HelperIdentity, commands: readonly HelperCommand[] = []): Promise<number> {
  const command = commands.find((c) => c.name === argv[0]);
  if (command) return runCommand(command, argv.slice(1), io, identity.name);
  if (commands.length > 0 && (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') && argv.length <= 2) {
    const topic = argv[1];
    if (topic === undefined) {
      io.stdout(helpText(identity.name, commands));
      return 0;
    }
    const named = commands.find((c) => c.name === topic);
    if (named) {
      io.stdout(commandHelp(identity.name, named));
      return 0;
    }
    const protocol = PROTOCOL_ACTIONS.find(([action]) => action === topic);
    if (protocol) {
      io.stdout(`Usage: ${identity.name} ${topic}\n\n${protocol[1]}\n`);
      return 0;
    }
    io.stderr(`ERROR: ${identity.name} has no action [${topic}]. Run: ${identity.name} help\n`);
    return 2;
  }
  if (argv.length !== 1) {
    io.stdout(usageLine(identity.name, commands));
    return 1;
  }
  const action = argv[0]!;
  try {
    switch (action) {
      case '--help':
      case '-h':
        io.stdout(usageLine(identity.name, commands));
        return 0;
      case 'version':
      case '--version':
      case '-v':
        io.stdout(`${identity.name} (${identity.packageName}) ${identity.version()}\n`);
        return 0;
      case 'get': {
        // NUL bytes are dropped as a POSIX shell's `read` drops them, so the sh fast path and Node read one URL.
        const serverUrl = (await io.readInput()).replace(/[\r\n\0]/g, '').trim();
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
        throw new Error(`unknown credential action \`${action}\`${commands.length > 0 ? `; run ${identity.name} help to see them` : ''}`);
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
