import {defineCommand} from '../../../cli/command-spec.js';
import {LOCATION_FLAG, REPOSITORY_ARGS, REPOSITORY_ROLE_RULES, repositoryPolicy, repositoryRef} from '../../../artifacts/repositories.js';
import {REMOVE_BINDING_FLAGS} from '../../../iam/binding-flags.js';
import {bindingOptions, changePolicyBinding} from '../../../iam/bindings.js';

/** `gcauth artifacts repositories remove-iam-policy-binding`: served by oclif and by the lean dispatcher. */
export const artifactsRepositoriesRemoveIamPolicyBindingSpec = defineCommand({
  summary: "Remove a member from a role in an Artifact Registry repository's IAM policy.",
  description:
    'Removes the binding with the given condition (none without --condition), or with --all every binding of the member to ' +
    'the role. What the project grants is untouched. A write that loses a race is redone from a fresh read. stdout is the new policy.',
  examples: [
    '<%= config.bin %> artifacts repositories remove-iam-policy-binding images --location=us --member=serviceAccount:ci-pusher@my-project.iam.gserviceaccount.com --role=roles/artifactregistry.writer',
  ],
  args: REPOSITORY_ARGS,
  flags: {...LOCATION_FLAG, ...REMOVE_BINDING_FLAGS},
  options: ({args, flags}) => ({repository: {repository: args.repository, location: flags.location}, binding: bindingOptions(flags)}),
  run: async ({repository, binding}, ctx) => changePolicyBinding('remove', repositoryPolicy(repositoryRef(repository, ctx), ctx), binding, ctx, REPOSITORY_ROLE_RULES),
  human: 'yaml',
});
