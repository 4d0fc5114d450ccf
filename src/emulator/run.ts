import {startEmulator, type RunningEmulator, type StartEmulatorOptions} from './server.js';
import {shellQuote} from './util.js';

/** Where the foreground runner writes its status lines. */
export interface RunIO {
  stderr: {write(text: string): unknown};
}

/** Resolves on the first SIGINT or SIGTERM; the listeners are removed so a second signal kills as usual. */
export function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}


/**
 * Runs the emulator in the foreground until `stop` resolves, then closes it (state flushed, emulator.json removed).
 * Status goes to stderr only; the "Emulator listening on URL" line comes last and is what scripts and tests wait for.
 * Throws whatever startEmulator throws.
 */
export async function runEmulator(
  options: StartEmulatorOptions,
  io: RunIO,
  stop: Promise<unknown>,
): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  io.stderr.write(`Project: ${emulator.project}; owner: ${emulator.ownerEmail}\n`);
  io.stderr.write(`Owner key: ${emulator.ownerKeyFile}\n`);
  const {realm, service, issuer, rootCertBundle} = emulator.registry;
  io.stderr.write(`Registry token auth: realm ${realm}, service ${service}, issuer ${issuer}, rootcertbundle ${rootCertBundle}\n`);
  io.stderr.write(`Point gcauth at it: eval "$(gcauth emulator env-init --data-dir ${shellQuote(emulator.dataDir)})"\n`);
  // Last, so whoever waits for this line has every line above it too.
  io.stderr.write(`Emulator listening on ${emulator.url}\n`);
  await stop;
  await emulator.close();
  io.stderr.write('Emulator stopped.\n');
  return emulator;
}
