import type {AppContext} from './context.js';
import {CancelledError, UsageError} from './errors.js';

/**
 * gcloud's question before a deletion: `You are about to delete WHAT.` then `Do you want to continue?`
 * (default yes, as gcloud's). `--quiet` or core/disable_prompts skips it; without a terminal the
 * command fails before anything is sent, naming --quiet.
 * @throws UsageError when no one can be asked; CancelledError when the user says no.
 */
export async function confirmDeletion(what: string, ctx: Pick<AppContext, 'quiet' | 'canPrompt' | 'io' | 'prompter'>): Promise<void> {
  if (ctx.quiet) return;
  if (!ctx.canPrompt) {
    throw new UsageError(`Deleting ${what} needs a confirmation, and there is no terminal to ask on: pass --quiet (-q) to delete without asking.`);
  }
  ctx.io.stderr.write(`You are about to delete ${what}.\n\n`);
  if (!(await ctx.prompter.confirm('Do you want to continue?', {default: true, flag: '--quiet'}))) {
    throw new CancelledError(`Aborted: ${what} was not deleted.`);
  }
}
