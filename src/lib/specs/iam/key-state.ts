/**
 * `iam service-accounts keys disable | enable`: one command told which way, so the two cannot drift apart.
 */
import {defineCommand} from '../../cli/command-spec.js';
import {checkKeyRef, IAM_ACCOUNT_FLAG, keyIdArgs} from '../../iam/service-accounts.js';

/** The spec of `iam service-accounts keys disable` (disabled: true) or `enable` (false). */
export function keyStateSpec(disabled: boolean) {
  const verb = disabled ? 'disable' : 'enable';
  return defineCommand({
    summary: `${disabled ? 'Disable' : 'Enable'} a service account's key.`,
    description: disabled
      ? 'Tokens can no longer be minted with the key until it is enabled again; unlike delete, this can be undone. ' +
        'Disable an old key first when rotating, and delete it once nothing has failed for want of it.'
      : 'Tokens can be minted with the key again.',
    examples: [`<%= config.bin %> iam service-accounts keys ${verb} 0123456789abcdef0123456789abcdef01234567 --iam-account=ci-pusher@my-project.iam.gserviceaccount.com`],
    args: keyIdArgs(verb),
    flags: {
      'iam-account': IAM_ACCOUNT_FLAG,
    },
    options: ({flags, args}) => ({keyId: args.key_id, account: flags['iam-account']}),
    run: async (options, ctx) => {
      const {keyId, email} = checkKeyRef(options.keyId, options.account, ctx);
      await (await ctx.api.iam()).setKeyDisabled(email, keyId, disabled);
      ctx.io.stderr.write(`${disabled ? 'Disabled' : 'Enabled'} key [${keyId}] for service account [${email}].\n`);
    },
    human: () => '',
  });
}
