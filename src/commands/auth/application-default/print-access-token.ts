import {printApplicationDefaultAccessToken, type PrintedAdcToken} from '../../../lib/auth/adc-print.js';
import {BaseCommand} from '../../../lib/base-command.js';

export default class ApplicationDefaultPrintAccessToken extends BaseCommand<typeof ApplicationDefaultPrintAccessToken> {
  static override summary = 'Print an access token from Application Default Credentials.';
  static override description =
    'Reads ADC as Google client libraries do: GOOGLE_APPLICATION_CREDENTIALS, else the well-known file, else the metadata server. ' +
    'stdout is the token and a newline. Unlike gcloud, which refreshes every time, a token with more than five minutes left is ' +
    'reused; rewriting the file (a new login, set-quota-project) starts afresh.';
  static override examples = ['<%= config.bin %> auth application-default print-access-token'];

  async run(): Promise<void> {
    const result = await printApplicationDefaultAccessToken(this.ctx);
    await this.output(result, (r: PrintedAdcToken) => `${r.token}\n`);
  }
}
