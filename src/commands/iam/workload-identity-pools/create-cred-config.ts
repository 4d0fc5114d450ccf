import {specCommand} from '../../../lib/cli/base-command.js';
import {defineCommand} from '../../../lib/cli/command-spec.js';
import {createCredConfig, CRED_SOURCE_FLAGS, type CreateCredConfigOptions} from '../../../lib/iam/cred-config.js';

const SOURCES = 'Credential source (exactly one)';
const exclusive = (flag: (typeof CRED_SOURCE_FLAGS)[number]) => CRED_SOURCE_FLAGS.filter((f) => f !== flag);

export const spec = defineCommand({
  summary: 'Write a credential configuration file for Workload Identity Federation (an external_account file).',
  description:
    'Writes, byte for byte, the file gcloud writes for the same flags; no request is made. The file names where a workload ' +
    'finds its subject token (a file, a URL, an executable, or AWS or Azure metadata), the provider (AUDIENCE) that ' +
    'accepts it, and optionally the service account to impersonate. Use it with `gcauth auth login --cred-file=FILE` or ' +
    'GOOGLE_APPLICATION_CREDENTIALS=FILE. FILE is replaced if it exists, atomically and with mode 0600 (url headers may ' +
    'hold a secret). Bad or conflicting flags are an error and write nothing.',
  examples: [
    '<%= config.bin %> iam workload-identity-pools create-cred-config projects/123456/locations/global/workloadIdentityPools/ci/providers/github --service-account=ci@my-project.iam.gserviceaccount.com --credential-source-file=/var/run/oidc/token --output-file=wif.json',
    '<%= config.bin %> iam workload-identity-pools create-cred-config projects/123456/locations/global/workloadIdentityPools/ci/providers/github --credential-source-url="$ACTIONS_ID_TOKEN_REQUEST_URL&audience=x" --credential-source-headers="Authorization=Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" --credential-source-type=json --credential-source-field-name=value --output-file=wif.json',
    '<%= config.bin %> iam workload-identity-pools create-cred-config projects/123456/locations/global/workloadIdentityPools/aws/providers/prod --aws --enable-imdsv2 --output-file=wif.json',
  ],
  args: {
    audience: {
      required: true,
      description: "The provider's resource name: projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID.",
    },
  },
  flags: {
    'output-file': {type: 'option', required: true, description: 'File to write the configuration to (replaced if it exists).'},
    'credential-source-file': {type: 'option', description: 'File the subject token is read from.', helpGroup: SOURCES, exclusive: exclusive('credential-source-file')},
    'credential-source-url': {type: 'option', description: 'URL the subject token is fetched from.', helpGroup: SOURCES, exclusive: exclusive('credential-source-url')},
    'executable-command': {
      type: 'option',
      description: 'Command that prints the subject token (an absolute path with its arguments); runs only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1.',
      helpGroup: SOURCES,
      exclusive: exclusive('executable-command'),
    },
    aws: {type: 'boolean', description: "AWS: a signed GetCallerIdentity request from the instance's role credentials.", helpGroup: SOURCES, exclusive: exclusive('aws')},
    azure: {type: 'boolean', description: "Azure: a token from the VM's managed identity.", helpGroup: SOURCES, exclusive: exclusive('azure')},
    'service-account': {type: 'option', description: 'Email of the service account to impersonate; without it the federated identity itself is used.'},
    'service-account-token-lifetime-seconds': {
      type: 'option',
      description: "Lifetime of the service account's access tokens: 600 to 43200 seconds, or a duration such as 2h (needs --service-account).",
    },
    'credential-source-headers': {type: 'option', description: 'Headers sent to --credential-source-url: NAME=VALUE,... (^;^ changes the delimiter).'},
    'credential-source-type': {type: 'option', description: 'Format of the file or URL source: text (the default) or json.'},
    'credential-source-field-name': {type: 'option', description: 'Field of a json source that holds the subject token (with --credential-source-type=json).'},
    'enable-imdsv2': {type: 'boolean', description: "With --aws: fetch an IMDSv2 session token first (for instances that require it)."},
    'executable-timeout-millis': {type: 'option', description: 'With --executable-command: how long it may run, 5000 to 120000 ms (default 30000).'},
    'executable-output-file': {type: 'option', description: "With --executable-command: the file where it caches its answer."},
    'subject-token-type': {type: 'option', description: 'Type of the subject token (default urn:ietf:params:oauth:token-type:jwt).'},
    'app-id-uri': {type: 'option', description: 'With --azure: the Application ID URI the token is requested for.'},
    'universe-domain': {type: 'option', description: 'Universe domain of the STS and IAM Credentials URLs (default googleapis.com).'},
  },
  options: ({args, flags}): CreateCredConfigOptions => ({
    audience: args.audience,
    outputFile: flags['output-file'],
    credentialSourceFile: flags['credential-source-file'],
    credentialSourceUrl: flags['credential-source-url'],
    executableCommand: flags['executable-command'],
    aws: flags.aws,
    azure: flags.azure,
    serviceAccount: flags['service-account'],
    serviceAccountTokenLifetimeSeconds: flags['service-account-token-lifetime-seconds'],
    credentialSourceHeaders: flags['credential-source-headers'],
    credentialSourceType: flags['credential-source-type'],
    credentialSourceFieldName: flags['credential-source-field-name'],
    enableImdsv2: flags['enable-imdsv2'],
    executableTimeoutMillis: flags['executable-timeout-millis'],
    executableOutputFile: flags['executable-output-file'],
    subjectTokenType: flags['subject-token-type'],
    appIdUri: flags['app-id-uri'],
    universeDomain: flags['universe-domain'],
  }),
  run: (options, ctx) => createCredConfig(options, ctx),
  // The configuration goes to --output-file, never to stdout.
  human: () => '',
});

export default class CreateCredConfig extends specCommand(spec) {}
