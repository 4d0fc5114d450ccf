import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {activeOverrideWarning, validateConfigurationName} from '../../../lib/config/configurations.js';
import type {AppContext} from '../../../lib/context.js';

/**
 * Makes a configuration active (`default` is created if absent).
 * @throws UsageError for an invalid name; NotFoundError when it does not exist.
 */
export async function activateConfiguration(options: {name: string}, ctx: AppContext): Promise<{name: string}> {
  validateConfigurationName(options.name);
  await ctx.configurations.activate(options.name);
  return {name: options.name};
}

export default class Activate extends BaseCommand<typeof Activate> {
  static override summary = 'Make a named configuration the active one.';
  static override examples = ['<%= config.bin %> config configurations activate dev'];
  static override args = {
    name: Args.string({description: 'Name of the configuration.', required: true}),
  };

  async run(): Promise<void> {
    const result = await activateConfiguration({name: this.args.name}, this.ctx);
    this.status(`Activated [${result.name}].`);
    const warning = activeOverrideWarning(result.name, this.ctx.env);
    if (warning) this.status(warning);
  }
}
