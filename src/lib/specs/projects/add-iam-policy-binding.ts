import {defineCommand} from '../../cli/command-spec.js';
import {BINDING_FLAGS} from '../../iam/binding-flags.js';
import {bindingOptions, changeProjectBinding} from '../../iam/bindings.js';

/** `gcauth projects add-iam-policy-binding`: served by oclif and by the lean dispatcher. */
export const projectsAddIamPolicyBindingSpec = defineCommand({
  summary: "Add a member to a role in a project's IAM policy.",
  description:
    'Reads the policy at version 3 and writes it back with the etag it read. A binding that is already there is not ' +
    'written again. A write that loses a race with another writer is redone from a fresh read, so concurrent scripts ' +
    "never lose each other's bindings. stdout is the new policy (YAML unless --format says otherwise).",
  examples: [
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=serviceAccount:ci@my-project.iam.gserviceaccount.com --role=roles/storage.admin',
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer --condition=\'expression=request.time < timestamp("2030-01-01T00:00:00Z"),title=until-2030\'',
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=group:ops@example.com --role=roles/editor --dry-run',
  ],
  args: {
    project: {required: true, description: 'Project ID or number.'},
  },
  flags: BINDING_FLAGS,
  options: ({flags, args}) => ({project: args.project, binding: bindingOptions(flags)}),
  run: ({project, binding}, ctx) => changeProjectBinding('add', project, binding, ctx),
  human: 'yaml',
});
