/**
 * The one way gcauth reads a file a user can put anything in (its own config dir, Docker's config.json, key and
 * ADC files): only a regular file, at most MAX_FILE_BYTES, or a FileReadError saying why not. Opening without
 * blocking and checking what was opened means a FIFO never hangs gcauth and `/dev/zero` behind a symlink is never
 * read forever. Synchronous on purpose: the files are small and local, and the hot paths (print-access-token, the
 * Docker helper) read them before anything else could run meanwhile.
 */
import {closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync} from 'node:fs';

import path from 'node:path';

import {FS_ERROR_REASONS, GcauthError, UsageError} from '../errors.js';

/** The most gcauth reads of any file: far above any credential, configuration or Docker config it writes. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting (it is refused right after).
// O_NOCTTY: a terminal device named by mistake never becomes the controlling terminal. Both are 0 where absent.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** The reason, in words, of a file system error: `no such file`, `permission denied`, ..., else its first line. */
export function fsErrorReason(error: unknown): string {
  if (error instanceof FileReadError) return error.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && FS_ERROR_REASONS[code]) || ((error as Error)?.message ?? String(error)).split('\n')[0]!;
}

/**
 * A user's JSON text without its UTF-8 byte order mark, which JSON.parse refuses: Windows PowerShell 5.1 writes one
 * (`Set-Content -Encoding UTF8`, `Out-File`) and prepends one to what it pipes to a program when $OutputEncoding is
 * UTF-8. Line ends (CRLF) are JSON whitespace and need nothing.
 */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * A user's file as text: UTF-16 (little- or big-endian) when it starts with that byte order mark, which Windows
 * PowerShell 5.1's `>` and `Out-File` write by default, else UTF-8 (its BOM, if any, dropped). No BOM, no guessing.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  // Swapped pairwise into little-endian (a copy: the caller's buffer is left as it was); an odd last byte is dropped.
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return withoutBom(bytes.toString('utf8'));
}

/**
 * Where JSON.parse stopped, as ` (at character N)`, or '': never its message, which newer Node versions fill with
 * the text itself (a key, a token, Docker's stored passwords).
 */
export function jsonErrorAt(error: unknown): string {
  const position = /position (\d+)/.exec((error as Error)?.message ?? '')?.[1];
  return position ? ` (at character ${position})` : '';
}

/**
 * True when file exists and is not a regular file, through symlinks: a directory, a FIFO, a device. gcauth never
 * writes over one (an atomic write replaces a symlink's target: /dev/zero itself).
 */
export function existsAsNonRegular(file: string): boolean {
  return nonRegularTarget(file) !== undefined;
}

/**
 * Why file (through symlinks) is not a regular file one may write over, or undefined when it is one or is absent:
 * `it is a directory`, `it is a device, not a regular file`, ...
 */
export function nonRegularTarget(file: string): string | undefined {
  let info: Stats;
  try {
    info = statSync(file);
  } catch {
    return undefined;
  }
  return notRegular(file, info)?.reason;
}

/** A file that could not be read, or was not read because it is not a regular file or is too large. */
export class FileReadError extends GcauthError {
  /** The errno code (ENOENT, EACCES, EISDIR, ...), ENOTREG for another kind of file, EFBIG for one too large. */
  readonly code: string;
  /** Why, in words: `no such file`, `it is a named pipe (FIFO), not a regular file`, ... */
  readonly reason: string;

  constructor(
    readonly file: string,
    code: string,
    reason: string,
    options?: {cause?: unknown},
  ) {
    super(`Cannot read [${file}]: ${reason}.`, options);
    this.code = code;
    this.reason = reason;
  }
}

function notRegular(file: string, info: Stats): FileReadError | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return new FileReadError(file, 'EISDIR', 'it is a directory');
  const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'not a file';
  return new FileReadError(file, 'ENOTREG', `it is ${kind}, not a regular file`);
}

const tooLarge = (file: string, maxBytes: number) =>
  new FileReadError(file, 'EFBIG', `it is larger than ${maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes} bytes`}, more than gcauth reads`);

const wrap = (file: string, error: unknown) =>
  error instanceof FileReadError ? error : new FileReadError(file, (error as NodeJS.ErrnoException).code ?? 'EIO', fsErrorReason(error), {cause: error});

/**
 * Reads a regular file (symlinks followed) as text (decodeText: UTF-8, or UTF-16 after its BOM), at most maxBytes of it.
 * @throws FileReadError when it cannot be opened or read, is not a regular file, or holds more than maxBytes;
 *   whatever inspect throws.
 */
export function readRegularFile(file: string, maxBytes = MAX_FILE_BYTES, inspect?: (info: Stats) => void): string {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw wrap(file, error);
  }
  try {
    const info = fstatSync(fd);
    const refused = notRegular(file, info);
    if (refused) throw refused;
    // The caller's check of what was opened (its owner, say), on the descriptor: a file swapped in after a check
    // of the path is never the one read.
    inspect?.(info);
    if (info.size > maxBytes) throw tooLarge(file, maxBytes);
    // Read to the end, but never past maxBytes: the file may have grown since fstat.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(info.size + 1 - total, 64 * 1024), maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
    }
    return decodeText(Buffer.concat(chunks, total));
  } catch (error) {
    if (error instanceof GcauthError) throw error;
    throw wrap(file, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Like readRegularFile, but a file that does not exist reads as undefined.
 * @throws FileReadError for any other reason it cannot be read.
 */
export function readRegularFileIfExists(file: string, maxBytes = MAX_FILE_BYTES, inspect?: (info: Stats) => void): string | undefined {
  try {
    return readRegularFile(file, maxBytes, inspect);
  } catch (error) {
    if (error instanceof FileReadError && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A file named on the command line, or standard input for `-`, as text (decodeText).
 * @throws UsageError `Unable to read <what> [<absolute path>]: <reason>.`
 */
export async function readFileArgument(file: string, stdin: NodeJS.ReadableStream, what: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return decodeText(Buffer.concat(chunks));
  }
  try {
    return readRegularFile(file);
  } catch (error) {
    throw new UsageError(`Unable to read ${what} [${path.resolve(file)}]: ${fsErrorReason(error)}.`, {cause: error});
  }
}
