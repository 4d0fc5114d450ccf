import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {LOCATION_FLAG, listPools} from '../../../lib/iam/workload-identity.js';
import {listedNothing} from '../../../lib/output/format.js';

export const spec = defineCommand({
  summary: 'List the workload identity pools of the current project.',
  description:
    'Follows every page. By default each pool is printed as a YAML document opened by ---, as gcloud prints them; ' +
    '--format=json gives one JSON list, value(name) one name a line.',
  examples: ['<%= config.bin %> iam workload-identity-pools list --location=global', '<%= config.bin %> iam workload-identity-pools list --location=global --format="value(name)"'],
  args: {},
  flags: {location: LOCATION_FLAG, 'show-deleted': {type: 'boolean', description: 'Include pools deleted in the last 30 days.'}},
  options: ({flags}) => ({location: flags.location, showDeleted: flags['show-deleted'] ?? false}),
  run: (options, ctx) => listPools(options, ctx),
  human: 'yaml',
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
