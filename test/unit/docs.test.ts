/**
 * The documents users read are tied to the code they describe, so neither can change alone: the README's
 * property, variable and file tables against the tables and names in code, docs/commands.md against the
 * manifest it is generated from, and every relative link against the repository.
 */
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';


import {ConfigurationStore} from '../../src/lib/config/configurations.js';
import {CONFIG_SENTINEL_FILE, EMULATOR_DATA_DIR, GCE_CACHE_FILE, pathsIn} from '../../src/lib/config/paths.js';
import {envNamesOf, keyOf, PROPERTIES} from '../../src/lib/config/properties.js';
import {FAST_ANSWER_FILE, fastAnswerTempPath, fastAnswerTempPid} from '../../src/lib/config/fast-answer-file.js';
import {atomicTempTarget, withFileLock} from '../../src/lib/fs/secure-fs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The rows of the first table under the `## TITLE` heading, as arrays of cells. */
function tableUnder(title: string): string[][] {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(start, end < 0 ? undefined : end).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows;
}

/** The `code spans` of a table cell. */
const codeIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe("the README's property table", () => {
  const rows = tableUnder('Properties');

  test('lists every property of src/lib/config/properties.ts, once, and nothing else', () => {
    const listed = rows.map((row) => codeIn(row[0]!));
    expect(listed.every((names) => names.length === 1)).toBe(true);
    expect(listed.flat().sort()).toEqual(PROPERTIES.map(keyOf).sort());
  });

  test("gives each property the default the code gives it (blank for none)", () => {
    const defaults = Object.fromEntries(rows.map((row) => [codeIn(row[0]!)[0], codeIn(row[1]!)[0] ?? '']));
    expect(defaults).toEqual(Object.fromEntries(PROPERTIES.map((p) => [keyOf(p), p.default ?? ''])));
  });

  test("names gcloud's CLOUDSDK_<SECTION>_<NAME> variables, which the resolver honours for every property", () => {
    expect(readme).toContain("| `CLOUDSDK_<SECTION>_<NAME>` | gcloud's variable for one property");
    expect(PROPERTIES.map((p) => envNamesOf(p)[1])).toEqual(PROPERTIES.map((p) => `CLOUDSDK_${p.section}_${p.name}`.toUpperCase()));
  });
});

describe("the README's files table", () => {
  const names = tableUnder('Files on disk').flatMap((row) => codeIn(row[0]!));

  test('names what the code writes in the config dir, and nothing else', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-docs-'));
    try {
      const paths = pathsIn(dir);
      const relative = (file: string) => path.relative(dir, file);
      // A lock is what withFileLock creates beside the file it guards, seen while it is held.
      const lock = await withFileLock(path.join(dir, 'FILE'), async () => readdirSync(dir).find((entry) => entry !== 'FILE'));
      const written = [
        relative(paths.activeConfigFile),
        relative(new ConfigurationStore(paths).fileOf('NAME')),
        relative(paths.credentialsFile),
        `${relative(paths.tokensDir)}/`,
        GCE_CACHE_FILE,
        FAST_ANSWER_FILE,
        CONFIG_SENTINEL_FILE,
        `${EMULATOR_DATA_DIR}/`,
        lock,
        'FILE.NUMBER',
        path.basename(fastAnswerTempPath(dir, 4242)).replace('4242', 'PID'),
      ];
      expect(names).toEqual(written);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test("its temp-file names are the ones the stale-temp cleanup recognises", () => {
    expect(atomicTempTarget(names.find((name) => name.endsWith('.NUMBER'))!.replace('NUMBER', '3735928559'))).toBe('FILE');
    expect(fastAnswerTempPid(names.find((name) => name.endsWith('.PID.tmp'))!.replace('PID', '4242'))).toBe(4242);
  });
});

describe('docs/commands.md', () => {
  test('is what npm run docs generates from the committed oclif.manifest.json (run npm run docs to regenerate it)', async () => {
    // The script's own renderer, imported (the unit tier starts no process); the file named at run time keeps tsc
    // from resolving a .js script without types.
    const script = pathToFileURL(path.join(root, 'scripts', 'commands-doc.js')).href;
    const {currentCommandsDoc} = (await import(script)) as {currentCommandsDoc: () => string};
    expect(readFileSync(path.join(root, 'docs', 'commands.md'), 'utf8')).toBe(currentCommandsDoc());
  });
});

describe('the README', () => {
  test("shows the two commands a fresh clone runs, exactly as CI runs them", () => {
    expect(readme).toContain('```sh\nnpm ci && npm run demo\n```');
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
  });

  test.each(['README.md', 'docs/architecture.md', 'docs/commands.md'])('%s links only to files in the repository', (doc) => {
    const text = readFileSync(path.join(root, doc), 'utf8');
    // Markdown links outside code, and paths written as code that climb out of the document's directory.
    const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    const links = [
      ...[...prose.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((link) => !/^[a-z]+:/.test(link)),
      ...[...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]!),
    ];
    const outside = links.filter((link) => {
      const target = path.resolve(root, path.dirname(doc), link);
      return !target.startsWith(`${root}${path.sep}`) || !existsSync(target);
    });
    expect(outside).toEqual([]);
  });
});
