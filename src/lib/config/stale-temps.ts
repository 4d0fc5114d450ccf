/**
 * Temp files a killed gcauth leaves in its config dir. A writer killed between creating its temp file and renaming
 * it (kill -9, an OOM kill, a power cut) leaves the temp behind, holding a private key or a token:
 * write-file-atomic's `<file>.<hash>` beside credentials.json, active_config, the gce cache, config_sentinel, a
 * configuration or a token-cache entry, and the credential helper's `docker-helper-answer.<pid>.tmp`. The stores remove them on
 * their next write and on revoke.
 *
 * Only those names, only in the config dir and its two subdirs, and only once their writer is surely gone: a
 * writer fills and renames its temp file within milliseconds, so one untouched for STALE_TEMP_MS is dead; the
 * helper's names its writer, so one whose pid is not running here is dead at once.
 */
import {lstat, readdir, rm} from 'node:fs/promises';
import path from 'node:path';

import {CONFIG_SENTINEL_FILE, GCE_CACHE_FILE, pathsIn} from './paths.js';
import {fastAnswerTempPid} from './fast-answer-file.js';
import {atomicTempTarget} from '../fs/secure-fs.js';

/** A temp file untouched this long has no live writer. */
export const STALE_TEMP_MS = 60_000;

/** True while a process with this pid runs (in this pid namespace). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** For each dir, whether a name there is gcauth's temp file (and the pid of its writer, when the name says). */
function tempPatterns(configDir: string): Array<[dir: string, isTemp: (name: string) => {pid?: number} | undefined]> {
  const paths = pathsIn(configDir);
  const ownFiles = new Set([path.basename(paths.credentialsFile), path.basename(paths.activeConfigFile), GCE_CACHE_FILE, CONFIG_SENTINEL_FILE]);
  const atomicTempOf = (target: (name: string) => boolean) => (name: string) => {
    const of = atomicTempTarget(name);
    return of !== undefined && target(of) ? {} : undefined;
  };
  const inConfigDir = atomicTempOf((name) => ownFiles.has(name));
  return [
    [
      configDir,
      (name) => {
        const pid = fastAnswerTempPid(name);
        return pid === undefined ? inConfigDir(name) : {pid};
      },
    ],
    [paths.configurationsDir, atomicTempOf((name) => /^config_[a-z][-a-z0-9]*$/.test(name))],
    [paths.tokensDir, atomicTempOf((name) => name.endsWith('.json'))],
  ];
}

/**
 * Removes the temp files of gcauth's own naming in configDir whose writer is gone (see the module comment).
 * Best effort: a dir that cannot be read or written is left as it is. Never throws.
 */
export async function removeStaleTemps(configDir: string, now: number = Date.now()): Promise<void> {
  await Promise.all(
    tempPatterns(configDir).map(async ([dir, isTemp]) => {
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(
        names.map(async (name) => {
          const temp = isTemp(name);
          if (!temp) return;
          const file = path.join(dir, name);
          const info = await lstat(file).catch(() => undefined);
          if (!info?.isFile()) return;
          const gone = now - info.mtimeMs > STALE_TEMP_MS || (temp.pid !== undefined && temp.pid !== process.pid && !running(temp.pid));
          if (gone) await rm(file, {force: true}).catch(() => undefined);
        }),
      );
    }),
  );
}
