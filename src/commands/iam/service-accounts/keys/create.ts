import {KEY_FILE_TYPES, type KeyFileType} from '../../../../lib/api/iam.js';
import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import type {AppContext} from '../../../../lib/context.js';
import {ApiError, GcauthError, UsageError} from '../../../../lib/errors.js';
import {checkKeyFileTarget, writeKeyFile} from '../../../../lib/iam/key-file.js';
import {checkServiceAccountRef, IAM_ACCOUNT_FLAG, keyIdOf} from '../../../../lib/iam/service-accounts.js';

export interface CreateServiceAccountKeyOptions {
  /** Where the key goes; `-` is stdout. */
  file: string;
  iamAccount: string;
  keyFileType: KeyFileType;
  overwrite: boolean;
}

export interface CreatedServiceAccountKey {
  keyId: string;
  email: string;
}

/**
 * Creates a key and writes it to FILE (or stdout for `-`). FILE is checked before the key exists and
 * written, atomically and 0600, only after it does: a failed call leaves no file, and a failed write
 * deletes the new key again so no unused key is left behind.
 * @throws UsageError for bad input or an unusable FILE (nothing sent); the API's typed errors (no file
 *   written); GcauthError when the write failed, saying whether the key was deleted again.
 */
export async function createServiceAccountKey(options: CreateServiceAccountKeyOptions, ctx: AppContext): Promise<CreatedServiceAccountKey> {
  const email = checkServiceAccountRef(options.iamAccount, '--iam-account', ctx);
  const toStdout = options.file === '-';
  if (toStdout && options.keyFileType === 'p12') {
    throw new UsageError('A p12 key is binary: give a FILE to write it to instead of -.');
  }
  if (!toStdout) await checkKeyFileTarget(options.file, options.overwrite);

  const iam = await ctx.api.iam();
  const key = await iam.createKey(email, options.keyFileType);
  const keyId = keyIdOf(key.name);
  try {
    if (!key.privateKeyData) throw new ApiError(`The API returned key [${keyId}] without its private key data.`);
    const data = Buffer.from(key.privateKeyData, 'base64');
    if (toStdout) ctx.io.stdout.write(data.toString('utf8'));
    else await writeKeyFile(options.file, data, options.overwrite);
  } catch (error) {
    throw await undoKey(error, {iam, email, keyId, file: options.file});
  }
  return {keyId, email};
}

/** Deletes a key that could not be handed over (best effort) and builds the error that says so. */
async function undoKey(
  error: unknown,
  where: {iam: {deleteKey(email: string, keyId: string): Promise<void>}; email: string; keyId: string; file: string},
): Promise<GcauthError> {
  // Not instanceof Error: errors from node:fs may come from another realm (a test VM), and are Errors all the same.
  const reason = typeof (error as Error | undefined)?.message === 'string' ? (error as Error).message : String(error);
  const what = error instanceof ApiError ? reason : `Could not write the key to [${where.file}]: ${reason}.`;
  try {
    await where.iam.deleteKey(where.email, where.keyId);
    return new GcauthError(`${what} Key [${where.keyId}] was deleted again, so no unused key is left behind.`, {cause: error});
  } catch (deleteError) {
    return new GcauthError(`${what} Key [${where.keyId}] could not be deleted again (${(deleteError as Error).message}).`, {
      cause: error,
      hint: `Delete it with: gcauth iam service-accounts keys delete ${where.keyId} --iam-account=${where.email}`,
    });
  }
}

export const spec = defineCommand({
  summary: 'Create a key for a service account and write it to FILE.',
  description:
    'FILE is checked before the key is created: it must not exist (pass --overwrite to replace it) and its directory must ' +
    'be writable (missing directories are made with mode 0700). The key is written atomically with mode 0600 only after ' +
    'the API call succeeded, so a failed call leaves no file; if the write fails the new key is deleted again. ' +
    'FILE - writes the key to stdout.',
  examples: [
    '<%= config.bin %> iam service-accounts keys create key.json --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys create - --iam-account=ci-pusher@my-project.iam.gserviceaccount.com | gcauth auth activate-service-account --key-file=-',
    '<%= config.bin %> iam service-accounts keys create key.json --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --overwrite',
  ],
  args: {
    file: {required: true, description: 'File to write the private key to, or - for stdout.'},
  },
  flags: {
    'iam-account': IAM_ACCOUNT_FLAG,
    'key-file-type': {
      type: 'option',
      description: 'Format of the key file: json (a Google credentials file) or p12.',
      options: Object.keys(KEY_FILE_TYPES),
      default: 'json',
    },
    overwrite: {type: 'boolean', description: 'Replace FILE if it exists.'},
  },
  options: ({args, flags}): CreateServiceAccountKeyOptions => ({
    file: args.file,
    iamAccount: flags['iam-account'],
    keyFileType: flags['key-file-type'] as KeyFileType,
    overwrite: flags.overwrite ?? false,
  }),
  run: async (options, ctx) => {
    const {keyId, email} = await createServiceAccountKey(options, ctx);
    ctx.io.stderr.write(`created key [${keyId}] of type [${options.keyFileType}] as [${options.file}] for [${email}]\n`);
  },
  // The key itself is the output, written to FILE (or stdout) by the core.
  human: () => '',
});

export default class Create extends specCommand(spec) {}
