import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';
import {sortedKeys} from '../../../lib/output/sorted-keys.js';

export const spec = defineCommand({
  summary: 'Show a service account.',
  description: 'YAML with keys in alphabetical order, as gcloud prints it, unless --format says otherwise.',
  examples: [
    '<%= config.bin %> iam service-accounts describe ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts describe ci-pusher@my-project.iam.gserviceaccount.com --format="value(uniqueId)"',
  ],
  args: ACCOUNT_ARGS,
  flags: {},
  options: ({args}) => ({email: args.email}),
  run: async ({email}, ctx) => {
    const account = await (await ctx.api.iam()).getServiceAccount(checkServiceAccountRef(email, 'EMAIL', ctx));
    return sortedKeys(account);
  },
  human: 'yaml',
});

export default class Describe extends specCommand(spec) {}
