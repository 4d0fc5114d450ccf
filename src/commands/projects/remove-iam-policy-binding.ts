import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {bindingFlags} from '../../lib/iam/binding-flags.js';
import {bindingOptions, changeProjectBinding} from '../../lib/iam/bindings.js';

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
    const policy = await changeProjectBinding('remove', this.args.project, bindingOptions(this.flags), this.ctx);
    await this.output(policy, 'yaml');
  }
}
