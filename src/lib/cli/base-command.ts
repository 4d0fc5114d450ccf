import {Args, Command, Flags, type Interfaces} from '@oclif/core';

import {type ArgsSpec, type CommandSpec, type FlagSpec, type FlagsSpec, type FlagValueOf, GLOBAL_FLAGS, printSpecResult} from './command-spec.js';
import {environmentValue} from '../config/resolver.js';
import {createContext, type AppContext, type GlobalFlags} from '../context.js';
import {UsageError} from '../errors.js';
import {type FormatSpec, parseFormat} from '../output/format.js';
import {parseErrorMessage} from './parse-errors.js';
import {reportError} from '../report-error.js';

type OclifFlag<F extends FlagSpec> = F extends {type: 'boolean'} ? Interfaces.BooleanFlag<FlagValueOf<F>> : Interfaces.OptionFlag<FlagValueOf<F>>;
/** A spec's flags as oclif's flag objects, with the value types oclif infers for `this.flags`. */
export type OclifFlags<F extends FlagsSpec> = {[K in keyof F]: OclifFlag<F[K]>};

/** oclif's `Flags.*` for flags described as data (command-spec.ts): the only place the two meet. */
export function oclifFlags<F extends FlagsSpec>(flags: F): OclifFlags<F> {
  const converted = Object.entries(flags).map(([name, {type, options, exclusive, ...rest}]) => {
    const declared = {...rest, ...(options ? {options: [...options]} : {}), ...(exclusive ? {exclusive: [...exclusive]} : {})};
    // The union of Flags.*'s overloads cannot be named from data; the declarations are checked against the manifest instead.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const flag = type === 'boolean' ? Flags.boolean(declared as any) : type === 'integer' ? Flags.integer(declared as any) : Flags.string(declared as any);
    return [name, flag];
  });
  return Object.fromEntries(converted) as OclifFlags<F>;
}

/** oclif's `Args.string` for arguments described as data. */
export function oclifArgs<A extends ArgsSpec>(args: A): {[K in keyof A]: Interfaces.Arg<A[K] extends {required: true} ? string : string | undefined>} {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return Object.fromEntries(Object.entries(args).map(([name, {options, ...rest}]) => [name, Args.string({...rest, ...(options ? {options: [...options]} : {})} as any)])) as any;
}

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Every gcauth command: global flags, the one AppContext, output through --format,
 * and the one mapping from typed errors to messages and exit codes.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = oclifFlags(GLOBAL_FLAGS);

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  /** Every positional argument, for commands that take a list (strict = false). */
  protected positionals!: string[];
  protected ctx!: AppContext;
  protected format!: FormatSpec;

  override async init(): Promise<void> {
    await super.init();
    const {args, argv, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      // oclif reads a missing positional from stdin by default; gcauth reads stdin only where a command
      // asks for it (`--key-file=-`), so stdin is never silently taken as an ACCOUNT.
      args: Object.fromEntries(Object.entries(this.ctor.args ?? {}).map(([name, arg]) => [name, {...arg, ignoreStdin: true}])),
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    this.positionals = argv as string[];
    this.format = parseFormat(this.flags.format);
    this.ctx = await this.buildContext(this.flags as GlobalFlags);
  }

  /** Builds the command's AppContext; tests override it to run a command class against a fake context. */
  protected buildContext(flags: GlobalFlags): Promise<AppContext> {
    return createContext(flags);
  }

  /** Runs a command's spec: the parsed line as its options, its core, its result in --format or its human rendering. */
  protected async runSpec<F extends FlagsSpec, A extends ArgsSpec, O, R>(spec: CommandSpec<F, A, O, R>): Promise<void> {
    // oclif parsed with the spec's own flags and args (specCommand), so its values have the spec's types.
    const input = {flags: this.flags, args: this.args, argv: this.positionals} as unknown as Parameters<typeof spec.options>[0];
    const code = await printSpecResult(spec, await spec.run(spec.options(input), this.ctx), this.format, this.ctx);
    if (code !== 0) this.exit(code);
  }

  /** The error as it is reported: oclif's parse errors reworded as gcloud words them, with a suggestion for a mistyped flag. */
  protected asReported(error: Error): Error {
    const flagNames = Object.keys({...(this.ctor as typeof BaseCommand).baseFlags, ...this.ctor.flags, help: true});
    const parseMessage = parseErrorMessage(error, flagNames);
    return parseMessage === undefined ? error : new UsageError(parseMessage);
  }

  override async catch(error: Error & {oclif?: {exit?: number}}): Promise<never> {
    // this.exit() inside run() throws an ExitError: pass it through untouched.
    if (error.message === 'EEXIT' || (error as {code?: string}).code === 'EEXIT' || error.oclif?.exit === 0) throw error;
    const verbosity = this.flags?.verbosity ?? this.ctx?.log.level ?? environmentValue('core/verbosity', process.env);
    const code = reportError(this.asReported(error), (t) => (this.ctx?.io.stderr ?? process.stderr).write(t), verbosity);
    return this.exit(code);
  }
}

/**
 * The oclif class of a command spec: its help, flags and args for oclif, and a run() that calls the spec.
 * A command file is then `export default class X extends specCommand(spec) {}`.
 */
export function specCommand<F extends FlagsSpec, A extends ArgsSpec, O, R>(spec: CommandSpec<F, A, O, R>) {
  abstract class SpecCommand extends BaseCommand<typeof Command> {
    static override summary = spec.summary;
    static override description = spec.description;
    static override examples = [...(spec.examples ?? [])];
    static override strict = spec.strict ?? true;
    static override args = oclifArgs(spec.args);
    static override flags = oclifFlags(spec.flags);

    protected override buildContext(flags: GlobalFlags): Promise<AppContext> {
      return createContext(flags, spec.context);
    }

    async run(): Promise<void> {
      await this.runSpec(spec);
    }
  }
  return SpecCommand;
}
