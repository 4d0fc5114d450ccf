import {defineCommand} from '../../../cli/command-spec.js';
import {LOCATION_FLAG, REPOSITORY_ARGS, repositoryPolicy, repositoryRef} from '../../../artifacts/repositories.js';
import {readPolicy} from '../../../iam/bindings.js';

/** `gcauth artifacts repositories get-iam-policy`: served by oclif and by the lean dispatcher. */
export const artifactsRepositoriesGetIamPolicySpec = defineCommand({
  summary: "Print an Artifact Registry repository's IAM policy.",
  description: 'Who may pull from, push to and manage the repository, beside what the project grants. Read at policy version 3, so conditional bindings are shown with their conditions.',
  examples: ['<%= config.bin %> artifacts repositories get-iam-policy images --location=us', '<%= config.bin %> artifacts repositories get-iam-policy images --location=us --format=json'],
  args: REPOSITORY_ARGS,
  flags: LOCATION_FLAG,
  options: ({args, flags}) => ({repository: args.repository, location: flags.location}),
  run: async (options, ctx) => readPolicy(repositoryPolicy(repositoryRef(options, ctx), ctx)),
  human: 'yaml',
});
