import path from 'node:path';

import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import {EMULATOR_DATA_DIR} from '../../lib/config/paths.js';
import type {AppContext} from '../../lib/context.js';
import {NotFoundError} from '../../lib/errors.js';
import {emulatorEnv, EmulatorNotRunningError, readEmulatorInfo, renderExports} from '../../emulator/env.js';

export interface EmulatorEnvInitOptions {
  dataDir?: string;
  gcloud: boolean;
  registry: boolean;
  metadata: boolean;
  ci: boolean;
}

/**
 * Writes the export lines for a running emulator to stdout. They are shell code for `eval`, not data: --format
 * does not apply to them, so the core writes them and returns nothing.
 * @throws NotFoundError when no emulator runs on the data dir.
 */
export async function emulatorEnvInit(options: EmulatorEnvInitOptions, ctx: Pick<AppContext, 'io' | 'paths'>): Promise<void> {
  const dataDir = path.resolve(options.dataDir ?? path.join(ctx.paths.configDir, EMULATOR_DATA_DIR));
  let vars;
  try {
    vars = emulatorEnv(await readEmulatorInfo(dataDir), {gcloud: options.gcloud, registry: options.registry, metadata: options.metadata, ci: options.ci});
  } catch (error) {
    if (error instanceof EmulatorNotRunningError) {
      throw new NotFoundError(error.message, {hint: `Start it with: gcauth emulator start --data-dir ${dataDir}`});
    }
    throw error;
  }
  ctx.io.stdout.write(renderExports(vars));
}

export const spec = defineCommand({
  summary: 'Print the export lines that point gcauth (or gcloud) at a running emulator.',
  description:
    'Reads DATA_DIR/emulator.json, written by a running `gcauth emulator start`. Use with eval. ' +
    'With --gcloud, prints the CLOUDSDK_ variables that point the real gcloud at the emulator instead. ' +
    "With --registry, prints the REGISTRY_AUTH_TOKEN_ variables that make a Docker registry (distribution) use the emulator's registry front as its token server. " +
    'With --metadata, also prints GCE_METADATA_HOST, GCE_METADATA_IP and GCE_METADATA_ROOT, which make the shell an emulated Compute Engine VM ' +
    "whose metadata server is the emulator's (with --gcloud, gcloud's GCE check is then left on and pointed at it). " +
    "With --ci, also prints ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, which make the shell a GitHub Actions job " +
    "(the default job of the emulator's CI token issuer) that can ask for OIDC job tokens.",
  examples: [
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --gcloud)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --registry)"; docker-registry serve config.yml',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --metadata)"',
    'eval "$(<%= config.bin %> emulator env-init --data-dir /tmp/emu --ci)"; curl -H "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD"',
  ],
  args: {},
  flags: {
    'data-dir': {type: 'option', description: 'Data dir of the running emulator (default: CONFIG_DIR/emulator).'},
    gcloud: {type: 'boolean', description: 'Print CLOUDSDK_ variables for the real gcloud instead of GCAUTH_ ones.', default: false, exclusive: ['registry']},
    registry: {type: 'boolean', description: "Print a Docker registry's REGISTRY_AUTH_TOKEN_ variables (realm, service, issuer, rootcertbundle) instead.", default: false},
    metadata: {
      type: 'boolean',
      description: "Also print the GCE_METADATA_ variables of an emulated VM, whose metadata server is the emulator's.",
      default: false,
      exclusive: ['registry'],
    },
    ci: {
      type: 'boolean',
      description: "Also print ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN of the CI token issuer's default job, as a GitHub Actions job has them.",
      default: false,
      exclusive: ['registry'],
    },
  },
  options: ({flags}): EmulatorEnvInitOptions => ({dataDir: flags['data-dir'], gcloud: flags.gcloud, registry: flags.registry, metadata: flags.metadata, ci: flags.ci}),
  run: emulatorEnvInit,
  human: () => '',
});

export default class EmulatorEnvInit extends specCommand(spec) {}
