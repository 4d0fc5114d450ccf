import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
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
