import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {createAwsProvider, createProviderOptions, LOCATION_FLAG, POOL_FLAG, PROVIDER_FIELD_FLAGS} from '../../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Create an AWS provider in a workload identity pool: identities of one AWS account.',
  description:
    'PROVIDER is the provider ID (4 to 32 lower-case letters, digits or hyphens, not starting with gcp-). A workload proves ' +
    "its AWS identity with a signed GetCallerIdentity request; without --attribute-mapping Google maps google.subject to the " +
    "caller's ARN. Every input is checked before any request. Nothing is printed on stdout unless --format asks for the API's operation.",
  examples: ['<%= config.bin %> iam workload-identity-pools providers create-aws prod-aws --location=global --workload-identity-pool=aws-pool --account-id=123456789012'],
  args: {provider: {required: true, description: 'ID of the new provider (or its full resource name).'}},
  flags: {
    location: LOCATION_FLAG,
    'workload-identity-pool': POOL_FLAG,
    ...PROVIDER_FIELD_FLAGS,
    'account-id': {type: 'option', required: true, description: 'The AWS account ID whose identities the provider accepts.'},
  },
  options: ({args, flags}) => ({
    ...createProviderOptions(args, flags),
    accountId: flags['account-id'],
  }),
  run: (options, ctx) => createAwsProvider(options, ctx),
  // gcloud's create commands print nothing on stdout by default (format none).
  human: () => '',
});

export default class CreateAws extends specCommand(spec) {}
