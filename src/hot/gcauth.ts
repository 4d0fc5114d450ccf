/**
 * The hot paths, answered without loading oclif: `gcauth --version` and `gcauth auth print-access-token`
 * with a cached token. They run the same core as the oclif command; anything this parser does not
 * recognise (help, unknown flags, other commands) returns false and falls through to oclif, which
 * owns the full command tree, help and error messages.
 */
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {parseScopes, printAccessToken, type PrintedAccessToken} from '../lib/auth/accounts.js';
import {type AppContext, createContext, type GlobalFlags} from '../lib/context.js';
import {isVerbosity} from '../lib/log.js';
import {parseFormat, renderOutput} from '../lib/output/format.js';
import {reportError} from '../lib/report-error.js';


/** oclif's version line: `gcauth/1.2.3 linux-x64 node-v20.0.0`. */
export function versionLine(): string {
  const {name, version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {name: string; version: string};
  return `${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`;
}

/** Runs argv if it is a hot path; returns false when oclif must handle it. */
export async function runFast(argv: string[]): Promise<boolean> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
    process.stdout.write(versionLine());
    return true;
  }
  if (argv[0] !== 'auth' || argv[1] !== 'print-access-token') return false;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        account: {type: 'string'},
        configuration: {type: 'string'},
        format: {type: 'string'},
        project: {type: 'string'},
        quiet: {type: 'boolean', short: 'q'},
        verbosity: {type: 'string'},
        scopes: {type: 'string'},
      },
    });
  } catch {
    return false;
  }
  const {values, positionals} = parsed;
  if (positionals.length > 1 || (values.verbosity !== undefined && !isVerbosity(values.verbosity))) return false;
  const flags: GlobalFlags = values;
  let ctx: AppContext | undefined;
  try {
    const format = parseFormat(values.format);
    ctx = await createContext(flags);
    const result = await printAccessToken({account: positionals[0], scopes: parseScopes(values.scopes)}, ctx);
    process.stdout.write(await renderOutput(result, format, (r) => `${(r as PrintedAccessToken).token}\n`));
  } catch (error) {
    process.exitCode = reportError(error, (t) => process.stderr.write(t), values.verbosity ?? ctx?.log.level ?? process.env.GCAUTH_CORE_VERBOSITY);
  }
  return true;
}
