import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {activeOverrideWarning} from '../../../lib/config/configurations.js';
import type {AppContext} from '../../../lib/context.js';

export interface CreateConfigurationOptions {
  name: string;
  activate: boolean;
}

/**
 * Creates an empty named configuration and, unless told not to, makes it active.
 * @throws UsageError when the name is invalid or already taken.
 */
export async function createConfiguration(options: CreateConfigurationOptions, ctx: AppContext): Promise<{name: string; activated: boolean}> {
  await ctx.configurations.create(options.name);
  if (options.activate) await ctx.configurations.activate(options.name);
  return {name: options.name, activated: options.activate};
}

export default class Create extends BaseCommand<typeof Create> {
  static override summary = 'Create a named configuration and make it active.';
  static override description =
    'Names start with a lower-case letter and contain only lower-case letters, digits and hyphens. ' +
    'The new configuration is empty; set its properties with `gcauth config set`.';
  static override examples = ['<%= config.bin %> config configurations create dev', '<%= config.bin %> config configurations create ci --no-activate'];
  static override args = {
    name: Args.string({description: 'Name of the configuration.', required: true}),
  };
  static override flags = {
    activate: Flags.boolean({description: 'Make the new configuration active.', default: true, allowNo: true}),
  };

  async run(): Promise<void> {
    const result = await createConfiguration({name: this.args.name, activate: this.flags.activate}, this.ctx);
    this.status(`Created [${result.name}].`);
    if (result.activated) {
      this.status(`Activated [${result.name}].`);
      const warning = activeOverrideWarning(result.name, this.ctx.env);
      if (warning) this.status(warning);
    }
  }
}
