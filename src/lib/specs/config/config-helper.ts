import {configHelper} from '../../auth/config-helper.js';
import {defineCommand} from '../../cli/command-spec.js';

/** `gcauth config config-helper`: served by oclif and by the lean dispatcher (kubectl's plugin runs it per request). */
export const configConfigHelperSpec = defineCommand({
  summary: "Print the configuration and the active credential's tokens for other tools, as gcloud's config-helper.",
  description:
    "gcloud's shape, for tools that run `gcloud config config-helper` (kubectl's gke-gcloud-auth-plugin, docker-credential-gcr): " +
    'configuration.active_configuration, configuration.properties (the properties set, by section), credential.access_token, ' +
    'credential.id_token (null where the credential has none), credential.token_expiry (UTC, to the second) and ' +
    'sentinels.config_sentinel. Tokens come from the cache while more than five minutes (or --min-expiry) remain.',
  examples: [
    '<%= config.bin %> config config-helper --format=json',
    "<%= config.bin %> config config-helper --force-auth-refresh --format='value(credential.access_token)'",
  ],
  args: {},
  flags: {
    'force-auth-refresh': {
      type: 'boolean',
      description: 'Mint new tokens even when the cached ones are still fresh.',
      exclusive: ['min-expiry'],
    },
    'min-expiry': {
      type: 'option',
      description: 'Refresh tokens that expire within this duration (0s to 1h, such as 10m); five minutes hold anyway.',
      exclusive: ['force-auth-refresh'],
    },
  },
  options: ({flags}) => ({forceAuthRefresh: flags['force-auth-refresh'] ?? false, minExpiry: flags['min-expiry']}),
  run: configHelper,
  human: 'yaml',
});
