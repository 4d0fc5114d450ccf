/**
 * Parses a command line from a command's declared flags and arguments (a CommandSpec's, or its entry in
 * oclif.manifest.json, which has the same shape) without loading oclif, with node:util's parseArgs. It
 * enforces what the declaration says (required, options, exclusive, integers, how many positionals) in
 * the words gcauth prints for oclif's own parse errors (parse-errors.ts). The lean dispatcher hands any
 * problem back to oclif, which words its own; the standalone helper, which has no oclif, reports it.
 */
import {parseArgs} from 'node:util';

import {exclusiveMessage, invalidChoiceMessage, missingMessage, repeatedMessage, unrecognizedMessage} from './parse-errors.js';

/** A flag as a CommandSpec or the manifest declares it. */
export interface DeclaredFlag {
  type: 'boolean' | 'option' | 'integer';
  char?: string;
  required?: boolean;
  multiple?: boolean;
  exclusive?: readonly string[];
  options?: readonly string[];
  default?: unknown;
  allowNo?: boolean;
  min?: number;
  max?: number;
}

/** The command line a command declares: flags by name, arguments in order. */
export interface DeclaredCommand {
  flags: Readonly<Record<string, DeclaredFlag>>;
  args: Readonly<Record<string, {required?: boolean}>>;
  /** false: any number of positionals. */
  strict?: boolean;
}

export type FlagValue = string | boolean | number | string[] | undefined;

export interface ParsedLine {
  flags: Record<string, FlagValue>;
  /** The declared arguments, by name. */
  args: Record<string, string | undefined>;
  /** Every positional, in order. */
  argv: string[];
}

/**
 * A command line the declaration refuses. `syntax` problems are parseArgs' own (an unknown option, a missing
 * value, a value given to a switch), worded by Node; the others are gcauth's words for oclif's checks.
 */
export interface ParseProblem {
  problem: string;
  syntax?: boolean;
}

const NO = 'no-';

/** Parses argv (after the command id) as `command` declares it. */
export function parseCommandLine(command: DeclaredCommand, argv: readonly string[]): ParsedLine | ParseProblem {
  const flags = Object.entries(command.flags);
  const options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {};
  for (const [name, flag] of flags) {
    options[name] = {type: flag.type === 'boolean' ? 'boolean' : 'string', ...(flag.char ? {short: flag.char} : {}), ...(flag.multiple ? {multiple: true} : {})};
    if (flag.allowNo) options[`${NO}${name}`] = {type: 'boolean'};
  }
  const declared = Object.entries(command.args);
  let parsed;
  try {
    // A command that takes no positionals at all lets parseArgs name the stray one (`Unexpected argument 'x'`).
    parsed = parseArgs({args: [...argv], allowPositionals: declared.length > 0 || command.strict === false, strict: true, tokens: true, options});
  } catch (error) {
    const code = (error as {code?: string}).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    // parseArgs explains at length how to pass a positional that starts with '-': its first sentence is the point.
    return {problem: ((error as Error).message.split(/(?<=\.) /)[0] ?? '').trim().replace(/\.$/, ''), syntax: true};
  }
  const given = parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name.startsWith(NO) && !command.flags[t.name] ? t.name.slice(NO.length) : t.name] : []));
  const values: Record<string, FlagValue> = {};
  for (const [name, flag] of flags) {
    const times = given.filter((g) => g === name).length;
    if (times > 1 && !flag.multiple) return {problem: repeatedMessage(name)};
    const raw = (parsed.values as Record<string, FlagValue>)[name];
    const value = flag.allowNo && (parsed.values as Record<string, boolean | undefined>)[`${NO}${name}`] ? false : raw;
    if (value === undefined) {
      if (flag.required) return {problem: missingMessage([`--${name}`])};
      if (flag.default !== undefined) values[name] = flag.default as FlagValue;
      continue;
    }
    if (flag.type === 'integer') {
      const n = Number(value);
      if (!/^-?\d+$/.test(String(value)) || (flag.min !== undefined && n < flag.min) || (flag.max !== undefined && n > flag.max)) {
        return {problem: `argument --${name}: Expected an integer${flag.min === undefined ? '' : ` of at least ${flag.min}`}${flag.max === undefined ? '' : ` of at most ${flag.max}`}, received: ${String(value)}`};
      }
      values[name] = n;
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one === 'string' && flag.options && !flag.options.includes(one)) return {problem: invalidChoiceMessage(name, one, flag.options.join(', '))};
    }
    values[name] = value;
  }
  for (const [name, flag] of flags) {
    const other = flag.exclusive?.find((o) => values[o] !== undefined && given.includes(o));
    if (given.includes(name) && other !== undefined) return {problem: exclusiveMessage(name, other)};
  }
  const {positionals} = parsed;
  if (command.strict !== false && positionals.length > declared.length) return {problem: unrecognizedMessage(positionals.slice(declared.length))};
  const missing = declared.filter(([, arg], i) => arg.required && positionals[i] === undefined).map(([name]) => name.toUpperCase());
  if (missing.length > 0) return {problem: missingMessage(missing)};
  return {flags: values, args: Object.fromEntries(declared.map(([name], i) => [name, positionals[i]])), argv: positionals};
}

/** Whether parseCommandLine refused the line. */
export const isProblem = (result: ParsedLine | ParseProblem): result is ParseProblem => 'problem' in result;
