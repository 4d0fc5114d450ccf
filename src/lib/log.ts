import {redactText} from './redact.js';

/** Status and debug lines, always on stderr, always redacted. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
  readonly level: Verbosity;
}

/** The verbosity levels, quietest last (gcloud's). */
export const VERBOSITIES = ['debug', 'info', 'warning', 'error', 'critical', 'none'] as const;
export type Verbosity = (typeof VERBOSITIES)[number];
const ORDER: readonly Verbosity[] = VERBOSITIES;

/** True when a message of `at` level is shown under `level`. */
export const shows = (level: Verbosity, at: Verbosity) => ORDER.indexOf(at) >= ORDER.indexOf(level);

/** A logger writing to `write` (stderr) at the given verbosity. */
export function createLogger(write: (text: string) => void, level: Verbosity): Logger {
  return {
    level,
    debug: (m) => shows(level, 'debug') && write(`DEBUG: ${redactText(m)}\n`),
    warn: (m) => shows(level, 'warning') && write(`WARNING: ${redactText(m)}\n`),
  } as Logger;
}
