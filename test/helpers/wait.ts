import {readdirSync, watch} from 'node:fs';

/**
 * Resolves with the first entry of `dir` that `match` accepts, as soon as it appears (fs.watch, no polling);
 * rejects after timeoutMs with `what` in the message. The directory must exist.
 */
export function waitForEntry(dir: string, match: (name: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const found = () => readdirSync(dir).find(match);
    const watcher = watch(dir, () => {
      const name = found();
      if (name !== undefined) finish(() => resolve(name));
    });
    const timer = setTimeout(() => finish(() => reject(new Error(`${what} did not appear in ${dir} within ${timeoutMs} ms`))), timeoutMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      watcher.close();
      settle();
    };
    // Checked after the watch began, so an entry made in between is not missed.
    const already = found();
    if (already !== undefined) finish(() => resolve(already));
  });
}
