import {Args} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import type {AppContext} from '../../lib/context.js';
import {keyOf, findProperty} from '../../lib/config/properties.js';

export interface GetPropertyResult {
  property: string;
  /** The resolved value (flag, environment, configuration or default), or undefined when unset. */
  value?: string;
  configuration: string;
}

/**
 * The value a command would use for a property.
 * @throws UsageError for an unknown property, or when the winning value is invalid (naming where it came from).
 */
export async function getProperty(options: {property: string}, ctx: AppContext): Promise<GetPropertyResult> {
  const key = keyOf(findProperty(options.property));
  return {property: key, value: ctx.props.get(key), configuration: ctx.props.configuration};
}

export default class Get extends BaseCommand<typeof Get> {
  static override summary = 'Print the value of a property.';
  static override description =
    'Prints the value a command would use: from a flag, a GCAUTH_<SECTION>_<NAME> variable, the active configuration or the default. ' +
    'An unset property prints (unset) on stderr and exits 0.';
  static override examples = ['<%= config.bin %> config get project', '<%= config.bin %> config get auth/token_host'];
  static override args = {
    property: Args.string({description: 'SECTION/NAME of the property.', required: true}),
  };

  async run(): Promise<void> {
    const result = await getProperty({property: this.args.property}, this.ctx);
    if (result.configuration !== 'default') this.status(`Your active configuration is: [${result.configuration}]`);
    if (result.value === undefined) {
      this.status('(unset)');
      return;
    }
    await this.output(result.value, (v: string) => `${v}\n`);
  }
}
