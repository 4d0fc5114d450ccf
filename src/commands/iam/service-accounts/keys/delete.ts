import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../../../lib/base-command.js';
import {confirmDeletion} from '../../../../lib/confirm.js';
import {checkServiceAccountRef} from '../../../../lib/iam/service-accounts.js';
import {validateKeyId} from '../../../../lib/iam/validate.js';

export default class Delete extends BaseCommand<typeof Delete> {
  static override summary = "Delete a service account's key.";
  static override description =
    'Asks to confirm on a terminal; pass --quiet in scripts. Tokens can no longer be minted with the key once it is deleted.';
  static override examples = [
    '<%= config.bin %> iam service-accounts keys delete 0123456789abcdef0123456789abcdef01234567 --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys delete 0123456789abcdef0123456789abcdef01234567 --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --quiet',
  ];
  static override args = {
    key_id: Args.string({required: true, description: 'The key to delete (the private_key_id of its key file).'}),
  };
  static override flags = {
    'iam-account': Flags.string({required: true, description: 'Email or numeric unique id of the service account.'}),
  };

  async run(): Promise<void> {
    const keyId = validateKeyId(this.args.key_id);
    const email = checkServiceAccountRef(this.flags['iam-account'], '--iam-account', this.ctx);
    await confirmDeletion(`key [${keyId}] for service account [${email}]`, this.ctx);
    await (await this.ctx.api.iam()).deleteKey(email, keyId);
    this.status(`Deleted key [${keyId}] for service account [${email}].`);
  }
}
