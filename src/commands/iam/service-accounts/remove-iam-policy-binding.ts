import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {bindingFlags} from '../../../lib/iam/binding-flags.js';
import {bindingOptions, changeBinding} from '../../../lib/iam/bindings.js';
import {policyForDisplay} from '../../../lib/iam/policy.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class RemoveIamPolicyBinding extends BaseCommand<typeof RemoveIamPolicyBinding> {
  static override summary = "Remove a member from a role in a service account's IAM policy.";
  static override description =
    'Removes the binding with the given condition (none without --condition), or with --all every binding of the member ' +
    'to the role. A write that loses a race with another writer is redone from a fresh read. stdout is the new policy.';
  static override examples = [
    '<%= config.bin %> iam service-accounts remove-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountTokenCreator',
    '<%= config.bin %> iam service-accounts remove-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountUser --all',
  ];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };
  static override flags = {
    ...bindingFlags,
    all: Flags.boolean({description: 'Remove the member from every binding of the role, whatever its condition.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    const result = await changeBinding(
      'remove',
      async () => (await this.ctx.api.iam()).serviceAccountPolicy(email),
      bindingOptions(this.flags),
      this.ctx,
    );
    await this.output(policyForDisplay(result.policy), 'yaml');
  }
}
