import {constants, statSync, type Stats} from 'node:fs';
import {mkdir, rm} from 'node:fs/promises';
import path from 'node:path';

import {GcauthError, writeRefusal} from '../errors.js';
import {MAX_FILE_BYTES, nonRegularTarget, readRegularFileIfExists} from './read-file.js';

/** Files gcauth writes hold secrets or point at them: 0600 files in 0700 directories. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Rethrows a file system error met while writing `file`: typed when no retry cures it (see writeRefusal). */
const refused =
  (file: string) =>
  (error: unknown): never => {
    throw writeRefusal(error, file) ?? error;
  };

/**
 * Creates a directory (and missing parents) with mode 0700.
 * @throws NotWritableError or DiskFullError when the file system refuses it.
 */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: DIR_MODE}).catch(refused(dir));
}

/** A directory or file gcauth reads secrets or settings from is one another user could write. */
export class UntrustedPathError extends GcauthError {}

/**
 * Why a user other than `me` (and root) could write what `st` describes, or undefined when none can: for a file,
 * its owner or its group/world write bits; for a directory, the same unless it is sticky (others may then add
 * names but not rename or remove ours). The one rule of the stores, the helper and doctor. No uids (Windows): none.
 */
export function otherUserMayWrite(st: Pick<Stats, 'mode' | 'uid'>, me: number | null = process.getuid?.() ?? null): string | undefined {
  if (me === null) return undefined;
  if (st.uid !== me && st.uid !== 0) return `it belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o022) === 0) return undefined;
  if ((st.mode & constants.S_IFMT) === constants.S_IFDIR && st.mode & 0o1000) return undefined;
  return `other users can write to it (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
}

/** The fix for a path another user could write (see otherUserMayWrite). */
export function untrustedPathFix(target: string, why: string, isDir: boolean): string {
  return why.includes('(mode ') ? `chmod ${isDir ? '700' : '600'} ${target}` : `move it aside${isDir ? ', or set GCAUTH_CONFIG to a directory of your own' : ''}`;
}

function untrustedPathError(target: string, why: string, isDir: boolean): UntrustedPathError {
  return new UntrustedPathError(`Refusing to use [${target}]: ${why}, so it could be made to hold another user's credentials or settings. Fix: ${untrustedPathFix(target, why, isDir)}`);
}

/**
 * Checks that no other user may write `dir` (an absent one is fine: gcauth creates it 0700). On Windows (no uids:
 * `me` null) it passes: there the profile's ACL, not a mode, keeps other users out of %APPDATA% and %USERPROFILE%.
 * @throws UntrustedPathError when one may.
 */
export function checkPrivateDir(dir: string, me: number | null = process.getuid?.() ?? null): void {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  const why = otherUserMayWrite(st, me);
  if (why) throw untrustedPathError(dir, why, st.isDirectory());
}

/**
 * Reads a UTF-8 file of gcauth's own, or returns undefined when it does not exist: read-file.ts's bounded,
 * regular-files-only read. Its directory must be one no other user may write, and the file is checked on the
 * descriptor it is read from (open, then fstat), so a file swapped in after a check is never the one read.
 * @throws UntrustedPathError when another user may write the file or its directory; FileReadError when it is not a
 *   regular file, is too large or cannot be read.
 */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  checkPrivateDir(path.dirname(file));
  return readRegularFileIfExists(file, MAX_FILE_BYTES, (info) => {
    const why = otherUserMayWrite(info);
    if (why) throw untrustedPathError(file, why, false);
  });
}

/**
 * Writes a file atomically (temp file, fsync, rename) with mode 0600, creating its directory 0700.
 * No other process ever sees a partial file, and a failed write leaves the old file and no temp file.
 * @throws NotWritableError or DiskFullError when the file system refuses the write; GcauthError when the target
 *   (through symlinks) is a directory, a device or another file that is not a regular one.
 */
export async function writeSecureFile(file: string, data: string | Buffer): Promise<void> {
  // write-file-atomic renames over a symlink's target: as root, a slot linked to /dev/zero would replace the device.
  const other = nonRegularTarget(file);
  if (other) throw new GcauthError(`Cannot write [${file}]: ${other}. Move it aside and run the command again.`);
  await ensureDir(path.dirname(file));
  const {default: writeFileAtomic} = await import('write-file-atomic');
  await writeFileAtomic(file, data, {mode: FILE_MODE, fsync: true}).catch(refused(file));
}

/** The name of the file a temp file of writeSecureFile was for (write-file-atomic's `<name>.<32-bit hash>`), else undefined. */
export function atomicTempTarget(name: string): string | undefined {
  return /^(.+)\.\d{1,10}$/.exec(name)?.[1];
}

/**
 * Removes a file, if it exists.
 * @throws NotWritableError when the file system refuses it.
 */
export async function removeFile(file: string): Promise<void> {
  await rm(file, {force: true}).catch(refused(file));
}

// Long enough to outlast one refresh with its retries; a holder that was killed stops
// touching the lock and is taken over after STALE_MS.
const STALE_MS = 10_000;
const LOCK_RETRIES = {retries: 400, factor: 1.25, minTimeout: 10, maxTimeout: 120, randomize: true};

/**
 * Runs fn while holding a cross-process lock on `file` (a `file.lock` directory).
 * A lock left by a killed process is recovered once it is stale.
 * @throws whatever fn throws; NotWritableError or DiskFullError at once when the file system refuses the lock
 *   directory (no retry cures that); GcauthError when another process holds the lock for too long.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  await ensureDir(path.dirname(file));
  const {default: lockfile} = await import('proper-lockfile');
  let compromised: Error | undefined;
  const acquire = (retries: typeof LOCK_RETRIES | 0) =>
    lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: STALE_MS,
      retries,
      onCompromised: (error) => {
        compromised = error;
      },
    });
  // proper-lockfile retries whatever mkdir answers; only contention is worth waiting out, so a first attempt
  // tells a refusing file system (read-only, no permission, full) from a held lock.
  const release = await acquire(0)
    .catch((error: unknown) => {
      if (writeRefusal(error, file)) throw error;
      return acquire(LOCK_RETRIES);
    })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ELOCKED') refused(file)(error);
      throw new GcauthError(`Timed out waiting for another gcauth process to release ${file}.lock. If none is running, remove that directory.`);
    });
  try {
    return await fn();
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}

/**
 * Locked read-modify-write, the one way gcauth edits a file other processes may edit too (its configurations,
 * credentials.json, Docker's config.json): holds `file`'s lock (a `file.lock` directory beside it) while `read`
 * loads the file and `edit` decides and writes, so no change made by another process in between is lost.
 * @throws whatever read or edit throw, or what withFileLock throws when the lock cannot be had.
 */
export async function updateFile<V, R>(file: string, read: (file: string) => Promise<V>, edit: (current: V) => Promise<R>): Promise<R> {
  return withFileLock(file, async () => edit(await read(file)));
}
