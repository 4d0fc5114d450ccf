import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
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

export const spec = defineCommand({
  summary: 'Print the value of a property.',
  description:
    'Prints the value a command would use: from a flag, a GCAUTH_<SECTION>_<NAME> then CLOUDSDK_<SECTION>_<NAME> variable, the active configuration or the default. ' +
    'An unset property prints (unset) on stderr and exits 0.',
  examples: ['<%= config.bin %> config get project', '<%= config.bin %> config get auth/token_host'],
  args: {
    property: {description: 'SECTION/NAME of the property.', required: true},
  },
  flags: {},
  options: ({args}) => ({property: args.property}),
  run: async (options, ctx) => {
    const result = await getProperty(options, ctx);
    if (result.configuration !== 'default') ctx.io.stderr.write(`Your active configuration is: [${result.configuration}]\n`);
    // Unset is not an error (gcloud exits 0), and there is no value for stdout in any format.
    if (result.value === undefined) ctx.io.stderr.write('(unset)\n');
    return result.value;
  },
  human: (value) => `${value}\n`,
});

export default class Get extends specCommand(spec) {}
