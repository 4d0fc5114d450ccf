import path from 'node:path';
import {Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {NotFoundError} from '../../lib/errors.js';
import {emulatorEnv, EmulatorNotRunningError, readEmulatorInfo, renderExports} from '../../emulator/env.js';

export default class EmulatorEnvInit extends BaseCommand<typeof EmulatorEnvInit> {
  static override summary = 'Print the export lines that point gcauth (or gcloud) at a running emulator.';
  static override description =
    'Reads DATA_DIR/emulator.json, written by a running `gcauth emulator start`. Use with eval. ' +
    'With --gcloud, prints the CLOUDSDK_ variables that point the real gcloud at the emulator instead. ' +
    "With --registry, prints the REGISTRY_AUTH_TOKEN_ variables that make a Docker registry (distribution) use the emulator's registry front as its token server.";
  static override examples = [
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --gcloud)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --registry)"; docker-registry serve config.yml',
  ];
  static override flags = {
    'data-dir': Flags.string({description: 'Data dir of the running emulator (default: CONFIG_DIR/emulator).'}),
    gcloud: Flags.boolean({description: 'Print CLOUDSDK_ variables for the real gcloud instead of GCAUTH_ ones.', default: false, exclusive: ['registry']}),
    registry: Flags.boolean({description: "Print a Docker registry's REGISTRY_AUTH_TOKEN_ variables (realm, service, issuer, rootcertbundle) instead.", default: false}),
  };

  async run(): Promise<void> {
    const dataDir = path.resolve(this.flags['data-dir'] ?? path.join(this.ctx.paths.configDir, 'emulator'));
    let vars;
    try {
      vars = emulatorEnv(await readEmulatorInfo(dataDir), {gcloud: this.flags.gcloud, registry: this.flags.registry});
    } catch (error) {
      if (error instanceof EmulatorNotRunningError) {
        throw new NotFoundError(error.message, {hint: `Start it with: gcauth emulator start --data-dir ${dataDir}`});
      }
      throw error;
    }
    this.ctx.io.stdout.write(renderExports(vars));
  }
}
