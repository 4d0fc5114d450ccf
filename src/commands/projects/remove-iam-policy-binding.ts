import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {bindingFlags, changeBinding} from '../../lib/iam/bindings.js';
import {policyForDisplay} from '../../lib/iam/policy.js';
import {validateProjectId} from '../../lib/iam/validate.js';

export default class RemoveIamPolicyBinding extends BaseCommand<typeof RemoveIamPolicyBinding> {
  static override summary = "Remove a member from a role in a project's IAM policy.";
  static override description =
    'Removes the binding with the given condition (none without --condition), or with --all every binding of the member ' +
    'to the role. A write that loses a race with another writer is redone from a fresh read. stdout is the new policy.';
  static override examples = [
    '<%= config.bin %> projects remove-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer',
    '<%= config.bin %> projects remove-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer --all',
  ];
  static override args = {
    project: Args.string({required: true, description: 'Project ID or number.'}),
  };
  static override flags = {
    ...bindingFlags,
    all: Flags.boolean({description: 'Remove the member from every binding of the role, whatever its condition.'}),
  };

  async run(): Promise<void> {
    const {project} = this.args;
    validateProjectId(project);
    const result = await changeBinding(
      'remove',
      async () => (await this.ctx.api.resourceManager()).projectPolicy(project),
      {
        member: this.flags.member,
        role: this.flags.role,
        condition: this.flags.condition,
        conditionFromFile: this.flags['condition-from-file'],
        all: this.flags.all,
        dryRun: this.flags['dry-run'],
      },
      this.ctx,
    );
    await this.output(policyForDisplay(result.policy), 'yaml');
  }
}
