import {Args} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import type {AppContext} from '../../lib/context.js';
import {findProperty, keyOf} from '../../lib/config/properties.js';

/**
 * Removes a property from the active configuration (an absent `default` is created, as on any write).
 * @throws UsageError for an unknown property; NotFoundError when the active configuration does not exist.
 */
export async function unsetProperty(options: {property: string}, ctx: AppContext): Promise<{property: string; configuration: string}> {
  const def = findProperty(options.property);
  const configuration = ctx.props.configuration;
  await ctx.configurations.update(configuration, (values) => {
    if (values[def.section]) delete values[def.section]![def.name];
  });
  return {property: keyOf(def), configuration};
}

export default class Unset extends BaseCommand<typeof Unset> {
  static override summary = 'Remove a property from the active configuration.';
  static override examples = ['<%= config.bin %> config unset account', '<%= config.bin %> config unset auth/token_host'];
  static override args = {
    property: Args.string({description: 'SECTION/NAME of the property.', required: true}),
  };

  async run(): Promise<void> {
    const result = await unsetProperty({property: this.args.property}, this.ctx);
    this.status(`Unset property [${result.property}].`);
  }
}
