/**
 * The hot paths, answered without loading oclif (about a hundred milliseconds of modules):
 * `gcauth --version`, `auth print-access-token`, `auth print-identity-token` (scripts put it in curl
 * lines), `config config-helper` (other tools' way to gcloud's token), and the project and repository policy commands that provisioning scripts run in loops. They run the same spec as the oclif commands (src/lib/specs), flags and all,
 * parsed by parseCommandLine; anything this path does not take (help, unknown or repeated flags,
 * other commands) returns false and falls through to oclif, which owns the full command tree, help
 * and error messages.
 */
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';

import {isProblem, parseCommandLine} from '../lib/cli/command-line.js';
import {type AnyCommandSpec, type FlagsSpec, GLOBAL_FLAGS, printSpecResult} from '../lib/cli/command-spec.js';
import {complete, type CompletionCommand, fileSources} from '../lib/cli/completion.js';
import {resolvePaths} from '../lib/config/paths.js';
import {environmentValue} from '../lib/config/resolver.js';
import {type AppContext, createContext, type GlobalFlags} from '../lib/context.js';
import {parseFormat} from '../lib/output/format.js';
import {reportError} from '../lib/report-error.js';

/** oclif's version line: `gcauth/1.2.3 linux-x64 node-v20.0.0`. */
export function versionLine(): string {
  const {name, version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {name: string; version: string};
  return `${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`;
}

/**
 * The commands served here, by oclif command id: the same specs their oclif classes run, each imported when its line
 * is run, so a command evaluates only its own spec and core (the bundle is one file: see scripts/bundle.js).
 */
export const FAST_COMMANDS: Record<string, () => Promise<AnyCommandSpec>> = {
  'auth:print-access-token': async () => (await import('../lib/specs/auth/print-access-token.js')).printAccessTokenSpec,
  'auth:application-default:print-access-token': async () => (await import('../lib/specs/auth/application-default/print-access-token.js')).applicationDefaultPrintAccessTokenSpec,
  'auth:print-identity-token': async () => (await import('../lib/specs/auth/print-identity-token.js')).printIdentityTokenSpec,
  // kubectl's gke-gcloud-auth-plugin runs it before requests, docker-credential-gcr before pushes and pulls.
  'config:config-helper': async () => (await import('../lib/specs/config/config-helper.js')).configConfigHelperSpec,
  'projects:add-iam-policy-binding': async () => (await import('../lib/specs/projects/add-iam-policy-binding.js')).projectsAddIamPolicyBindingSpec,
  'projects:remove-iam-policy-binding': async () => (await import('../lib/specs/projects/remove-iam-policy-binding.js')).projectsRemoveIamPolicyBindingSpec,
  'projects:get-iam-policy': async () => (await import('../lib/specs/projects/get-iam-policy.js')).projectsGetIamPolicySpec,
  // The same policy edits on one repository (least privilege for a CI pusher), run in the same provisioning loops.
  'artifacts:repositories:add-iam-policy-binding': async () => (await import('../lib/specs/artifacts/repositories/add-iam-policy-binding.js')).artifactsRepositoriesAddIamPolicyBindingSpec,
  'artifacts:repositories:remove-iam-policy-binding': async () => (await import('../lib/specs/artifacts/repositories/remove-iam-policy-binding.js')).artifactsRepositoriesRemoveIamPolicyBindingSpec,
  'artifacts:repositories:get-iam-policy': async () => (await import('../lib/specs/artifacts/repositories/get-iam-policy.js')).artifactsRepositoriesGetIamPolicySpec,
  'artifacts:repositories:set-iam-policy': async () => (await import('../lib/specs/artifacts/repositories/set-iam-policy.js')).artifactsRepositoriesSetIamPolicySpec,
};

/**
 * The command line of a fast command, parsed from its spec with the global flags, or undefined to leave it to
 * oclif: for a line the spec refuses (oclif words the error, or shows help), and for what oclif reads otherwise
 * than parseArgs (a repeatable flag takes every value after it; a variadic command).
 */
export function parseFast(spec: AnyCommandSpec, argv: string[]) {
  const flags: FlagsSpec = {...GLOBAL_FLAGS, ...(spec.flags as FlagsSpec)};
  if (spec.strict === false || Object.values(flags).some((f) => f.multiple)) return undefined;
  const line = parseCommandLine({flags, args: spec.args, strict: spec.strict}, argv);
  return isProblem(line) ? undefined : line;
}

function readManifest(): {commands: Record<string, CompletionCommand>} | undefined {
  try {
    return JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, CompletionCommand>};
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
    const candidates = complete(argv.slice(1), commands, fileSources(resolvePaths(process.env, homedir())));
    process.stdout.write(candidates.map((c) => `${c}\n`).join(''));
    return true;
  }
  const id = Object.keys(FAST_COMMANDS).find((key) => key.split(':').every((token, i) => argv[i] === token));
  if (!id) return false;
  const spec = await FAST_COMMANDS[id]!();
  const line = parseFast(spec, argv.slice(id.split(':').length));
  if (!line) return false;
  const flags = line.flags as GlobalFlags;
  let ctx: AppContext | undefined;
  try {
    const format = parseFormat(flags.format);
    ctx = await createContext(flags, spec.context);
    const code = await printSpecResult(spec, await spec.run(spec.options(line), ctx), format, ctx);
    if (code !== 0) process.exitCode = code;
  } catch (error) {
    process.exitCode = reportError(error, (t) => process.stderr.write(t), flags.verbosity ?? ctx?.log.level ?? environmentValue('core/verbosity', process.env));
  }
  return true;
}
