import {Flags} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import type {AppContext} from '../../lib/context.js';
import {renderTable} from '../../lib/output/format.js';

export interface AccountRow {
  account: string;
  status: 'ACTIVE' | '';
}

/** Every stored account, sorted, the active one marked. */
export async function listAccounts(options: {filterAccount?: string}, ctx: AppContext): Promise<AccountRow[]> {
  const active = ctx.props.get('core/account');
  return (await ctx.store.list())
    .filter((c) => !options.filterAccount || c.account === options.filterAccount)
    .map((c) => ({account: c.account, status: c.account === active ? 'ACTIVE' : ''}));
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
