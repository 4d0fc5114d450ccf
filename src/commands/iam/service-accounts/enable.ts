import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class Enable extends BaseCommand<typeof Enable> {
  static override summary = 'Enable a service account.';
  static override description = 'Tokens can be minted for it again, and the keys it had work again.';
  static override examples = ['<%= config.bin %> iam service-accounts enable ci-pusher@my-project.iam.gserviceaccount.com'];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    await (await this.ctx.api.iam()).setServiceAccountDisabled(email, false);
    this.status(`Enabled service account [${email}].`);
  }
}
