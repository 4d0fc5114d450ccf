import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {deleteProvider, LOCATION_FLAG, POOL_FLAG} from '../../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Delete a provider of a workload identity pool.',
  description:
    'It stops exchanging tokens at once; Google keeps it for 30 days (list --show-deleted). As gcloud, this does not ask to confirm.',
  examples: ['<%= config.bin %> iam workload-identity-pools providers delete github --location=global --workload-identity-pool=ci-pool'],
  args: {provider: {required: true, description: 'ID of the provider (or its full resource name).'}},
  flags: {location: LOCATION_FLAG, 'workload-identity-pool': POOL_FLAG},
  options: ({args, flags}) => ({provider: args.provider, pool: flags['workload-identity-pool'], location: flags.location}),
  run: (options, ctx) => deleteProvider(options, ctx),
  // gcloud's delete commands print nothing on stdout by default (format none).
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
