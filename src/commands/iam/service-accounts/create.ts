import type {ServiceAccount} from '../../../lib/api/iam.js';
import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {resolveProject} from '../../../lib/config/project.js';
import type {AppContext} from '../../../lib/context.js';
import {UsageError} from '../../../lib/errors.js';
import {quoteValue, validateAccountId, validateProjectId} from '../../../lib/iam/validate.js';

export interface CreateServiceAccountOptions {
  name: string;
  displayName?: string;
  description?: string;
}

// Google's limits on the two free-text fields, in UTF-8 bytes.
const LIMITS = {'--display-name': 100, '--description': 256};

function checkLength(flag: keyof typeof LIMITS, value: string | undefined): void {
  const bytes = value === undefined ? 0 : Buffer.byteLength(value);
  if (bytes > LIMITS[flag]) throw new UsageError(`Invalid ${flag} ${quoteValue(value!)}: it has ${bytes} bytes; expected at most ${LIMITS[flag]}.`);
}

/**
 * Creates a service account in the current project, every field checked before the request.
 * @throws UsageError for a bad NAME, field or project; ConflictError when it exists; the API's typed errors.
 */
export async function createServiceAccount(options: CreateServiceAccountOptions, ctx: AppContext): Promise<ServiceAccount> {
  validateAccountId(options.name);
  checkLength('--display-name', options.displayName);
  checkLength('--description', options.description);
  const project = validateProjectId(resolveProject(ctx), 'project');
  const iam = await ctx.api.iam();
  return iam.createServiceAccount(project, options.name, {displayName: options.displayName, description: options.description});
}

export const spec = defineCommand({
  summary: 'Create a service account in the current project.',
  description:
    'NAME is the account id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter. It is checked before ' +
    'any request, with a suggestion when it is close. The account email is NAME@PROJECT_ID.iam.gserviceaccount.com. ' +
    'Nothing is printed on stdout unless --format asks for the new account.',
  examples: [
    '<%= config.bin %> iam service-accounts create ci-pusher --display-name="CI image pusher"',
    '<%= config.bin %> iam service-accounts create ci-pusher --project=my-project --format="value(email)"',
  ],
  args: {
    name: {required: true, description: 'Account id of the new service account (the part of its email before @).'},
  },
  flags: {
    'display-name': {type: 'option', description: 'Human-readable name of the account (at most 100 bytes).'},
    description: {type: 'option', description: 'What the account is for (at most 256 bytes).'},
  },
  options: ({args, flags}): CreateServiceAccountOptions => ({name: args.name, displayName: flags['display-name'], description: flags.description}),
  run: async (options, ctx) => {
    const account = await createServiceAccount(options, ctx);
    ctx.io.stderr.write(`Created service account [${options.name}].\n`);
    return account;
  },
  // gcloud's format for create is none: the account reaches stdout only when --format asks for it.
  human: () => '',
});

export default class Create extends specCommand(spec) {}
