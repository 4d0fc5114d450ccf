import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {describeRepository, LOCATION_FLAG, REPOSITORY_ARGS} from '../../../lib/artifacts/repositories.js';

export const spec = defineCommand({
  summary: 'Describe an Artifact Registry repository.',
  description: "stdout is the repository (YAML unless --format says otherwise); its encryption, registry URL and size are status lines on stderr, as gcloud prints them.",
  examples: ['<%= config.bin %> artifacts repositories describe images --location=us', '<%= config.bin %> artifacts repositories describe images --location=us --format="value(name)"'],
  args: REPOSITORY_ARGS,
  flags: LOCATION_FLAG,
  options: ({args, flags}) => ({repository: args.repository, location: flags.location}),
  run: describeRepository,
  human: 'yaml',
});

export default class Describe extends specCommand(spec) {}
