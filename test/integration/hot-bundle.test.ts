/**
 * What the bundled hot entry points (scripts/bundle.js) evaluate at start-up. A cached `print-access-token` and the
 * Node helper's cached `get` read no credential, so no credential type's module may run before one is used: the
 * registry (src/lib/auth/credentials/registry.ts) imports each type's module when a credential of that type is used.
 * esbuild inlines a module imported with import() as `var init_X = __esm({"src/...ts"() {...}})`, run only where
 * the import() was; a module imported statically is run at start-up.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';

import {repoRoot} from '../helpers/emulator.js';

const BUNDLES = ['dist/hot/gcauth.js', 'dist/hot/docker-credential-gcauth.cjs'];
const TYPE_MODULES = ['service-account', 'user', 'external-account'].map((name) => `src/lib/auth/credentials/${name}.ts`);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(BUNDLES)('%s', (bundle) => {
  const code = readFileSync(path.join(repoRoot, bundle), 'utf8');

  it.each(TYPE_MODULES)('runs %s only where a credential of its type is used (an import(), not at start-up)', (module) => {
    const init = new RegExp(`var (init_\\w+) = __esm\\(\\{\\s*"${escape(module)}"`).exec(code)?.[1];
    expect(init).toBeDefined();
    const calls = [...code.matchAll(new RegExp(`.{0,40}\\b${init}\\(\\)`, 'g'))].map(([call]) => call);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatch(new RegExp(`Promise\\.resolve\\(\\)\\.then\\(\\(\\) => \\(${init}\\(\\)$`));
  });

  it('loads google-auth-library only through import()', () => {
    expect(code).not.toMatch(/require\(["']google-auth-library["']\)|from ["']google-auth-library["']|^import ["']google-auth-library["']/m);
    expect(code).toContain('import("google-auth-library")');
  });
});
