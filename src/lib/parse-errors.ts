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
      return `argument ${names.map((n) => n.toUpperCase()).join(' ')}: Must be specified.`;
    }
    case 'UnexpectedArgsError':
      return `unrecognized arguments: ${(e.args ?? []).map(String).join(' ')}`;
    case 'NonExistentFlagsError': {
      const flags = e.flags ?? [];
      const words = flags.map((token) => {
        const name = flagOf(token).replace(/^-+/, '');
        const match = closest(name, flagNames);
        return match === undefined ? token : `${token} (did you mean '--${match}'?)`;
      });
      return `unrecognized arguments: ${words.join(' ')}`;
    }
    case 'FlagInvalidOptionError': {
      const m = /^Expected --([^=\s]+)=(.*) to be one of: (.*)$/s.exec(message);
      return m ? `argument --${m[1]}: Invalid choice: '${m[2]}'. Valid choices are [${m[3]}].` : undefined;
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
          return missing ? `argument --${missing[1]}: Must be specified.` : reason;
        });
      return reasons.length > 0 ? reasons.join(' ') : undefined;
    }
    default:
      return undefined;
  }
}
