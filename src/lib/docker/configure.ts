/**
 * The core of `gcauth auth configure-docker`: points Docker's credHelpers at docker-credential-gcauth for
 * Google's registry hosts (or the hosts named), and lists any other named host in `docker/registries` so the
 * helper serves it. Everything is checked and shown before config.json is touched.
 */
import {stat} from 'node:fs/promises';
import path from 'node:path';

import type {ConfigValues} from '../config/configurations.js';
import type {AppContext} from '../context.js';
import {CancelledError, UsageError} from '../errors.js';
import {installHint} from '../cli/install-hint.js';
import {unifiedDiff} from '../output/diff.js';
import {credHelpersOf, dockerConfigPath, type DockerConfigFile, formatDockerConfig, readDockerConfig, updateDockerConfig, withCredHelpers, writeDockerConfig} from './docker-config.js';
import {helperBinFor, helperNameFor, isGcauthHelper} from './helper.js';
import {ARTIFACT_REGISTRY_HOSTS, DOCKER_HUB_HOSTS, GCR_DEFAULT_HOSTS, isGoogleRegistryHost} from './registries.js';
import {registryHost, splitHostList} from './server-url.js';
import {registryHostProblem} from '../validators.js';

export interface ConfigureDockerOptions {
  /** REGISTRIES as typed: comma-separated `HOST[:PORT]` (a scheme or path is dropped). */
  registries?: string;
  includeArtifactRegistry?: boolean;
  /** Replace hosts that another credential helper serves. */
  overwrite?: boolean;
  /** Show the changes without writing them. */
  dryRun?: boolean;
  /** Take gcauth's entries out instead (all of them when no REGISTRIES are given). */
  remove?: boolean;
}

export interface ConfigureDockerResult {
  configFile: string;
  /** True when something was written. */
  changed: boolean;
  dryRun: boolean;
  /** Hosts newly sent to gcauth. */
  added: string[];
  /** Hosts taken from another helper (`previous` is its name; '' is Docker's file store). */
  replaced: Array<{host: string; previous: string}>;
  /** Hosts no longer sent to gcauth. */
  removed: string[];
  /** Hosts already as asked. */
  unchanged: string[];
  /** credHelpers as it is now (or would be, under --dry-run). */
  credHelpers: Record<string, string>;
  /** `docker/registries` of the active configuration as it is now (or would be). */
  registries: string[];
}

/** Seconds `docker version` may take before configure-docker stops waiting for it. */
export const DOCKER_PROBE_TIMEOUT_MS = 5_000;

/**
 * The hosts a command line names: REGISTRIES (normalised, checked), else gcloud's defaults (none for --remove),
 * plus every Artifact Registry host with --include-artifact-registry.
 * @throws UsageError for an empty list, an item that is not HOST[:PORT], or Docker Hub.
 */
export function requestedHosts(options: Pick<ConfigureDockerOptions, 'registries' | 'includeArtifactRegistry' | 'remove'>): string[] {
  let named: string[] = [];
  if (options.registries !== undefined) {
    named = splitHostList(options.registries).map((item) => {
      const host = registryHost(item);
      const problem = registryHostProblem(host);
      if (!host || problem) throw new UsageError(`Invalid registry [${item}]: ${problem ?? 'expected HOST or HOST:PORT'}, e.g. gcr.io or 127.0.0.1:5000.`);
      if (DOCKER_HUB_HOSTS.includes(host.replace(/:\d+$/, ''))) {
        throw new UsageError(`[${item}] is Docker Hub: gcauth only serves Google registries and the mirrors or emulators you name.`);
      }
      return host;
    });
    if (named.length === 0) throw new UsageError('REGISTRIES is empty: name hosts separated by commas, e.g. gcr.io,us-docker.pkg.dev.');
  }
  const base = named.length > 0 || options.remove ? named : [...GCR_DEFAULT_HOSTS];
  return [...new Set(options.includeArtifactRegistry ? [...base, ...ARTIFACT_REGISTRY_HOSTS] : base)];
}

const summarise = (hosts: string[]) => (hosts.length > 8 ? `${hosts.slice(0, 6).join(', ')} and ${hosts.length - 6} more` : hosts.join(', '));
const helperLabel = (helper: string) => (helper === '' ? "Docker's own file store (an empty entry)" : `docker-credential-${helper}`);

/** True when a file named `name` that may be run is in one of PATH's directories. */
export async function isOnPath(name: string, ctx: Pick<AppContext, 'env' | 'platform'>): Promise<boolean> {
  return (await findOnPath(name, ctx)) !== undefined;
}

/** The first file named `name` (with a PATHEXT extension on Windows) that may be run in PATH's directories. */
export async function findOnPath(name: string, ctx: Pick<AppContext, 'env' | 'platform'>): Promise<string | undefined> {
  const windows = ctx.platform === 'win32';
  const dirs = (ctx.env.PATH ?? ctx.env.Path ?? '').split(windows ? ';' : ':').filter(Boolean);
  const extensions = windows ? (ctx.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const file = path.join(dir, name + extension);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile() && (windows || (info.mode & 0o111) !== 0)) return file;
    }
  }
  return undefined;
}

/** The store Docker picks by itself while config.json holds no credentials settings (docker/cli DetectDefaultStore). */
async function autoDetectedStore(ctx: Pick<AppContext, 'env' | 'platform'>): Promise<string | undefined> {
  const store =
    ctx.platform === 'darwin'
      ? 'osxkeychain'
      : ctx.platform === 'win32'
        ? 'wincred'
        : ctx.platform === 'linux'
          ? (await isOnPath('pass', ctx))
            ? 'pass'
            : 'secretservice'
          : undefined;
  return store && (await isOnPath(`docker-credential-${store}`, ctx)) ? store : undefined;
}

/** What `docker version` told of the client: its version, or why there is none. */
export type DockerProbe =
  | {kind: 'version'; version: string; major: number; minor: number}
  | {kind: 'missing'}
  | {kind: 'timeout'}
  | {kind: 'unknown'; detail?: string};

/** Docker 18.03 is the first whose credential-helper handling gcauth relies on. */
export const isDockerTooOld = (probe: {major: number; minor: number}) => probe.major < 18 || (probe.major === 18 && probe.minor < 3);

/** Asks `docker version` for the client's version, bounded by `timeoutMs`. Never throws. */
export async function probeDockerVersion(ctx: Pick<AppContext, 'env'>, timeoutMs = DOCKER_PROBE_TIMEOUT_MS): Promise<DockerProbe> {
  try {
    const {execa} = await import('execa');
    const result = await execa('docker', ['version', '--format', '{{.Client.Version}}'], {
      env: ctx.env,
      extendEnv: false,
      timeout: timeoutMs,
      reject: false,
      stdin: 'ignore',
    });
    // Without a daemon `docker version` exits 1, but it has printed the client's version first.
    const version = String(result.stdout).trim();
    const match = /^(\d+)\.(\d+)/.exec(version);
    if (match) return {kind: 'version', version, major: Number(match[1]), minor: Number(match[2])};
    if ((result as {code?: string}).code === 'ENOENT') return {kind: 'missing'};
    if (result.timedOut) return {kind: 'timeout'};
    return {kind: 'unknown'};
  } catch (error) {
    return {kind: 'unknown', detail: (error as Error).message};
  }
}

/** A warning about the docker CLI (missing, too old, not answering), or undefined. Never throws. */
export async function dockerVersionWarning(ctx: Pick<AppContext, 'env'>, timeoutMs = DOCKER_PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const probe = await probeDockerVersion(ctx, timeoutMs);
  switch (probe.kind) {
    case 'version':
      return isDockerTooOld(probe) ? `Docker ${probe.version} is older than 18.03; upgrade Docker for its credential helpers to work as expected.` : undefined;
    case 'missing':
      return 'docker was not found on PATH; the config file is written anyway, for when it is installed.';
    case 'timeout':
      return `\`docker version\` did not answer within ${timeoutMs / 1000} s, so its version is unknown (Docker 18.03 or later is expected).`;
    default:
      return probe.detail ? `Could not run docker to check its version: ${probe.detail}` : "Could not tell docker's version (Docker 18.03 or later is expected).";
  }
}

/**
 * Hosts with a stored login under `auths` (keys normalised as Docker's file store does). The empty `{}` that
 * `docker login` leaves there after a helper's `store` is bookkeeping, not a login.
 */
export function loginHosts(data: Record<string, unknown>): string[] {
  const auths = data.auths && typeof data.auths === 'object' ? (data.auths as Record<string, unknown>) : {};
  const holdsSecret = (entry: unknown) =>
    entry !== null && typeof entry === 'object' && ['auth', 'identitytoken', 'registrytoken', 'password'].some((field) => Boolean((entry as Record<string, unknown>)[field]));
  return Object.keys(auths)
    .filter((key) => holdsSecret(auths[key]))
    .map(registryHost);
}

function containsAuth(data: Record<string, unknown>): boolean {
  const nonEmpty = (v: unknown) => v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  return Boolean(data.credsStore) || nonEmpty(data.credHelpers) || nonEmpty(data.auths);
}

/**
 * What a full host list costs a classic `docker build`, which asks the helper for every configured host first. Said
 * qualitatively: a benchmark's figures belong to the machine that measured them, not to every user's terminal.
 */
export const fullListCost = (hosts: number, platform: NodeJS.Platform = 'linux') =>
  `credHelpers will name ${hosts} hosts for gcauth; a classic docker build asks the helper for each before it starts. ` +
  (platform === 'win32'
    ? `On Windows ${helperBinFor(platform)} starts Node for each, so name only the hosts you use to keep builds quick.`
    : 'With a cached token docker-credential-gcauth answers each without starting Node, so the list adds little to a build.');

/** Warnings about hosts being sent to gcauth, in the order a user should read them. */
async function warningsFor(taken: string[], file: DockerConfigFile, after: Record<string, string>, options: ConfigureDockerOptions, ctx: AppContext): Promise<string[]> {
  const warnings: string[] = [];
  const logins = new Set(loginHosts(file.data));
  const shadowed = taken.filter((host) => logins.has(host));
  if (shadowed.length > 0) {
    warnings.push(
      `${file.path} also has logins under "auths" for ${summarise(shadowed)}; Docker will ignore them, because a credHelpers entry takes precedence.`,
    );
  }
  if (!containsAuth(file.data) && Object.keys(after).length > 0) {
    const store = await autoDetectedStore(ctx);
    if (store) {
      warnings.push(
        `${file.path} has no "credsStore", so Docker has been choosing docker-credential-${store} for logins by itself; once credHelpers is present it stops doing so, ` +
          `and later docker logins to other registries keep their passwords base64-encoded in config.json. To keep them in ${store}, add "credsStore": "${store}" to it.`,
      );
    }
  }
  const bin = helperBinFor(ctx.platform);
  if (!(await isOnPath(bin, ctx))) {
    warnings.push(`${bin} is not on PATH, so Docker cannot run it yet. ${installHint()}`);
  }
  const docker = await dockerVersionWarning(ctx);
  if (docker) warnings.push(docker);
  return warnings;
}

/** What configureDocker changes in config.json, by key: shown instead of a line diff when the file is too large for one. */
function changeSummary(result: ConfigureDockerResult, name: string): string {
  const lines = [`Changes to ${result.configFile}, too many lines to show as a diff:`];
  if (result.added.length > 0) lines.push(`  "credHelpers" entries added: ${summarise(result.added)} -> ${name}`);
  if (result.replaced.length > 0) {
    lines.push(`  "credHelpers" entries switched to ${name}: ${summarise(result.replaced.map(({host, previous}) => `${host} from ${previous || 'an empty entry'}`))}`);
  }
  if (result.removed.length > 0) lines.push(`  "credHelpers" entries removed: ${summarise(result.removed)}`);
  // formatDockerConfig writes every file so, a minified one too: say it, since no diff shows it.
  lines.push('  every other key and value is kept, and the file is written one entry per line');
  return `${lines.join('\n')}\n`;
}

/** What configure-docker changes, planned from a config.json and a docker/registries list as read. */
interface Plan {
  /** The result, `changed` still false. */
  result: ConfigureDockerResult;
  before: Record<string, string>;
  /** Hosts --remove leaves alone because another helper serves them. */
  keptByOthers: string[];
  stored: string[];
  /** docker/registries after the change, given the list as stored (it is read again under its lock). */
  registriesFrom: (stored: string[]) => string[];
  credHelpersChanged: boolean;
  registriesChanged: boolean;
}

/**
 * Plans the edit for the helper `name` (helperNameFor the platform). An entry naming gcauth's other helper is gcauth's
 * own: --remove takes it out, and adding switches it to `name` without --overwrite (see needsOverwrite).
 */
function planChange(requested: string[], file: DockerConfigFile, stored: string[], options: ConfigureDockerOptions, name: string): Plan {
  const before = credHelpersOf(file.data);
  const after = {...before};
  const result: ConfigureDockerResult = {configFile: file.path, changed: false, dryRun: Boolean(options.dryRun), added: [], replaced: [], removed: [], unchanged: [], credHelpers: after, registries: []};
  const keptByOthers: string[] = [];
  let registriesFrom: Plan['registriesFrom'];

  if (options.remove) {
    const targets = requested.length > 0 ? requested : Object.keys(before).filter((host) => isGcauthHelper(before[host]));
    for (const host of targets) {
      if (isGcauthHelper(before[host])) {
        delete after[host];
        result.removed.push(host);
      } else if (before[host] !== undefined) keptByOthers.push(host);
    }
    registriesFrom = (list) => list.filter((host) => !targets.includes(host));
  } else {
    for (const host of requested) {
      const current = before[host];
      if (current === name) result.unchanged.push(host);
      else if (current === undefined) result.added.push(host);
      else result.replaced.push({host, previous: current});
      after[host] = name;
    }
    const served = requested.filter((host) => !isGoogleRegistryHost(host));
    registriesFrom = (list) => [...list, ...served.filter((host) => !list.includes(host))];
  }
  result.registries = registriesFrom(stored);
  return {
    result,
    before,
    keptByOthers,
    stored,
    registriesFrom,
    credHelpersChanged: result.added.length + result.replaced.length + result.removed.length > 0,
    registriesChanged: result.registries.join(',') !== stored.join(','),
  };
}

/** The replaced entries that take --overwrite (or a yes): another helper's, not gcauth's other name. */
const needsOverwrite = (replaced: ConfigureDockerResult['replaced']) => replaced.filter(({previous}) => !isGcauthHelper(previous));

const conflictError = (conflicts: ConfigureDockerResult['replaced']) =>
  new UsageError(
    `${conflicts.map(({host, previous}) => `${host} is served by ${helperLabel(previous)}`).join('; ')}. ` +
      'Pass --overwrite to send it to gcauth instead, or name other REGISTRIES. Nothing was changed.',
  );

/** Sets (or with an empty list, removes) docker/registries in a configuration's values. */
function setRegistries(values: ConfigValues, registries: string[]): void {
  if (registries.length > 0) values.docker = {...values.docker, registries: registries.join(',')};
  else if (values.docker) {
    delete values.docker.registries;
    if (Object.keys(values.docker).length === 0) delete values.docker;
  }
}

/**
 * Adds (or with `remove`, takes out) credHelpers entries naming gcauth in Docker's config.json, after showing the
 * diff on stderr and, on a terminal, asking once. Hosts that are not Google's go into `docker/registries` too.
 * @throws UsageError for bad REGISTRIES, or hosts another helper serves when no one can be asked and --overwrite is absent;
 *   DockerConfigError for a config.json that cannot be read, parsed or written (left untouched); CancelledError when the user says no.
 */
export async function configureDocker(options: ConfigureDockerOptions, ctx: AppContext): Promise<ConfigureDockerResult> {
  const requested = requestedHosts(options);
  const configFile = dockerConfigPath(ctx.env, ctx.homeDir, ctx.platform);
  const configuration = ctx.props.configuration;
  const storedRegistries = async () => splitHostList((await ctx.configurations.read(configuration)).docker?.registries ?? '');

  // A first look without locks: the change is checked, warned about, shown and (on a terminal) confirmed here, so a
  // prompt holds no lock and a dry run or a no-op writes nothing, not even a lock beside a file it may not write.
  const name = helperNameFor(ctx.platform);
  const file = await readDockerConfig(configFile);
  const {result, before, keptByOthers, stored, credHelpersChanged, registriesChanged} = planChange(requested, file, await storedRegistries(), options, name);
  const {registries} = result;
  const after = result.credHelpers;
  const say = (line: string) => ctx.io.stderr.write(`${line}\n`);

  if (keptByOthers.length > 0) {
    say(`Left alone: ${keptByOthers.map((h) => `${h} (${helperLabel(before[h]!)})`).join(', ')}, which gcauth does not serve.`);
  }
  const conflicts = needsOverwrite(result.replaced);
  if (conflicts.length > 0 && !options.overwrite && !options.dryRun && !ctx.canPrompt) throw conflictError(conflicts);

  const taken = [...result.added, ...result.replaced.map((r) => r.host)];
  if (!options.remove) for (const warning of await warningsFor(taken, file, after, options, ctx)) ctx.log.warn(warning);
  if (options.includeArtifactRegistry && !options.remove) say(fullListCost(Object.values(after).filter((h) => h === name).length, ctx.platform));
  const override = ctx.props.override('docker/registries');
  if (registriesChanged && override) {
    ctx.log.warn(`${override.origin}=${override.value} overrides docker/registries while it is set: docker-credential-gcauth serves only the hosts it lists.`);
  }

  if (!credHelpersChanged && !registriesChanged) {
    if (options.remove) say(requested.length > 0 ? `gcauth is not configured for ${summarise(requested)} in ${configFile}; nothing to change.` : `No credHelpers entry in ${configFile} names gcauth; nothing to change.`);
    else say(`Docker already uses gcauth for ${summarise(requested)} (${configFile}); nothing to change.`);
    return result;
  }

  const text = credHelpersChanged ? formatDockerConfig(withCredHelpers(file.data, after), file.text) : file.text;
  if (credHelpersChanged) {
    const diff = await unifiedDiff(file.text, text, {before: file.exists ? configFile : '/dev/null', after: configFile});
    ctx.io.stderr.write(diff ?? changeSummary(result, name));
  }
  if (registriesChanged) {
    say(`gcauth configuration [${configuration}]: docker/registries ${stored.length > 0 ? stored.join(',') : '(unset)'} -> ${registries.length > 0 ? registries.join(',') : '(unset)'}`);
  }
  if (options.dryRun) {
    if (conflicts.length > 0 && !options.overwrite) say(`Replacing the helper of ${summarise(conflicts.map((c) => c.host))} needs --overwrite, or a yes on a terminal.`);
    say('Dry run: nothing was written.');
    return result;
  }
  if (ctx.canPrompt) {
    const question =
      conflicts.length > 0 && !options.overwrite
        ? `Replace the credential helper of ${summarise(conflicts.map((c) => c.host))} with gcauth and write these changes?`
        : 'Do you want to continue?';
    if (!(await ctx.prompter.confirm(question, {default: true, flag: '--quiet'}))) throw new CancelledError('Aborted: nothing was changed.');
  }

  // The change itself, planned again from both files read under config.json's lock, so another process's entries
  // written since the first look are kept. Every configure-docker holds that lock until docker/registries is written
  // too, so the list read here is current for them; it is read once more under its own lock before it is written.
  const confirmed = conflicts.map((c) => c.host);
  const done = await updateDockerConfig(configFile, async (current) => {
    const plan = planChange(requested, current, await storedRegistries(), options, name);
    const unconfirmed = needsOverwrite(plan.result.replaced).filter(({host}) => !confirmed.includes(host));
    if (unconfirmed.length > 0 && !options.overwrite) throw conflictError(unconfirmed);
    if (plan.credHelpersChanged) await writeDockerConfig(current, formatDockerConfig(withCredHelpers(current.data, plan.result.credHelpers), current.text));
    if (plan.registriesChanged) {
      plan.result.registries = await ctx.configurations.update(configuration, (values) => {
        const next = plan.registriesFrom(splitHostList(values.docker?.registries ?? ''));
        setRegistries(values, next);
        return next;
      });
    }
    plan.result.changed = plan.credHelpersChanged || plan.registriesChanged;
    return plan.result;
  });
  if (options.remove) {
    if (done.removed.length > 0) say(`Removed gcauth from credHelpers for ${summarise(done.removed)} in ${configFile}.`);
  } else {
    const served = [...done.added, ...done.replaced.map((r) => r.host)];
    if (served.length > 0) say(`Docker now runs ${helperBinFor(ctx.platform)} for ${summarise(served)} (${configFile}).`);
  }
  return done;
}
