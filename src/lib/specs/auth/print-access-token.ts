import {parseScopes, printAccessToken} from '../../auth/accounts.js';
import {defineCommand} from '../../cli/command-spec.js';

/** `gcauth auth print-access-token`: served by oclif and by the lean dispatcher. */
export const printAccessTokenSpec = defineCommand({
  summary: 'Print an access token for the active or given account.',
  description:
    'stdout is the token and a newline, nothing else. A cached token is used while more than five minutes of it remain; ' +
    'otherwise one process refreshes it while any others wait for its result.',
  examples: [
    '<%= config.bin %> auth print-access-token',
    '<%= config.bin %> auth print-access-token | docker login -u oauth2accesstoken --password-stdin https://gcr.io',
    '<%= config.bin %> auth print-access-token ci@my-project.iam.gserviceaccount.com --format=json',
  ],
  args: {
    account: {description: 'Account to print a token for (default: core/account).'},
  },
  flags: {
    scopes: {type: 'option', description: 'Comma-separated OAuth scopes (default: cloud-platform, userinfo.email, openid).'},
    lifetime: {
      type: 'option',
      description: 'Lifetime of an impersonated token: seconds (or 30m, 12h), at most 43200; only with --impersonate-service-account.',
    },
  },
  options: ({flags, args}) => ({account: args.account, scopes: parseScopes(flags.scopes), lifetime: flags.lifetime}),
  run: printAccessToken,
  human: (r) => `${r.token}\n`,
});
