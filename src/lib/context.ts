import {homedir, networkInterfaces, userInfo} from 'node:os';

import {type ApiClients, createApiClients} from './api/clients.js';
import {credentialType} from './auth/credentials/registry.js';
import type {GceEnvironment} from './auth/credentials/metadata.js';
import {type Freshness, type Minter, TokenService} from './auth/tokens/token-service.js';
import {activeConfigFromEnv, ConfigurationStore, validateConfigurationName} from './config/configurations.js';
import {type Paths, resolvePaths} from './config/paths.js';
import {isTrue} from './config/properties.js';
import {Properties} from './config/resolver.js';
import {UsageError} from './errors.js';
import {createLogger, type Logger, type Verbosity} from './log.js';
import {createNetwork, type Network} from './net/network.js';
import {createPrompter, type Prompter} from './prompter.js';
import {FileReadError} from './fs/read-file.js';
import {checkPrivateDir, UntrustedPathError} from './fs/secure-fs.js';
import {type CredentialStore, FileCredentialStore} from './store/credential-store.js';
import {FileTokenCache, type TokenCache} from './store/token-cache.js';

/** Flags every command accepts. */
export interface GlobalFlags {
  project?: string;
  account?: string;
  configuration?: string;
  format?: string;
  quiet?: boolean;
  verbosity?: string;
  /** DELEGATE,...,TARGET: run as TARGET through IAM Credentials (property auth/impersonate_service_account). */
  'impersonate-service-account'?: string;
  /** A file holding an access token to use as given (property auth/access_token_file). */
  'access-token-file'?: string;
}

export interface Writer {
  write(text: string): unknown;
}

export interface IO {
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream;
  /** Prompts are possible: stdin and stderr are terminals. */
  interactive: boolean;
}

/** Who runs this process. */
export interface ProcessUser {
  /** The effective uid (undefined on Windows). */
  uid?: number;
  /** The process's group ids: what the running session may use now. */
  gids: number[];
  /** The login name (the passwd entry's, else $USER or $USERNAME). */
  name: string;
}

/** Everything a command core needs from the outside world. */
export interface AppContext {
  io: IO;
  env: Record<string, string | undefined>;
  /** The user's home directory (Docker's config lives under it unless DOCKER_CONFIG says otherwise). */
  homeDir: string;
  platform: NodeJS.Platform;
  now: () => number;
  /**
   * `--quiet` or core/disable_prompts: nothing is asked and default answers are taken. Read from the properties
   * when used, so an invalid value is reported by the command that needs it. @throws UsageError for one.
   */
  readonly quiet: boolean;
  /** The one answer to "may I prompt": stdin and stderr are terminals and not quiet. @throws as quiet. */
  readonly canPrompt: boolean;
  paths: Paths;
  props: Properties;
  configurations: ConfigurationStore;
  prompter: Prompter;
  store: CredentialStore;
  cache: TokenCache;
  tokens: TokenService;
  log: Logger;
  flags: GlobalFlags;
  /** IAM and Resource Manager clients, built on first use. */
  api: ApiClients;
  /** How every request reaches its URL (proxy, CAs): the properties and environment are read on first use. */
  network: Network;
  /** What metadata-server detection reads of the machine (sysfs, MAC addresses), and its answer once known. */
  gce: GceEnvironment;
  /** Who runs this process, read on first use (`gcauth doctor`'s group check). */
  readonly user: ProcessUser;
}

/** Parts a test (or another entry point) may supply instead of the process's own. */
export interface ContextOverrides {
  io?: IO;
  env?: Record<string, string | undefined>;
  homeDir?: string;
  platform?: NodeJS.Platform;
  now?: () => number;
  prompter?: Prompter;
  /** Stands in for the token endpoint in command tests. */
  mint?: Minter;
  /** Root of the sysfs tree read for GCE residency (`/`), so tests can fake a VM. */
  sysRoot?: string;
  /** The machine's MAC addresses (os.networkInterfaces), so tests can fake a VM's. */
  macAddresses?: () => string[];
  /** Stands in for 169.254.169.254 when residency is faked. */
  metadataDefaultHost?: string;
  /** Who runs this process, instead of the process's own ids and name. */
  user?: ProcessUser;
  /**
   * A config dir another user may write is read as holding no configuration instead of refused (`gcauth doctor`,
   * which reports it); its credentials and tokens are still refused when read.
   */
  tolerateUntrustedConfigDir?: boolean;
}

/** Maps global flags onto the properties they set for this invocation. */
export function flagProperties(flags: GlobalFlags): Record<string, string | undefined> {
  return {
    'core/project': flags.project,
    'core/account': flags.account,
    'core/verbosity': flags.verbosity,
    'core/disable_prompts': flags.quiet ? 'true' : undefined,
    'auth/impersonate_service_account': flags['impersonate-service-account'],
    'auth/access_token_file': flags['access-token-file'],
  };
}

/**
 * Builds the AppContext: the only code that reads `process`, the environment or the home directory.
 * @throws UsageError for an invalid --configuration or property value.
 */
export async function createContext(flags: GlobalFlags, overrides: ContextOverrides = {}): Promise<AppContext> {
  const env = overrides.env ?? process.env;
  const io = overrides.io ?? processIO();
  const homeDir = overrides.homeDir ?? homedir();
  const platform = overrides.platform ?? process.platform;
  const paths = resolvePaths(env, homeDir, platform);
  const configurations = new ConfigurationStore(paths);
  const tolerated = <T>(read: () => Promise<T>, instead: T): Promise<T> =>
    read().catch((error: unknown) => {
      if (overrides.tolerateUntrustedConfigDir && error instanceof UntrustedPathError) return instead;
      throw error;
    });
  // Every file gcauth keeps is read from here: refused whole when another user could put files in it.
  await tolerated(async () => checkPrivateDir(paths.configDir), undefined);
  const configuration = flags.configuration ?? activeConfigFromEnv(env)?.name ?? (await tolerated(() => activeConfiguration(configurations, io), 'default'));
  validateConfigurationName(configuration);
  if (flags.configuration && !(await tolerated(() => configurations.exists(configuration), true)) && configuration !== 'default') {
    throw new UsageError(`Configuration [${configuration}] does not exist. Create it with: gcauth config configurations create ${configuration}`);
  }
  const props = new Properties({flags: flagProperties(flags), env, values: await tolerated(() => configurations.read(configuration), {}), configuration});
  // Read leniently: a bad stored value must not stop `config set` from repairing it.
  const lenient = (key: string) => {
    try {
      return props.get(key);
    } catch {
      return undefined;
    }
  };
  const log = createLogger((t) => io.stderr.write(t), (lenient('core/verbosity') ?? 'warning') as Verbosity);
  const now = overrides.now ?? Date.now;
  const network = createNetwork(props, env, (line) => io.stderr.write(`${line}\n`));
  const store = new FileCredentialStore(paths.credentialsFile);
  const cache = new FileTokenCache(paths.tokensDir);
  const tokens = new TokenService({
    store,
    cache,
    now,
    log,
    // Resolved only when a token is minted, so its validation error surfaces there, not in every command.
    tokenHostOverride: () => {
      const tokenHost = props.describe('auth/token_host');
      return tokenHost && tokenHost.source !== 'default' ? tokenHost.value : undefined;
    },
    mint:
      overrides.mint ??
      (async (credential, scopes, tokenUrl, timeoutMs) => (await credentialType(credential)).mintAccessToken(credential, scopes, {tokenUrl, log, timeoutMs, now, env, network})),
  });
  const prompter = overrides.prompter ?? createPrompter({canPrompt: () => ctx.canPrompt, output: overrides.io ? undefined : process.stderr});
  const gce: GceEnvironment = {
    sysRoot: overrides.sysRoot ?? '/',
    macAddresses:
      overrides.macAddresses ??
      (() =>
        Object.values(networkInterfaces())
          .flat()
          .map((i) => i?.mac ?? '')),
    platform,
    defaultHost: overrides.metadataDefaultHost,
  };
  let user: ProcessUser | undefined;
  const ctx = {
    io,
    env,
    homeDir,
    platform,
    now,
    get quiet() {
      return isTrue(props.get('core/disable_prompts'));
    },
    get canPrompt() {
      // quiet first, so an invalid core/disable_prompts is reported with or without a terminal.
      return !ctx.quiet && io.interactive;
    },
    paths,
    props,
    configurations,
    prompter,
    store,
    cache,
    tokens,
    log,
    flags,
    gce,
    network,
    get user() {
      return (user ??= overrides.user ?? processUser(env));
    },
  } as Omit<AppContext, 'api'> as AppContext;
  ctx.api = createApiClients(ctx);
  return ctx;
}

/**
 * ctx with a token service that serves only tokens meeting fresh (refreshing, single-flight, any that do not), whatever
 * source or credential type they come from. The API clients keep ctx's own service, so an impersonation's source
 * token is not refreshed for it: only the token the caller serves.
 */
export function withFreshness(ctx: AppContext, fresh: Freshness): AppContext {
  // A copy by descriptors: the context's getters stay lazy, and a spread of the copy keeps every part of it.
  const tokens = {value: ctx.tokens.requiring(fresh), enumerable: true, writable: true, configurable: true};
  return Object.create(Object.getPrototypeOf(ctx) as object, {...Object.getOwnPropertyDescriptors(ctx), tokens}) as AppContext;
}

// A damaged active_config must not lock the user out of the commands that would repair it.
async function activeConfiguration(configurations: ConfigurationStore, io: IO): Promise<string> {
  const fix = 'Fix it with: gcauth config configurations activate NAME';
  let name: string;
  try {
    name = await configurations.activeName();
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    io.stderr.write(`WARNING: Cannot read ${configurations.activeFile}: ${error.reason}; using [default]. ${fix}\n`);
    return 'default';
  }
  try {
    validateConfigurationName(name);
    return name;
  } catch {
    // Only the start of its first line: the file may hold anything, even a megabyte of it.
    const shown = name.split(/[\r\n]/)[0]!;
    io.stderr.write(`WARNING: ${configurations.activeFile} names an invalid configuration [${shown.length > 64 ? `${shown.slice(0, 64)}...` : shown}]; using [default]. ${fix}\n`);
    return 'default';
  }
}

function processUser(env: Record<string, string | undefined>): ProcessUser {
  let name = env.USER ?? env.USERNAME ?? '';
  try {
    name = userInfo().username;
  } catch {
    // a uid with no passwd entry (containers): keep the environment's name
  }
  return {uid: process.getuid?.(), gids: process.getgroups?.() ?? [], name};
}

function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  };
}
