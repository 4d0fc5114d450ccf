import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {confirmDeletion} from '../../../lib/confirm.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class Delete extends BaseCommand<typeof Delete> {
  static override summary = 'Delete a service account.';
  static override description =
    'Asks to confirm on a terminal; pass --quiet in scripts (without a terminal and without --quiet nothing is deleted). ' +
    'Keys of the account stop working at once.';
  static override examples = [
    '<%= config.bin %> iam service-accounts delete ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts delete ci-pusher@my-project.iam.gserviceaccount.com --quiet',
  ];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    await confirmDeletion(`service account [${email}]`, this.ctx);
    await (await this.ctx.api.iam()).deleteServiceAccount(email);
    this.status(`Deleted service account [${email}].`);
  }
}
