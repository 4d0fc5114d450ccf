import type {Hook} from '@oclif/core';

import {unknownCommandMessage} from '../lib/cli/suggest.js';

/**
 * An unknown command gets one `ERROR:` line in gcloud's wording (`Invalid choice: 'atuh'.`), with the
 * closest command when one is a likely typo, and the usage exit code of every other user error.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const {config} = options;
  const ids = config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const topics = config.topics.filter((t) => !t.hidden).map((t) => t.name);
  process.stderr.write(`ERROR: ${unknownCommandMessage(options.id.split(':'), ids, topics, config.bin)}\n`);
  process.exit(2);
};

export default hook;
