/**
 * `iam service-accounts disable | enable`: one command told which way, so the two cannot drift apart.
 */
import {defineCommand} from '../../cli/command-spec.js';
import {ACCOUNT_ARGS, checkServiceAccountRef} from '../../iam/service-accounts.js';

/** The spec of `iam service-accounts disable` (disabled: true) or `enable` (false). */
export function accountStateSpec(disabled: boolean) {
  const verb = disabled ? 'disable' : 'enable';
  return defineCommand({
    summary: `${disabled ? 'Disable' : 'Enable'} a service account.`,
    description: disabled
      ? 'Tokens can no longer be minted for it, and its keys are refused, until it is enabled again.'
      : 'Tokens can be minted for it again, and the keys it had work again.',
    examples: [`<%= config.bin %> iam service-accounts ${verb} ci-pusher@my-project.iam.gserviceaccount.com`],
    args: ACCOUNT_ARGS,
    flags: {},
    options: ({args}) => ({email: args.email}),
    run: async ({email}, ctx) => {
      const account = checkServiceAccountRef(email, 'EMAIL', ctx);
      await (await ctx.api.iam()).setServiceAccountDisabled(account, disabled);
      ctx.io.stderr.write(`${disabled ? 'Disabled' : 'Enabled'} service account [${account}].\n`);
    },
    human: () => '',
  });
}
