import {Help} from '@oclif/core';

import {unknownCommandMessage} from './suggest.js';

/**
 * oclif's help, except that help for an unknown command (`gcauth help nope`) is the same one
 * `ERROR:` line as running it, instead of oclif's ` ›   Error:` block.
 */
export default class GcauthHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (error) {
      const subject = /^Command (.+) not found\.$/.exec((error as Error).message ?? '')?.[1];
      if (subject === undefined) throw error;
      const ids = this.config.commands.filter((c) => !c.hidden).map((c) => c.id);
      const topics = this.config.topics.filter((t) => !t.hidden).map((t) => t.name);
      process.stderr.write(`ERROR: ${unknownCommandMessage(subject.split(':'), ids, topics, this.config.bin, 'help ')}\n`);
      process.exit(2);
    }
  }
}
