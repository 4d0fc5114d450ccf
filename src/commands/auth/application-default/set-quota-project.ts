import {adcSavedMessage, quotaProjectAddedMessage, setApplicationDefaultQuotaProject} from '../../../lib/auth/adc/commands.js';
import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';

export const spec = defineCommand({
  summary: 'Add a quota project to the user Application Default Credentials file.',
  description:
    'Writes quota_project_id into the authorized_user ADC file, keeping every other field; client libraries then bill ' +
    'quota to that project (X-Goog-User-Project).',
  examples: ['<%= config.bin %> auth application-default set-quota-project my-project'],
  args: {
    quota_project_id: {description: 'The project ID to bill quota to.', required: true},
  },
  flags: {},
  options: ({args}) => ({project: args.quota_project_id}),
  run: async ({project}, ctx) => {
    const result = await setApplicationDefaultQuotaProject(project, ctx);
    ctx.io.stderr.write(`${adcSavedMessage(result.file)}\n${quotaProjectAddedMessage(result.project)}\n`);
  },
  human: () => '',
});

export default class ApplicationDefaultSetQuotaProject extends specCommand(spec) {}
