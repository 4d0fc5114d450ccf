import {specCommand} from '../../../lib/base-command.js';
import {defineCommand} from '../../../lib/command-spec.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: 'Enable a service account.',
  description: 'Tokens can be minted for it again, and the keys it had work again.',
  examples: ['<%= config.bin %> iam service-accounts enable ci-pusher@my-project.iam.gserviceaccount.com'],
  args: {
    email: {required: true, description: 'Email or numeric unique id of the service account.'},
  },
  flags: {},
  options: ({args}) => ({email: args.email}),
  run: async ({email}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    await (await ctx.api.iam()).setServiceAccountDisabled(account, false);
    ctx.io.stderr.write(`Enabled service account [${account}].\n`);
  },
  human: () => '',
});

export default class Enable extends specCommand(spec) {}
