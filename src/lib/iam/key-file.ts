/**
 * Where `iam service-accounts keys create` puts a new private key. The target is checked before the
 * key exists (so a typo never costs an orphan key), and written only after it does (so a failed call
 * never leaves an empty file behind, as gcloud's does).
 */
import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {access, link, lstat, open, rename, stat, unlink} from 'node:fs/promises';
import path from 'node:path';

import {UsageError} from '../errors.js';
import {ensureDir, FILE_MODE, writeSecureFile} from '../fs/secure-fs.js';

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** lstat that answers undefined for a path that does not exist (or whose parent is a file). */
async function lstatIfExists(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined;
    throw new UsageError(`Cannot use [${file}] for the key: ${(error as Error).message}.`);
  }
}

/**
 * Checks, before any key is created, that FILE can receive it: not a directory, not an existing file
 * (unless overwrite), and its nearest existing ancestor a writable directory (missing parents are
 * made 0700 at write time).
 * @throws UsageError saying what is wrong and what to do instead.
 */
export async function checkKeyFileTarget(file: string, overwrite: boolean): Promise<void> {
  const target = path.resolve(file);
  const existing = await lstatIfExists(target);
  if (existing) {
    const isDir = existing.isDirectory() || (existing.isSymbolicLink() && (await stat(target).then((s) => s.isDirectory(), () => false)));
    if (isDir) throw new UsageError(`[${file}] is a directory: give the path of the key file to create, such as ${path.join(file, 'key.json')}.`);
    if (!overwrite) throw new UsageError(`[${file}] exists already: pass --overwrite to replace it, or choose another path.`);
  }
  let dir = path.dirname(target);
  for (;;) {
    const found = await lstatIfExists(dir);
    if (found) {
      const isDir = found.isDirectory() || (found.isSymbolicLink() && (await stat(dir).then((s) => s.isDirectory(), () => false)));
      if (!isDir) throw new UsageError(`Cannot create [${file}]: [${dir}] is not a directory.`);
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`Cannot create [${file}]: directory [${dir}] is not writable. Choose another path.`);
  }
}

/**
 * Writes a key file atomically with mode 0600 (missing directories 0700). Without overwrite the
 * final step is link(2), which refuses to replace a file that appeared since the check, so two runs
 * racing for one FILE never silently lose a key.
 * @throws the file system's error; an EEXIST error when FILE appeared meanwhile.
 */
export async function writeKeyFile(file: string, data: Buffer, overwrite: boolean): Promise<void> {
  if (overwrite) return writeSecureFile(file, data);
  const target = path.resolve(file);
  await ensureDir(path.dirname(target));
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, target);
    } catch (error) {
      // File systems without hard links: check, then rename (a narrower window, but never a partial file).
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code(error) ?? '')) throw error;
      if (await lstatIfExists(target)) throw Object.assign(new Error(`EEXIST: file already exists, '${target}'`), {code: 'EEXIST'});
      await rename(temp, target);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
