import {Args} from '@oclif/core';

import {BaseCommand} from '../../../lib/base-command.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export default class Describe extends BaseCommand<typeof Describe> {
  static override summary = 'Show a service account.';
  static override description = 'YAML with keys in alphabetical order, as gcloud prints it, unless --format says otherwise.';
  static override examples = [
    '<%= config.bin %> iam service-accounts describe ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts describe ci-pusher@my-project.iam.gserviceaccount.com --format="value(uniqueId)"',
  ];
  static override args = {
    email: Args.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.args.email, 'EMAIL', this.ctx);
    const account = await (await this.ctx.api.iam()).getServiceAccount(email);
    const sorted = Object.fromEntries(Object.entries(account).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await this.output(sorted, 'yaml');
  }
}
