import {defineCommand} from '../../../cli/command-spec.js';
import {LOCATION_FLAG, REPOSITORY_ARGS, REPOSITORY_ROLE_RULES, repositoryPolicy, repositoryRef} from '../../../artifacts/repositories.js';
import {replacePolicy} from '../../../iam/bindings.js';

/** `gcauth artifacts repositories set-iam-policy`: served by oclif and by the lean dispatcher. */
export const artifactsRepositoriesSetIamPolicySpec = defineCommand({
  summary: "Replace an Artifact Registry repository's IAM policy with the one in a file.",
  description:
    'POLICY_FILE is JSON or YAML, as get-iam-policy prints it. With its etag the write is refused when the policy changed ' +
    'since it was read; without one it overwrites. Every member and role is checked before the request. stdout is the new policy.',
  examples: [
    '<%= config.bin %> artifacts repositories get-iam-policy images --location=us --format=json > policy.json',
    '<%= config.bin %> artifacts repositories set-iam-policy images policy.json --location=us',
  ],
  args: {...REPOSITORY_ARGS, policy_file: {required: true, description: 'JSON or YAML file with the policy.'}},
  flags: LOCATION_FLAG,
  options: ({args, flags}) => ({repository: {repository: args.repository, location: flags.location}, file: args.policy_file}),
  run: async ({repository, file}, ctx) => replacePolicy(repositoryPolicy(repositoryRef(repository, ctx), ctx), file, ctx, REPOSITORY_ROLE_RULES),
  human: 'yaml',
});
