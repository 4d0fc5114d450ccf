import type {ServiceAccount} from '../../../lib/api/iam.js';
import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {resolveProject} from '../../../lib/config/project.js';
import type {AppContext} from '../../../lib/context.js';
import {listedNothing, renderTable} from '../../../lib/output/format.js';
import {boolCell} from '../../../lib/iam/service-accounts.js';
import {validateProjectId} from '../../../lib/iam/validate.js';

/**
 * Every service account of the current project, all pages, each with `disabled` true or false (gcloud's list sets
 * it; the API leaves out false).
 * @throws UsageError without a valid project; the API's typed errors.
 */
export async function listServiceAccounts(ctx: AppContext): Promise<ServiceAccount[]> {
  const project = validateProjectId(resolveProject(ctx), 'project');
  return (await (await ctx.api.iam()).listServiceAccounts(project)).map((account) => ({...account, disabled: Boolean(account.disabled)}));
}

/** gcloud's table: DISPLAY NAME, EMAIL, DISABLED. */
export const renderServiceAccounts = (accounts: ServiceAccount[]): string =>
  renderTable(
    accounts.map((a) => ({displayName: a.displayName ?? '', email: a.email ?? '', disabled: boolCell(a.disabled)})),
    ['displayName', 'email', 'disabled'],
    ['DISPLAY NAME', 'EMAIL', 'DISABLED'],
  );

export const spec = defineCommand({
  summary: 'List the service accounts of the current project.',
  description: 'Follows every page. --format=json or yaml gives the whole resources; value(email) one email a line.',
  examples: [
    '<%= config.bin %> iam service-accounts list',
    '<%= config.bin %> iam service-accounts list --project=my-project --format="value(email)"',
  ],
  args: {},
  flags: {},
  options: () => ({}),
  run: (_options, ctx) => listServiceAccounts(ctx),
  human: renderServiceAccounts,
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
