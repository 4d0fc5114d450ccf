import {Args} from '@oclif/core';

import {adcSavedMessage, quotaProjectAddedMessage, setApplicationDefaultQuotaProject} from '../../../lib/auth/application-default.js';
import {BaseCommand} from '../../../lib/base-command.js';

export default class ApplicationDefaultSetQuotaProject extends BaseCommand<typeof ApplicationDefaultSetQuotaProject> {
  static override summary = 'Add a quota project to the user Application Default Credentials file.';
  static override description =
    'Writes quota_project_id into the authorized_user ADC file, keeping every other field; client libraries then bill ' +
    'quota to that project (X-Goog-User-Project).';
  static override examples = ['<%= config.bin %> auth application-default set-quota-project my-project'];
  static override args = {
    quota_project_id: Args.string({description: 'The project ID to bill quota to.', required: true}),
  };

  async run(): Promise<void> {
    const result = await setApplicationDefaultQuotaProject(this.args.quota_project_id, this.ctx);
    this.status(adcSavedMessage(result.file));
    this.status(quotaProjectAddedMessage(result.project));
  }
}
