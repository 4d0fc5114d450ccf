import path from 'node:path';
import {Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {EMULATOR_DATA_DIR} from '../../lib/config/paths.js';
import {GcauthError, UsageError} from '../../lib/errors.js';
import {FaultConfigError, type FaultConfig} from '../../emulator/faults.js';
import {nextStopSignal, runEmulator} from '../../emulator/run.js';
import {EmulatorBusyError, METADATA_FAULTS, MetadataConfigError, type MetadataFault, type MetadataUpdate} from '../../emulator/server.js';
import {StateFileError} from '../../emulator/state.js';

export default class EmulatorStart extends BaseCommand<typeof EmulatorStart> {
  static override summary = "Run the offline emulator of Google's OAuth endpoints in the foreground.";
  static override description =
    'State (project, service accounts, public keys, issued tokens) is kept in --data-dir across restarts. ' +
    'On first start it creates the project and an owner service account whose key is written to DATA_DIR/owner-key.json. ' +
    'Prints "Emulator listening on URL" on stderr once it accepts connections; stops cleanly on SIGINT or SIGTERM. ' +
    '--project here names the emulated project created on first start (default demo-project). ' +
    'It also serves a Compute Engine metadata server under URL/computeMetadata/v1/ for an "emulated VM" ' +
    '(`emulator env-init --metadata` prints the variables); --vm-service-account and --vm-scopes set its identity, kept in state.';
  static override examples = [
    '<%= config.bin %> emulator start --data-dir /tmp/emu',
    '<%= config.bin %> emulator start --port 8089 --fail-rate 0.2 --fail-status 429',
    '<%= config.bin %> emulator start --vm-scopes cloud-platform',
  ];
  static override flags = {
    host: Flags.string({description: 'Interface to listen on.', default: '127.0.0.1'}),
    port: Flags.integer({description: 'Port to listen on; 0 picks a free one.', default: 0, min: 0, max: 65535}),
    'data-dir': Flags.string({description: 'Directory for state and the owner key (default: CONFIG_DIR/emulator).'}),
    user: Flags.string({description: 'A user account the emulator knows (repeatable).', multiple: true}),
    'latency-ms': Flags.integer({description: 'Delay added to every answer, in milliseconds.', min: 0}),
    'fail-rate': Flags.string({description: 'Share (0..1) of answers replaced by --fail-status.'}),
    'fail-status': Flags.string({description: 'Status injected by --fail-rate.', options: ['503', '429'], default: '503'}),
    'token-lifetime': Flags.integer({description: 'expires_in of issued access tokens, in seconds (default 3599).', min: 1, max: 43200}),
    'vm-service-account': Flags.string({
      description:
        "The emulated VM's service account: an email (an absent ID@PROJECT.iam.gserviceaccount.com of the project is created), " +
        '"default" (PROJECT_NUMBER-compute@developer.gserviceaccount.com, with roles/editor) or "none".',
    }),
    'vm-scopes': Flags.string({description: "The emulated VM's access scopes, comma-separated; short names (cloud-platform, devstorage.read_only) mean https://www.googleapis.com/auth/NAME. Default: GCE's default scopes."}),
    'vm-fault': Flags.option({
      description:
        'Make the metadata server misbehave, for tests of clients: html (a captive portal), hang (no answer), or only for the token: ' +
        'token-404 (no account), token-not-json, token-503-once (then answers), token-hang. Not kept; POST /__admin/metadata {"fault"} changes it.',
      options: METADATA_FAULTS,
    })(),
    'request-log': Flags.boolean({description: 'Log one line per request on stderr.', default: true, allowNo: true}),
  };

  async run(): Promise<void> {
    const {flags} = this;
    const faults: FaultConfig = {failStatus: flags['fail-status'] === '429' ? 429 : 503};
    if (flags['latency-ms'] !== undefined) faults.latencyMs = flags['latency-ms'];
    if (flags['fail-rate'] !== undefined) {
      const rate = Number(flags['fail-rate']);
      if (flags['fail-rate'].trim() === '' || !(rate >= 0 && rate <= 1)) {
        throw new UsageError(`--fail-rate must be a number between 0 and 1, not "${flags['fail-rate']}"`);
      }
      faults.failRate = rate;
    }
    const dataDir = path.resolve(flags['data-dir'] ?? path.join(this.ctx.paths.configDir, EMULATOR_DATA_DIR));
    const stderr = this.ctx.io.stderr;
    // Listen for signals before starting, so a signal during start-up still ends in a clean close.
    const stop = nextStopSignal();
    try {
      await runEmulator(
        {
          host: flags.host,
          port: flags.port,
          dataDir,
          project: flags.project ?? 'demo-project',
          users: flags.user ?? [],
          faults,
          tokenLifetimeSeconds: flags['token-lifetime'],
          vm: vmFlags(flags['vm-service-account'], flags['vm-scopes'], flags['vm-fault']),
          log: flags['request-log'] ? (line) => stderr.write(`${line}\n`) : undefined,
        },
        {stderr},
        stop,
      );
    } catch (error) {
      throw toUserError(error, flags.host, flags.port);
    }
  }
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
