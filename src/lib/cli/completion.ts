/**
 * Shell completion: the candidates for the word being typed (`gcauth __complete WORD... CURRENT`, run by
 * the bash and zsh scripts `gcauth autocomplete` prints), and those scripts. Commands and flags come from
 * oclif.manifest.json, the file oclif itself reads; property names from the property table; configuration
 * names and accounts from the config dir. It runs on the lean path (src/hot/gcauth.ts), with no oclif and
 * nothing that can prompt, write or reach the network: a TAB press must be quick and harmless.
 */
import {readdirSync} from 'node:fs';

import {configurationNames} from '../config/configurations.js';
import type {Paths} from '../config/paths.js';
import {keyOf, PROPERTIES} from '../config/properties.js';
import {readRegularFile} from '../fs/read-file.js';

/** The parts of a manifest command completion reads. */
export interface CompletionCommand {
  hidden?: boolean;
  args?: Record<string, {name: string}>;
  flags?: Record<string, {name: string; type: 'boolean' | 'option'; char?: string; hidden?: boolean; options?: string[]}>;
}

/** Where the dynamic candidates come from; `fileSources` reads them from the config dir. */
export interface CompletionSources {
  accounts(): string[];
  configurations(): string[];
}

/** Accounts in the credential store and configuration names on disk; any unreadable file means none. */
export function fileSources(paths: Pick<Paths, 'credentialsFile' | 'configurationsDir'>): CompletionSources {
  return {
    accounts() {
      try {
        const data = JSON.parse(readRegularFile(paths.credentialsFile)) as {credentials?: Record<string, unknown>};
        return Object.keys(data.credentials ?? {}).sort();
      } catch {
        return [];
      }
    },
    configurations() {
      try {
        return configurationNames(readdirSync(paths.configurationsDir));
      } catch {
        return [];
      }
    },
  };
}

type Source = 'accounts' | 'configurations' | 'properties' | 'property-value';

/** Which positional argument of which command completes from what (the rest complete nothing). */
const POSITIONAL: Record<string, Source[]> = {
  'config:get': ['properties'],
  'config:unset': ['properties'],
  'config:set': ['properties', 'property-value'],
  'config:configurations:activate': ['configurations'],
  'config:configurations:delete': ['configurations'],
  'config:configurations:describe': ['configurations'],
  'auth:revoke': ['accounts'],
  'auth:print-access-token': ['accounts'],
  'auth:print-identity-token': ['accounts'],
};
/** Commands whose positional list repeats its last source. */
const REPEATS = new Set(['auth:revoke', 'config:configurations:delete']);
const FLAG_SOURCES: Record<string, Source> = {account: 'accounts', configuration: 'configurations'};

const PROPERTY_NAMES = [...PROPERTIES.map(keyOf), ...PROPERTIES.filter((p) => p.section === 'core').map((p) => p.name)];

/**
 * The candidates for the last of `words` (the words after `gcauth`, the last one possibly empty), each a
 * whole word; a flag that takes a value is offered as `--name=`.
 */
export function complete(words: string[], commands: Record<string, CompletionCommand>, sources: CompletionSources): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const ids = Object.keys(commands).filter((id) => !commands[id]!.hidden);

  // The command path: the longest run of leading words that names a topic or command.
  let depth = 0;
  while (depth < before.length && ids.some((id) => `${id}:`.startsWith(`${before.slice(0, depth + 1).join(':')}:`))) depth++;
  const path = before.slice(0, depth).join(':');
  const command = ids.includes(path) ? commands[path] : undefined;
  const flags = Object.values(command?.flags ?? {}).filter((f) => !f.hidden);
  const match = (candidates: string[], prefix = '') => [...new Set(candidates)].map((c) => prefix + c).filter((c) => c.startsWith(current));

  const valuesOf = (flagName: string, rest: string[]): string[] => {
    const flag = flags.find((f) => f.name === flagName);
    if (!flag || flag.type !== 'option') return [];
    if (flag.options) return flag.options;
    const source = FLAG_SOURCES[flagName];
    return source ? fromSource(source, rest) : [];
  };
  const fromSource = (source: Source, positionals: string[]): string[] => {
    if (source === 'accounts') return sources.accounts();
    if (source === 'configurations') return sources.configurations();
    if (source === 'properties') return PROPERTY_NAMES;
    // `config set account VALUE` and `config set core/account VALUE`: the property's own source.
    const property = positionals[0] ?? '';
    if (property === 'account' || property === 'core/account') return sources.accounts();
    if (property === 'verbosity' || property === 'core/verbosity') return ['debug', 'info', 'warning', 'error', 'critical', 'none'];
    if (/^(core\/)?disable_prompts$/.test(property)) return ['true', 'false'];
    if (property === 'docker/token_source') return ['gcauth', 'adc'];
    return [];
  };

  // --flag=VALUE
  const assignment = /^--([^=]+)=(.*)$/s.exec(current);
  if (assignment) return match(valuesOf(assignment[1]!, []), `--${assignment[1]}=`);

  // The words after the command path: positionals, and flags with their values.
  const positionals: string[] = [];
  let pendingValue: string | undefined;
  for (const word of before.slice(depth)) {
    if (pendingValue !== undefined) pendingValue = undefined;
    else if (word.startsWith('--') && !word.includes('=')) {
      const flag = flags.find((f) => f.name === word.slice(2));
      if (flag?.type === 'option') pendingValue = flag.name;
    } else if (!word.startsWith('-')) positionals.push(word);
  }
  if (pendingValue !== undefined) return match(valuesOf(pendingValue, positionals));

  if (current.startsWith('-')) {
    if (!command) return match(['--help']);
    return match([...flags.map((f) => (f.type === 'option' ? `--${f.name}=` : `--${f.name}`)), '--help']);
  }
  if (!command) {
    // A word that is no topic or command: nothing sensible follows it.
    if (depth < before.length) return [];
    const next = ids.filter((id) => path === '' || id.startsWith(`${path}:`)).map((id) => id.split(':')[depth]!);
    return match(next);
  }
  const list = POSITIONAL[path] ?? [];
  const source = list[positionals.length] ?? (REPEATS.has(path) ? list.at(-1) : undefined);
  return source ? match(fromSource(source, positionals).filter((c) => source !== 'accounts' || !positionals.includes(c))) : [];
}

/** The command the scripts complete: the CLI's bin (package.json's oclif.bin), which gcauth's messages name too. */
export const CLI_BIN = 'gcauth';

/** The bash script: asks `gcauth __complete` for whole words, then trims what bash's word breaks (`=`, `@`, `:`) already split off. */
export function bashScript(bin: string): string {
  return `# ${bin} completion for bash. Install: ${bin} autocomplete bash > ~/.local/share/bash-completion/completions/${bin}
_${bin.replace(/\W/g, '_')}_complete() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur="\${COMP_WORDS[COMP_CWORD]}" words word full prefix
  read -ra words <<< "$line"
  [[ "$line" =~ [[:space:]]$ ]] && words+=("")
  full="\${words[\${#words[@]}-1]}"
  # bash split the word at its COMP_WORDBREAKS; COMPREPLY replaces only its last part.
  prefix="\${full%"$cur"}"
  COMPREPLY=()
  while IFS= read -r word; do
    [[ -n "$word" ]] && COMPREPLY+=("\${word#"$prefix"}")
  done < <("${bin}" __complete "\${words[@]:1}" 2>/dev/null)
  if [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *= ]]; then compopt -o nospace 2>/dev/null; fi
}
complete -F _${bin.replace(/\W/g, '_')}_complete ${bin}
`;
}

/** The zsh script (for fpath as _BIN, or sourced after compinit). */
export function zshScript(bin: string): string {
  const fn = `_${bin.replace(/\W/g, '_')}`;
  return `#compdef ${bin}
# ${bin} completion for zsh. Install: ${bin} autocomplete zsh > "\${fpath[1]}/_${bin}" (or source it after compinit)
${fn}() {
  local -a candidates plain open
  candidates=("\${(@f)$("${bin}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  open=(\${(M)candidates:#*=})
  plain=(\${candidates:#*=})
  (( \${#plain} )) && compadd -Q -- "\${plain[@]}"
  (( \${#open} )) && compadd -Q -S '' -- "\${open[@]}"
  return 0
}
# Autoloaded from fpath, this file is the function's body: complete now. Sourced: register it.
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi
`;
}
