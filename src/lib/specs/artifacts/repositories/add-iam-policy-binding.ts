import {defineCommand} from '../../../cli/command-spec.js';
import {LOCATION_FLAG, REPOSITORY_ARGS, REPOSITORY_ROLE_RULES, repositoryPolicy, repositoryRef} from '../../../artifacts/repositories.js';
import {BINDING_FLAGS} from '../../../iam/binding-flags.js';
import {bindingOptions, changePolicyBinding} from '../../../iam/bindings.js';

/** `gcauth artifacts repositories add-iam-policy-binding`: served by oclif and by the lean dispatcher. */
export const artifactsRepositoriesAddIamPolicyBindingSpec = defineCommand({
  summary: "Add a member to a role in an Artifact Registry repository's IAM policy.",
  description:
    'Least privilege: roles/artifactregistry.writer on one repository lets a CI account push there and nowhere else. ' +
    'Read at version 3 and written with the etag it read; a binding already there is not written again, and a write ' +
    'that loses a race is redone from a fresh read. Members and roles are checked before any request. stdout is the new policy.',
  examples: [
    '<%= config.bin %> artifacts repositories add-iam-policy-binding images --location=us --member=serviceAccount:ci-pusher@my-project.iam.gserviceaccount.com --role=roles/artifactregistry.writer',
    '<%= config.bin %> artifacts repositories add-iam-policy-binding images --location=us --member=group:devs@example.com --role=roles/artifactregistry.reader --dry-run',
  ],
  args: REPOSITORY_ARGS,
  flags: {...LOCATION_FLAG, ...BINDING_FLAGS},
  options: ({args, flags}) => ({repository: {repository: args.repository, location: flags.location}, binding: bindingOptions(flags)}),
  run: async ({repository, binding}, ctx) => changePolicyBinding('add', repositoryPolicy(repositoryRef(repository, ctx), ctx), binding, ctx, REPOSITORY_ROLE_RULES),
  human: 'yaml',
});
