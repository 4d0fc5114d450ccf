import {parseServiceAccountKey} from '../../lib/auth/credentials/service-account-key.js';
import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {UsageError} from '../../lib/errors.js';
import {readFileArgument} from '../../lib/fs/read-file.js';
import type {StoredCredential} from '../../lib/store/credential-store.js';

export interface ActivateServiceAccountOptions {
  account?: string;
  /** A path, or `-` for standard input. */
  keyFile: string;
  project?: string;
}

/**
 * Checks a key, proves it at the token endpoint, then stores it, makes its account active and caches
 * the token it got. Nothing on disk is created or changed unless the key was checked and proven.
 * @throws UsageError for an unreadable or invalid key or an ACCOUNT mismatch; AuthError when the key is refused.
 */
export async function activateServiceAccount(options: ActivateServiceAccountOptions, ctx: AppContext): Promise<{account: string}> {
  const source = options.keyFile === '-' ? 'standard input' : options.keyFile;
  const text = await readFileArgument(options.keyFile, ctx.io.stdin, 'key file');
  const key = parseServiceAccountKey(text, source);
  const account = key.client_email;
  if (options.account && options.account !== account) {
    throw new UsageError(
      `The account [${options.account}] does not match the key file's client_email [${account}]. Omit ACCOUNT, or pass the key for that account.`,
    );
  }
  const credential: StoredCredential = {type: 'service_account', account, key, addedAt: new Date(ctx.now()).toISOString()};
  const token = await ctx.tokens.prove(credential);
  await ctx.store.put(credential);
  await ctx.configurations.update(ctx.props.configuration, (values) => {
    values.core = {...values.core, account};
    if (options.project) values.core.project = options.project;
  });
  await ctx.tokens.keep(account, token, token.scopes);
  return {account};
}

export const spec = defineCommand({
  summary: 'Store a service-account JSON key and make its account active.',
  description:
    'The key is checked (JSON, type service_account, required fields, a readable RSA private key) and proven at the token ' +
    'endpoint before anything is stored. With --project, core/project is set too.',
  examples: ['<%= config.bin %> auth activate-service-account --key-file=key.json', 'cat key.json | <%= config.bin %> auth activate-service-account --key-file=-'],
  args: {
    account: {description: "The key's account (client_email); checked against the key when given."},
  },
  flags: {
    'key-file': {type: 'option', description: 'Path of the JSON key file, or - for standard input.', required: true},
  },
  options: ({args, flags}): ActivateServiceAccountOptions => ({account: args.account, keyFile: flags['key-file'], project: flags.project}),
  run: async (options, ctx) => {
    const {account} = await activateServiceAccount(options, ctx);
    ctx.io.stderr.write(`Activated service account credentials for: [${account}]\n`);
  },
  human: () => '',
});

export default class ActivateServiceAccount extends specCommand(spec) {}
