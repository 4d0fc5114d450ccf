import {stringify} from 'yaml';

import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {type ConfigValues, validateConfigurationName} from '../../../lib/config/configurations.js';
import type {AppContext} from '../../../lib/context.js';
import {NotFoundError} from '../../../lib/errors.js';

export interface ConfigurationDescription {
  is_active: boolean;
  name: string;
  properties: ConfigValues;
}

/**
 * The properties written in one named configuration (no flag or environment overrides).
 * @throws UsageError for an invalid name; NotFoundError when it does not exist.
 */
export async function describeConfiguration(options: {name: string}, ctx: AppContext): Promise<ConfigurationDescription> {
  validateConfigurationName(options.name);
  const active = ctx.props.configuration;
  // An active `default` exists in effect before its first write.
  if (!(await ctx.configurations.exists(options.name)) && !(options.name === 'default' && active === 'default')) {
    throw new NotFoundError(`Configuration [${options.name}] does not exist.`, {hint: 'To list configurations, run: gcauth config configurations list'});
  }
  return {is_active: options.name === active, name: options.name, properties: await ctx.configurations.read(options.name)};
}

export const spec = defineCommand({
  summary: 'Show the properties written in a named configuration.',
  examples: ['<%= config.bin %> config configurations describe dev', '<%= config.bin %> config configurations describe dev --format=json'],
  args: {
    name: {description: 'Name of the configuration.', required: true},
  },
  flags: {},
  options: ({args}) => ({name: args.name}),
  run: describeConfiguration,
  human: (d) => stringify(d, {lineWidth: 0}),
});

export default class Describe extends specCommand(spec) {}
