import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

// The arrows of docs/architecture.md, checked on the source: what a module imports is read from its text.
const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The repository files a module imports (type imports and re-exports too; `import()` loads later, so it cannot close a cycle). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) => m[1]!);
  return specifiers.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

const relative = (file: string) => path.relative(SRC, file);

describe('layers', () => {
  const files = sourceFiles(SRC);

  it('config, the lowest layer, imports no domain module (auth, docker, iam, api, doctor, store)', () => {
    const domain = /^lib\/(auth|docker|iam|api|doctor|store)\//;
    const offending = files
      .filter((f) => relative(f).startsWith('lib/config/'))
      .flatMap((f) => importsOf(f).map((target) => `${relative(f)} -> ${relative(target)}`))
      .filter((edge) => domain.test(edge.split(' -> ')[1]!));
    expect(offending).toEqual([]);
  });

  it('validators.ts is a leaf: it imports nothing of gcauth', () => {
    expect(importsOf(path.join(SRC, 'lib/validators.ts'))).toEqual([]);
  });

  it("Google's scope URLs are spelt in one place, src/lib/messages.ts (the emulator, Google's stand-in, apart)", () => {
    const spelling = files
      .filter((f) => !relative(f).startsWith('emulator/') && relative(f) !== 'lib/messages.ts')
      .filter((f) => readFileSync(f, 'utf8').includes('https://www.googleapis.com/auth/'))
      .map(relative);
    // Flag descriptions are help text, written out for the reader of --help.
    expect(spelling.filter((f) => !f.startsWith('commands/'))).toEqual([]);
  });

  it("the fix-it commands gcauth's messages name are gcauth's own, from messages.ts's FIX, never gcloud's login commands", () => {
    const naming = files
      .filter((f) => relative(f).startsWith('lib/') && /gcloud auth (application-default login|login|activate-service-account)/.test(readFileSync(f, 'utf8')))
      .map(relative);
    expect(naming).toEqual([]);
  });

  it("another module's message is embedded through messages.ts's asClause, not reshaped by each module", () => {
    const reshaping = files.filter((f) => /\.message\.replace\(/.test(readFileSync(f, 'utf8'))).map(relative);
    expect(reshaping).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t !== f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' > '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
