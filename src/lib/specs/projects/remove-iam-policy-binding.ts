import {defineCommand} from '../../cli/command-spec.js';
import {REMOVE_BINDING_FLAGS} from '../../iam/binding-flags.js';
import {bindingOptions, changeProjectBinding} from '../../iam/bindings.js';

/** `gcauth projects remove-iam-policy-binding`: served by oclif and by the lean dispatcher. */
export const projectsRemoveIamPolicyBindingSpec = defineCommand({
  summary: "Remove a member from a role in a project's IAM policy.",
  description:
    'Removes the binding with the given condition (none without --condition), or with --all every binding of the member ' +
    'to the role. A write that loses a race with another writer is redone from a fresh read. stdout is the new policy.',
  examples: [
    '<%= config.bin %> projects remove-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer',
    '<%= config.bin %> projects remove-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer --all',
  ],
  args: {
    project: {required: true, description: 'Project ID or number.'},
  },
  flags: REMOVE_BINDING_FLAGS,
  options: ({flags, args}) => ({project: args.project, binding: bindingOptions(flags)}),
  run: ({project, binding}, ctx) => changeProjectBinding('remove', project, binding, ctx),
  human: 'yaml',
});
