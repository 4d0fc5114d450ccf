/**
 * docker-credential-gcauth: Docker runs it before every pull and push of a host mapped to `gcauth` in
 * credHelpers (and `docker build` once per mapped host), so it starts without oclif and, while a cached token
 * serves, without google-auth-library. It shares gcauth's context: the same credential store, token cache,
 * lock and single-flight refresh as `gcauth auth print-access-token`. scripts/bundle.js builds it as CommonJS
 * (dist/hot/docker-credential-gcauth.cjs), which bin/docker-credential-gcauth requires. Its commands for people
 * (`configure-docker`, `config`, `help`) make it usable on its own, on a machine where gcauth itself never runs.
 */
import {readFileSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';

import {type AppContext, createContext, type IO} from '../lib/context.js';
import {serveCredentialHelper} from '../lib/docker/credential-helper.js';
import {beginFastAnswer} from '../lib/docker/fast-answer.js';
import {gcauthHelperBackend, HELPER_BIN} from '../lib/docker/helper.js';
import {helperCommands} from '../lib/docker/helper-commands.js';

// All of stdin, read from the descriptor: creating process.stdin for a pipe loads the net stack (~10 ms).
async function readStdin(): Promise<string> {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EBADF') return '';
    if (code !== 'EAGAIN') throw error;
    // A non-blocking descriptor: read it as a stream after all.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks).toString('utf8');
  }
}

// Straight to the descriptor too: process.stdout on a pipe is a net.Socket, whose modules cost ~6 ms to load.
// The answer is a few hundred bytes, written whole; a non-blocking descriptor falls back to the stream.
function writeTo(fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    (fd === 1 ? process.stdout : process.stderr).write(text);
  }
}

/** The package's version, read only when asked for (`version`). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}).version;
}

// The context's io, without touching process.stdin/stdout/stderr (each is a stream that loads the net stack).
const helperIO: IO = {
  stdout: {write: (t: string) => writeTo(1, t)},
  stderr: {write: (t: string) => writeTo(2, t)},
  get stdin() {
    return process.stdin;
  },
  interactive: false,
};

/** Runs one helper invocation (argv without node and the script) and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  let ctx: Promise<AppContext> | undefined;
  // Pinned before the context reads anything, so the answer the sh fast path reuses is one Node would still give.
  const fast = argv.length === 1 && argv[0] === 'get' ? beginFastAnswer(process.env, homedir(), process.platform) : undefined;
  return serveCredentialHelper(
    argv,
    {readInput: readStdin, stdout: (t) => writeTo(1, t), stderr: (t) => writeTo(2, t)},
    gcauthHelperBackend(() => (ctx ??= createContext({}, {io: helperIO})), fast),
    {name: HELPER_BIN, packageName: 'gcauth', version: packageVersion},
    // Commands for people get the process's own streams, so configure-docker can ask on a terminal as gcauth does.
    helperCommands((flags) => createContext(flags)),
  );
}
