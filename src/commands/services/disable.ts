import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import {disableServices} from '../../lib/services.js';

export const spec = defineCommand({
  summary: 'Disable services for consumption by a project.',
  description: 'Disables each service in turn, waiting for each operation unless --async. To see the enabled services, run services list.',
  examples: [
    '<%= config.bin %> services disable containerregistry.googleapis.com',
    '<%= config.bin %> services disable artifactregistry.googleapis.com --force --project=my-project',
  ],
  strict: false,
  args: {
    service: {description: 'The name of the service(s) to disable.'},
  },
  flags: {
    async: {type: 'boolean', description: 'Return immediately, without waiting for the operation in progress to complete.'},
    force: {
      type: 'boolean',
      description:
        'Disable even when other enabled services depend on it (they are disabled too) or it was used in the last 30 days (Google then asks for check_if_service_has_usage=SKIP).',
    },
  },
  options: ({argv, flags}) => ({services: argv, async: flags.async ?? false, force: flags.force ?? false}),
  run: disableServices,
  human: () => '',
});

export default class Disable extends specCommand(spec) {}
