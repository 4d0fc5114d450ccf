import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {CONDITIONAL_POLICY_VERSION, policyForDisplay} from '../../../lib/iam/policy.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class GetIamPolicy extends BaseCommand<typeof GetIamPolicy> {
  static override summary = "Print a service account's IAM policy.";
  static override description =
    'Who may act as the account, mint its tokens or manage it. Read at policy version 3, so conditional bindings are shown with their conditions.';
  static override examples = [
    '<%= config.bin %> iam service-accounts get-iam-policy ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts get-iam-policy ci-pusher@my-project.iam.gserviceaccount.com --format=json',
  ];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    const policy = await (await this.ctx.api.iam()).serviceAccountPolicy(email).get(CONDITIONAL_POLICY_VERSION);
    await this.output(policyForDisplay(policy), 'yaml');
  }
}
