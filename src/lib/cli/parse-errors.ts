/**
 * oclif's parse errors in gcloud's wording (argparse's): one line each, flags with their `--`, and a
 * "did you mean" for a mistyped flag. oclif's error classes are recognised by name and shape so this
 * module loads nothing of oclif.
 */
import {closest} from './suggest.js';

interface OclifParseError {
  message: string;
  constructor: {name: string};
  args?: Array<{name?: string} | string>;
  flags?: string[];
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** Two exclusive flags given together, whichever entry point parsed them. */
export const exclusiveMessage = (flag: string, other: string) => `--${flag} cannot be used with --${other}.`;
/** A required flag (`--member`) or argument (`PROJECT`) missing. */
export const missingMessage = (names: string[]) => `argument ${names.join(' ')}: Must be specified.`;
/** Positionals or flags the command does not take. */
export const unrecognizedMessage = (words: string[]) => `unrecognized arguments: ${words.join(' ')}`;
/** A flag's value outside its options. */
export const invalidChoiceMessage = (flag: string, value: string, options: string) => `argument --${flag}: Invalid choice: '${value}'. Valid choices are [${options}].`;
/** A flag that takes one value given twice (oclif's own wording, which gcauth prints as it is). */
export const repeatedMessage = (flag: string) => `Flag --${flag} can only be specified once`;

// oclif: `--remove=true cannot also be provided when using --overwrite`, for `exclusive: ['remove']` on --overwrite.
const OCLIF_EXCLUSIVE = /^--([^=\s]+)=.* cannot also be provided when using --(\S+)$/s;

/** `--formt=json` → `--formt`, for matching against flag names. */
const flagOf = (token: string) => token.replace(/=.*$/s, '');

/**
 * The gcloud-worded message of an oclif parse error, or undefined for anything else.
 * `flagNames` are the command's flags without `--`, the source of suggestions.
 */
export function parseErrorMessage(error: unknown, flagNames: string[]): string | undefined {
  const e = error as OclifParseError;
  if (!e || typeof e.message !== 'string' || !(e as {oclif?: unknown}).oclif) return undefined;
  const message = stripAnsi(e.message).replace(/\nSee more help with --help\s*$/, '');
  switch (e.constructor?.name) {
    case 'RequiredArgsError': {
      const names = (e.args ?? []).map((a) => (typeof a === 'string' ? a : (a.name ?? ''))).filter(Boolean);
      return missingMessage(names.map((n) => n.toUpperCase()));
    }
    case 'UnexpectedArgsError':
      return unrecognizedMessage((e.args ?? []).map(String));
    case 'NonExistentFlagsError': {
      const flags = e.flags ?? [];
      const words = flags.map((token) => {
        const name = flagOf(token).replace(/^-+/, '');
        const match = closest(name, flagNames);
        return match === undefined ? token : `${token} (did you mean '--${match}'?)`;
      });
      return unrecognizedMessage(words);
    }
    case 'FlagInvalidOptionError': {
      const m = /^Expected --([^=\s]+)=(.*) to be one of: (.*)$/s.exec(message);
      return m ? invalidChoiceMessage(m[1]!, m[2]!, m[3]!) : undefined;
    }
    case 'ArgInvalidOptionError': {
      const m = /^Expected (.*) to be one of: (.*)$/s.exec(message);
      return m ? `Invalid choice: '${m[1]}'. Valid choices are [${m[2]}].` : undefined;
    }
    case 'FailedFlagValidationError':
    case 'ViolatedFlagConstraintError': {
      const reasons = message
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((reason) => {
          const missing = /^Missing required flag (\S+)$/.exec(reason);
          if (missing) return missingMessage([`--${missing[1]}`]);
          const exclusive = OCLIF_EXCLUSIVE.exec(reason);
          return exclusive ? exclusiveMessage(exclusive[2]!, exclusive[1]!) : reason;
        });
      return reasons.length > 0 ? reasons.join(' ') : undefined;
    }
    default:
      return undefined;
  }
}
