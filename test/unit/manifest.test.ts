import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {execa} from 'execa';

// oclif.manifest.json is what the installed CLI reads instead of loading every command: a stale one
// hides commands or flags from users. `npm test` compiles but does not regenerate it, so this compares
// the committed manifest with one freshly generated from the compiled commands, in a scratch copy
// (oclif deletes the manifest of the directory it runs in).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const comparable = (text: string) => {
  const manifest = JSON.parse(text) as {version?: string};
  delete manifest.version;
  return manifest;
};

test('the committed oclif.manifest.json matches the compiled commands (run npm run build to regenerate it)', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gcauth-manifest-'));
  try {
    cpSync(path.join(root, 'package.json'), path.join(scratch, 'package.json'));
    cpSync(path.join(root, 'dist'), path.join(scratch, 'dist'), {recursive: true});
    symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
    await execa(process.execPath, [path.join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {cwd: scratch, env: {OCLIF_SKIP_UPDATE_CHECK: '1'}});
    const fresh = comparable(readFileSync(path.join(scratch, 'oclif.manifest.json'), 'utf8'));
    const committed = comparable(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
    expect(committed).toEqual(fresh);
  } finally {
    rmSync(scratch, {recursive: true, force: true});
  }
});
