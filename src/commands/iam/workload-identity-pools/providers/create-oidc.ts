import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {createOidcProvider, createProviderOptions, LOCATION_FLAG, POOL_FLAG, PROVIDER_FIELD_FLAGS} from '../../../../lib/iam/workload-identity.js';

export const spec = defineCommand({
  summary: 'Create an OIDC provider in a workload identity pool (GitHub Actions, GitLab CI, Kubernetes, any OIDC issuer).',
  description:
    "PROVIDER is the provider ID (4 to 32 lower-case letters, digits or hyphens, not starting with gcp-). Tokens are accepted " +
    "when their iss is --issuer-uri, their aud one of --allowed-audiences (by default the provider's full resource name, " +
    '//iam.googleapis.com/projects/NUMBER/...), and --attribute-condition holds. Every input is checked before any request. ' +
    "Nothing is printed on stdout unless --format asks for the API's operation.",
  examples: [
    '<%= config.bin %> iam workload-identity-pools providers create-oidc github --location=global --workload-identity-pool=ci-pool --issuer-uri=https://token.actions.githubusercontent.com --attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository --attribute-condition="assertion.repository_owner == \'my-org\'"',
  ],
  args: {provider: {required: true, description: 'ID of the new provider (or its full resource name).'}},
  flags: {
    location: LOCATION_FLAG,
    'workload-identity-pool': POOL_FLAG,
    ...PROVIDER_FIELD_FLAGS,
    'issuer-uri': {type: 'option', required: true, description: 'The issuer (iss) of the tokens: an https:// URL (http:// only on loopback).'},
    'allowed-audiences': {type: 'option', description: "Audiences (aud) the tokens may carry, AUDIENCE,...; default: the provider's full resource name."},
    'jwk-json-path': {type: 'option', description: "A file with the issuer's JSON Web Key Set, uploaded instead of fetched from the issuer."},
  },
  options: ({args, flags}) => ({
    ...createProviderOptions(args, flags),
    issuerUri: flags['issuer-uri'],
    allowedAudiences: flags['allowed-audiences'],
    jwkJsonPath: flags['jwk-json-path'],
  }),
  run: (options, ctx) => createOidcProvider(options, ctx),
  // gcloud's create commands print nothing on stdout by default (format none).
  human: () => '',
});

export default class CreateOidc extends specCommand(spec) {}
