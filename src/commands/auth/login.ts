import {Args, Flags} from '@oclif/core';

import {type LoginResult, loginUser} from '../../lib/auth/login.js';
import {BaseCommand} from '../../lib/base-command.js';

/** The status lines after a login, as gcloud words them. */
export function loginMessage(result: LoginResult): string {
  if (result.kind === 'service_account') return `Authenticated with service account credentials for: [${result.account}].`;
  return (
    `\nYou are now logged in as [${result.account}].\n` +
    `Your current project is [${result.project ?? 'None'}].  You can change this setting by running:\n` +
    '  $ gcauth config set project PROJECT_ID'
  );
}

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Log in as a user in the browser (or from a credential file) and make the account active.';
  static override description =
    'Runs the installed-app OAuth flow with your own OAuth client (a Desktop app client from the Cloud console): a redirect to ' +
    '127.0.0.1 on a free port, PKCE, a random state checked on return. The account is the verified email of the id token. ' +
    'BROWSER names the browser command; GCAUTH_LOGIN_TIMEOUT the seconds to wait (default 300).';
  static override examples = [
    '<%= config.bin %> auth login --client-id-file=client_secret.json',
    '<%= config.bin %> auth login me@example.com --no-launch-browser',
    '<%= config.bin %> auth login --cred-file=application_default_credentials.json',
  ];
  static override args = {
    account: Args.string({description: 'The account to log in as; the login fails if you sign in as another.'}),
  };
  static override flags = {
    'client-id-file': Flags.string({description: 'The OAuth client JSON of a Desktop app (default: properties auth/client_id and auth/client_secret).'}),
    'cred-file': Flags.string({description: 'Log in from an authorized_user or service_account JSON file, with no browser.'}),
    'launch-browser': Flags.boolean({
      description: 'Open a browser; with --no-launch-browser, print the URL and read the pasted answer.',
      default: true,
      allowNo: true,
    }),
    activate: Flags.boolean({description: 'Make the account active (core/account).', default: true, allowNo: true}),
    brief: Flags.boolean({description: 'Print less.'}),
    force: Flags.boolean({description: 'Log in again even when credentials for ACCOUNT are stored.'}),
    'update-adc': Flags.boolean({description: 'Also write these credentials as Application Default Credentials.'}),
    port: Flags.integer({description: 'Loopback port for the redirect (default: any free port).', hidden: true, min: 1, max: 65535}),
  };

  async run(): Promise<void> {
    const result = await loginUser(
      {
        account: this.args.account,
        clientIdFile: this.flags['client-id-file'],
        credFile: this.flags['cred-file'],
        launchBrowser: this.flags['launch-browser'],
        activate: this.flags.activate,
        force: this.flags.force,
        updateAdc: this.flags['update-adc'],
        port: this.flags.port,
      },
      this.ctx,
    );
    if (!this.flags.brief) this.status(loginMessage(result));
    if (result.adcFile) this.status(`\nApplication Default Credentials (ADC) were updated in [${result.adcFile}].`);
  }
}
