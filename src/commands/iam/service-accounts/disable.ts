import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class Disable extends BaseCommand<typeof Disable> {
  static override summary = 'Disable a service account.';
  static override description = 'Tokens can no longer be minted for it, and its keys are refused, until it is enabled again.';
  static override examples = ['<%= config.bin %> iam service-accounts disable ci-pusher@my-project.iam.gserviceaccount.com'];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    await (await this.ctx.api.iam()).setServiceAccountDisabled(email, true);
    this.status(`Disabled service account [${email}].`);
  }
}
