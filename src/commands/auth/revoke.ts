import {credentialType} from '../../lib/auth/credentials/registry.js';
import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {NotFoundError, UsageError} from '../../lib/errors.js';
import {DamagedCredentialError} from '../../lib/store/credential-store.js';

export interface RevokeOptions {
  accounts: string[];
  all: boolean;
}

/**
 * Removes accounts' credentials and cached tokens. All named accounts are checked before any is removed;
 * the active account is unset only after its removal succeeded.
 * A user's refresh token is revoked at the revoke endpoint first; when that fails it is still removed locally (with a warning).
 * Service-account keys cannot be revoked at Google: they are removed locally, with a warning naming `keys disable`.
 * @throws UsageError when there is nothing to revoke; NotFoundError for an unknown account.
 */
export async function revokeAccounts(options: RevokeOptions, ctx: AppContext): Promise<{revoked: string[]}> {
  const stored = await ctx.store.accounts();
  const active = ctx.props.get('core/account');
  const targets = options.all ? stored : options.accounts.length > 0 ? [...new Set(options.accounts)] : active ? [active] : [];
  if (targets.length === 0) throw new UsageError('No credentials available to revoke.');
  const unknown = targets.filter((a) => !stored.includes(a));
  if (unknown.length > 0) throw new NotFoundError(`Unknown account [${unknown.join(', ')}]: no credentials are stored for it. See gcauth auth list.`);
  for (const account of targets) {
    const credential = await ctx.store.get(account).catch((error: unknown) => {
      if (!(error instanceof DamagedCredentialError)) throw error;
      // Revoking is how a damaged entry is cleared: it cannot be revoked at Google, but it goes.
      ctx.io.stderr.write(`WARNING: ${error.message} It is removed from this machine without being revoked at Google.\n`);
      return undefined;
    });
    let warning: string | undefined;
    if (credential) {
      const type = await credentialType(credential);
      ({warning} = await type.revoke(credential, {tokenUrl: await ctx.tokens.tokenUrlFor(credential), log: ctx.log, network: ctx.network}));
    }
    await ctx.store.remove(account);
    await ctx.cache.removeAccount(account);
    // Said once it is true: the warnings speak of the credential as removed from this machine.
    if (warning) ctx.io.stderr.write(`WARNING: ${warning}\n`);
  }
  const configured = (await ctx.configurations.read(ctx.props.configuration)).core?.account;
  if (configured && targets.includes(configured)) {
    await ctx.configurations.update(ctx.props.configuration, (values) => {
      if (values.core) delete values.core.account;
    });
  }
  return {revoked: targets};
}

export const spec = defineCommand({
  summary: "Remove accounts' credentials and cached tokens from this machine.",
  examples: ['<%= config.bin %> auth revoke', '<%= config.bin %> auth revoke ci@p.iam.gserviceaccount.com', '<%= config.bin %> auth revoke --all'],
  strict: false,
  args: {
    accounts: {description: 'Accounts to revoke (default: the active account).'},
  },
  flags: {
    all: {type: 'boolean', description: 'Revoke every stored account.'},
  },
  options: ({argv, flags}): RevokeOptions => ({accounts: argv, all: flags.all ?? false}),
  run: async (options, ctx) => {
    const {revoked} = await revokeAccounts(options, ctx);
    for (const account of revoked) ctx.io.stderr.write(`Revoked credentials for: [${account}]\n`);
    return {revoked};
  },
  human: () => '',
});

export default class Revoke extends specCommand(spec) {}
