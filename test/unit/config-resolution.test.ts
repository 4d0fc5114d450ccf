/** Property resolution, active-configuration choice, INI storage and file modes of the config model. */
import {mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {ConfigurationStore, formatIni, parseIni, validateConfigurationName} from '../../src/lib/config/configurations.js';
import {resolvePaths} from '../../src/lib/config/paths.js';
import {envNamesOf, findProperty, keyOf, PROPERTIES} from '../../src/lib/config/properties.js';
import {Properties} from '../../src/lib/config/resolver.js';
import {NotFoundError, UsageError} from '../../src/lib/errors.js';
import {fakeContext} from '../helpers/context.js';

const props = (
  over: Partial<{flags: Record<string, string | undefined>; env: Record<string, string | undefined>; values: Record<string, Record<string, string>>}> = {},
) => new Properties({flags: over.flags ?? {}, env: over.env ?? {}, values: over.values ?? {}, configuration: 'dev'});

/** A valid value of each property with a rule, distinct per tag; the others take any text. */
const SAMPLES: Record<string, (tag: string) => string> = {
  'core/account': (t) => `a${t}@x.test`,
  'core/project': (t) => `project-${t}x`,
  'core/disable_prompts': (t) => ({1: 'true', 2: 'false', 3: 'yes', config: 'no'})[t]!,
  'core/verbosity': (t) => ({1: 'debug', 2: 'info', 3: 'error', config: 'none'})[t]!,
  'core/check_gce_metadata': (t) => ({1: 'true', 2: 'false', 3: 'on', config: 'off'})[t]!,
  'core/custom_ca_certs_file': (t) => `/etc/ca-${t}.pem`,
  'auth/disable_ssl_validation': (t) => ({1: 'true', 2: 'false', 3: 'y', config: 'n'})[t]!,
  'auth/token_host': (t) => `http://h${t}/token`,
  'auth/auth_host': (t) => `http://h${t}/auth`,
  'auth/impersonate_service_account': (t) => `sa${t}@p.iam.gserviceaccount.com`,
  'docker/registries': (t) => `r${t}.example.com`,
  'docker/token_source': (t) => ({1: 'adc', 2: 'metadata', 3: 'gcauth', config: 'adc,metadata'})[t]!,
  'docker/min_token_lifetime': (t) => ({1: '10m', 2: '20m', 3: '40m', config: '50m'})[t]!,
  'artifacts/location': (t) => ({1: 'us', 2: 'europe', 3: 'asia', config: 'us-central1'})[t]!,
  'proxy/type': (t) => ({1: 'http', 2: 'socks5', 3: 'socks4', config: 'http_no_tunnel'})[t]!,
  'proxy/address': (t) => `proxy${t}.example.com`,
  'proxy/port': (t) => ({1: '3128', 2: '8080', 3: '1080', config: '9000'})[t]!,
  'proxy/rdns': (t) => ({1: 'true', 2: 'false', 3: 'yes', config: 'no'})[t]!,
};
for (const key of PROPERTIES.map(keyOf).filter((k) => k.startsWith('api_endpoint_overrides/'))) SAMPLES[key] = (t) => `http://h${t}/${key}/`;

describe('resolution order', () => {
  const all = {
    flags: {'core/project': 'from-flag'},
    env: {GCAUTH_CORE_PROJECT: 'from-gcauth-env', CLOUDSDK_CORE_PROJECT: 'from-cloudsdk-env'},
    values: {core: {project: 'from-config'}},
  };

  test('flag > GCAUTH_ env > CLOUDSDK_ fallback > configuration', () => {
    expect(props(all).describe('project')).toEqual({key: 'core/project', value: 'from-flag', source: 'flag', origin: undefined});
    expect(props({...all, flags: {}}).describe('project')).toEqual({
      key: 'core/project',
      value: 'from-gcauth-env',
      source: 'env',
      origin: 'GCAUTH_CORE_PROJECT',
    });
    expect(props({...all, flags: {}, env: {CLOUDSDK_CORE_PROJECT: 'from-cloudsdk-env'}}).describe('core/project')).toMatchObject({
      value: 'from-cloudsdk-env',
      origin: 'CLOUDSDK_CORE_PROJECT',
    });
    expect(props({values: all.values}).describe('project')).toMatchObject({value: 'from-config', source: 'configuration'});
  });

  // gcloud reads every property from CLOUDSDK_<SECTION>_<NAME> (Property.EnvironmentName), so gcauth does too.
  test.each(PROPERTIES.map(keyOf))('%s: GCAUTH_ variable > CLOUDSDK_ variable > configuration', (key) => {
    const def = findProperty(key);
    const [mine, gcloud] = [`GCAUTH_${def.section}_${def.name}`.toUpperCase(), `CLOUDSDK_${def.section}_${def.name}`.toUpperCase()];
    expect(envNamesOf(def)).toEqual([mine, gcloud]);
    // Values that pass every rule of the table: a '/'-ending URL for URLs, a number for a port, and so on.
    const good = (tag: string) => SAMPLES[key]?.(tag) ?? `x${tag}`;
    expect(good('1')).not.toBe(good('2'));
    const values = {[def.section]: {[def.name]: good('config')}};
    expect(props({env: {[gcloud]: good('1')}, values}).describe(key)).toEqual({key, value: good('1'), source: 'env', origin: gcloud});
    expect(props({env: {[mine]: good('2'), [gcloud]: good('1')}, values}).describe(key)).toMatchObject({value: good('2'), origin: mine});
    expect(props({flags: {[key]: good('3')}, env: {[gcloud]: good('1')}}).describe(key)).toMatchObject({value: good('3'), source: 'flag'});
    expect(props({env: {[gcloud]: ''}, values}).describe(key)).toMatchObject({value: good('config'), source: 'configuration'});
  });

  test('default is last, and an empty env value does not count', () => {
    expect(props().describe('core/verbosity')).toMatchObject({value: 'warning', source: 'default'});
    expect(props({env: {GCAUTH_CORE_VERBOSITY: ''}, values: {core: {verbosity: 'debug'}}}).get('verbosity')).toBe('debug');
    expect(props().get('project')).toBeUndefined();
  });

  test('all() lists only values set somewhere other than the default', () => {
    expect(props({env: {GCAUTH_CORE_VERBOSITY: 'info'}, values: {core: {account: 'a@x'}}}).all().map((p) => `${p.key}=${p.value}`)).toEqual([
      'core/account=a@x',
      'core/verbosity=info',
    ]);
  });

  test('override() reports the flag or env value that hides the configuration, without validating it', () => {
    expect(props({values: {core: {project: 'p'}}}).override('project')).toBeUndefined();
    expect(props({env: {GCAUTH_API_ENDPOINT_OVERRIDES_IAM: 'no-slash'}}).override('api_endpoint_overrides/iam')).toEqual({
      key: 'api_endpoint_overrides/iam',
      value: 'no-slash',
      source: 'env',
      origin: 'GCAUTH_API_ENDPOINT_OVERRIDES_IAM',
    });
    expect(props({flags: {'core/account': 'f@x'}, env: {GCAUTH_CORE_ACCOUNT: 'e@x'}}).override('account')).toMatchObject({source: 'flag', value: 'f@x'});
  });
});

describe('invalid values name their origin', () => {
  test.each([
    [{env: {GCAUTH_CORE_VERBOSITY: 'loud'}}, 'core/verbosity', 'Invalid value for property [core/verbosity] (from GCAUTH_CORE_VERBOSITY): "loud": expected one of debug, info, warning, error, critical, none.'],
    [
      {values: {api_endpoint_overrides: {iam: 'http://h/iam'}}},
      'api_endpoint_overrides/iam',
      'Invalid value for property [api_endpoint_overrides/iam] (in configuration [dev]): "http://h/iam": expected a base URL ending with \'/\'.',
    ],
    [{values: {auth: {token_host: 'not-a-url'}}}, 'auth/token_host', 'Invalid value for property [auth/token_host] (in configuration [dev]): "not-a-url": expected an http:// or https:// URL.'],
    [
      {env: {CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM: 'http://h/iam'}, values: {api_endpoint_overrides: {iam: 'http://h/iam/'}}},
      'api_endpoint_overrides/iam',
      'Invalid value for property [api_endpoint_overrides/iam] (from CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM): "http://h/iam": expected a base URL ending with \'/\'.',
    ],
    [{env: {CLOUDSDK_PROXY_TYPE: 'bogus'}}, 'proxy/type', 'Invalid value for property [proxy/type] (from CLOUDSDK_PROXY_TYPE): "bogus": expected one of http, http_no_tunnel, socks4, socks5.'],
    [{env: {GCAUTH_CORE_DISABLE_PROMPTS: 'maybe'}}, 'disable_prompts', 'Invalid value for property [core/disable_prompts] (from GCAUTH_CORE_DISABLE_PROMPTS): "maybe": expected true or false.'],
  ])('%j', (sources, key, message) => {
    const p = props(sources);
    expect(() => p.get(key)).toThrow(new UsageError(message));
    expect(() => p.get(key)).toThrow(UsageError);
  });

  test('a valid higher-priority value hides an invalid lower one', () => {
    expect(props({env: {GCAUTH_CORE_VERBOSITY: 'info'}, values: {core: {verbosity: 'loud'}}}).get('verbosity')).toBe('info');
  });
});

describe('findProperty', () => {
  test('bare names are core; unknown sections and names list the valid ones', () => {
    expect(findProperty('project')).toMatchObject({section: 'core', name: 'project'});
    expect(() => findProperty('nosuch/x')).toThrow(new UsageError('Section [nosuch] does not exist. Valid sections: core, auth, api_endpoint_overrides, docker, artifacts, proxy.'));
    expect(() => findProperty('zone')).toThrow(new UsageError('Property [zone] does not exist in section [core]. Valid properties: account, project, disable_prompts, verbosity, check_gce_metadata, custom_ca_certs_file.'));
  });

  test('extra path segments are not silently dropped', () => {
    expect(() => findProperty('core/project/extra')).toThrow(
      new UsageError('Property [project/extra] does not exist in section [core]. Valid properties: account, project, disable_prompts, verbosity, check_gce_metadata, custom_ca_certs_file.'),
    );
  });
});

describe('the active configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gcauth-active-'));
    mkdirSync(path.join(dir, 'configurations'));
    for (const name of ['default', 'filecfg', 'envcfg', 'flagcfg']) writeFileSync(path.join(dir, 'configurations', `config_${name}`), `[core]\nproject = ${name}-p\n`);
    writeFileSync(path.join(dir, 'active_config'), 'filecfg');
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  const active = async (flags: {configuration?: string}, env: Record<string, string> = {}) => {
    const {ctx} = await fakeContext({configDir: dir, flags, env});
    return [ctx.props.configuration, ctx.props.get('project')];
  };

  test('--configuration > GCAUTH_ACTIVE_CONFIG_NAME > active_config > default', async () => {
    expect(await active({configuration: 'flagcfg'}, {GCAUTH_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['flagcfg', 'flagcfg-p']);
    expect(await active({}, {GCAUTH_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['envcfg', 'envcfg-p']);
    expect(await active({})).toEqual(['filecfg', 'filecfg-p']);
    rmSync(path.join(dir, 'active_config'));
    expect(await active({})).toEqual(['default', 'default-p']);
  });

  test("gcloud's CLOUDSDK_ACTIVE_CONFIG_NAME chooses it too, after GCAUTH_ACTIVE_CONFIG_NAME and --configuration; empty is unset", async () => {
    expect(await active({}, {CLOUDSDK_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['envcfg', 'envcfg-p']);
    expect(await active({}, {GCAUTH_ACTIVE_CONFIG_NAME: 'flagcfg', CLOUDSDK_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['flagcfg', 'flagcfg-p']);
    expect(await active({}, {GCAUTH_ACTIVE_CONFIG_NAME: '', CLOUDSDK_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['envcfg', 'envcfg-p']);
    expect(await active({configuration: 'flagcfg'}, {CLOUDSDK_ACTIVE_CONFIG_NAME: 'envcfg'})).toEqual(['flagcfg', 'flagcfg-p']);
    expect(await active({}, {CLOUDSDK_ACTIVE_CONFIG_NAME: ''})).toEqual(['filecfg', 'filecfg-p']);
    await expect(fakeContext({configDir: dir, env: {CLOUDSDK_ACTIVE_CONFIG_NAME: 'Bad_Name'}})).rejects.toThrow(UsageError);
  });

  test('an unknown --configuration or an invalid name is a UsageError', async () => {
    await expect(fakeContext({configDir: dir, flags: {configuration: 'nosuch'}})).rejects.toThrow(
      new UsageError('Configuration [nosuch] does not exist. Create it with: gcauth config configurations create nosuch'),
    );
    await expect(fakeContext({configDir: dir, env: {GCAUTH_ACTIVE_CONFIG_NAME: 'Bad_Name'}})).rejects.toThrow(UsageError);
  });
});

describe('may gcauth prompt (ctx.canPrompt)', () => {
  const prompting = async (options: {interactive: boolean; quiet?: boolean; env?: Record<string, string>}) => {
    const {ctx, cleanup} = await fakeContext({interactive: options.interactive, flags: {quiet: options.quiet}, env: options.env});
    try {
      return {quiet: ctx.quiet, canPrompt: ctx.canPrompt};
    } finally {
      cleanup();
    }
  };

  test('only on a terminal, and neither --quiet nor core/disable_prompts', async () => {
    expect(await prompting({interactive: true})).toEqual({quiet: false, canPrompt: true});
    expect(await prompting({interactive: false})).toEqual({quiet: false, canPrompt: false});
    expect(await prompting({interactive: true, quiet: true})).toEqual({quiet: true, canPrompt: false});
    expect(await prompting({interactive: true, env: {GCAUTH_CORE_DISABLE_PROMPTS: 'yes'}})).toEqual({quiet: true, canPrompt: false});
    expect(await prompting({interactive: true, env: {GCAUTH_CORE_DISABLE_PROMPTS: 'false'}})).toEqual({quiet: false, canPrompt: true});
  });

  test('an invalid core/disable_prompts is reported when the answer is needed, with or without a terminal', async () => {
    for (const interactive of [true, false]) {
      await expect(prompting({interactive, env: {GCAUTH_CORE_DISABLE_PROMPTS: 'maybe'}})).rejects.toThrow(
        new UsageError('Invalid value for property [core/disable_prompts] (from GCAUTH_CORE_DISABLE_PROMPTS): "maybe": expected true or false.'),
      );
    }
  });
});

describe('configuration names', () => {
  test.each(['dev', 'a', 'my-config-2'])('%s is valid', (name) => expect(() => validateConfigurationName(name)).not.toThrow());
  test.each(['Dev', '2dev', '-dev', 'dev_1', '', 'none', '../x', 'a/b'])('%j is invalid', (name) =>
    expect(() => validateConfigurationName(name)).toThrow(UsageError),
  );
});

describe('INI storage', () => {
  test('round trip keeps awkward values intact', () => {
    const values = {
      core: {account: 'sa@p.iam.gserviceaccount.com', project: 'a#b;c'},
      auth: {token_host: 'http://127.0.0.1:8799/token?x=1;y=2'},
      api_endpoint_overrides: {iam: ' spaced = "quoted" [x] '},
    };
    expect(parseIni(formatIni(values))).toEqual(values);
  });

  test('writes gcloud layout and reads gcloud-written files', () => {
    expect(formatIni({core: {account: 'a@x', project: 'p'}})).toBe('[core]\naccount = a@x\nproject = p\n');
    expect(parseIni('[core]\naccount = a@x\nproject = p\n\n[auth]\ntoken_host = http://h/t\n')).toEqual({
      core: {account: 'a@x', project: 'p'},
      auth: {token_host: 'http://h/t'},
    });
    expect(parseIni('[core]\ndisable_prompts = True\n')).toEqual({core: {disable_prompts: 'True'}});
  });
});

describe('ConfigurationStore on disk', () => {
  let dir: string;
  let store: ConfigurationStore;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'gcauth-store-')), 'cfg');
    store = new ConfigurationStore(resolvePaths({GCAUTH_CONFIG: dir}, dir));
  });
  afterEach(() => rmSync(path.dirname(dir), {recursive: true, force: true}));

  const mode = (p: string) => statSync(p).mode & 0o777;

  test('default is created on first write, with 0600 files in 0700 dirs', async () => {
    expect(existsSync(dir)).toBe(false);
    await store.update('default', (v) => {
      v.core = {project: 'p'};
    });
    const file = path.join(dir, 'configurations', 'config_default');
    expect(readFileSync(file, 'utf8')).toBe('[core]\nproject = p\n');
    expect(mode(file)).toBe(0o600);
    expect(mode(path.join(dir, 'configurations'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test('create and activate write 0600 files; active_config has no newline', async () => {
    await store.create('dev');
    await store.activate('dev');
    expect(readFileSync(path.join(dir, 'active_config'), 'utf8')).toBe('dev');
    expect(mode(path.join(dir, 'active_config'))).toBe(0o600);
    expect(mode(path.join(dir, 'configurations', 'config_dev'))).toBe(0o600);
    expect(await store.activeName()).toBe('dev');
  });

  test('updating a missing named configuration fails without creating anything', async () => {
    await expect(store.update('dev', () => undefined)).rejects.toThrow(NotFoundError);
    expect(existsSync(dir)).toBe(false);
  });
});
