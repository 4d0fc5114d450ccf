/**
 * gcloud's `config_sentinel`: an empty file in the config dir whose time says when the configuration or the
 * credentials last changed. `config config-helper` names it (`sentinels.config_sentinel`), and tools that cache that
 * output (kubectl's gke-gcloud-auth-plugin and others) read it again once the file is newer than their cache.
 * gcloud rewrites it when a property of the active configuration is persisted and when another configuration is
 * activated (`ActivePropertiesFile.Invalidate(mark_changed=True)`); gcauth does the same from its one home of each
 * kind of write: ConfigurationStore (every property write, and activate) and FileCredentialStore (every change of
 * credentials.json, since a login, activation or revoke is what changes the token a cache holds). Reads never
 * touch it, so the cached paths pay nothing.
 */
import path from 'node:path';

import {writeSecureFile} from '../fs/secure-fs.js';
import {CONFIG_SENTINEL_FILE} from './paths.js';

/** The sentinel's path for a config dir. */
export const configSentinelPath = (configDir: string) => path.join(configDir, CONFIG_SENTINEL_FILE);

/**
 * Rewrites the sentinel (empty, 0600), atomically: a new file renamed into place, so its time is always that of a
 * completed change, and a reader never sees it half-way. Never throws: it runs after the change it reports is
 * made, which a failure here must not turn into a reported failure (a dir that refuses the sentinel refused the
 * change before it, in practice).
 */
export async function touchConfigSentinel(configDir: string): Promise<void> {
  await writeSecureFile(configSentinelPath(configDir), '').catch(() => undefined);
}
