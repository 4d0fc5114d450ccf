import type {ServiceAccountKey} from '../../../../lib/api/iam.js';
import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import type {AppContext} from '../../../../lib/context.js';
import {readFileArgument} from '../../../../lib/fs/read-file.js';
import {MAKE_CERTIFICATE, publicKeyCertificate} from '../../../../lib/iam/public-key.js';
import {checkServiceAccountRef, IAM_ACCOUNT_FLAG} from '../../../../lib/iam/service-accounts.js';
import {sortedKeys} from '../../../../lib/output/sorted-keys.js';

export interface UploadServiceAccountKeyOptions {
  /** The certificate's file, or `-` for standard input. */
  file: string;
  iamAccount: string;
}

/**
 * Uploads the public half of a key pair the caller keeps, after checking locally that it is a certificate and no
 * private key: nothing is sent otherwise.
 * @throws UsageError for bad input (nothing sent); the API's typed errors, among them KeyPolicyError when the
 *   project enforces constraints/iam.disableServiceAccountKeyUpload.
 */
export async function uploadServiceAccountKey(options: UploadServiceAccountKeyOptions, ctx: AppContext): Promise<ServiceAccountKey> {
  const email = checkServiceAccountRef(options.iamAccount, '--iam-account', ctx);
  const text = await readFileArgument(options.file, ctx.io.stdin, 'public key file');
  const certificate = publicKeyCertificate(text, options.file === '-' ? 'standard input' : options.file, ctx.now());
  return (await ctx.api.iam()).uploadKey(email, certificate);
}

export const spec = defineCommand({
  summary: 'Upload the public key of a key pair you keep, as a key of a service account.',
  description:
    'PUBLIC_KEY_FILE is an RSA public key wrapped in a PEM X.509 certificate (- reads it from standard input); the ' +
    'private half stays with you and signs for the account as its key. A file that holds a private key is refused ' +
    `before anything is sent. Make a pair with: ${MAKE_CERTIFICATE}. ` +
    'Prints the new key as YAML, as gcloud does. Refused where the organization policy ' +
    'constraints/iam.disableServiceAccountKeyUpload is enforced.',
  examples: [
    '<%= config.bin %> iam service-accounts keys upload public_key.pem --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys upload public_key.pem --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --format=json',
  ],
  args: {
    // gcloud's name for it.
    public_key_file: {required: true, description: 'File holding the certificate (PEM), or - for standard input.'},
  },
  flags: {
    'iam-account': IAM_ACCOUNT_FLAG,
  },
  options: ({args, flags}): UploadServiceAccountKeyOptions => ({file: args.public_key_file, iamAccount: flags['iam-account']}),
  run: async (options, ctx) => sortedKeys(await uploadServiceAccountKey(options, ctx)),
  human: 'yaml',
});

export default class Upload extends specCommand(spec) {}
