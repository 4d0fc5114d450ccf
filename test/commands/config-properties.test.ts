/** Cores of config set / get / unset / list against a fake context; every error leaves the config dir untouched. */
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {getProperty} from '../../src/commands/config/get.js';
import {renderListing} from '../../src/commands/config/list.js';
import {listProperties} from '../../src/lib/config/listing.js';
import {setProperty} from '../../src/commands/config/set.js';
import {overrideWarning} from '../../src/lib/config/override-warning.js';
import {unsetProperty} from '../../src/commands/config/unset.js';
import {PROPERTIES} from '../../src/lib/config/properties.js';
import type {GlobalFlags} from '../../src/lib/context.js';
import {NotFoundError, UsageError} from '../../src/lib/errors.js';
import {fakeContext} from '../helpers/context.js';
import {expectUnchanged} from '../helpers/fs.js';


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-config-props-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const ctxOf = async (flags: GlobalFlags = {}, env: Record<string, string> = {}) => (await fakeContext({configDir: dir, flags, env})).ctx;
const file = (name: string) => path.join(dir, 'configurations', `config_${name}`);
const seed = (name: string, text: string) => {
  mkdirSync(path.join(dir, 'configurations'), {recursive: true, mode: 0o700});
  writeFileSync(file(name), text, {mode: 0o600});
};

describe('setProperty', () => {
  test('creates default on first write, and keeps other properties', async () => {
    expect(existsSync(path.join(dir, 'configurations'))).toBe(false);
    expect(await setProperty({property: 'account', value: 'a@x'}, await ctxOf())).toEqual({
      property: 'core/account',
      value: 'a@x',
      configuration: 'default',
      overriddenBy: undefined,
    });
    await setProperty({property: 'api_endpoint_overrides/iam', value: 'http://127.0.0.1:1/iam/'}, await ctxOf());
    await setProperty({property: 'core/project', value: 'p'}, await ctxOf());
    expect(readFileSync(file('default'), 'utf8')).toBe('[core]\naccount = a@x\nproject = p\n\n[api_endpoint_overrides]\niam = http://127.0.0.1:1/iam/\n');
    expect(statSync(file('default')).mode & 0o777).toBe(0o600);
  });

  test('docker/registries takes HOST[:PORT] items, IPv6 in brackets; docker/token_source a list of gcauth, adc, metadata', async () => {
    await setProperty({property: 'docker/registries', value: '127.0.0.1:5000, mirror.example.com,[::1]:5001'}, await ctxOf());
    await setProperty({property: 'docker/token_source', value: 'adc'}, await ctxOf());
    expect(readFileSync(file('default'), 'utf8')).toBe('[docker]\nregistries = 127.0.0.1:5000, mirror.example.com,[::1]:5001\ntoken_source = adc\n');
    await setProperty({property: 'docker/token_source', value: 'metadata, gcauth'}, await ctxOf());
    expect(readFileSync(file('default'), 'utf8')).toBe('[docker]\nregistries = 127.0.0.1:5000, mirror.example.com,[::1]:5001\ntoken_source = metadata, gcauth\n');
  });

  test.each(['30m', '1800', '1800s', '5m', '55m', '20m30s', ' 20M '])(
    'docker/min_token_lifetime takes gcloud-style durations from 5m to 55m: %j',
    async (value) => {
      expect(await setProperty({property: 'docker/min_token_lifetime', value}, await ctxOf())).toMatchObject({property: 'docker/min_token_lifetime', value});
    },
  );

  test.each([
    ['2h', 'at most 55m: Google access tokens live 1h, so a longer minimum could not be met (and one near 1h would refresh on nearly every pull).'],
    ['1h', 'at most 55m: Google access tokens live 1h'],
    ['3301', 'at most 55m'],
    ['4m59s', "at least 5m: no gcauth token is used with 5 minutes or less left (gcloud's rule)."],
    ['0', 'at least 5m'],
    ['half an hour', 'expected a duration such as 30m, 1800s or 1800 (seconds), from 5m to 55m.'],
    ['30min', 'expected a duration'],
    ['-30m', 'expected a duration'],
    ['300.5s', 'expected a duration'],
  ])('docker/min_token_lifetime refuses %j in one line naming the limit, writing nothing', async (value, problem) => {
    seed('default', '[docker]\nmin_token_lifetime = 10m\n');
    const error = await setProperty({property: 'docker/min_token_lifetime', value}, await ctxOf()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(`Invalid value for property [docker/min_token_lifetime]: ${JSON.stringify(value)}: `)).toBe(true);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).not.toContain('\n');
    expect(readFileSync(file('default'), 'utf8')).toBe('[docker]\nmin_token_lifetime = 10m\n');
  });

  test.each([
    ['project', 'Bad Project!', 'Invalid value for property [core/project]: "Bad Project!": this looks like a project name, not its ID; expected a project ID'],
    ['project', 'projects/p-1', 'Invalid value for property [core/project]: "projects/p-1": this takes the ID alone, without projects/; expected a project ID (such as my-project-123, lower-case letters, digits and hyphens) or a project number; did you mean p-1?.'],
    ['project', 'ends-with-', 'Invalid value for property [core/project]: "ends-with-": expected a project ID'],
    ['account', 'not-an-email', 'Invalid value for property [core/account]: "not-an-email": expected an account email'],
    ['verbosity', 'loud', 'Invalid value for property [core/verbosity]: "loud": expected one of debug, info, warning, error, critical, none.'],
    ['docker/token_source', 'keychain', 'Invalid value for property [docker/token_source]: "keychain": unknown token source [keychain]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.'],
    ['disable_prompts', 'maybe', 'Invalid value for property [core/disable_prompts]: "maybe": expected true or false.'],
  ])('refuses %s %j, writing nothing', async (property, value, message) => {
    seed('default', '[core]\nproject = kept\n');
    const before = readFileSync(file('default'), 'utf8');
    const error = await setProperty({property, value}, await ctxOf()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect(readFileSync(file('default'), 'utf8')).toBe(before);
  });

  test.each([
    ['project', 'my-project-123'],
    ['project', 'example.com:legacy-project'],
    ['project', '123456789012'],
    ['account', 'default'],
    ['account', 'ci@p.iam.gserviceaccount.com'],
  ])('accepts %s %s (gcloud\'s forms)', async (property, value) => {
    await setProperty({property, value}, await ctxOf());
    expect(readFileSync(file('default'), 'utf8')).toContain(`${property} = ${value}\n`);
  });

  test('writes the configuration named by --configuration, not the active one', async () => {
    seed('dev', '');
    await setProperty({property: 'project', value: 'devp'}, await ctxOf({configuration: 'dev'}));
    expect(readFileSync(file('dev'), 'utf8')).toBe('[core]\nproject = devp\n');
    expect(existsSync(file('default'))).toBe(false);
  });

  test('reports the env or flag that outranks the new value', async () => {
    const {overriddenBy} = await setProperty({property: 'project', value: 'p'}, await ctxOf({}, {CLOUDSDK_CORE_PROJECT: 'old'}));
    expect(overriddenBy).toEqual({key: 'core/project', value: 'old', source: 'env', origin: 'CLOUDSDK_CORE_PROJECT'});
    expect(overrideWarning(overriddenBy!)).toBe('WARNING: Property [project] is overridden by environment setting [CLOUDSDK_CORE_PROJECT=old]');
    const hidden = await setProperty({property: 'auth/token_host', value: 'http://h/token'}, await ctxOf({}, {GCAUTH_AUTH_TOKEN_HOST: 'http://e/token'}));
    expect(overrideWarning(hidden.overriddenBy!)).toBe(
      'WARNING: Property [auth/token_host] is overridden by environment setting [GCAUTH_AUTH_TOKEN_HOST=http://e/token]',
    );
    const flagged = await setProperty({property: 'verbosity', value: 'info'}, await ctxOf({verbosity: 'debug'}));
    expect(overrideWarning(flagged.overriddenBy!)).toBe('WARNING: Property [verbosity] is overridden by flag [--verbosity=debug]');
  });

  test('an invalid environment override does not stop a valid write', async () => {
    const result = await setProperty({property: 'api_endpoint_overrides/iam', value: 'http://h/iam/'}, await ctxOf({}, {GCAUTH_API_ENDPOINT_OVERRIDES_IAM: 'bad'}));
    expect(result.overriddenBy?.value).toBe('bad');
    expect(readFileSync(file('default'), 'utf8')).toBe('[api_endpoint_overrides]\niam = http://h/iam/\n');
  });

  describe('errors change nothing on disk', () => {
    beforeEach(() => seed('default', '[core]\naccount = a@x\n'));

    test.each([
      ['nosuch/x', 'v', new UsageError('Section [nosuch] does not exist. Valid sections: core, auth, api_endpoint_overrides, docker, artifacts, proxy.')],
      ['zone', 'v', new UsageError('Property [zone] does not exist in section [core]. Valid properties: account, project, disable_prompts, verbosity, check_gce_metadata, custom_ca_certs_file.')],
      ['auth/token_host', 'not-a-url', new UsageError('Invalid value for property [auth/token_host]: "not-a-url": expected an http:// or https:// URL.')],
      ['auth/token_host', 'ftp://h/token', new UsageError('Invalid value for property [auth/token_host]: "ftp://h/token": expected an http:// or https:// URL.')],
      [
        'api_endpoint_overrides/iam',
        'http://127.0.0.1:1/iam',
        new UsageError('Invalid value for property [api_endpoint_overrides/iam]: "http://127.0.0.1:1/iam": expected a base URL ending with \'/\'.'),
      ],
      ['core/verbosity', 'loud', new UsageError('Invalid value for property [core/verbosity]: "loud": expected one of debug, info, warning, error, critical, none.')],
      ['disable_prompts', 'sometimes', new UsageError('Invalid value for property [core/disable_prompts]: "sometimes": expected true or false.')],
      [
        'docker/registries',
        '127.0.0.1:5000,https://mirror.example.com',
        new UsageError(
          'Invalid value for property [docker/registries]: "127.0.0.1:5000,https://mirror.example.com": [https://mirror.example.com]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000.',
        ),
      ],
      [
        'docker/registries',
        'mirror.example.com:99999',
        new UsageError('Invalid value for property [docker/registries]: "mirror.example.com:99999": [mirror.example.com:99999]: the port must be between 1 and 65535, e.g. 127.0.0.1:5000.'),
      ],
      [
        'docker/token_source',
        'env',
        new UsageError('Invalid value for property [docker/token_source]: "env": unknown token source [env]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.'),
      ],
      [
        'docker/token_source',
        'gcauth,,adc',
        new UsageError('Invalid value for property [docker/token_source]: "gcauth,,adc": an item is empty; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.'),
      ],
      [
        'docker/token_source',
        'adc,metadata,adc',
        new UsageError('Invalid value for property [docker/token_source]: "adc,metadata,adc": [adc] is listed twice; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.'),
      ],
      ['project', '', new UsageError('Cannot set property [core/project] to an empty value.')],
      ['project', 'a\nb', new UsageError('Invalid value for property [core/project]: it must be a single line.')],
    ])('set %s %j', async (property, value, error) => {
      await expectUnchanged(dir, async () => setProperty({property, value}, await ctxOf()), error);
    });

    test('an active configuration that does not exist', async () => {
      await expectUnchanged(dir, 
        async () => setProperty({property: 'project', value: 'p'}, await ctxOf({}, {GCAUTH_ACTIVE_CONFIG_NAME: 'gone'})),
        new NotFoundError('Configuration [gone] does not exist. Create it with: gcauth config configurations create gone'),
      );
    });

    test('on a fresh dir, a missing active configuration creates nothing at all', async () => {
      rmSync(path.join(dir, 'configurations'), {recursive: true});
      writeFileSync(path.join(dir, 'active_config'), 'gone');
      await expectUnchanged(dir, 
        async () => setProperty({property: 'project', value: 'p'}, await ctxOf()),
        new NotFoundError('Configuration [gone] does not exist. Create it with: gcauth config configurations create gone'),
      );
    });
  });
});

describe('getProperty', () => {
  test('resolved value from any source, and undefined when unset', async () => {
    seed('default', '[core]\naccount = a@x\n');
    expect(await getProperty({property: 'account'}, await ctxOf())).toEqual({property: 'core/account', value: 'a@x', configuration: 'default'});
    expect((await getProperty({property: 'account'}, await ctxOf({account: 'f@x'}))).value).toBe('f@x');
    expect((await getProperty({property: 'account'}, await ctxOf({}, {GCAUTH_CORE_ACCOUNT: 'e@x'}))).value).toBe('e@x');
    expect((await getProperty({property: 'project'}, await ctxOf())).value).toBeUndefined();
    expect((await getProperty({property: 'auth/token_host'}, await ctxOf())).value).toBe('https://oauth2.googleapis.com/token');
  });

  test('names the active configuration', async () => {
    seed('dev', '');
    expect((await getProperty({property: 'project'}, await ctxOf({}, {GCAUTH_ACTIVE_CONFIG_NAME: 'dev'}))).configuration).toBe('dev');
  });

  test('an invalid stored value is an error naming the configuration', async () => {
    seed('default', '[api_endpoint_overrides]\niam = http://h/iam\n');
    await expectUnchanged(dir, 
      async () => getProperty({property: 'api_endpoint_overrides/iam'}, await ctxOf()),
      new UsageError('Invalid value for property [api_endpoint_overrides/iam] (in configuration [default]): "http://h/iam": expected a base URL ending with \'/\'.'),
    );
  });

  test('an unknown property', async () => {
    await expectUnchanged(dir, 
      async () => getProperty({property: 'auth/nosuch'}, await ctxOf()),
      // Every auth property, in declaration order (more are added as features land).
      new UsageError(`Property [nosuch] does not exist in section [auth]. Valid properties: ${PROPERTIES.filter((p) => p.section === 'auth').map((p) => p.name).join(', ')}.`),
    );
  });
});

describe('unsetProperty', () => {
  test('removes only that property', async () => {
    seed('default', '[core]\naccount = a@x\nproject = p\n');
    expect(await unsetProperty({property: 'account'}, await ctxOf())).toEqual({property: 'core/account', configuration: 'default'});
    expect(readFileSync(file('default'), 'utf8')).toBe('[core]\nproject = p\n');
  });

  test('errors change nothing', async () => {
    seed('default', '[core]\naccount = a@x\n');
    await expectUnchanged(dir, 
      async () => unsetProperty({property: 'core/acount'}, await ctxOf()),
      new UsageError('Property [acount] does not exist in section [core]. Valid properties: account, project, disable_prompts, verbosity, check_gce_metadata, custom_ca_certs_file.'),
    );
    await expectUnchanged(dir, 
      async () => unsetProperty({property: 'account'}, await ctxOf({}, {GCAUTH_ACTIVE_CONFIG_NAME: 'gone'})),
      new NotFoundError('Configuration [gone] does not exist. Create it with: gcauth config configurations create gone'),
    );
  });
});

describe('listProperties', () => {
  test('merges flag, env and configuration, sorted by section and name', async () => {
    seed('default', '[core]\naccount = a@x\nproject = filep\n');
    const listing = await listProperties({all: false}, await ctxOf({project: 'flagp'}, {GCAUTH_CORE_VERBOSITY: 'info'}));
    expect(listing).toEqual({core: {account: 'a@x', project: 'flagp', verbosity: 'info'}});
    expect(renderListing(listing)).toBe('[core]\naccount = a@x\nproject = flagp\nverbosity = info\n');
  });

  test('filters by property or section; --all includes unset and default values', async () => {
    seed('default', '[core]\naccount = a@x\n');
    const ctx = await ctxOf();
    expect(await listProperties({filter: 'account', all: false}, ctx)).toEqual({core: {account: 'a@x'}});
    expect(await listProperties({filter: 'project', all: false}, ctx)).toEqual({});
    expect(await listProperties({filter: 'api_endpoint_overrides/', all: true}, ctx)).toEqual({
      api_endpoint_overrides: {artifactregistry: null, cloudresourcemanager: null, iam: null, iamcredentials: null, orgpolicy: null, serviceusage: null},
    });
    const all = await listProperties({all: true}, ctx);
    expect(Object.keys(all)).toEqual(['api_endpoint_overrides', 'artifacts', 'auth', 'core', 'docker', 'proxy']);
    expect(all.core).toEqual({account: 'a@x', check_gce_metadata: 'true', custom_ca_certs_file: null, disable_prompts: 'false', project: null, verbosity: 'warning'});
    expect(all.docker).toEqual({min_token_lifetime: '30m', registries: null, token_source: 'gcauth,adc,metadata'});
    expect(renderListing({auth: {token_host: 'x'}, core: {project: null}})).toBe('[auth]\ntoken_host = x\n[core]\nproject (unset)\n');
    expect(renderListing({})).toBe('');
  });

  test('an unknown filter or an invalid value is a UsageError', async () => {
    seed('default', '[api_endpoint_overrides]\niamcredentials = nope\n');
    await expectUnchanged(dir, 
      async () => listProperties({filter: 'nosuch/', all: false}, await ctxOf()),
      new UsageError('Section [nosuch] does not exist. Valid sections: core, auth, api_endpoint_overrides, docker, artifacts, proxy.'),
    );
    await expectUnchanged(dir, 
      async () => listProperties({filter: 'core/project/', all: false}, await ctxOf()),
      new UsageError('Property [project/] does not exist in section [core]. Valid properties: account, project, disable_prompts, verbosity, check_gce_metadata, custom_ca_certs_file.'),
    );
    await expectUnchanged(dir, 
      async () => listProperties({all: false}, await ctxOf()),
      new UsageError(
        'Invalid value for property [api_endpoint_overrides/iamcredentials] (in configuration [default]): "nope": expected an http:// or https:// URL.',
      ),
    );
  });
});
