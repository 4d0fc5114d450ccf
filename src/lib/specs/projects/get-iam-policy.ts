import {defineCommand} from '../../cli/command-spec.js';
import {readProjectPolicy} from '../../iam/bindings.js';

/** `gcauth projects get-iam-policy`: served by oclif and by the lean dispatcher. */
export const projectsGetIamPolicySpec = defineCommand({
  summary: "Print a project's IAM policy.",
  description: 'Read at policy version 3, so conditional bindings are shown with their conditions.',
  examples: ['<%= config.bin %> projects get-iam-policy my-project', '<%= config.bin %> projects get-iam-policy my-project --format=json'],
  args: {
    project: {required: true, description: 'Project ID or number.'},
  },
  flags: {},
  options: ({args}) => ({project: args.project}),
  run: ({project}, ctx) => readProjectPolicy(project, ctx),
  human: 'yaml',
});
