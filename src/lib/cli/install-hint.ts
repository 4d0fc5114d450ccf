/**
 * How to put gcauth's commands on PATH from the copy that is running. gcauth is not published on npm (and a
 * bare `npm install -g gcauth` would fetch whatever someone else publishes under that name), so the line
 * names this copy's own directory.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The nearest directory at or above `from` whose package.json is gcauth's, or undefined. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {name?: string}).name === 'gcauth') return dir;
    } catch {
      // no package.json here, or not JSON: keep climbing
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A path as one shell word. */
const shellWord = (p: string) => (/^[\w./@:+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/** The sentence that tells a user how to get `docker-credential-gcauth` (and `gcauth`) onto PATH. */
export function installHint(root: string | undefined = packageRoot()): string {
  if (root === undefined) return 'Install gcauth from its checkout (npm install -g /path/to/gcauth) and make sure npm\'s global bin directory is on PATH.';
  if (root.split(path.sep).includes('node_modules')) {
    return `gcauth is installed in ${root}: put the bin directory of that npm prefix on PATH (npm prefix -g prints the global one).`;
  }
  return `Install this checkout globally with: npm install -g ${shellWord(root)} (or npm pack there and npm install -g the .tgz), and make sure npm's global bin directory is on PATH.`;
}
