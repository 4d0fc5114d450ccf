import {metadataEmailIfAny} from '../../lib/auth/credentials/metadata.js';
import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {renderTable} from '../../lib/output/format.js';

export interface AccountRow {
  account: string;
  status: 'ACTIVE' | '';
}

/**
 * Every stored account and, on GCE, the VM's service account (as gcloud lists it), sorted, the active one marked:
 * `core/account`, else the VM's account, which is then the default.
 */
export async function listAccounts(options: {filterAccount?: string}, ctx: AppContext): Promise<AccountRow[]> {
  const configured = ctx.props.get('core/account');
  const vm = await metadataEmailIfAny(ctx);
  const active = configured === 'default' ? vm : (configured ?? vm);
  const accounts = new Set(await ctx.store.accounts());
  if (vm) accounts.add(vm);
  return [...accounts]
    .sort()
    .filter((a) => !options.filterAccount || a === options.filterAccount)
    .map((a) => ({account: a, status: a === active ? 'ACTIVE' : ''}));
}

export const spec = defineCommand({
  summary: 'List the accounts gcauth holds credentials for.',
  examples: ['<%= config.bin %> auth list', '<%= config.bin %> auth list --format=json'],
  args: {},
  flags: {
    'filter-account': {type: 'option', description: 'List only this account.'},
  },
  options: ({flags}) => ({filterAccount: flags['filter-account']}),
  run: (options, ctx) => listAccounts(options, ctx),
  human: (rows) =>
    rows.length === 0
      ? ''
      : renderTable(
          rows.map((x) => ({active: x.status ? '*' : '', account: x.account})),
          ['active', 'account'],
          undefined,
          'Credentialed Accounts',
        ),
  // gcloud's Epilog, so neither line follows an explicit --format.
  epilog: (rows) =>
    rows.length > 0
      ? '\nTo set the active account, run:\n    $ gcauth config set account `ACCOUNT`\n\n'
      : '\nNo credentialed accounts.\n\nTo activate a service account, run:\n  $ gcauth auth activate-service-account --key-file=FILE\n\n',
});

export default class List extends specCommand(spec) {}
