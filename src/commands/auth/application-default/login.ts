import {adcSavedMessage, type ApplicationDefaultLoginOptions, loginApplicationDefault, quotaProjectNote} from '../../../lib/auth/adc/commands.js';
import {parseScopes} from '../../../lib/auth/accounts.js';
import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';

export const spec = defineCommand({
  summary: 'Log in in the browser and write Application Default Credentials for client libraries.',
  description:
    'Runs the same browser login as auth login, then writes an authorized_user file (0600) where Google client libraries look for ' +
    'Application Default Credentials: $CLOUDSDK_CONFIG/application_default_credentials.json, else ~/.config/gcloud/ ' +
    '(%APPDATA%\\gcloud\\ on Windows). gcauth\'s own accounts and active account are not changed. With ' +
    '--impersonate-service-account the file is an impersonated_service_account one, whose source is your login.',
  examples: [
    '<%= config.bin %> auth application-default login --client-id-file=client_secret.json',
    '<%= config.bin %> auth application-default login --no-launch-browser',
    '<%= config.bin %> auth application-default login --impersonate-service-account=ci@my-project.iam.gserviceaccount.com',
  ],
  args: {},
  flags: {
    'client-id-file': {type: 'option', description: 'The OAuth client JSON of a Desktop app (default: properties auth/client_id and auth/client_secret).'},
    scopes: {type: 'option', description: 'Comma-separated OAuth scopes to request; must include https://www.googleapis.com/auth/cloud-platform.'},
    'launch-browser': {
      type: 'boolean',
      description: 'Open a browser; with --no-launch-browser, print the URL and read the pasted answer.',
      default: true,
      allowNo: true,
    },
    'disable-quota-project': {
      type: 'boolean',
      description: 'Do not add core/project to the file as the quota project (by default it is added when the account may use it: serviceusage.services.use).',
    },
    port: {type: 'integer', description: 'Loopback port for the redirect (default: any free port).', hidden: true, min: 1, max: 65535},
  },
  options: ({flags}): ApplicationDefaultLoginOptions => ({
    clientIdFile: flags['client-id-file'],
    scopes: flags.scopes === undefined ? undefined : parseScopes(flags.scopes),
    launchBrowser: flags['launch-browser'],
    port: flags.port,
    disableQuotaProject: flags['disable-quota-project'],
  }),
  run: async (options, ctx) => {
    const result = await loginApplicationDefault(options, ctx);
    ctx.io.stderr.write(`${adcSavedMessage(result.file)}\n`);
    if (result.type === 'impersonated_service_account') {
      ctx.io.stderr.write(`\nThey impersonate [${result.target}], with [${result.account}] as the source.\n`);
    } else if (!options.disableQuotaProject) {
      ctx.io.stderr.write(`${quotaProjectNote(result)}\n`);
    }
  },
  human: () => '',
});

export default class ApplicationDefaultLogin extends specCommand(spec) {}
