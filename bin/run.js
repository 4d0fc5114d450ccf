#!/usr/bin/env node
// Hot commands (a cached access token, --version) are answered without loading oclif;
// everything else goes through the full command tree.
import {runFast} from '../dist/hot/gcauth.js';

if (!(await runFast(process.argv.slice(2)))) {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
