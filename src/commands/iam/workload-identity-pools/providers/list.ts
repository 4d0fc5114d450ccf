import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {listProviders, LOCATION_FLAG, POOL_FLAG} from '../../../../lib/iam/workload-identity.js';
import {listedNothing} from '../../../../lib/output/format.js';

export const spec = defineCommand({
  summary: 'List the providers of a workload identity pool.',
  description: 'Follows every page. By default each provider is printed as a YAML document opened by ---, as gcloud prints them.',
  examples: ['<%= config.bin %> iam workload-identity-pools providers list --location=global --workload-identity-pool=ci-pool --format="value(name)"'],
  args: {},
  flags: {location: LOCATION_FLAG, 'workload-identity-pool': POOL_FLAG, 'show-deleted': {type: 'boolean', description: 'Include providers deleted in the last 30 days.'}},
  options: ({flags}) => ({pool: flags['workload-identity-pool'], location: flags.location, showDeleted: flags['show-deleted'] ?? false}),
  run: (options, ctx) => listProviders(options, ctx),
  human: 'yaml',
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
