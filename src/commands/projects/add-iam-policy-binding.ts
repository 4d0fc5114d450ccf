import {Args} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {bindingFlags} from '../../lib/iam/binding-flags.js';
import {bindingOptions, changeProjectBinding} from '../../lib/iam/bindings.js';

export default class AddIamPolicyBinding extends BaseCommand<typeof AddIamPolicyBinding> {
  static override summary = "Add a member to a role in a project's IAM policy.";
  static override description =
    'Reads the policy at version 3 and writes it back with the etag it read. A binding that is already there is not ' +
    'written again. A write that loses a race with another writer is redone from a fresh read, so concurrent scripts ' +
    'never lose each other\'s bindings. stdout is the new policy (YAML unless --format says otherwise).';
  static override examples = [
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=serviceAccount:ci@my-project.iam.gserviceaccount.com --role=roles/storage.admin',
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=user:ana@example.com --role=roles/viewer --condition=\'expression=request.time < timestamp("2030-01-01T00:00:00Z"),title=until-2030\'',
    '<%= config.bin %> projects add-iam-policy-binding my-project --member=group:ops@example.com --role=roles/editor --dry-run',
  ];
  static override args = {
    project: Args.string({required: true, description: 'Project ID or number.'}),
  };
  static override flags = bindingFlags;

  async run(): Promise<void> {
    const policy = await changeProjectBinding('add', this.args.project, bindingOptions(this.flags), this.ctx);
    await this.output(policy, 'yaml');
  }
}
