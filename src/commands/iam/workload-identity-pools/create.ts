import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {createPool, LOCATION_FLAG, RESOURCE_FIELD_FLAGS} from '../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Create a workload identity pool in the current project.',
  description:
    'POOL is the pool ID: 4 to 32 lower-case letters, digits or hyphens, not starting with gcp-; it is checked before any ' +
    'request. A pool holds the providers (OIDC issuers, AWS accounts) whose identities may act in Google Cloud. Nothing is ' +
    "printed on stdout unless --format asks for the API's operation.",
  examples: [
    '<%= config.bin %> iam workload-identity-pools create ci-pool --location=global --display-name="CI"',
    '<%= config.bin %> iam workload-identity-pools create ci-pool --location=global --project=my-project --disabled',
  ],
  args: {pool: {required: true, description: 'ID of the new pool (or its full resource name).'}},
  flags: {location: LOCATION_FLAG, ...RESOURCE_FIELD_FLAGS},
  options: ({args, flags}) => ({pool: args.pool, location: flags.location, displayName: flags['display-name'], description: flags.description, disabled: flags.disabled}),
  run: (options, ctx) => createPool(options, ctx),
  // gcloud's create commands print nothing on stdout by default (format none).
  human: () => '',
});

export default class Create extends specCommand(spec) {}
