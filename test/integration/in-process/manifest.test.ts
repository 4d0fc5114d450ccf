import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {execa} from 'execa';

// oclif.manifest.json is what the installed CLI reads instead of loading every command: a stale one
// hides commands or flags from users. `npm test` compiles but does not regenerate it, so this compares
// the committed manifest with one freshly generated from the compiled commands, in a scratch copy
// (oclif deletes the manifest of the directory it runs in).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// The version is the only field allowed to differ; everything else, order included, must match byte for byte.
const comparable = (text: string) => text.replace(/\n  "version": "[^"]*"\n/, '\n  "version": ""\n');

test('the committed oclif.manifest.json is the one npm run build writes from the compiled commands, commands in id order (run npm run build to regenerate it)', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gcauth-manifest-'));
  try {
    cpSync(path.join(root, 'package.json'), path.join(scratch, 'package.json'));
    cpSync(path.join(root, 'dist'), path.join(scratch, 'dist'), {recursive: true});
    symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
    await execa(process.execPath, [path.join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {cwd: scratch, env: {OCLIF_SKIP_UPDATE_CHECK: '1'}});
    await execa(process.execPath, [path.join(root, 'scripts', 'sort-manifest.js'), scratch]);
    const fresh = comparable(readFileSync(path.join(scratch, 'oclif.manifest.json'), 'utf8'));
    const committed = comparable(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
    expect(committed).toBe(fresh);
  } finally {
    rmSync(scratch, {recursive: true, force: true});
  }
});
