import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {REMOVE_BINDING_FLAGS} from '../../../lib/iam/binding-flags.js';
import {bindingOptions, changePolicyBinding} from '../../../lib/iam/bindings.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: "Remove a member from a role in a service account's IAM policy.",
  description:
    'Removes the binding with the given condition (none without --condition), or with --all every binding of the member ' +
    'to the role. A write that loses a race with another writer is redone from a fresh read. stdout is the new policy.',
  examples: [
    '<%= config.bin %> iam service-accounts remove-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountTokenCreator',
    '<%= config.bin %> iam service-accounts remove-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountUser --all',
  ],
  args: ACCOUNT_ARGS,
  flags: REMOVE_BINDING_FLAGS,
  options: ({flags, args}) => ({email: args.email, binding: bindingOptions(flags)}),
  run: async ({email, binding}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    return changePolicyBinding('remove', async () => (await ctx.api.iam()).serviceAccountPolicy(account), binding, ctx);
  },
  human: 'yaml',
});

export default class RemoveIamPolicyBinding extends specCommand(spec) {}
