import {exitCodeFor, GcauthError} from './errors.js';
import {redactText} from './redact.js';

/**
 * Prints an error the way every gcauth command does and returns its exit code:
 * a user error is one `ERROR:` line (plus its hint); anything else is a bug, whose stack
 * shows only at debug verbosity. At `critical` or `none` nothing is printed.
 */
export function reportError(error: unknown, write: (text: string) => void, verbosity: string | undefined): number {
  const code = exitCodeFor(error);
  if (verbosity === 'critical' || verbosity === 'none') return code;
  const debug = verbosity === 'debug';
  if (error instanceof GcauthError) {
    write(`ERROR: ${redactText(error.message)}\n`);
    if (error.hint) write(`${error.hint}\n`);
    if (debug && error.cause instanceof Error && error.cause.stack) write(`${redactText(error.cause.stack)}\n`);
    return code;
  }
  const e = error as {message?: string; name?: string; stack?: string; oclif?: unknown};
  if (e?.oclif) {
    // oclif's own parse errors (unknown flags, missing arguments) span several lines: keep one.
    const lines = (e.message ?? String(error))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^See more help with/.test(l));
    write(`ERROR: ${lines.join(' ')}\n`);
    return code;
  }
  write(`ERROR: gcauth crashed (${e?.name ?? 'Error'}): ${redactText(e?.message ?? String(error))}\n`);
  if (debug && e?.stack) write(`${redactText(e.stack)}\n`);
  else write('Run again with --verbosity=debug to see where.\n');
  return code;
}
