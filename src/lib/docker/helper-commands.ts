/**
 * docker-credential-gcauth's commands for people, docker-credential-gcr's surface: `configure-docker` (the same
 * core as `gcauth auth configure-docker`) and `config` (the token sources, kept in `docker/token_source` of the
 * active configuration, where `gcauth config get` reads them). The helper does not load oclif, so their few flags
 * are parsed here with node:util's parseArgs; errors are UsageErrors, reported as one `ERROR:` line.
 */
import {parseArgs, type ParseArgsConfig} from 'node:util';

import {findProperty, validateProperty} from '../config/properties.js';
import type {AppContext, GlobalFlags} from '../context.js';
import {UsageError} from '../errors.js';
import type {HelperCommand} from './credential-helper.js';
import {HELPER_BIN} from './helper.js';
import {DEFAULT_TOKEN_SOURCES, formatTokenSources, parseTokenSources} from './token-sources.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const VERBOSITY: Options = {verbosity: {type: 'string'}};

/**
 * The flags and positionals of one command line.
 * @throws UsageError for an unknown flag, a missing value, or a value given to a switch.
 */
function parse(command: string, args: string[], options: Options, allowPositionals = false) {
  try {
    return parseArgs({args, options: {...options, ...VERBOSITY}, allowPositionals, strict: true});
  } catch (error) {
    const code = (error as {code?: string}).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    // parseArgs explains at length how to pass a positional that starts with '-': its first sentence is the point.
    const first = ((error as Error).message.split(/(?<=\.) /)[0] ?? '').trim().replace(/\.$/, '');
    throw new UsageError(`${command}: ${first}.`, {hint: `Run: ${HELPER_BIN} help ${command}`});
  }
}

const REGISTRIES_HELP = 'HOST or HOST:PORT, comma-separated; default gcloud\'s Container Registry hosts';

/** The helper's commands, over a context built with the given global flags on first use. */
export function helperCommands(context: (flags: GlobalFlags) => Promise<AppContext>): HelperCommand[] {
  return [
    {
      name: 'configure-docker',
      summary: 'make Docker use this helper for Google registries (as gcauth auth configure-docker)',
      synopsis: '[--registries=HOST,...] [--include-artifact-registry] [--overwrite] [--dry-run] [--remove] [-q]',
      details: [
        `--registries=HOST,...         the hosts to configure (${REGISTRIES_HELP}); REGISTRIES may also be given bare`,
        '--include-artifact-registry   also every Artifact Registry host (LOCATION-docker.pkg.dev, docker.REGION.rep.pkg.dev)',
        '--overwrite                   replace hosts another credential helper serves, without asking',
        '--dry-run                     show the changes (a diff on stderr) without writing them',
        '--remove                      take this helper\'s entries out again: those named, else all',
        '-q, --quiet                   never ask',
        'Hosts that are not Google\'s are added to docker/registries, the hosts the helper sends tokens to.',
      ],
      async run(args) {
        const {values, positionals} = parse(
          'configure-docker',
          args,
          {
            registries: {type: 'string', multiple: true},
            'include-artifact-registry': {type: 'boolean'},
            overwrite: {type: 'boolean'},
            'dry-run': {type: 'boolean'},
            remove: {type: 'boolean'},
            quiet: {type: 'boolean', short: 'q'},
          },
          true,
        );
        if (values.overwrite && values.remove) throw new UsageError('--overwrite cannot be used with --remove.');
        const named = [...((values.registries as string[] | undefined) ?? []), ...positionals];
        const ctx = await context({quiet: values.quiet as boolean | undefined, verbosity: values.verbosity as string | undefined});
        const {configureDocker} = await import('./configure.js');
        await configureDocker(
          {
            registries: named.length > 0 ? named.join(',') : undefined,
            includeArtifactRegistry: values['include-artifact-registry'] as boolean | undefined,
            overwrite: values.overwrite as boolean | undefined,
            dryRun: values['dry-run'] as boolean | undefined,
            remove: values.remove as boolean | undefined,
          },
          ctx,
        );
      },
    },
    {
      name: 'config',
      summary: 'print or set where tokens come from (docker/token_source)',
      synopsis: '[--token-source=LIST | --unset-token-source]',
      details: [
        `--token-source=LIST    the sources to try, in order, comma-separated; default ${DEFAULT_TOKEN_SOURCES}:`,
        '                         gcauth    the active gcauth account (skipped when there is none)',
        '                         adc       the Application Default Credentials file (GOOGLE_APPLICATION_CREDENTIALS,',
        '                                   else gcloud\'s well-known file; skipped when there is none)',
        '                         metadata  the Compute Engine / GKE metadata server (skipped off Google Cloud)',
        '                       The first source that has credentials answers; if they fail, so does the helper.',
        '--unset-token-source   go back to the default order (--unset-all does the same)',
        'With neither, prints the sources on stdout and where the setting comes from on stderr.',
        'It is stored in the active gcauth configuration; GCAUTH_DOCKER_TOKEN_SOURCE overrides it.',
      ],
      async run(args) {
        const {values} = parse('config', args, {
          'token-source': {type: 'string'},
          'unset-token-source': {type: 'boolean'},
          'unset-all': {type: 'boolean'},
        });
        const list = values['token-source'] as string | undefined;
        const unset = Boolean(values['unset-token-source'] || values['unset-all']);
        if (list !== undefined && unset) throw new UsageError('--token-source cannot be used with --unset-token-source.');
        const ctx = await context({verbosity: values.verbosity as string | undefined});
        if (list !== undefined) await setTokenSource(list, ctx);
        else if (unset) await unsetTokenSource(ctx);
        else showTokenSource(ctx);
      },
    },
  ];
}

const KEY = 'docker/token_source';
const say = (ctx: Pick<AppContext, 'io'>, line: string) => ctx.io.stderr.write(`${line}\n`);
const inOrder = (value: string) => parseTokenSources(value).join(', then ');

/** gcauth config set's warning when the environment hides the value just written. */
function warnIfOverridden(ctx: AppContext): void {
  const override = ctx.props.override(KEY);
  if (override) say(ctx, `WARNING: Property [${KEY}] is overridden by environment setting [${override.origin}=${override.value}]`);
}

/**
 * Prints the token sources (stdout) and where the setting comes from (stderr).
 * @throws UsageError when the value in force is invalid, naming where it comes from.
 */
function showTokenSource(ctx: AppContext): void {
  const resolved = ctx.props.describe(KEY);
  const value = resolved?.value ?? DEFAULT_TOKEN_SOURCES;
  ctx.io.stdout.write(`${formatTokenSources(value)}\n`);
  const where =
    resolved?.source === 'env'
      ? `from ${resolved.origin}`
      : resolved?.source === 'configuration'
        ? `configuration [${ctx.props.configuration}]`
        : `the default; change it with: ${HELPER_BIN} config --token-source=LIST`;
  say(ctx, `(${where})`);
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
