/**
 * docker-credential-gcauth's commands for people, docker-credential-gcr's surface: `configure-docker` (the spec of
 * `gcauth auth configure-docker`, src/lib/specs) and `config` (the token sources, kept in `docker/token_source` of
 * the active configuration, where `gcauth config get` reads them). The helper does not load oclif: each command
 * line is parsed from its spec by parseCommandLine, the parser of gcauth's lean dispatcher, and its help is made
 * from the same declarations; errors are UsageErrors, reported as one `ERROR:` line.
 */
import {type DeclaredCommand, isProblem, parseCommandLine} from '../cli/command-line.js';
import {type AnyCommandSpec, defineCommand, type FlagSpec, type FlagsSpec, GLOBAL_FLAGS, printSpecResult} from '../cli/command-spec.js';
import {overrideWarning} from '../config/override-warning.js';
import {findProperty, validateProperty} from '../config/properties.js';
import type {AppContext, GlobalFlags} from '../context.js';
import {UsageError} from '../errors.js';
import {parseFormat} from '../output/format.js';
import {configureDockerSpec} from '../specs/auth/configure-docker.js';
import type {HelperCommand} from './credential-helper.js';
import {HELPER_BIN} from './helper.js';
import {DEFAULT_TOKEN_SOURCES, formatTokenSources, parseTokenSources} from './token-sources.js';

/** `docker-credential-gcauth config`: the helper's own command, over the property docker/token_source. */
export const helperConfigSpec = defineCommand({
  summary: 'print or set where tokens come from (docker/token_source)',
  args: {},
  flags: {
    'token-source': {
      type: 'option',
      description: `the sources to try, in order, comma-separated; default ${DEFAULT_TOKEN_SOURCES} (below)`,
      exclusive: ['unset-token-source', 'unset-all'],
    },
    'unset-token-source': {type: 'boolean', description: 'go back to the default order'},
    'unset-all': {type: 'boolean', description: 'the same as --unset-token-source'},
  },
  options: ({flags}) => ({list: flags['token-source'], unset: Boolean(flags['unset-token-source'] || flags['unset-all'])}),
  run: async ({list, unset}, ctx): Promise<string | undefined> => {
    if (list !== undefined) await setTokenSource(list, ctx);
    else if (unset) await unsetTokenSource(ctx);
    else return showTokenSource(ctx);
    return undefined;
  },
  human: (sources) => `${sources}\n`,
});

/** One command of the helper: the spec it runs, the global flags it takes besides the spec's, its help. */
interface HelperEntry {
  name: string;
  spec: AnyCommandSpec;
  /** gcauth's global flags for a command oclif also serves (so both take the same line); else the few it needs. */
  globals: FlagsSpec;
  /** One line for `help`. */
  summary: string;
  /** Lines after the flags in `help NAME`. */
  notes: string[];
}

const ENTRIES: HelperEntry[] = [
  {
    name: 'configure-docker',
    spec: configureDockerSpec,
    globals: GLOBAL_FLAGS,
    summary: 'make Docker use this helper for Google registries (as gcauth auth configure-docker)',
    notes: ["Hosts that are not Google's are added to docker/registries, the hosts the helper sends tokens to."],
  },
  {
    name: 'config',
    spec: helperConfigSpec,
    globals: {verbosity: GLOBAL_FLAGS.verbosity},
    summary: helperConfigSpec.summary,
    notes: [
      'Token sources:',
      '  gcauth    the active gcauth account (skipped when there is none)',
      "  adc       the Application Default Credentials file (GOOGLE_APPLICATION_CREDENTIALS, else gcloud's well-known",
      '            file; skipped when there is none)',
      '  metadata  the Compute Engine / GKE metadata server (skipped off Google Cloud)',
      'The first source that has credentials answers; if they fail, so does the helper.',
      'With no flag, prints the sources on stdout and where the setting comes from on stderr.',
      'It is stored in the active gcauth configuration; GCAUTH_DOCKER_TOKEN_SOURCE overrides it.',
    ],
  },
];

/** `--name=NAME` or `--name`, with its short form. */
function flagUsage(name: string, flag: FlagSpec): string {
  const long = flag.type === 'boolean' ? `--${name}` : `--${name}=${name.toUpperCase().replace(/-/g, '_')}`;
  return flag.char ? `-${flag.char}, ${long}` : long;
}

/** The help of an entry, from its spec's own declarations. */
function helpOf(entry: HelperEntry): Pick<HelperCommand, 'synopsis' | 'details'> {
  const own = Object.entries(entry.spec.flags as FlagsSpec);
  const globals = Object.entries(entry.globals);
  const args = Object.keys(entry.spec.args).map((name) => `[${name.toUpperCase()}${entry.spec.strict === false ? ' ...' : ''}]`);
  const rows = [...own, ...globals].map(([name, flag]): [string, string] => [flagUsage(name, flag), flag.description]);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return {
    synopsis: [...args, ...own.map(([name, flag]) => `[${flagUsage(name, flag).replace(/^-\w, /, '')}]`), ...(globals.length > 0 ? ['[GLOBAL FLAGS]'] : [])].join(' '),
    details: [...rows.map(([usage, description]) => `${usage.padEnd(width)}  ${description}`), ...entry.notes],
  };
}

/** The command line the helper takes for one of its commands, by name: its spec's flags and args with its global flags. */
export function helperCommandLine(name: string): DeclaredCommand | undefined {
  const entry = ENTRIES.find((e) => e.name === name);
  return entry && {flags: {...entry.globals, ...(entry.spec.flags as FlagsSpec)}, args: entry.spec.args, strict: entry.spec.strict};
}

/** The helper's commands, over a context built with the given global flags on first use. */
export function helperCommands(context: (flags: GlobalFlags) => Promise<AppContext>): HelperCommand[] {
  return ENTRIES.map((entry) => ({
    name: entry.name,
    summary: entry.summary,
    ...helpOf(entry),
    async run(args) {
      const {spec} = entry;
      const line = parseCommandLine(helperCommandLine(entry.name)!, args);
      if (isProblem(line)) {
        // parseArgs' own words name no command, so they get it, and where to read the command's help.
        throw line.syntax ? new UsageError(`${entry.name}: ${line.problem}.`, {hint: `Run: ${HELPER_BIN} help ${entry.name}`}) : new UsageError(line.problem);
      }
      const flags = line.flags as GlobalFlags;
      const format = parseFormat(flags.format);
      const ctx = await context(flags);
      return printSpecResult(spec, await spec.run(spec.options(line), ctx), format, ctx);
    },
  }));
}

const KEY = 'docker/token_source';
const say = (ctx: Pick<AppContext, 'io'>, line: string) => ctx.io.stderr.write(`${line}\n`);
const inOrder = (value: string) => parseTokenSources(value).join(', then ');

/** gcauth config set's warning when the environment hides the value just written. */
function warnIfOverridden(ctx: AppContext): void {
  const override = ctx.props.override(KEY);
  if (override) say(ctx, overrideWarning(override));
}

/**
 * The token sources, returned for stdout; where the setting comes from goes to stderr.
 * @throws UsageError when the value in force is invalid, naming where it comes from.
 */
function showTokenSource(ctx: AppContext): string {
  const resolved = ctx.props.describe(KEY);
  const value = resolved?.value ?? DEFAULT_TOKEN_SOURCES;
  const sources = formatTokenSources(value);
  const where =
    resolved?.source === 'env'
      ? `from ${resolved.origin}`
      : resolved?.source === 'configuration'
        ? `configuration [${ctx.props.configuration}]`
        : `the default; change it with: ${HELPER_BIN} config --token-source=LIST`;
  say(ctx, `(${where})`);
  return sources;
}

/**
 * Writes a validated, canonical list to the active configuration (not when it is already there).
 * @throws UsageError for an unknown, repeated or missing name (nothing written); NotFoundError for a missing configuration.
 */
async function setTokenSource(list: string, ctx: AppContext): Promise<void> {
  validateProperty(findProperty(KEY), list);
  const value = formatTokenSources(list);
  const configuration = ctx.props.configuration;
  if ((await ctx.configurations.read(configuration)).docker?.token_source === value) {
    say(ctx, `Property [${KEY}] of configuration [${configuration}] is already ${value}; nothing to change.`);
  } else {
    await ctx.configurations.update(configuration, (values) => {
      values.docker = {...values.docker, token_source: value};
    });
    say(ctx, `Updated property [${KEY}] of configuration [${configuration}]: ${HELPER_BIN} tries ${inOrder(value)}.`);
  }
  warnIfOverridden(ctx);
}

/** Removes the setting from the active configuration, so the default order applies. @throws NotFoundError for a missing configuration. */
async function unsetTokenSource(ctx: AppContext): Promise<void> {
  const configuration = ctx.props.configuration;
  if ((await ctx.configurations.read(configuration)).docker?.token_source === undefined) {
    say(ctx, `Property [${KEY}] is not set in configuration [${configuration}]; the default applies: ${inOrder(DEFAULT_TOKEN_SOURCES)}.`);
  } else {
    await ctx.configurations.update(configuration, (values) => {
      if (!values.docker) return;
      delete values.docker.token_source;
      if (Object.keys(values.docker).length === 0) delete values.docker;
    });
    say(ctx, `Unset property [${KEY}] of configuration [${configuration}]: ${HELPER_BIN} tries the default, ${inOrder(DEFAULT_TOKEN_SOURCES)}.`);
  }
  warnIfOverridden(ctx);
}
