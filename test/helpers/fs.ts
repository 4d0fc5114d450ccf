import {spawnSync} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** Every file and directory under dir with its mode and bytes, to prove a failed command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, entry.name);
      const rel = path.relative(dir, p);
      const mode = (statSync(p).mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        out[`${rel}/`] = mode;
        walk(p);
      } else out[rel] = `${mode} ${readFileSync(p, 'base64')}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Every path under dir with its permission bits. */
export function modes(dir: string): Array<[string, number]> {
  return Object.keys(snapshot(dir)).map((rel) => [rel.replace(/\/$/, ''), statSync(path.join(dir, rel)).mode & 0o777]);
}

/** Runs fn, expects it to throw exactly `error` (class and message), and dir to be unchanged byte for byte. */
export async function expectUnchanged(dir: string, fn: () => Promise<unknown>, error: Error): Promise<void> {
  const before = snapshot(dir);
  const thrown = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(error.constructor);
  expect((thrown as Error).message).toBe(error.message);
  expect(snapshot(dir)).toEqual(before);
}

function mountCommand(args: string[]): void {
  const result = spawnSync('mount', args, {encoding: 'utf8'});
  if (result.error || result.status !== 0) throw new Error(`mount ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
}

let probed: {problem?: string} | undefined;

/** Why no tmpfs can be mounted here (so the caller skips), or undefined when one can; probed once. */
export function tmpfsProblem(): string | undefined {
  if (probed) return probed.problem;
  if (process.getuid?.() !== 0) probed = {problem: 'not root, so no tmpfs can be mounted'};
  else {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-tmpfs-probe-'));
    try {
      mountCommand(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      unmount(dir);
      probed = {};
    } catch (error) {
      probed = {problem: (error as Error).message};
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }
  return probed.problem;
}

/**
 * Mounts a tmpfs of `size` (as mount(8) takes it, e.g. '256k') on dir, created if missing; root only (see
 * tmpfsProblem). Unmount it with `unmount()` in afterAll or finally.
 */
export function mountTmpfs(dir: string, size = '4m'): void {
  mkdirSync(dir, {recursive: true});
  mountCommand(['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
}

/** Makes the tmpfs on dir read-only (`rw` makes it writable again), as a hardened container's home is. */
export function remountTmpfs(dir: string, mode: 'ro' | 'rw'): void {
  mountCommand(['-o', `remount,${mode}`, dir]);
}

/** Unmounts dir; harmless when nothing is mounted there. */
export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Fills the file system of dir: writes `dir/name` until the disk is full, so the next byte written anywhere there fails with ENOSPC. */
export function fillDisk(dir: string, name = 'filler'): void {
  const fd = openSync(path.join(dir, name), 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    for (;;) {
      try {
        writeSync(fd, chunk, 0, 1);
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}
