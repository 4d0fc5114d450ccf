#!/usr/bin/env node
// Docker's credential helper for Google registries: `docker-credential-gcauth <get|store|erase|list|version>`,
// and, for people, `configure-docker`, `config` and `help`.
// Docker runs it before every pull, so it is CommonJS throughout (this file and the bundle it loads): Node
// starts one CommonJS file about 15 ms sooner than an ES module entry. bin/docker-credential-gcauth links here.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
// Node's own warnings are not the helper's to print: Docker shows its stderr to the user (debug shows them).
process.removeAllListeners('warning');
if (process.env.GCAUTH_CORE_VERBOSITY === 'debug') process.on('warning', (w) => process.stderr.write(`DEBUG: node warning: ${w.name}: ${w.message}\n`));
require('../dist/hot/docker-credential-gcauth.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
