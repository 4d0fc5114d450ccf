import {Flags} from '@oclif/core';

import {KEY_MANAGERS, type KeyManager, type ServiceAccountKey} from '../../../../lib/api/iam.js';
import {BaseCommand} from '../../../../lib/base-command.js';
import {renderTable} from '../../../../lib/output/format.js';
import {boolCell, checkServiceAccountRef, keyIdOf} from '../../../../lib/iam/service-accounts.js';

/** gcloud's table: KEY_ID, CREATED_AT, EXPIRES_AT, DISABLED. */
export const renderKeys = (keys: ServiceAccountKey[]): string =>
  renderTable(
    keys.map((k) => ({keyId: keyIdOf(k.name), createdAt: k.validAfterTime ?? '', expiresAt: k.validBeforeTime ?? '', disabled: boolCell(k.disabled)})),
    ['keyId', 'createdAt', 'expiresAt', 'disabled'],
    ['KEY_ID', 'CREATED_AT', 'EXPIRES_AT', 'DISABLED'],
  );

export default class List extends BaseCommand<typeof List> {
  static override summary = "List a service account's keys.";
  static override description =
    'User-managed keys are the ones created with keys create; system-managed keys are held by Google. Without --managed-by, both.';
  static override examples = [
    '<%= config.bin %> iam service-accounts keys list --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys list --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --managed-by=user --format=json',
  ];
  static override flags = {
    'iam-account': Flags.string({required: true, description: 'Email or numeric unique id of the service account.'}),
    'managed-by': Flags.string({description: 'List only keys managed by the user or by the system.', options: Object.keys(KEY_MANAGERS)}),
  };

  async run(): Promise<void> {
    const email = checkServiceAccountRef(this.flags['iam-account'], '--iam-account', this.ctx);
    const keys = await (await this.ctx.api.iam()).listKeys(email, this.flags['managed-by'] as KeyManager | undefined);
    if (keys.length === 0 && this.format.kind === 'default') this.status('Listed 0 items.');
    await this.output(keys, renderKeys);
  }
}
