import {Command, Flags, type Interfaces} from '@oclif/core';

import {createContext, type AppContext, type GlobalFlags} from './context.js';
import {VERBOSITIES} from './log.js';
import {UsageError} from './errors.js';
import {type FormatSpec, type HumanRenderer, parseFormat, renderResult} from './output/format.js';
import {parseErrorMessage} from './parse-errors.js';
import {reportError} from './report-error.js';

const GLOBAL = 'GLOBAL';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Every gcauth command: global flags, the one AppContext, output through --format,
 * and the one mapping from typed errors to messages and exit codes.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    project: Flags.string({description: 'Project to use for this command (property core/project).', helpGroup: GLOBAL}),
    account: Flags.string({description: 'Account to use for this command (property core/account).', helpGroup: GLOBAL}),
    configuration: Flags.string({description: 'Named configuration to use for this command.', helpGroup: GLOBAL}),
    format: Flags.string({
      description: 'Output format: json, yaml, none, value(FIELD,...), table or table(FIELD,...).',
      helpGroup: GLOBAL,
    }),
    quiet: Flags.boolean({char: 'q', description: 'Never prompt; take the default answers.', helpGroup: GLOBAL}),
    verbosity: Flags.string({
      description: 'Logging on stderr (property core/verbosity); debug logs each HTTP exchange, redacted.',
      options: [...VERBOSITIES],
      helpGroup: GLOBAL,
    }),
    'impersonate-service-account': Flags.string({
      description:
        'Run as this service account through IAM Credentials (property auth/impersonate_service_account); DELEGATE,...,TARGET names a delegation chain ending at the target.',
      helpGroup: GLOBAL,
    }),
  };

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

  /** Writes a result to stdout in the user's --format, or by default `human` (a renderer, or `yaml` as gcloud's describe commands). */
  protected async output<D>(data: D, human: HumanRenderer<D>): Promise<void> {
    this.ctx.io.stdout.write(await renderResult(data, this.format, human));
  }

  /** Writes a status line to stderr. */
  protected status(message: string): void {
    this.ctx.io.stderr.write(`${message}\n`);
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
    const verbosity = this.flags?.verbosity ?? this.ctx?.log.level ?? process.env.GCAUTH_CORE_VERBOSITY;
    const code = reportError(this.asReported(error), (t) => (this.ctx?.io.stderr ?? process.stderr).write(t), verbosity);
    return this.exit(code);
  }
}
