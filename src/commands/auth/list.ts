import {Flags} from '@oclif/core';

import {metadataEmailIfAny} from '../../lib/auth/metadata.js';
import {BaseCommand} from '../../lib/base-command.js';
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

export default class List extends BaseCommand<typeof List> {
  static override summary = 'List the accounts gcauth holds credentials for.';
  static override examples = ['<%= config.bin %> auth list', '<%= config.bin %> auth list --format=json'];
  static override flags = {
    'filter-account': Flags.string({description: 'List only this account.'}),
  };

  async run(): Promise<void> {
    const rows = await listAccounts({filterAccount: this.flags['filter-account']}, this.ctx);
    if (rows.length === 0) {
      this.status('\nNo credentialed accounts.\n\nTo activate a service account, run:\n  $ gcauth auth activate-service-account --key-file=FILE\n');
    }
    await this.output(rows, (r: AccountRow[]) =>
      r.length === 0
        ? ''
        : `Credentialed Accounts\n${renderTable(r.map((x) => ({active: x.status ? '*' : '', account: x.account})), ['active', 'account'])}`,
    );
    if (rows.length > 0 && this.format.kind === 'default') {
      this.status('\nTo set the active account, run:\n    $ gcauth config set account `ACCOUNT`\n');
    }
  }
}
