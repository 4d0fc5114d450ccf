import {mkdir} from 'node:fs/promises';
import path from 'node:path';

import {GcauthError} from './errors.js';
import {readRegularFileIfExists} from './read-file.js';

/** Files gcauth writes hold secrets or point at them: 0600 files in 0700 directories. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Creates a directory (and missing parents) with mode 0700. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: DIR_MODE});
}

/**
 * Reads a UTF-8 file, or returns undefined when it does not exist (read-file.ts's bounded, regular-files-only read).
 * @throws FileReadError when it is not a regular file, is too large or cannot be read.
 */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  return readRegularFileIfExists(file);
}

/**
 * Writes a file atomically (temp file, fsync, rename) with mode 0600, creating its directory 0700.
 * No other process ever sees a partial file.
 */
export async function writeSecureFile(file: string, data: string | Buffer): Promise<void> {
  await ensureDir(path.dirname(file));
  const {default: writeFileAtomic} = await import('write-file-atomic');
  await writeFileAtomic(file, data, {mode: FILE_MODE, fsync: true});
}

// Long enough to outlast one refresh with its retries; a holder that was killed stops
// touching the lock and is taken over after STALE_MS.
const STALE_MS = 10_000;
const LOCK_RETRIES = {retries: 400, factor: 1.25, minTimeout: 10, maxTimeout: 120, randomize: true};

/**
 * Runs fn while holding a cross-process lock on `file` (a `file.lock` directory).
 * A lock left by a killed process is recovered once it is stale.
 * @throws whatever fn throws, or the lock library's error when the lock cannot be had in time.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  await ensureDir(path.dirname(file));
  const {default: lockfile} = await import('proper-lockfile');
  let compromised: Error | undefined;
  const release = await lockfile
    .lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: STALE_MS,
      retries: LOCK_RETRIES,
      onCompromised: (error) => {
        compromised = error;
      },
    })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ELOCKED') throw error;
      throw new GcauthError(`Timed out waiting for another gcauth process to release ${file}.lock. If none is running, remove that directory.`);
    });
  try {
    return await fn();
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}
