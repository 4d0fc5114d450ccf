import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {configureDocker} from '../../lib/docker/configure.js';

export default class ConfigureDocker extends BaseCommand<typeof ConfigureDocker> {
  static override summary = 'Make Docker get credentials for Google registries from docker-credential-gcauth.';
  static override description =
    'Sets credHelpers[HOST] = "gcauth" in $DOCKER_CONFIG/config.json (else ~/.docker/config.json) for gcloud\'s Container Registry ' +
    'hosts, every Artifact Registry host with --include-artifact-registry, or the REGISTRIES named (HOST or HOST:PORT, comma-separated). ' +
    'Every other key of config.json is kept as it was. A named host that is not Google\'s (a mirror, the emulator) is also added to ' +
    'docker/registries, the hosts the helper may send Google tokens to. The changes are shown as a diff on stderr first; on a terminal ' +
    'you are asked once (--quiet skips the question). A host another credential helper serves is replaced only with --overwrite or ' +
    'your yes. stdout stays empty unless --format is given.';
  static override examples = [
    '<%= config.bin %> auth configure-docker',
    '<%= config.bin %> auth configure-docker us-docker.pkg.dev,europe-west1-docker.pkg.dev',
    '<%= config.bin %> auth configure-docker 127.0.0.1:5000 --quiet',
    '<%= config.bin %> auth configure-docker --include-artifact-registry --dry-run',
    '<%= config.bin %> auth configure-docker --remove',
  ];
  static override strict = false;
  static override args = {
    registries: Args.string({description: 'Registry hosts, comma-separated (default: gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, staging-k8s.gcr.io, marketplace.gcr.io).'}),
  };
  static override flags = {
    'include-artifact-registry': Flags.boolean({description: 'Also configure every Artifact Registry host (LOCATION-docker.pkg.dev, docker.REGION.rep.pkg.dev).'}),
    overwrite: Flags.boolean({description: 'Replace hosts that another credential helper serves, without asking.', exclusive: ['remove']}),
    'dry-run': Flags.boolean({description: 'Show the changes without writing them.'}),
    remove: Flags.boolean({description: "Take gcauth's entries out again: those of REGISTRIES, else all of them."}),
  };

  async run(): Promise<void> {
    const result = await configureDocker(
      {
        registries: this.positionals.length > 0 ? this.positionals.join(',') : undefined,
        includeArtifactRegistry: this.flags['include-artifact-registry'],
        overwrite: this.flags.overwrite,
        dryRun: this.flags['dry-run'],
        remove: this.flags.remove,
      },
      this.ctx,
    );
    await this.output(result, () => '');
  }
}
