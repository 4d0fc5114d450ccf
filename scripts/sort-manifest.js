// Rewrites oclif.manifest.json with its commands in id order. `oclif manifest` lists them in the order
// their files finished loading, which varies from run to run, so an unchanged CLI left the committed
// file modified after every build. Only the command map is ordered: flags and args keep oclif's order,
// which help (and positional parsing) follow. Usage: node scripts/sort-manifest.js [DIR]
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

const file = path.join(process.argv[2] ?? process.cwd(), 'oclif.manifest.json');
const manifest = JSON.parse(readFileSync(file, 'utf8'));
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
