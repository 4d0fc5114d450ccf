import {revokeApplicationDefault} from '../../../lib/auth/application-default.js';
import {BaseCommand} from '../../../lib/base-command.js';

export default class ApplicationDefaultRevoke extends BaseCommand<typeof ApplicationDefaultRevoke> {
  static override summary = 'Revoke the user refresh token of the Application Default Credentials file and delete the file.';
  static override description =
    'Asks first on a terminal (--quiet skips the question). When the revoke endpoint cannot be reached the file is deleted anyway. ' +
    'Service-account credentials cannot be revoked: delete the file, or the key in IAM.';
  static override examples = ['<%= config.bin %> auth application-default revoke', '<%= config.bin %> auth application-default revoke -q'];

  async run(): Promise<void> {
    const result = await revokeApplicationDefault(this.ctx);
    this.status(`Credentials ${result.revoked ? 'revoked' : 'removed'}: [${result.file}]`);
  }
}
