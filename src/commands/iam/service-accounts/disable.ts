import {specCommand} from '../../../lib/base-command.js';
import {defineCommand} from '../../../lib/command-spec.js';
import {checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: 'Disable a service account.',
  description: 'Tokens can no longer be minted for it, and its keys are refused, until it is enabled again.',
  examples: ['<%= config.bin %> iam service-accounts disable ci-pusher@my-project.iam.gserviceaccount.com'],
  args: {
    email: {required: true, description: 'Email or numeric unique id of the service account.'},
  },
  flags: {},
  options: ({args}) => ({email: args.email}),
  run: async ({email}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    await (await ctx.api.iam()).setServiceAccountDisabled(account, true);
    ctx.io.stderr.write(`Disabled service account [${account}].\n`);
  },
  human: () => '',
});

export default class Disable extends specCommand(spec) {}
