import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import type {AppContext} from '../../../lib/context.js';
import {renderTable} from '../../../lib/output/format.js';

export interface ConfigurationRow {
  name: string;
  is_active: boolean;
  account?: string;
  project?: string;
}

/** Every named configuration with the account and project written in it; `default` is listed while it is active, even before its first write. */
export async function listConfigurations(ctx: AppContext): Promise<ConfigurationRow[]> {
  const active = ctx.props.configuration;
  const names = await ctx.configurations.list();
  if (active === 'default' && !names.includes('default')) names.unshift('default');
  const rows: ConfigurationRow[] = [];
  for (const name of names.sort()) {
    const core = (await ctx.configurations.read(name)).core ?? {};
    rows.push({name, is_active: name === active, account: core.account, project: core.project});
  }
  return rows;
}

const bool = (b: boolean) => (b ? 'True' : 'False');

export const spec = defineCommand({
  summary: 'List the named configurations.',
  description: 'ACCOUNT and PROJECT are the values written in each configuration, without flag or environment overrides.',
  examples: ['<%= config.bin %> config configurations list', '<%= config.bin %> config configurations list --format=json'],
  args: {},
  flags: {},
  options: () => ({}),
  run: (_options, ctx) => listConfigurations(ctx),
  // gcloud's table; gcauth has no compute properties, so its two compute columns stay blank (as gcloud's do until set).
  human: (rows) =>
    renderTable(
      rows.map((row) => ({...row, is_active: bool(row.is_active)})),
      ['name', 'is_active', 'account', 'project', 'compute_default_zone', 'compute_default_region'],
      ['NAME', 'IS_ACTIVE', 'ACCOUNT', 'PROJECT', 'COMPUTE_DEFAULT_ZONE', 'COMPUTE_DEFAULT_REGION'],
    ),
});

export default class List extends specCommand(spec) {}
