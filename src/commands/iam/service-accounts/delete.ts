import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {confirmDeletion} from '../../../lib/confirm.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: 'Delete a service account.',
  description:
    'Asks to confirm on a terminal; pass --quiet in scripts (without a terminal and without --quiet nothing is deleted). ' +
    'Keys of the account stop working at once.',
  examples: [
    '<%= config.bin %> iam service-accounts delete ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts delete ci-pusher@my-project.iam.gserviceaccount.com --quiet',
  ],
  args: ACCOUNT_ARGS,
  flags: {},
  options: ({args}) => ({email: args.email}),
  run: async ({email}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    await confirmDeletion(`service account [${account}]`, ctx);
    await (await ctx.api.iam()).deleteServiceAccount(account);
    // gcloud's words exactly (lower case, no full stop): scripts match them.
    ctx.io.stderr.write(`deleted service account [${account}]\n`);
  },
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
