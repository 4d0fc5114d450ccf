import {type LoginResult, loginUser} from '../../lib/auth/login/login.js';
import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';

/** The status lines after a login, as gcloud words them. */
export function loginMessage(result: LoginResult): string {
  if (result.kind === 'service_account') return `Authenticated with service account credentials for: [${result.account}].`;
  if (result.kind === 'external_account') return `Authenticated with external account credentials for: [${result.account}].`;
  return (
    `\nYou are now logged in as [${result.account}].\n` +
    `Your current project is [${result.project ?? 'None'}].  You can change this setting by running:\n` +
    '  $ gcauth config set project PROJECT_ID'
  );
}

export const spec = defineCommand({
  summary: 'Log in as a user in the browser (or from a credential file) and make the account active.',
  description:
    'Runs the installed-app OAuth flow with your own OAuth client (a Desktop app client from the Cloud console): a redirect to ' +
    '127.0.0.1 on a free port, PKCE, a random state checked on return. The account is the verified email of the id token. ' +
    'BROWSER names the browser command; GCAUTH_LOGIN_TIMEOUT the seconds to wait (default 300).',
  examples: [
    '<%= config.bin %> auth login --client-id-file=client_secret.json',
    '<%= config.bin %> auth login me@example.com --no-launch-browser',
    '<%= config.bin %> auth login --cred-file=application_default_credentials.json',
  ],
  args: {
    account: {description: 'The account to log in as; the login fails if you sign in as another.'},
  },
  flags: {
    'client-id-file': {type: 'option', description: 'The OAuth client JSON of a Desktop app (default: properties auth/client_id and auth/client_secret).'},
    'cred-file': {type: 'option', description: 'Log in from an authorized_user, service_account or external_account (Workload Identity Federation) JSON file, with no browser.'},
    'launch-browser': {
      type: 'boolean',
      description: 'Open a browser; with --no-launch-browser, print the URL and read the pasted answer.',
      default: true,
      allowNo: true,
    },
    activate: {type: 'boolean', description: 'Make the account active (core/account).', default: true, allowNo: true},
    brief: {type: 'boolean', description: 'Print less.'},
    force: {type: 'boolean', description: 'Log in again even when credentials for ACCOUNT are stored.'},
    'update-adc': {type: 'boolean', description: 'Also write these credentials as Application Default Credentials.'},
    port: {type: 'integer', description: 'Loopback port for the redirect (default: any free port).', hidden: true, min: 1, max: 65535},
  },
  options: ({args, flags}) => ({
    login: {
      account: args.account,
      clientIdFile: flags['client-id-file'],
      credFile: flags['cred-file'],
      launchBrowser: flags['launch-browser'],
      activate: flags.activate,
      force: flags.force ?? false,
      updateAdc: flags['update-adc'] ?? false,
      port: flags.port,
    },
    brief: flags.brief ?? false,
  }),
  run: async ({login, brief}, ctx) => {
    const result = await loginUser(login, ctx);
    if (!brief) ctx.io.stderr.write(`${loginMessage(result)}\n`);
    if (result.adcFile) ctx.io.stderr.write(`\nApplication Default Credentials (ADC) were updated in [${result.adcFile}].\n`);
  },
  human: () => '',
});

export default class Login extends specCommand(spec) {}
