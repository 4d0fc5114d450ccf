import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {readPolicy} from '../../../lib/iam/bindings.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: "Print a service account's IAM policy.",
  description:
    'Who may act as the account, mint its tokens or manage it. Read at policy version 3, so conditional bindings are shown with their conditions.',
  examples: [
    '<%= config.bin %> iam service-accounts get-iam-policy ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts get-iam-policy ci-pusher@my-project.iam.gserviceaccount.com --format=json',
  ],
  args: ACCOUNT_ARGS,
  flags: {},
  options: ({args}) => ({email: args.email}),
  run: async ({email}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    return readPolicy(async () => (await ctx.api.iam()).serviceAccountPolicy(account));
  },
  human: 'yaml',
});

export default class GetIamPolicy extends specCommand(spec) {}
