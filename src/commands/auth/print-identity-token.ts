import {Args, Flags} from '@oclif/core';

import {printIdentityToken, type PrintedIdentityToken} from '../../lib/auth/identity-token.js';
import {BaseCommand} from '../../lib/base-command.js';

export default class PrintIdentityToken extends BaseCommand<typeof PrintIdentityToken> {
  static override summary = 'Print an identity token for the active or given account.';
  static override description =
    'stdout is the id token (a JWT) and a newline, nothing else; --format json adds its expiry. A service account signs a ' +
    'jwt-bearer grant with target_audience; a user account gets the id token of its refresh grant, issued to its OAuth client; ' +
    'with --impersonate-service-account, IAM Credentials generateIdToken mints it for the target. Tokens are cached per audience ' +
    'while more than five minutes of them remain.';
  static override examples = [
    '<%= config.bin %> auth print-identity-token --audiences=https://my-service-abc-uc.a.run.app',
    'curl -H "Authorization: Bearer $(<%= config.bin %> auth print-identity-token --audiences=https://example.com)" https://example.com',
    '<%= config.bin %> auth print-identity-token --impersonate-service-account=invoker@my-project.iam.gserviceaccount.com --audiences=https://example.com --include-email',
  ];
  static override args = {
    account: Args.string({description: 'Account to print an id token for (default: core/account).'}),
  };
  static override flags = {
    audiences: Flags.string({description: "The token's audience (aud), one value (default: 32555940559.apps.googleusercontent.com, as gcloud); service accounts only."}),
    'include-email': Flags.boolean({description: 'Add email and email_verified claims; only with --impersonate-service-account.'}),
  };

  async run(): Promise<void> {
    const result = await printIdentityToken(
      {account: this.args.account, audiences: this.flags.audiences, includeEmail: this.flags['include-email']},
      this.ctx,
    );
    await this.output(result, (r: PrintedIdentityToken) => `${r.token}\n`);
  }
}
