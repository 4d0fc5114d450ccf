import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {describePool, LOCATION_FLAG} from '../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Show a workload identity pool.',
  description: 'YAML with keys in alphabetical order, as gcloud prints it, unless --format says otherwise.',
  examples: ['<%= config.bin %> iam workload-identity-pools describe ci-pool --location=global', '<%= config.bin %> iam workload-identity-pools describe ci-pool --location=global --format="value(state)"'],
  args: {pool: {required: true, description: 'ID of the pool (or its full resource name).'}},
  flags: {location: LOCATION_FLAG},
  options: ({args, flags}) => ({pool: args.pool, location: flags.location}),
  run: (options, ctx) => describePool(options, ctx),
  human: 'yaml',
});

export default class Describe extends specCommand(spec) {}
