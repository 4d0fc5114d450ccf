import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import {listedNothing} from '../../lib/output/format.js';
import {listServices, renderServices} from '../../lib/services.js';

export const spec = defineCommand({
  summary: 'List the services a project has enabled, or may enable.',
  description:
    'Exactly one of --enabled (the default) or --available. A table of NAME and TITLE, sorted by name; --format=json gives the whole ' +
    'Service resources, value(config.name) one name a line.',
  examples: [
    '<%= config.bin %> services list',
    '<%= config.bin %> services list --available --project=my-project',
    '<%= config.bin %> services list --enabled --format="value(config.name)"',
  ],
  args: {},
  flags: {
    enabled: {type: 'boolean', description: '(DEFAULT) Return the services which the project has enabled.', exclusive: ['available']},
    available: {
      type: 'boolean',
      description: 'Return the services available to the project to enable. This list will include any services that the project has already enabled.',
      exclusive: ['enabled'],
    },
  },
  options: ({flags}) => ({available: flags.available ?? false}),
  run: listServices,
  human: renderServices,
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
