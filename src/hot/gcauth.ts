/**
 * The hot paths, answered without loading oclif (about a hundred milliseconds of modules):
 * `gcauth --version`, `auth print-access-token`, `auth print-identity-token` (scripts put it in curl
 * lines), and the project policy commands that provisioning scripts run in loops. They run the same core as the oclif commands, with flags parsed from the
 * manifest oclif itself uses; anything this path does not take (help, unknown or repeated flags,
 * other commands) returns false and falls through to oclif, which owns the full command tree, help
 * and error messages.
 */
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';

import {parseScopes, printAccessToken, type PrintedAccessToken} from '../lib/auth/accounts.js';
import {printApplicationDefaultAccessToken, type PrintedAdcToken} from '../lib/auth/adc-print.js';
import {printIdentityToken, type PrintedIdentityToken} from '../lib/auth/identity-token.js';
import {complete, type CompletionCommand, fileSources} from '../lib/completion.js';
import {resolvePaths} from '../lib/config/paths.js';
import {type AppContext, createContext, type GlobalFlags} from '../lib/context.js';
import {bindingOptions, changeProjectBinding, readProjectPolicy} from '../lib/iam/bindings.js';
import {type HumanRenderer, parseFormat, renderResult} from '../lib/output/format.js';
import {reportError} from '../lib/report-error.js';
import {type ManifestCommand, parseWithManifest, type ParsedLine} from './manifest-parse.js';

/** oclif's version line: `gcauth/1.2.3 linux-x64 node-v20.0.0`. */
export function versionLine(): string {
  const {name, version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {name: string; version: string};
  return `${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`;
}

type Flags = Record<string, string | undefined> & Record<string, boolean | undefined>;

/** A result and how to render it by default. */
interface Answer<D = unknown> {
  data: D;
  human: HumanRenderer<D>;
}

/** The commands served here, by oclif command id, each a thin call into the same core as its class. */
export const FAST_COMMANDS: Record<string, (line: ParsedLine, ctx: AppContext) => Promise<Answer>> = {
  'auth:print-access-token': async ({flags, args}, ctx) => ({
    data: await printAccessToken(
      {account: args[0], scopes: parseScopes(flags.scopes as string | undefined), lifetime: flags.lifetime as string | undefined},
      ctx,
    ),
    human: (r) => `${(r as PrintedAccessToken).token}\n`,
  }),
  'auth:application-default:print-access-token': async (_line, ctx) => ({
    data: await printApplicationDefaultAccessToken(ctx),
    human: (r) => `${(r as PrintedAdcToken).token}\n`,
  }),
  'auth:print-identity-token': async ({flags, args}, ctx) => ({
    data: await printIdentityToken(
      {account: args[0], audiences: flags.audiences as string | undefined, includeEmail: flags['include-email'] as boolean | undefined},
      ctx,
    ),
    human: (r) => `${(r as PrintedIdentityToken).token}\n`,
  }),
  'projects:add-iam-policy-binding': async ({flags, args}, ctx) => ({
    data: await changeProjectBinding('add', args[0]!, bindingOptions(flags as Flags & {member: string; role: string}), ctx),
    human: 'yaml',
  }),
  'projects:remove-iam-policy-binding': async ({flags, args}, ctx) => ({
    data: await changeProjectBinding('remove', args[0]!, bindingOptions(flags as Flags & {member: string; role: string}), ctx),
    human: 'yaml',
  }),
  'projects:get-iam-policy': async ({args}, ctx) => ({data: await readProjectPolicy(args[0]!, ctx), human: 'yaml'}),
};

function readManifest(): {commands: Record<string, ManifestCommand>} | undefined {
  try {
    return JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, ManifestCommand>};
  } catch {
    return undefined;
  }
}

/** Runs argv if it is a hot path; returns false when oclif must handle it. */
export async function runFast(argv: string[]): Promise<boolean> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
    process.stdout.write(versionLine());
    return true;
  }
  if (argv[0] === '__complete') {
    const commands = readManifest()?.commands ?? {};
    const candidates = complete(argv.slice(1), commands as Record<string, CompletionCommand>, fileSources(resolvePaths(process.env, homedir())));
    process.stdout.write(candidates.map((c) => `${c}\n`).join(''));
    return true;
  }
  const id = Object.keys(FAST_COMMANDS).find((key) => key.split(':').every((token, i) => argv[i] === token));
  if (!id) return false;
  const command = readManifest()?.commands[id];
  const line = command && parseWithManifest(command, argv.slice(id.split(':').length));
  if (!line) return false;
  const flags = line.flags as GlobalFlags;
  let ctx: AppContext | undefined;
  try {
    const format = parseFormat(flags.format);
    ctx = await createContext(flags);
    const {data, human} = await FAST_COMMANDS[id]!(line, ctx);
    process.stdout.write(await renderResult(data, format, human));
  } catch (error) {
    process.exitCode = reportError(error, (t) => process.stderr.write(t), flags.verbosity ?? ctx?.log.level ?? process.env.GCAUTH_CORE_VERBOSITY);
  }
  return true;
}
