import type {ServiceAccount} from '../../../lib/api/iam.js';
import {BaseCommand} from '../../../lib/base-command.js';
import {resolveProject} from '../../../lib/config/project.js';
import type {AppContext} from '../../../lib/context.js';
import {renderTable} from '../../../lib/output/format.js';
import {boolCell} from '../../../lib/iam/service-accounts.js';
import {validateProjectId} from '../../../lib/iam/validate.js';

/**
 * Every service account of the current project, all pages.
 * @throws UsageError without a valid project; the API's typed errors.
 */
export async function listServiceAccounts(ctx: AppContext): Promise<ServiceAccount[]> {
  const project = validateProjectId(resolveProject(ctx), 'project');
  return (await ctx.api.iam()).listServiceAccounts(project);
}

/** gcloud's table: DISPLAY NAME, EMAIL, DISABLED. */
export const renderServiceAccounts = (accounts: ServiceAccount[]): string =>
  renderTable(
    accounts.map((a) => ({displayName: a.displayName ?? '', email: a.email ?? '', disabled: boolCell(a.disabled)})),
    ['displayName', 'email', 'disabled'],
    ['DISPLAY NAME', 'EMAIL', 'DISABLED'],
  );

export default class List extends BaseCommand<typeof List> {
  static override summary = 'List the service accounts of the current project.';
  static override description = 'Follows every page. --format=json or yaml gives the whole resources; value(email) one email a line.';
  static override examples = [
    '<%= config.bin %> iam service-accounts list',
    '<%= config.bin %> iam service-accounts list --project=my-project --format="value(email)"',
  ];

  async run(): Promise<void> {
    const accounts = await listServiceAccounts(this.ctx);
    if (accounts.length === 0 && this.format.kind === 'default') this.status('Listed 0 items.');
    await this.output(accounts, renderServiceAccounts);
  }
}
