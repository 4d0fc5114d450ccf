import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {deleteRepository, LOCATION_FLAG, REPOSITORY_ARGS} from '../../../lib/artifacts/repositories.js';

export const spec = defineCommand({
  summary: 'Delete an Artifact Registry repository and every image in it.',
  description: 'Asks to confirm on a terminal; pass --quiet in scripts (without a terminal and without --quiet nothing is deleted). Waits for the operation.',
  examples: ['<%= config.bin %> artifacts repositories delete images --location=us', '<%= config.bin %> artifacts repositories delete images --location=us --quiet'],
  args: REPOSITORY_ARGS,
  flags: LOCATION_FLAG,
  options: ({args, flags}) => ({repository: args.repository, location: flags.location}),
  run: deleteRepository,
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
