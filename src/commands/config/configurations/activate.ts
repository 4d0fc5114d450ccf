import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
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

export const spec = defineCommand({
  summary: 'Make a named configuration the active one.',
  examples: ['<%= config.bin %> config configurations activate dev'],
  args: {
    name: {description: 'Name of the configuration.', required: true},
  },
  flags: {},
  options: ({args}) => ({name: args.name}),
  run: async (options, ctx) => {
    const {name} = await activateConfiguration(options, ctx);
    ctx.io.stderr.write(`Activated [${name}].\n`);
    const warning = activeOverrideWarning(name, ctx.env);
    if (warning) ctx.io.stderr.write(`${warning}\n`);
  },
  human: () => '',
});

export default class Activate extends specCommand(spec) {}
