/**
 * A command defined once, as data and functions, for every entry point that runs it: the oclif class
 * (`specCommand` in base-command.ts turns the flags into oclif's `Flags.*`), the lean dispatcher
 * (src/hot/gcauth.ts) and the standalone Docker helper (src/lib/docker/helper-commands.ts), both of which parse
 * with `parseCommandLine` (command-line.ts). This module imports nothing of oclif, so the hot paths can load it.
 */
import type {AppContext, ContextOverrides} from '../context.js';
import {VERBOSITIES} from '../log.js';
import {type FormatSpec, type HumanRenderer, renderResult} from '../output/format.js';

/** A flag, described as oclif's `Flags.string`/`Flags.boolean`/`Flags.integer` take it. */
export interface FlagSpec {
  /** `option` takes a value (oclif's string flag); `integer` a whole number; `boolean` none. */
  type: 'boolean' | 'option' | 'integer';
  description: string;
  char?: 'q';
  required?: boolean;
  /** The flag may be repeated; each value is kept. */
  multiple?: boolean;
  /** Flags that cannot be given together with this one: the one home of that rule for every entry point. */
  exclusive?: readonly string[];
  options?: readonly string[];
  default?: string | boolean | number;
  /** `--no-NAME` turns a boolean off. */
  allowNo?: boolean;
  hidden?: boolean;
  helpGroup?: string;
  min?: number;
  max?: number;
}

/** A positional argument. */
export interface ArgSpec {
  description: string;
  required?: boolean;
  options?: readonly string[];
}

export type FlagsSpec = Readonly<Record<string, FlagSpec>>;
export type ArgsSpec = Readonly<Record<string, ArgSpec>>;

/** The parsed value of a flag. */
export type FlagValueOf<F extends FlagSpec> = F extends {type: 'boolean'}
  ? F extends {default: boolean} ? boolean : boolean | undefined
  : F extends {type: 'integer'}
    ? F extends {default: number} ? number : number | undefined
    : F extends {multiple: true}
      ? string[] | undefined
      : F extends {required: true} | {default: string} ? string : string | undefined;

/** The parsed values of a set of flags. */
export type FlagValues<F extends FlagsSpec> = {-readonly [K in keyof F]: FlagValueOf<F[K]>};
/** The parsed values of a command's arguments. */
export type ArgValues<A extends ArgsSpec> = {-readonly [K in keyof A]: A[K] extends {required: true} ? string : string | undefined};

const GLOBAL = 'GLOBAL';

/** The flags every gcauth command takes (oclif's baseFlags of BaseCommand). */
export const GLOBAL_FLAGS = {
  project: {type: 'option', description: 'Project to use for this command (property core/project).', helpGroup: GLOBAL},
  account: {type: 'option', description: 'Account to use for this command (property core/account).', helpGroup: GLOBAL},
  configuration: {type: 'option', description: 'Named configuration to use for this command.', helpGroup: GLOBAL},
  format: {type: 'option', description: 'Output format: json, yaml, none, value(FIELD,...), table or table(FIELD,...).', helpGroup: GLOBAL},
  quiet: {type: 'boolean', char: 'q', description: 'Never prompt; take the default answers.', helpGroup: GLOBAL},
  verbosity: {
    type: 'option',
    description: 'Logging on stderr (property core/verbosity); debug logs each HTTP exchange, redacted.',
    options: VERBOSITIES,
    helpGroup: GLOBAL,
  },
  'impersonate-service-account': {
    type: 'option',
    description:
      'Run as this service account through IAM Credentials (property auth/impersonate_service_account); DELEGATE,...,TARGET names a delegation chain ending at the target.',
    helpGroup: GLOBAL,
  },
  'access-token-file': {
    type: 'option',
    description: 'A file holding an access token to use as given instead of any account, not refreshed (property auth/access_token_file).',
    helpGroup: GLOBAL,
  },
} as const satisfies FlagsSpec;

/** What a command's options mapping receives: its flags (and the global ones), its arguments, every positional. */
export interface CommandInput<F extends FlagsSpec, A extends ArgsSpec> {
  flags: FlagValues<F & typeof GLOBAL_FLAGS>;
  args: ArgValues<A>;
  /** Every positional argument, for commands that take a list (strict: false). */
  argv: string[];
}

/** One command: its command line, how that becomes options, its core and its default rendering. */
export interface CommandSpec<F extends FlagsSpec = FlagsSpec, A extends ArgsSpec = ArgsSpec, O = unknown, R = unknown> {
  summary: string;
  description?: string;
  examples?: readonly string[];
  flags: F;
  args: A;
  /** false: any number of positionals (`argv`), as oclif's `strict = false`. */
  strict?: boolean;
  /** The parsed command line as the core's options. @throws UsageError for a combination no declaration expresses. */
  options(input: CommandInput<F, A>): O;
  /**
   * The core; one that resolves to undefined prints nothing on stdout, whatever --format says. Status lines that
   * report what it did go to ctx.io.stderr as it goes.
   */
  run(options: O, ctx: AppContext): Promise<R>;
  /** The rendering without --format. */
  human: HumanRenderer<R>;
  /**
   * Status lines for stderr once the result is printed in the default format (gcloud's Epilog, which an explicit
   * --format turns off: `Listed 0 items.` where the default table is empty, the next step under it).
   */
  epilog?(result: R, format: FormatSpec, ctx: AppContext): string;
  /** The exit status a result means, 0 unless this says otherwise (doctor's report is its result, and a failed check exits 1). */
  exitCode?(result: R): number;
  /** How this command's context is built, where it differs from every other command's. */
  context?: Pick<ContextOverrides, 'tolerateUntrustedConfigDir'>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandSpec = CommandSpec<any, any, any, any>;

/** Declares a command spec, inferring its types from the literal. */
export function defineCommand<const F extends FlagsSpec, const A extends ArgsSpec, O, R>(spec: CommandSpec<F, A, O, R>): CommandSpec<F, A, O, R> {
  return spec;
}

/** What a spec's result prints on stdout, in every entry point: nothing for a core that returns nothing, else --format or the human rendering. */
export async function renderSpecResult<R>(spec: Pick<CommandSpec<FlagsSpec, ArgsSpec, unknown, R>, 'human'>, result: R, format: FormatSpec): Promise<string> {
  return result === undefined ? '' : renderResult(result, format, spec.human);
}

/**
 * Prints a spec's result as every entry point does: stdout (renderSpecResult), then its epilog on stderr.
 * Returns the exit status the result means.
 */
export async function printSpecResult<R>(
  spec: Pick<CommandSpec<FlagsSpec, ArgsSpec, unknown, R>, 'human' | 'epilog' | 'exitCode'>,
  result: R,
  format: FormatSpec,
  ctx: AppContext,
): Promise<number> {
  ctx.io.stdout.write(await renderSpecResult(spec, result, format));
  // As gcloud's display: the epilog follows the default format only, never an explicit --format.
  const epilog = format.kind === 'default' ? spec.epilog?.(result, format, ctx) : undefined;
  if (epilog) ctx.io.stderr.write(epilog);
  return spec.exitCode?.(result) ?? 0;
}
