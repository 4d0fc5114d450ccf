import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {validateConfigurationName} from '../../../lib/config/configurations.js';
import type {AppContext} from '../../../lib/context.js';
import {CancelledError, NotFoundError, UsageError} from '../../../lib/errors.js';

/**
 * Deletes named configurations after confirming (on a terminal; --quiet or core/disable_prompts skips the question).
 * Every name is checked before anything is asked or deleted.
 * @throws UsageError for an invalid name, an active configuration, or a needed prompt without a terminal;
 *   NotFoundError for an unknown one; CancelledError when the user declines.
 */
export async function deleteConfigurations(options: {names: string[]}, ctx: AppContext): Promise<{deleted: string[]}> {
  const names = [...new Set(options.names)];
  if (names.length === 0) throw new UsageError('Name at least one configuration to delete.');
  for (const name of names) validateConfigurationName(name);
  const active = new Set([ctx.props.configuration, await ctx.configurations.activeName()]);
  for (const name of names) {
    if (active.has(name)) {
      throw new UsageError(`Cannot delete configuration [${name}]: it is active.`, {
        hint: 'Activate another one first: gcauth config configurations activate NAME',
      });
    }
  }
  const missing: string[] = [];
  for (const name of names) if (!(await ctx.configurations.exists(name))) missing.push(name);
  if (missing.length > 0) throw new NotFoundError(`Configuration [${missing.join(', ')}] does not exist.`);
  // gcloud's words, before it asks or (--quiet) goes ahead; not before the error of a question no one can answer.
  if (ctx.quiet || ctx.canPrompt) ctx.io.stderr.write(`The following configurations will be deleted:\n${names.map((name) => ` - ${name}\n`).join('')}`);
  if (!ctx.quiet) {
    const what = names.length === 1 ? `configuration [${names[0]}]` : `configurations [${names.join(', ')}]`;
    const yes = await ctx.prompter.confirm(`Delete ${what}?`, {default: true, flag: '--quiet'});
    if (!yes) throw new CancelledError('Nothing was deleted.');
  }
  for (const name of names) await ctx.configurations.delete(name);
  return {deleted: names};
}

export const spec = defineCommand({
  summary: 'Delete named configurations.',
  description: 'Asks to confirm on a terminal; pass --quiet in scripts. The active configuration cannot be deleted.',
  examples: ['<%= config.bin %> config configurations delete dev', '<%= config.bin %> config configurations delete dev ci --quiet'],
  strict: false,
  args: {
    names: {description: 'Names of the configurations.', required: true},
  },
  flags: {},
  options: ({argv}) => ({names: argv}),
  run: async (options, ctx) => {
    const {deleted} = await deleteConfigurations(options, ctx);
    for (const name of deleted) ctx.io.stderr.write(`Deleted [${name}].\n`);
  },
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
