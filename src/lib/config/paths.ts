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

/** gcloud's sentinel file in the config dir, rewritten on every change of configuration or credentials (config/sentinel.ts). */
export const CONFIG_SENTINEL_FILE = 'config_sentinel';

/** The emulator's data dir in the config dir, used when `emulator start` and `env-init` are given no --data-dir. */
export const EMULATOR_DATA_DIR = 'emulator';

/**
 * Node's path functions for `platform`'s paths: path.win32 on Windows (which is `path` there), else path.posix (`path`
 * here), so a Windows path is built and tested as Windows builds it whatever the machine running the code.
 */
export const pathFor = (platform: NodeJS.Platform): path.PlatformPath => (platform === 'win32' ? path.win32 : path.posix);

/** The user's roaming application data dir on Windows: `%APPDATA%`, else the profile's `AppData\Roaming`. */
export const windowsAppData = (env: Record<string, string | undefined>, homeDir: string): string => env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');

/**
 * Config dir: `$GCAUTH_CONFIG`, else `${XDG_CONFIG_HOME:-$HOME/.config}/gcauth`; on Windows, with no XDG_CONFIG_HOME,
 * `%APPDATA%\gcauth` (as gh chooses its config dir).
 */
export function resolvePaths(env: Record<string, string | undefined>, homeDir: string, platform: NodeJS.Platform = process.platform): Paths {
  const p = pathFor(platform);
  const base = env.XDG_CONFIG_HOME || (platform === 'win32' ? windowsAppData(env, homeDir) : p.join(homeDir, '.config'));
  return pathsIn(p.resolve(env.GCAUTH_CONFIG || p.join(base, 'gcauth')), platform);
}

/** Every path of a config dir. */
export function pathsIn(configDir: string, platform: NodeJS.Platform = process.platform): Paths {
  const path = pathFor(platform);
  return {
    configDir,
    activeConfigFile: path.join(configDir, 'active_config'),
    configurationsDir: path.join(configDir, 'configurations'),
    credentialsFile: path.join(configDir, 'credentials.json'),
    tokensDir: path.join(configDir, 'access_tokens'),
  };
}
