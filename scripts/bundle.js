// Bundles the hot entry points (dist/hot/*.js) into single files: Node 20 spends ~1 ms per ESM
// module it loads, which on a 50 ms start-up budget matters. Packages loaded only off the hot
// path (on a refresh, a prompt, a YAML render) stay external and lazy.
import {readFileSync} from 'node:fs';

import {build} from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const inlined = new Set(['ini']);
await build({
  entryPoints: {gcauth: 'src/hot/gcauth.ts', 'docker-credential-gcauth': 'src/hot/docker-credential-gcauth.ts'},
  outdir: 'dist/hot',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !inlined.has(name)),
  logLevel: 'warning',
});
