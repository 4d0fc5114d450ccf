import {defineCommand} from '../../cli/command-spec.js';

/**
 * `gcauth auth configure-docker`, and the standalone helper's `docker-credential-gcauth configure-docker`: one
 * command line for both. REGISTRIES may be given bare (gcloud's form) or as --registries (docker-credential-gcr's).
 */
export const configureDockerSpec = defineCommand({
  summary: 'Make Docker get credentials for Google registries from docker-credential-gcauth.',
  description:
    'Sets credHelpers[HOST] = "gcauth" in $DOCKER_CONFIG/config.json (else ~/.docker/config.json) for gcloud\'s Container Registry ' +
    'hosts, every Artifact Registry host with --include-artifact-registry, or the REGISTRIES named (HOST or HOST:PORT, comma-separated). ' +
    'Every other key of config.json is kept as it was. A named host that is not Google\'s (a mirror, the emulator) is also added to ' +
    'docker/registries, the hosts the helper may send Google tokens to. The changes are shown as a diff on stderr first; on a terminal ' +
    'you are asked once (--quiet skips the question). A host another credential helper serves is replaced only with --overwrite or ' +
    'your yes. stdout stays empty unless --format is given.',
  examples: [
    '<%= config.bin %> auth configure-docker',
    '<%= config.bin %> auth configure-docker us-docker.pkg.dev,europe-west1-docker.pkg.dev',
    '<%= config.bin %> auth configure-docker 127.0.0.1:5000 --quiet',
    '<%= config.bin %> auth configure-docker --include-artifact-registry --dry-run',
    '<%= config.bin %> auth configure-docker --remove',
  ],
  strict: false,
  args: {
    registries: {description: 'Registry hosts, comma-separated (default: gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, staging-k8s.gcr.io, marketplace.gcr.io).'},
  },
  flags: {
    registries: {type: 'option', multiple: true, description: 'REGISTRIES as a flag (docker-credential-gcr\'s form); repeatable.'},
    'include-artifact-registry': {type: 'boolean', description: 'Also configure every Artifact Registry host (LOCATION-docker.pkg.dev, docker.REGION.rep.pkg.dev).'},
    overwrite: {type: 'boolean', description: 'Replace hosts that another credential helper serves, without asking.', exclusive: ['remove']},
    'dry-run': {type: 'boolean', description: 'Show the changes without writing them.'},
    remove: {type: 'boolean', description: "Take gcauth's entries out again: those of REGISTRIES, else all of them."},
  },
  options: ({flags, argv}) => {
    const named = [...(flags.registries ?? []), ...argv];
    return {
      registries: named.length > 0 ? named.join(',') : undefined,
      includeArtifactRegistry: flags['include-artifact-registry'],
      overwrite: flags.overwrite,
      dryRun: flags['dry-run'],
      remove: flags.remove,
    };
  },
  // Loaded only when run: the helper's get path never needs it.
  run: async (options, ctx) => (await import('../../docker/configure.js')).configureDocker(options, ctx),
  human: () => '',
});
