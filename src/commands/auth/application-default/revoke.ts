import {revokeApplicationDefault} from '../../../lib/auth/adc/commands.js';
import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';

export const spec = defineCommand({
  summary: 'Revoke the user refresh token of the Application Default Credentials file and delete the file.',
  description:
    'Asks first on a terminal (--quiet skips the question). When the revoke endpoint cannot be reached the file is deleted anyway. ' +
    'Service-account credentials cannot be revoked: delete the file, or the key in IAM.',
  examples: ['<%= config.bin %> auth application-default revoke', '<%= config.bin %> auth application-default revoke -q'],
  args: {},
  flags: {},
  options: () => ({}),
  run: async (_options, ctx) => {
    const result = await revokeApplicationDefault(ctx);
    ctx.io.stderr.write(`Credentials ${result.revoked ? 'revoked' : 'removed'}: [${result.file}]\n`);
  },
  human: () => '',
});

export default class ApplicationDefaultRevoke extends specCommand(spec) {}
