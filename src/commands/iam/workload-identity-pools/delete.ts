import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {deletePool, LOCATION_FLAG} from '../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Delete a workload identity pool.',
  description:
    'Its providers stop exchanging tokens at once. Google keeps a deleted pool for 30 days (list --show-deleted), and ' +
    "its ID cannot be reused meanwhile. As gcloud, this does not ask to confirm. Nothing is printed on stdout unless --format asks for the API's operation.",
  examples: ['<%= config.bin %> iam workload-identity-pools delete ci-pool --location=global'],
  args: {pool: {required: true, description: 'ID of the pool (or its full resource name).'}},
  flags: {location: LOCATION_FLAG},
  options: ({args, flags}) => ({pool: args.pool, location: flags.location}),
  run: (options, ctx) => deletePool(options, ctx),
  // gcloud's delete commands print nothing on stdout by default (format none).
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
