import path from 'node:path';
import {Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {NotFoundError} from '../../lib/errors.js';
import {emulatorEnv, EmulatorNotRunningError, readEmulatorInfo, renderExports} from '../../emulator/env.js';

export default class EmulatorEnvInit extends BaseCommand<typeof EmulatorEnvInit> {
  static override summary = 'Print the export lines that point gcauth (or gcloud) at a running emulator.';
  static override description =
    'Reads DATA_DIR/emulator.json, written by a running `gcauth emulator start`. Use with eval. ' +
    'With --gcloud, prints the CLOUDSDK_ variables that point the real gcloud at the emulator instead.';
  static override examples = [
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --gcloud)"',
  ];
  static override flags = {
    'data-dir': Flags.string({description: 'Data dir of the running emulator (default: CONFIG_DIR/emulator).'}),
    gcloud: Flags.boolean({description: 'Print CLOUDSDK_ variables for the real gcloud instead of GCAUTH_ ones.', default: false}),
  };

  async run(): Promise<void> {
    const dataDir = path.resolve(this.flags['data-dir'] ?? path.join(this.ctx.paths.configDir, 'emulator'));
    let info;
    try {
      info = await readEmulatorInfo(dataDir);
    } catch (error) {
      if (error instanceof EmulatorNotRunningError) {
        throw new NotFoundError(error.message, {hint: `Start it with: gcauth emulator start --data-dir ${dataDir}`});
      }
      throw error;
    }
    this.ctx.io.stdout.write(renderExports(emulatorEnv(info, {gcloud: this.flags.gcloud})));
  }
}
