import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {bindingFlags} from '../../../lib/iam/binding-flags.js';
import {bindingOptions, changeBinding} from '../../../lib/iam/bindings.js';
import {policyForDisplay} from '../../../lib/iam/policy.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class AddIamPolicyBinding extends BaseCommand<typeof AddIamPolicyBinding> {
  static override summary = "Add a member to a role in a service account's IAM policy.";
  static override description =
    "The account's own policy says who may act as it: roles/iam.serviceAccountUser to run things as it, " +
    'roles/iam.serviceAccountTokenCreator to mint its tokens. Read at version 3 and written with the etag it read; a ' +
    'binding already there is not written again, and a write that loses a race is redone from a fresh read. stdout is ' +
    'the new policy (YAML unless --format says otherwise).';
  static override examples = [
    '<%= config.bin %> iam service-accounts add-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountTokenCreator',
    '<%= config.bin %> iam service-accounts add-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=group:deploy@example.com --role=roles/iam.serviceAccountUser --dry-run',
  ];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };
  static override flags = bindingFlags;

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    const result = await changeBinding(
      'add',
      async () => (await this.ctx.api.iam()).serviceAccountPolicy(email),
      bindingOptions(this.flags),
      this.ctx,
    );
    await this.output(policyForDisplay(result.policy), 'yaml');
  }
}
