import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {describeProvider, LOCATION_FLAG, POOL_FLAG} from '../../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Show a provider of a workload identity pool.',
  description: 'YAML with keys in alphabetical order, as gcloud prints it, unless --format says otherwise.',
  examples: ['<%= config.bin %> iam workload-identity-pools providers describe github --location=global --workload-identity-pool=ci-pool'],
  args: {provider: {required: true, description: 'ID of the provider (or its full resource name).'}},
  flags: {location: LOCATION_FLAG, 'workload-identity-pool': POOL_FLAG},
  options: ({args, flags}) => ({provider: args.provider, pool: flags['workload-identity-pool'], location: flags.location}),
  run: (options, ctx) => describeProvider(options, ctx),
  human: 'yaml',
});

export default class Describe extends specCommand(spec) {}
