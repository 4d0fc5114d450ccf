import {printIdentityToken} from '../../auth/identity-token.js';
import {defineCommand} from '../../cli/command-spec.js';

/** `gcauth auth print-identity-token`: served by oclif and by the lean dispatcher. */
export const printIdentityTokenSpec = defineCommand({
  summary: 'Print an identity token for the active or given account.',
  description:
    'stdout is the id token (a JWT) and a newline, nothing else; --format json adds its expiry. A service account signs a ' +
    'jwt-bearer grant with target_audience; a user account gets the id token of its refresh grant, issued to its OAuth client; ' +
    'with --impersonate-service-account, IAM Credentials generateIdToken mints it for the target. Tokens are cached per audience ' +
    'while more than five minutes of them remain.',
  examples: [
    '<%= config.bin %> auth print-identity-token --audiences=https://my-service-abc-uc.a.run.app',
    'curl -H "Authorization: Bearer $(<%= config.bin %> auth print-identity-token --audiences=https://example.com)" https://example.com',
    '<%= config.bin %> auth print-identity-token --impersonate-service-account=invoker@my-project.iam.gserviceaccount.com --audiences=https://example.com --include-email',
  ],
  args: {
    account: {description: 'Account to print an id token for (default: core/account).'},
  },
  flags: {
    audiences: {
      type: 'option',
      description: "The token's audience (aud), one value (default: 32555940559.apps.googleusercontent.com, as gcloud); service accounts only.",
    },
    'include-email': {type: 'boolean', description: 'Add email and email_verified claims; only with --impersonate-service-account.'},
  },
  options: ({flags, args}) => ({account: args.account, audiences: flags.audiences, includeEmail: flags['include-email']}),
  run: printIdentityToken,
  human: (r) => `${r.token}\n`,
});
