/**
 * What `npm install -g gcauth` puts on a Windows PATH, without Windows: npm's own cmd-shim (the code npm runs for
 * every bin there) writes the .cmd and .ps1 shims of each bin package.json declares, laid out as a global install
 * is (shims in the prefix, the package under node_modules). The helper configure-docker names on win32 must run
 * node on the Node helper, never /bin/sh.
 */
import {copyFileSync, mkdirSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

import {helperBinFor, helperNameFor, HELPER_BIN} from '../../src/lib/docker/helper.js';
import {tmpDir} from '../helpers/emulator.js';

const require = createRequire(import.meta.url);
const cmdShim = require('cmd-shim') as (from: string, to: string) => Promise<void>;
const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {name: string; bin: Record<string, string>; files: string[]};

/** The shims of every bin, as npm writes them into a global prefix on Windows. */
async function installShims(): Promise<Map<string, {cmd: string; ps1: string}>> {
  const prefix = tmpDir('gcauth-win-prefix-');
  const packageDir = path.join(prefix, 'node_modules', pkg.name);
  const shims = new Map<string, {cmd: string; ps1: string}>();
  for (const [name, file] of Object.entries(pkg.bin)) {
    const from = path.join(packageDir, file);
    mkdirSync(path.dirname(from), {recursive: true});
    copyFileSync(path.join(root, file), from);
    await cmdShim(from, path.join(prefix, name));
    shims.set(name, {cmd: readFileSync(path.join(prefix, `${name}.cmd`), 'utf8'), ps1: readFileSync(path.join(prefix, `${name}.ps1`), 'utf8')});
  }
  return shims;
}

describe('the Windows shims npm makes of the package bins', () => {
  let shims: Map<string, {cmd: string; ps1: string}>;
  beforeAll(async () => {
    shims = await installShims();
  });

  test('every bin is a packaged file', () => {
    for (const file of Object.values(pkg.bin)) expect(pkg.files).toContain(file);
  });

  test("the helper configure-docker names on win32 runs node on the Node helper, never /bin/sh", () => {
    const bin = helperBinFor('win32');
    expect(bin).toBe(`docker-credential-${helperNameFor('win32')}`);
    expect(pkg.bin[bin]).toBe('bin/docker-credential-gcauth.cjs');
    const {cmd, ps1} = shims.get(bin)!;
    // The .cmd: node.exe beside the shim, else node from PATH, on the helper's path under the prefix.
    expect(cmd).toContain('SET "_prog=node"');
    expect(cmd).toContain('"%_prog%"  "%dp0%\\node_modules\\gcauth\\bin\\docker-credential-gcauth.cjs" %*');
    expect(cmd).not.toMatch(/\/bin\/sh|sh\.exe/);
    // The .ps1: the same node, the same file, the arguments and (when piped, as Docker does) stdin passed on.
    expect(ps1).toContain('& "node$exe"  "$basedir/node_modules/gcauth/bin/docker-credential-gcauth.cjs" $args');
    expect(ps1).toContain('$input | & "node$exe"');
    expect(ps1).not.toMatch(/\/bin\/sh|sh\.exe|sh\$exe/);
  });

  test('the gcauth CLI runs node too', () => {
    const {cmd, ps1} = shims.get('gcauth')!;
    expect(cmd).toContain('"%dp0%\\node_modules\\gcauth\\bin\\run.js" %*');
    expect(cmd).toContain('SET "_prog=node"');
    expect(ps1).toContain('"node$exe"');
  });

  test('the sh fast path bin would need /bin/sh there: that is why Windows is not sent to it', () => {
    const {cmd} = shims.get(HELPER_BIN)!;
    expect(cmd).toContain('SET "_prog=/bin/sh"');
    expect(helperBinFor('linux')).toBe(HELPER_BIN);
    expect(helperBinFor('darwin')).toBe(HELPER_BIN);
  });
});
