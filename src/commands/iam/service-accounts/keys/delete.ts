import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {confirmDeletion} from '../../../../lib/confirm.js';
import {checkKeyRef, IAM_ACCOUNT_FLAG, keyIdArgs} from '../../../../lib/iam/service-accounts.js';

export const spec = defineCommand({
  summary: "Delete a service account's key.",
  description:
    'Asks to confirm on a terminal; pass --quiet in scripts. Tokens can no longer be minted with the key once it is deleted.',
  examples: [
    '<%= config.bin %> iam service-accounts keys delete 0123456789abcdef0123456789abcdef01234567 --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys delete 0123456789abcdef0123456789abcdef01234567 --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --quiet',
  ],
  args: keyIdArgs('delete'),
  flags: {
    'iam-account': IAM_ACCOUNT_FLAG,
  },
  options: ({flags, args}) => ({keyId: args.key_id, account: flags['iam-account']}),
  run: async (options, ctx) => {
    const {keyId, email} = checkKeyRef(options.keyId, options.account, ctx);
    await confirmDeletion(`key [${keyId}] for service account [${email}]`, ctx);
    await (await ctx.api.iam()).deleteKey(email, keyId);
    // gcloud's words exactly (lower case, no full stop), as keys create's `created key [...]`.
    ctx.io.stderr.write(`deleted key [${keyId}] for service account [${email}]\n`);
  },
  human: () => '',
});

export default class Delete extends specCommand(spec) {}
