import {Args, Flags} from '@oclif/core';

import {parseScopes, printAccessToken, type PrintedAccessToken} from '../../lib/auth/accounts.js';
import {BaseCommand} from '../../lib/base-command.js';

export default class PrintAccessToken extends BaseCommand<typeof PrintAccessToken> {
  static override summary = 'Print an access token for the active or given account.';
  static override description =
    'stdout is the token and a newline, nothing else. A cached token is used while more than five minutes of it remain; ' +
    'otherwise one process refreshes it while any others wait for its result.';
  static override examples = [
    '<%= config.bin %> auth print-access-token',
    '<%= config.bin %> auth print-access-token | docker login -u oauth2accesstoken --password-stdin https://gcr.io',
    '<%= config.bin %> auth print-access-token ci@my-project.iam.gserviceaccount.com --format=json',
  ];
  static override args = {
    account: Args.string({description: 'Account to print a token for (default: core/account).'}),
  };
  static override flags = {
    scopes: Flags.string({description: 'Comma-separated OAuth scopes (default: cloud-platform, userinfo.email, openid).'}),
    lifetime: Flags.string({
      description: 'Lifetime of an impersonated token: seconds (or 30m, 12h), at most 43200; only with --impersonate-service-account.',
    }),
  };

  async run(): Promise<void> {
    const result = await printAccessToken(
      {account: this.args.account, scopes: parseScopes(this.flags.scopes), lifetime: this.flags.lifetime},
      this.ctx,
    );
    await this.output(result, (r: PrintedAccessToken) => `${r.token}\n`);
  }
}
