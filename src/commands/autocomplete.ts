import path from 'node:path';

import {specCommand} from '../lib/cli/base-command.js';
import {defineCommand} from '../lib/cli/command-spec.js';
import {bashScript, CLI_BIN, zshScript} from '../lib/cli/completion.js';
import type {AppContext} from '../lib/context.js';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** The shell to write for: the argument, else $SHELL's name when it is one gcauth knows, else bash. */
export function chooseShell(requested: string | undefined, envShell: string | undefined): Shell {
  if (requested) return requested as Shell;
  const name = envShell ? path.basename(envShell) : '';
  return (SHELLS as readonly string[]).includes(name) ? (name as Shell) : 'bash';
}

/** The completion script of `shell` for `bin`, and the lines that tell how to install it. */
export function completionScript(shell: Shell, bin: string): {script: string; install: string[]} {
  if (shell === 'zsh') {
    return {
      script: zshScript(bin),
      install: [
        `To install ${bin}'s zsh completion, put the script in a directory of $fpath as _${bin}, e.g.:`,
        `  mkdir -p ~/.zfunc && ${bin} autocomplete zsh > ~/.zfunc/_${bin}`,
        `  and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)`,
        `Or add to ~/.zshrc, after compinit: source <(${bin} autocomplete zsh)`,
      ],
    };
  }
  return {
    script: bashScript(bin),
    install: [
      `To install ${bin}'s bash completion (bash-completion loads it on demand):`,
      `  mkdir -p ~/.local/share/bash-completion/completions && ${bin} autocomplete bash > ~/.local/share/bash-completion/completions/${bin}`,
      `Or add to ~/.bashrc: source <(${bin} autocomplete bash)`,
    ],
  };
}

/**
 * Writes the completion script to stdout and how to install it to stderr. The script is a file's content, not data:
 * --format does not apply to it, so the core writes it and returns nothing.
 */
export async function printCompletionScript(options: {shell?: string}, ctx: Pick<AppContext, 'io' | 'env'>): Promise<void> {
  const {script, install} = completionScript(chooseShell(options.shell, ctx.env.SHELL), CLI_BIN);
  ctx.io.stdout.write(script);
  for (const line of install) ctx.io.stderr.write(`${line}\n`);
}

export const spec = defineCommand({
  summary: 'Print the shell completion script for bash or zsh.',
  description:
    'The script goes to stdout and how to install it to stderr. It completes commands, flags, property names ' +
    '(config get, set, unset), configuration names (config configurations activate, delete, describe; --configuration) ' +
    'and accounts (--account, auth revoke, config set account), asking gcauth for them on each TAB.',
  examples: ['<%= config.bin %> autocomplete bash > ~/.local/share/bash-completion/completions/<%= config.bin %>', 'source <(<%= config.bin %> autocomplete zsh)'],
  args: {
    shell: {description: "The shell: bash or zsh (default: $SHELL's, else bash).", options: SHELLS},
  },
  flags: {},
  options: ({args}) => ({shell: args.shell}),
  run: printCompletionScript,
  human: () => '',
});

export default class Autocomplete extends specCommand(spec) {}
