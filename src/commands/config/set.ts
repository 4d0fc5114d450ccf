import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {UsageError} from '../../lib/errors.js';
import {overrideWarning} from '../../lib/config/override-warning.js';
import {findProperty, keyOf, validateProperty} from '../../lib/config/properties.js';
import type {ResolvedProperty} from '../../lib/config/resolver.js';

export interface SetPropertyOptions {
  /** `section/name`, or a bare name in `core`. */
  property: string;
  value: string;
}

export interface SetPropertyResult {
  property: string;
  value: string;
  configuration: string;
  /** A flag or environment variable that still outranks the value just written. */
  overriddenBy?: ResolvedProperty;
}

/**
 * Writes a property to the active configuration (creating `default` on first write).
 * Everything is checked before the file is touched.
 * @throws UsageError for an unknown property or invalid value; NotFoundError when the active configuration does not exist.
 */
export async function setProperty(options: SetPropertyOptions, ctx: AppContext): Promise<SetPropertyResult> {
  const def = findProperty(options.property);
  const key = keyOf(def);
  if (options.value === '') {
    throw new UsageError(`Cannot set property [${key}] to an empty value.`, {hint: `To clear it, run: gcauth config unset ${key}`});
  }
  if (/[\r\n\0]/.test(options.value)) throw new UsageError(`Invalid value for property [${key}]: it must be a single line.`);
  validateProperty(def, options.value);
  const overriddenBy = ctx.props.override(key);
  const configuration = ctx.props.configuration;
  await ctx.configurations.update(configuration, (values) => {
    values[def.section] = {...values[def.section], [def.name]: options.value};
  });
  return {property: key, value: options.value, configuration, overriddenBy};
}

export const spec = defineCommand({
  summary: 'Set a property in the active configuration.',
  description:
    'SECTION/NAME names the property; a bare NAME means core/NAME. The value is checked before anything is written. ' +
    'Use --configuration to write another configuration. Run `gcauth config list --all` to see every property.',
  examples: [
    '<%= config.bin %> config set project my-project',
    '<%= config.bin %> config set auth/token_host http://127.0.0.1:8799/token',
    '<%= config.bin %> config set api_endpoint_overrides/iam http://127.0.0.1:8799/iam/',
  ],
  args: {
    property: {description: 'SECTION/NAME of the property.', required: true},
    value: {description: 'Its new value.', required: true},
  },
  flags: {},
  options: ({args}): SetPropertyOptions => ({property: args.property, value: args.value}),
  run: async (options, ctx) => {
    const result = await setProperty(options, ctx);
    if (result.overriddenBy) ctx.io.stderr.write(`${overrideWarning(result.overriddenBy)}\n`);
    ctx.io.stderr.write(`Updated property [${result.property}].\n`);
  },
  human: () => '',
});

export default class Set extends specCommand(spec) {}
