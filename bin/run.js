#!/usr/bin/env node
// A reader that stops early (`gcauth ... | head -c 10`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// Hot commands (a cached access token, --version) are answered without loading oclif;
// everything else goes through the full command tree.
const {runFast} = await import('../dist/hot/gcauth.js');
if (!(await runFast(process.argv.slice(2)))) {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
