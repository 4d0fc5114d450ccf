import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {createRepository, type CreateRepositoryOptions, LOCATION_FLAG, REPOSITORY_ARGS} from '../../../lib/artifacts/repositories.js';

export const spec = defineCommand({
  summary: 'Create an Artifact Registry repository.',
  description:
    'Checks the id, location and format before any request, then waits for the operation, as gcloud does. The gcr.io ' +
    'repositories (gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io) live in the us, europe and asia multi-regions. Nothing is ' +
    'printed on stdout unless --format asks for the new repository.',
  examples: [
    '<%= config.bin %> artifacts repositories create images --repository-format=docker --location=us',
    '<%= config.bin %> artifacts repositories create images --repository-format=docker --location=europe --description="CI images" --project=my-project',
  ],
  args: REPOSITORY_ARGS,
  flags: {
    'repository-format': {type: 'option', required: true, description: 'Format of the repository: docker (images), maven, npm, python, apt, yum, go, kfp or generic.'},
    ...LOCATION_FLAG,
    description: {type: 'option', description: 'Description of the repository.'},
  },
  options: ({args, flags}): CreateRepositoryOptions => ({
    repository: args.repository,
    location: flags.location,
    repositoryFormat: flags['repository-format'],
    description: flags.description,
  }),
  run: createRepository,
  // gcloud's create prints nothing on stdout (a SilentCommand); the repository reaches it only through --format.
  human: () => '',
});

export default class Create extends specCommand(spec) {}
