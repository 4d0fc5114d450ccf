import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
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

export const spec = defineCommand({
  summary: 'Create a named configuration and make it active.',
  description:
    'Names start with a lower-case letter and contain only lower-case letters, digits and hyphens. ' +
    'The new configuration is empty; set its properties with `gcauth config set`.',
  examples: ['<%= config.bin %> config configurations create dev', '<%= config.bin %> config configurations create ci --no-activate'],
  args: {
    name: {description: 'Name of the configuration.', required: true},
  },
  flags: {
    activate: {type: 'boolean', description: 'Make the new configuration active.', default: true, allowNo: true},
  },
  options: ({args, flags}): CreateConfigurationOptions => ({name: args.name, activate: flags.activate}),
  run: async (options, ctx) => {
    const result = await createConfiguration(options, ctx);
    ctx.io.stderr.write(`Created [${result.name}].\n`);
    if (result.activated) {
      ctx.io.stderr.write(`Activated [${result.name}].\n`);
      const warning = activeOverrideWarning(result.name, ctx.env);
      if (warning) ctx.io.stderr.write(`${warning}\n`);
    } else {
      ctx.io.stderr.write(`To use this configuration, activate it by running:\n  $ gcauth config configurations activate ${result.name}\n\n\n`);
    }
  },
  human: () => '',
});

export default class Create extends specCommand(spec) {}
