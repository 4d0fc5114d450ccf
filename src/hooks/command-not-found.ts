import type {Hook} from '@oclif/core';

/** An unknown command gets the same one-line `ERROR:` and usage exit code as every other user error. */
const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(':').join(' ');
  const topic = options.id.split(':').slice(0, -1).join(' ');
  process.stderr.write(`ERROR: Unknown command [${words}]. See: ${options.config.bin} help${topic ? ` ${topic}` : ''}\n`);
  process.exit(2);
};

export default hook;
