import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {BINDING_FLAGS} from '../../../lib/iam/binding-flags.js';
import {bindingOptions, changePolicyBinding} from '../../../lib/iam/bindings.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: "Add a member to a role in a service account's IAM policy.",
  description:
    "The account's own policy says who may act as it: roles/iam.serviceAccountUser to run things as it, " +
    'roles/iam.serviceAccountTokenCreator to mint its tokens. Read at version 3 and written with the etag it read; a ' +
    'binding already there is not written again, and a write that loses a race is redone from a fresh read. stdout is ' +
    'the new policy (YAML unless --format says otherwise).',
  examples: [
    '<%= config.bin %> iam service-accounts add-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=user:ana@example.com --role=roles/iam.serviceAccountTokenCreator',
    '<%= config.bin %> iam service-accounts add-iam-policy-binding ci-pusher@my-project.iam.gserviceaccount.com --member=group:deploy@example.com --role=roles/iam.serviceAccountUser --dry-run',
  ],
  args: ACCOUNT_ARGS,
  flags: BINDING_FLAGS,
  options: ({flags, args}) => ({email: args.email, binding: bindingOptions(flags)}),
  run: async ({email, binding}, ctx) => {
    const account = checkServiceAccountRef(email, 'EMAIL', ctx);
    return changePolicyBinding('add', async () => (await ctx.api.iam()).serviceAccountPolicy(account), binding, ctx);
  },
  human: 'yaml',
});

export default class AddIamPolicyBinding extends specCommand(spec) {}
