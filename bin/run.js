#!/usr/bin/env node
// A reader that stops early (`gcauth ... | head -c 10`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// Node's own warnings (a library's MetadataLookupWarning, a deprecation deep in a dependency) are not gcauth's to
// print: stderr carries gcauth's lines only. At --verbosity=debug they show, as DEBUG lines.
process.removeAllListeners('warning');
const argv = process.argv.slice(2);
if (argv.includes('--verbosity=debug') || argv.join(' ').includes('--verbosity debug') || process.env.GCAUTH_CORE_VERBOSITY === 'debug') {
  process.on('warning', (w) => process.stderr.write(`DEBUG: node warning: ${w.name}: ${w.message}\n`));
}

// Hot commands (a cached access token, --version) are answered without loading oclif;
// everything else goes through the full command tree.
const {runFast} = await import('../dist/hot/gcauth.js');
if (!(await runFast(argv))) {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
