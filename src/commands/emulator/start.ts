import path from 'node:path';

import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {EMULATOR_DATA_DIR} from '../../lib/config/paths.js';
import {GcauthError, UsageError} from '../../lib/errors.js';
import {FaultConfigError, type FaultConfig} from '../../emulator/faults.js';
import {nextStopSignal, runEmulator} from '../../emulator/run.js';
import {EmulatorBusyError, METADATA_FAULTS, MetadataConfigError, type MetadataFault, type MetadataUpdate, type StartEmulatorOptions} from '../../emulator/server.js';
import {StateFileError} from '../../emulator/state.js';

/** What `emulator start` runs with; the data dir is resolved against the config dir when the command runs. */
export interface EmulatorStartOptions extends Omit<StartEmulatorOptions, 'dataDir' | 'log'> {
  host: string;
  port: number;
  dataDir?: string;
  requestLog: boolean;
}

/**
 * Runs the emulator in the foreground until SIGINT or SIGTERM, then closes it. A long run is still one call of
 * the core: it resolves, with nothing to print, once the emulator has stopped.
 * @throws UsageError for bad settings or an address in use; GcauthError when the data dir is busy or its state damaged.
 */
export async function startEmulatorCommand(options: EmulatorStartOptions, ctx: Pick<AppContext, 'io' | 'paths'>): Promise<void> {
  const {dataDir, requestLog, ...settings} = options;
  const stderr = ctx.io.stderr;
  // Listen for signals before starting, so a signal during start-up still ends in a clean close.
  const stop = nextStopSignal();
  try {
    await runEmulator(
      {
        ...settings,
        dataDir: path.resolve(dataDir ?? path.join(ctx.paths.configDir, EMULATOR_DATA_DIR)),
        log: requestLog ? (line) => stderr.write(`${line}\n`) : undefined,
      },
      {stderr},
      stop,
    );
  } catch (error) {
    throw toUserError(error, options.host, options.port);
  }
}

export const spec = defineCommand({
  summary: "Run the offline emulator of Google's OAuth endpoints in the foreground.",
  description:
    'State (project, service accounts, public keys, issued tokens) is kept in --data-dir across restarts. ' +
    'On first start it creates the project and an owner service account whose key is written to DATA_DIR/owner-key.json. ' +
    'Prints "Emulator listening on URL" on stderr once it accepts connections; stops cleanly on SIGINT or SIGTERM. ' +
    '--project here names the emulated project created on first start (default demo-project). ' +
    'It also serves a Compute Engine metadata server under URL/computeMetadata/v1/ for an "emulated VM" ' +
    '(`emulator env-init --metadata` prints the variables); --vm-service-account and --vm-scopes set its identity, kept in state.',
  examples: [
    '<%= config.bin %> emulator start --data-dir /tmp/emu',
    '<%= config.bin %> emulator start --port 8089 --fail-rate 0.2 --fail-status 429',
    '<%= config.bin %> emulator start --vm-scopes cloud-platform',
  ],
  args: {},
  flags: {
    host: {type: 'option', description: 'Interface to listen on.', default: '127.0.0.1'},
    port: {type: 'integer', description: 'Port to listen on; 0 picks a free one.', default: 0, min: 0, max: 65535},
    'data-dir': {type: 'option', description: 'Directory for state and the owner key (default: CONFIG_DIR/emulator).'},
    user: {type: 'option', description: 'A user account the emulator knows (repeatable).', multiple: true},
    'latency-ms': {type: 'integer', description: 'Delay added to every answer, in milliseconds.', min: 0},
    'fail-rate': {type: 'option', description: 'Share (0..1) of answers replaced by --fail-status.'},
    'fail-status': {type: 'option', description: 'Status injected by --fail-rate.', options: ['503', '429'], default: '503'},
    'token-lifetime': {type: 'integer', description: 'expires_in of issued access tokens, in seconds (default 3599).', min: 1, max: 43200},
    'vm-service-account': {
      type: 'option',
      description:
        "The emulated VM's service account: an email (an absent ID@PROJECT.iam.gserviceaccount.com of the project is created), " +
        '"default" (PROJECT_NUMBER-compute@developer.gserviceaccount.com, with roles/editor) or "none".',
    },
    'vm-scopes': {
      type: 'option',
      description: "The emulated VM's access scopes, comma-separated; short names (cloud-platform, devstorage.read_only) mean https://www.googleapis.com/auth/NAME. Default: GCE's default scopes.",
    },
    'vm-fault': {
      type: 'option',
      description:
        'Make the metadata server misbehave, for tests of clients: html (a captive portal), hang (no answer), or only for the token: ' +
        'token-404 (no account), token-not-json, token-503-once (then answers), token-hang. Not kept; POST /__admin/metadata {"fault"} changes it.',
      options: METADATA_FAULTS,
    },
    'request-log': {type: 'boolean', description: 'Log one line per request on stderr.', default: true, allowNo: true},
    services: {
      type: 'boolean',
      description:
        'Enable on the project made at first start the services the demo needs (IAM, Resource Manager, IAM Credentials, Artifact and Container ' +
        'Registry, Service Usage, STS); --no-services enables none, as a new project at Google, so a script must take `services enable` first.',
      default: true,
      allowNo: true,
    },
  },
  options: ({flags}): EmulatorStartOptions => ({
    host: flags.host,
    port: flags.port,
    dataDir: flags['data-dir'],
    project: flags.project ?? 'demo-project',
    users: flags.user ?? [],
    faults: faultFlags(flags['fail-status'], flags['fail-rate'], flags['latency-ms']),
    tokenLifetimeSeconds: flags['token-lifetime'],
    vm: vmFlags(flags['vm-service-account'], flags['vm-scopes'], flags['vm-fault'] as MetadataFault | undefined),
    requestLog: flags['request-log'],
    ...(flags.services ? {} : {services: []}),
  }),
  run: startEmulatorCommand,
  human: () => '',
});

export default class EmulatorStart extends specCommand(spec) {}

/**
 * The faults given by flags.
 * @throws UsageError for a --fail-rate that is not a number between 0 and 1.
 */
function faultFlags(failStatus: string, failRate: string | undefined, latencyMs: number | undefined): FaultConfig {
  const faults: FaultConfig = {failStatus: failStatus === '429' ? 429 : 503};
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  if (failRate !== undefined) {
    const rate = Number(failRate);
    if (failRate.trim() === '' || !(rate >= 0 && rate <= 1)) {
      throw new UsageError(`--fail-rate must be a number between 0 and 1, not "${failRate}"`);
    }
    faults.failRate = rate;
  }
  return faults;
}

/** The VM settings given by flags; none given leaves the stored ones alone. */
function vmFlags(account: string | undefined, scopes: string | undefined, fault: MetadataFault | undefined): MetadataUpdate | undefined {
  if (account === undefined && scopes === undefined && fault === undefined) return undefined;
  const vm: MetadataUpdate = {};
  if (account !== undefined) vm.serviceAccount = account === 'none' ? null : account;
  if (scopes !== undefined) vm.scopes = scopes.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (fault !== undefined) vm.fault = fault;
  return vm;
}

/** Maps emulator start-up failures onto the CLI's typed errors; anything else stays a bug. */
function toUserError(error: unknown, host: string, port: number): unknown {
  if (error instanceof FaultConfigError) return new UsageError(error.message);
  if (error instanceof MetadataConfigError) return new UsageError(`--vm-service-account/--vm-scopes: ${error.message}`);
  if (error instanceof EmulatorBusyError) return new GcauthError(error.message, {hint: 'Stop it first, or pass another --data-dir.'});
  if (error instanceof StateFileError) return new GcauthError(error.message, {hint: 'Move the file away to start afresh.'});
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`Port ${port} on ${host} is already in use`, {hint: 'Pass --port 0 to pick a free port.'});
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UsageError(`Cannot listen on ${host}: ${code}`);
  if (code === 'EACCES' || code === 'EPERM') return new GcauthError(`Permission denied: ${(error as Error).message}`);
  return error;
}
