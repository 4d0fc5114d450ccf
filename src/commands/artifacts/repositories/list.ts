import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {listRepositories, LOCATION_FLAG, renderRepositories} from '../../../lib/artifacts/repositories.js';
import {listedNothing} from '../../../lib/output/format.js';

export const spec = defineCommand({
  summary: 'List the Artifact Registry repositories of the current project.',
  description: 'In --location, else in the artifacts/location property, else (and with --location=all) in every location of the project. --format=json or yaml gives the whole resources; value(name) one name a line.',
  examples: ['<%= config.bin %> artifacts repositories list --location=us', '<%= config.bin %> artifacts repositories list --format="value(name)"'],
  args: {},
  flags: LOCATION_FLAG,
  options: ({flags}) => ({location: flags.location}),
  run: listRepositories,
  human: renderRepositories,
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
