/** An emulator in the test's own process with the owner's key activated, for command classes run through oclif. */
import ActivateServiceAccount from '../../src/commands/auth/activate-service-account.js';
import {startEmulator, type RunningEmulator, type StartEmulatorOptions} from '../../src/emulator/server.js';
import {emulatorEnv} from './cli.js';
import {tmpDir} from './emulator.js';
import {runCommand, type CommandResult} from './run-command.js';

type CommandClass = Parameters<typeof runCommand>[0];

export interface ActivatedEmulator {
  emu: RunningEmulator;
  /** The config dir where the owner is the active account, with a cached token. */
  configDir: string;
  /** Points gcauth's token host and API endpoints at the emulator. */
  env: Record<string, string>;
  /** Runs a command class through oclif's parser in configDir with env. */
  run(Cmd: CommandClass, argv: string[]): Promise<CommandResult>;
}

/**
 * Starts an emulator on 127.0.0.1:0 in this process and activates its owner key in a fresh config dir (failing the
 * test if that does not exit 0). Close it with `emu.close()` in afterAll.
 */
export async function startActivatedEmulator(options: Partial<StartEmulatorOptions> = {}): Promise<ActivatedEmulator> {
  const emu = await startEmulator({dataDir: tmpDir(), ...options});
  const configDir = tmpDir();
  const env = emulatorEnv(emu.url, configDir);
  const run = (Cmd: CommandClass, argv: string[]) => runCommand(Cmd, argv, {configDir, env});
  expect((await run(ActivateServiceAccount, [`--key-file=${emu.ownerKeyFile}`])).code).toBe(0);
  return {emu, configDir, env, run};
}
