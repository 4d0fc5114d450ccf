import path from 'node:path';
import {Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {EMULATOR_DATA_DIR} from '../../lib/config/paths.js';
import {NotFoundError} from '../../lib/errors.js';
import {emulatorEnv, EmulatorNotRunningError, readEmulatorInfo, renderExports} from '../../emulator/env.js';

export default class EmulatorEnvInit extends BaseCommand<typeof EmulatorEnvInit> {
  static override summary = 'Print the export lines that point gcauth (or gcloud) at a running emulator.';
  static override description =
    'Reads DATA_DIR/emulator.json, written by a running `gcauth emulator start`. Use with eval. ' +
    'With --gcloud, prints the CLOUDSDK_ variables that point the real gcloud at the emulator instead. ' +
    "With --registry, prints the REGISTRY_AUTH_TOKEN_ variables that make a Docker registry (distribution) use the emulator's registry front as its token server. " +
    'With --metadata, also prints GCE_METADATA_HOST, GCE_METADATA_IP and GCE_METADATA_ROOT, which make the shell an emulated Compute Engine VM ' +
    "whose metadata server is the emulator's (with --gcloud, gcloud's GCE check is then left on and pointed at it).";
  static override examples = [
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --gcloud)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --registry)"; docker-registry serve config.yml',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --metadata)"',
  ];
  static override flags = {
    'data-dir': Flags.string({description: 'Data dir of the running emulator (default: CONFIG_DIR/emulator).'}),
    gcloud: Flags.boolean({description: 'Print CLOUDSDK_ variables for the real gcloud instead of GCAUTH_ ones.', default: false, exclusive: ['registry']}),
    registry: Flags.boolean({description: "Print a Docker registry's REGISTRY_AUTH_TOKEN_ variables (realm, service, issuer, rootcertbundle) instead.", default: false}),
    metadata: Flags.boolean({description: "Also print the GCE_METADATA_ variables of an emulated VM, whose metadata server is the emulator's.", default: false, exclusive: ['registry']}),
  };

  async run(): Promise<void> {
    const dataDir = path.resolve(this.flags['data-dir'] ?? path.join(this.ctx.paths.configDir, EMULATOR_DATA_DIR));
    let vars;
    try {
      vars = emulatorEnv(await readEmulatorInfo(dataDir), {gcloud: this.flags.gcloud, registry: this.flags.registry, metadata: this.flags.metadata});
    } catch (error) {
      if (error instanceof EmulatorNotRunningError) {
        throw new NotFoundError(error.message, {hint: `Start it with: gcauth emulator start --data-dir ${dataDir}`});
      }
      throw error;
    }
    this.ctx.io.stdout.write(renderExports(vars));
  }
}
