/**
 * Parses a command line the way oclif would, from the command's entry in oclif.manifest.json, without
 * loading oclif. It accepts only what it is sure oclif accepts the same way; anything else (help, a
 * repeated or unknown flag, a missing required one, a bad option value) returns undefined so that oclif
 * parses it and words the error. The flags are never declared twice: the manifest is generated from
 * the command classes.
 */
import {parseArgs} from 'node:util';

/** The parts of a manifest command entry the parser reads. */
export interface ManifestCommand {
  args: Record<string, {name: string; required?: boolean}>;
  flags: Record<string, ManifestFlag>;
  strict?: boolean;
}

export interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  char?: string;
  required?: boolean;
  multiple?: boolean;
  exclusive?: string[];
  options?: string[];
}

export interface ParsedLine {
  flags: Record<string, string | boolean | undefined>;
  /** Positional arguments, in the declared order. */
  args: string[];
}

/** Parses argv (after the command id) for command, or returns undefined to leave it to oclif. */
export function parseWithManifest(command: ManifestCommand, argv: string[]): ParsedLine | undefined {
  const flags = Object.values(command.flags);
  if (command.strict === false || flags.some((f) => f.multiple)) return undefined;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: Object.fromEntries(flags.map((f) => [f.name, f.char ? {type: kind(f), short: f.char} : {type: kind(f)}])),
    });
  } catch {
    return undefined;
  }
  const seen = parsed.tokens.filter((t) => t.kind === 'option').map((t) => t.name);
  if (new Set(seen).size !== seen.length) return undefined;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const f of flags) {
    const value = values[f.name];
    if (f.required && value === undefined) return undefined;
    if (value !== undefined && f.exclusive?.some((other) => values[other] !== undefined)) return undefined;
    if (typeof value === 'string' && f.options && !f.options.includes(value)) return undefined;
  }
  const declared = Object.values(command.args);
  const {positionals} = parsed;
  if (positionals.length > declared.length || declared.some((a, i) => a.required && positionals[i] === undefined)) return undefined;
  return {flags: values, args: positionals};
}

const kind = (flag: ManifestFlag): 'boolean' | 'string' => (flag.type === 'boolean' ? 'boolean' : 'string');
