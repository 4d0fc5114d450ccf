import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {overrideWarning} from '../../lib/config/override-warning.js';
import {findProperty, keyOf} from '../../lib/config/properties.js';
import type {ResolvedProperty} from '../../lib/config/resolver.js';

/**
 * Removes a property from the active configuration (an absent `default` is created, as on any write).
 * @throws UsageError for an unknown property; NotFoundError when the active configuration does not exist.
 */
export async function unsetProperty(
  options: {property: string},
  ctx: AppContext,
): Promise<{property: string; configuration: string; overriddenBy?: ResolvedProperty}> {
  const def = findProperty(options.property);
  const key = keyOf(def);
  const overriddenBy = ctx.props.override(key);
  const configuration = ctx.props.configuration;
  await ctx.configurations.update(configuration, (values) => {
    if (values[def.section]) delete values[def.section]![def.name];
  });
  return {property: key, configuration, overriddenBy};
}

export const spec = defineCommand({
  summary: 'Remove a property from the active configuration.',
  examples: ['<%= config.bin %> config unset account', '<%= config.bin %> config unset auth/token_host'],
  args: {
    property: {description: 'SECTION/NAME of the property.', required: true},
  },
  flags: {},
  options: ({args}) => ({property: args.property}),
  run: async (options, ctx) => {
    const result = await unsetProperty(options, ctx);
    // As gcloud: the variable or flag still decides the property, whatever the configuration now says.
    if (result.overriddenBy) ctx.io.stderr.write(`${overrideWarning(result.overriddenBy)}\n`);
    ctx.io.stderr.write(`Unset property [${result.property}].\n`);
  },
  human: () => '',
});

export default class Unset extends specCommand(spec) {}
