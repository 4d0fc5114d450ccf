import {CancelledError, UsageError} from './errors.js';

/** Asks the user; only on a terminal and never under --quiet. */
export interface Prompter {
  /**
   * Asks a yes/no question.
   * @param flag the flag that answers it non-interactively, named in the error when no one can be asked
   * @throws UsageError when prompting is impossible; CancelledError on Ctrl-C.
   */
  confirm(message: string, options: {default: boolean; flag: string}): Promise<boolean>;
  /**
   * Asks for a line of text; an aborted signal withdraws the question.
   * @throws UsageError when prompting is impossible; CancelledError on Ctrl-C or abort.
   */
  input(message: string, options: {flag: string; signal?: AbortSignal}): Promise<string>;
}

/** A prompter over @inquirer/prompts (loaded only when a question is actually asked). */
export function createPrompter(options: {canPrompt: () => boolean; output?: NodeJS.WritableStream}): Prompter {
  return {
    async confirm(message, {default: fallback, flag}) {
      if (!options.canPrompt()) {
        throw new UsageError(`${message} Cannot ask without a terminal (or with --quiet): pass ${flag}.`);
      }
      const {confirm} = await import('@inquirer/prompts');
      try {
        return await confirm({message, default: fallback}, {output: options.output});
      } catch (error) {
        if ((error as Error).name === 'ExitPromptError') throw new CancelledError('Cancelled.');
        throw error;
      }
    },
    async input(message, {flag, signal}) {
      if (!options.canPrompt()) {
        throw new UsageError(`${message} Cannot ask without a terminal (or with --quiet): pass ${flag}.`);
      }
      const {input} = await import('@inquirer/prompts');
      try {
        return await input({message}, {output: options.output, signal});
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new CancelledError('Cancelled.');
        throw error;
      }
    },
  };
}
