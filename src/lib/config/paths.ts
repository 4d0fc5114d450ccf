import path from 'node:path';

/** Where gcauth keeps its files; every path is derived from the config dir. */
export interface Paths {
  configDir: string;
  activeConfigFile: string;
  configurationsDir: string;
  credentialsFile: string;
  tokensDir: string;
}

/** The metadata-server probe's cache, in the config dir. */
export const GCE_CACHE_FILE = 'gce';

/** The emulator's data dir in the config dir, used when `emulator start` and `env-init` are given no --data-dir. */
export const EMULATOR_DATA_DIR = 'emulator';

/** Config dir: `$GCAUTH_CONFIG`, else `${XDG_CONFIG_HOME:-$HOME/.config}/gcauth`. */
export function resolvePaths(env: Record<string, string | undefined>, homeDir: string): Paths {
  return pathsIn(path.resolve(env.GCAUTH_CONFIG || path.join(env.XDG_CONFIG_HOME || path.join(homeDir, '.config'), 'gcauth')));
}

/** Every path of a config dir. */
export function pathsIn(configDir: string): Paths {
  return {
    configDir,
    activeConfigFile: path.join(configDir, 'active_config'),
    configurationsDir: path.join(configDir, 'configurations'),
    credentialsFile: path.join(configDir, 'credentials.json'),
    tokensDir: path.join(configDir, 'access_tokens'),
  };
}
