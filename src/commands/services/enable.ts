import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import {enableServices} from '../../lib/services.js';

export const spec = defineCommand({
  summary: 'Enable services for consumption by a project.',
  description:
    'Several services are enabled in one batch call. Waits for the operation and prints `Operation "NAME" finished successfully.` on ' +
    'stderr; prints nothing when every service was already enabled. To see the services a project may enable, run services list --available.',
  examples: [
    '<%= config.bin %> services enable artifactregistry.googleapis.com',
    '<%= config.bin %> services enable iam.googleapis.com iamcredentials.googleapis.com --project=my-project',
    '<%= config.bin %> services enable artifactregistry.googleapis.com --async',
  ],
  strict: false,
  args: {
    service: {description: 'The name of the service(s) to enable, e.g. artifactregistry.googleapis.com.'},
  },
  flags: {
    async: {type: 'boolean', description: 'Return immediately, without waiting for the operation in progress to complete.'},
  },
  options: ({argv, flags}) => ({services: argv, async: flags.async ?? false}),
  run: enableServices,
  human: () => '',
});

export default class Enable extends specCommand(spec) {}
