import {printApplicationDefaultAccessToken} from '../../../auth/adc/print.js';
import {defineCommand} from '../../../cli/command-spec.js';

/** `gcauth auth application-default print-access-token`: served by oclif and by the lean dispatcher. */
export const applicationDefaultPrintAccessTokenSpec = defineCommand({
  summary: 'Print an access token from Application Default Credentials.',
  description:
    'Reads ADC as Google client libraries do: GOOGLE_APPLICATION_CREDENTIALS, else the well-known file, else the metadata server. ' +
    'stdout is the token and a newline. Unlike gcloud, which refreshes every time, a token with more than five minutes left is ' +
    'reused; rewriting the file (a new login, set-quota-project) starts afresh.',
  examples: ['<%= config.bin %> auth application-default print-access-token'],
  args: {},
  flags: {},
  options: () => ({}),
  run: (_options, ctx) => printApplicationDefaultAccessToken(ctx),
  human: (r) => `${r.token}\n`,
});
