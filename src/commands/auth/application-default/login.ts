import {Flags} from '@oclif/core';

import {adcSavedMessage, loginApplicationDefault, quotaProjectNote} from '../../../lib/auth/application-default.js';
import {parseScopes} from '../../../lib/auth/accounts.js';
import {BaseCommand} from '../../../lib/base-command.js';

export default class ApplicationDefaultLogin extends BaseCommand<typeof ApplicationDefaultLogin> {
  static override summary = 'Log in in the browser and write Application Default Credentials for client libraries.';
  static override description =
    'Runs the same browser login as auth login, then writes an authorized_user file (0600) where Google client libraries look for ' +
    'Application Default Credentials: $CLOUDSDK_CONFIG/application_default_credentials.json, else ~/.config/gcloud/ ' +
    '(%APPDATA%\\gcloud\\ on Windows). gcauth\'s own accounts and active account are not changed. With ' +
    '--impersonate-service-account the file is an impersonated_service_account one, whose source is your login.';
  static override examples = [
    '<%= config.bin %> auth application-default login --client-id-file=client_secret.json',
    '<%= config.bin %> auth application-default login --no-launch-browser',
    '<%= config.bin %> auth application-default login --impersonate-service-account=ci@my-project.iam.gserviceaccount.com',
  ];
  static override flags = {
    'client-id-file': Flags.string({description: 'The OAuth client JSON of a Desktop app (default: properties auth/client_id and auth/client_secret).'}),
    scopes: Flags.string({description: 'Comma-separated OAuth scopes to request; must include https://www.googleapis.com/auth/cloud-platform.'}),
    'launch-browser': Flags.boolean({
      description: 'Open a browser; with --no-launch-browser, print the URL and read the pasted answer.',
      default: true,
      allowNo: true,
    }),
    'disable-quota-project': Flags.boolean({
      description: 'Do not add core/project to the file as the quota project (by default it is added when the account may use it: serviceusage.services.use).',
    }),
    port: Flags.integer({description: 'Loopback port for the redirect (default: any free port).', hidden: true, min: 1, max: 65535}),
  };

  async run(): Promise<void> {
    const result = await loginApplicationDefault(
      {
        clientIdFile: this.flags['client-id-file'],
        scopes: this.flags.scopes === undefined ? undefined : parseScopes(this.flags.scopes),
        launchBrowser: this.flags['launch-browser'],
        port: this.flags.port,
        disableQuotaProject: this.flags['disable-quota-project'],
      },
      this.ctx,
    );
    this.status(adcSavedMessage(result.file));
    if (result.type === 'impersonated_service_account') {
      this.status(`\nThey impersonate [${result.target}], with [${result.account}] as the source.`);
    } else if (!this.flags['disable-quota-project']) {
      this.status(quotaProjectNote(result));
    }
  }
}
