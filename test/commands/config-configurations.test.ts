/** Cores of config configurations create / activate / list / describe / delete; every error leaves the config dir untouched. */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {activateConfiguration} from '../../src/commands/config/configurations/activate.js';
import {createConfiguration} from '../../src/commands/config/configurations/create.js';
import {deleteConfigurations} from '../../src/commands/config/configurations/delete.js';
import {describeConfiguration} from '../../src/commands/config/configurations/describe.js';
import {listConfigurations} from '../../src/commands/config/configurations/list.js';
import {setProperty} from '../../src/commands/config/set.js';
import {activeOverrideWarning} from '../../src/lib/config/configurations.js';
import type {GlobalFlags} from '../../src/lib/context.js';
import {CancelledError, NotFoundError, UsageError} from '../../src/lib/errors.js';
import type {Prompter} from '../../src/lib/prompter.js';
import {fakeContext, scriptedPrompter} from '../helpers/context.js';
import {expectUnchanged, snapshot} from '../helpers/fs.js';


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-config-confs-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const ctxOf = async (
  flags: GlobalFlags = {},
  options: {env?: Record<string, string>; interactive?: boolean; prompter?: Prompter} = {},
) => (await fakeContext({configDir: dir, flags, ...options})).ctx;
const activeFile = () => readFileSync(path.join(dir, 'active_config'), 'utf8');

describe('createConfiguration', () => {
  test('creates an empty 0600 file and activates it', async () => {
    expect(await createConfiguration({name: 'dev', activate: true}, await ctxOf())).toEqual({name: 'dev', activated: true});
    expect(readFileSync(path.join(dir, 'configurations', 'config_dev'), 'utf8')).toBe('');
    expect(statSync(path.join(dir, 'configurations', 'config_dev')).mode & 0o777).toBe(0o600);
    expect(activeFile()).toBe('dev');
  });

  test('--no-activate leaves the active configuration alone', async () => {
    await createConfiguration({name: 'ci', activate: false}, await ctxOf());
    expect(existsSync(path.join(dir, 'active_config'))).toBe(false);
    expect((await ctxOf()).props.configuration).toBe('default');
  });

  test('a duplicate or an invalid name changes nothing', async () => {
    await createConfiguration({name: 'dev', activate: false}, await ctxOf());
    await setProperty({property: 'project', value: 'p'}, await ctxOf({configuration: 'dev'}));
    await expectUnchanged(dir, async () => createConfiguration({name: 'dev', activate: true}, await ctxOf()), new UsageError('Cannot create configuration [dev], it already exists.'));
    for (const name of ['Dev', '1dev', 'dev_x', 'none', '../etc']) {
      await expectUnchanged(dir, 
        async () => createConfiguration({name, activate: true}, await ctxOf()),
        new UsageError(`Invalid configuration name [${name}]: names start with a lower-case letter and contain only lower-case letters, digits and hyphens.`),
      );
    }
  });
});

describe('activateConfiguration', () => {
  test('switches the active configuration, and creates default when absent', async () => {
    await createConfiguration({name: 'dev', activate: true}, await ctxOf());
    await activateConfiguration({name: 'default'}, await ctxOf());
    expect(activeFile()).toBe('default');
    expect(readFileSync(path.join(dir, 'configurations', 'config_default'), 'utf8')).toBe('');
  });

  test('an unknown or invalid name changes nothing', async () => {
    await createConfiguration({name: 'dev', activate: true}, await ctxOf());
    await expectUnchanged(dir, async () => activateConfiguration({name: 'nosuch'}, await ctxOf()), new NotFoundError('Cannot activate configuration [nosuch], it does not exist.'));
    await expectUnchanged(dir, 
      async () => activateConfiguration({name: '../dev'}, await ctxOf()),
      new UsageError('Invalid configuration name [../dev]: names start with a lower-case letter and contain only lower-case letters, digits and hyphens.'),
    );
  });

  test('warns only when GCAUTH_ACTIVE_CONFIG_NAME names another configuration', () => {
    expect(activeOverrideWarning('dev', {})).toBeUndefined();
    expect(activeOverrideWarning('dev', {GCAUTH_ACTIVE_CONFIG_NAME: 'dev'})).toBeUndefined();
    expect(activeOverrideWarning('dev', {GCAUTH_ACTIVE_CONFIG_NAME: 'ci'})).toBe(
      'WARNING: The active configuration is overridden by environment setting [GCAUTH_ACTIVE_CONFIG_NAME=ci].',
    );
    // gcloud's variable, named as the one that wins.
    expect(activeOverrideWarning('dev', {CLOUDSDK_ACTIVE_CONFIG_NAME: 'ci'})).toBe(
      'WARNING: The active configuration is overridden by environment setting [CLOUDSDK_ACTIVE_CONFIG_NAME=ci].',
    );
    expect(activeOverrideWarning('dev', {GCAUTH_ACTIVE_CONFIG_NAME: 'dev', CLOUDSDK_ACTIVE_CONFIG_NAME: 'ci'})).toBeUndefined();
  });
});

describe('listConfigurations', () => {
  test('an empty dir lists the active default without writing anything', async () => {
    expect(await listConfigurations(await ctxOf())).toEqual([{name: 'default', is_active: true, account: undefined, project: undefined}]);
    expect(snapshot(dir)).toEqual({});
  });

  test('account and project come from each file; the active one follows --configuration and the env', async () => {
    await setProperty({property: 'account', value: 'a@x'}, await ctxOf());
    await createConfiguration({name: 'dev', activate: false}, await ctxOf());
    await setProperty({property: 'project', value: 'devp'}, await ctxOf({configuration: 'dev'}));
    const rows = await listConfigurations(await ctxOf({}, {env: {GCAUTH_CORE_PROJECT: 'ignored'}}));
    expect(rows).toEqual([
      {name: 'default', is_active: true, account: 'a@x', project: undefined},
      {name: 'dev', is_active: false, account: undefined, project: 'devp'},
    ]);
    expect((await listConfigurations(await ctxOf({configuration: 'dev'}))).map((r) => r.is_active)).toEqual([false, true]);
    expect((await listConfigurations(await ctxOf({}, {env: {GCAUTH_ACTIVE_CONFIG_NAME: 'dev'}}))).map((r) => r.is_active)).toEqual([false, true]);
  });

  test('the lock directory of a configuration being written is not a configuration', async () => {
    await createConfiguration({name: 'dev', activate: false}, await ctxOf());
    mkdirSync(path.join(dir, 'configurations', 'config_dev.lock'));
    expect((await listConfigurations(await ctxOf())).map((r) => r.name)).toEqual(['default', 'dev']);
  });
});

describe('describeConfiguration', () => {
  test('every property written in the file, without overrides', async () => {
    await createConfiguration({name: 'dev', activate: true}, await ctxOf());
    await setProperty({property: 'account', value: 'a@x'}, await ctxOf());
    await setProperty({property: 'auth/token_host', value: 'http://h/token'}, await ctxOf());
    expect(await describeConfiguration({name: 'dev'}, await ctxOf({account: 'flag@x'}))).toEqual({
      is_active: true,
      name: 'dev',
      properties: {core: {account: 'a@x'}, auth: {token_host: 'http://h/token'}},
    });
    // default was never written and is not active: it does not exist, as in list.
    await expectUnchanged(dir, async () => describeConfiguration({name: 'default'}, await ctxOf()), new NotFoundError('Configuration [default] does not exist.'));
  });

  test('the active default exists before its first write; others must exist', async () => {
    expect(await describeConfiguration({name: 'default'}, await ctxOf())).toEqual({is_active: true, name: 'default', properties: {}});
    await expectUnchanged(dir, async () => describeConfiguration({name: 'nosuch'}, await ctxOf()), new NotFoundError('Configuration [nosuch] does not exist.'));
    await expectUnchanged(dir, 
      async () => describeConfiguration({name: 'NoSuch'}, await ctxOf()),
      new UsageError('Invalid configuration name [NoSuch]: names start with a lower-case letter and contain only lower-case letters, digits and hyphens.'),
    );
  });
});

describe('deleteConfigurations', () => {
  beforeEach(async () => {
    await setProperty({property: 'account', value: 'a@x'}, await ctxOf());
    await createConfiguration({name: 'dev', activate: false}, await ctxOf());
    await createConfiguration({name: 'ci', activate: false}, await ctxOf());
  });
  const remaining = () => readdirSync(path.join(dir, 'configurations')).sort();

  test('with --quiet deletes every named configuration without asking', async () => {
    const prompter = scriptedPrompter([]);
    expect(await deleteConfigurations({names: ['dev', 'ci', 'dev']}, await ctxOf({quiet: true}, {prompter}))).toEqual({deleted: ['dev', 'ci']});
    expect(remaining()).toEqual(['config_default']);
    expect(prompter.asked).toEqual([]);
  });

  test('core/disable_prompts in the configuration also skips the question', async () => {
    await setProperty({property: 'disable_prompts', value: 'true'}, await ctxOf());
    await deleteConfigurations({names: ['dev']}, await ctxOf());
    expect(remaining()).toEqual(['config_ci', 'config_default']);
  });

  test('on a terminal asks once for all of them; yes deletes', async () => {
    const prompter = scriptedPrompter([true]);
    await deleteConfigurations({names: ['dev', 'ci']}, await ctxOf({}, {interactive: true, prompter}));
    expect(prompter.asked).toEqual(['Delete configurations [dev, ci]?']);
    expect(remaining()).toEqual(['config_default']);
  });

  test('declining deletes nothing', async () => {
    const prompter = scriptedPrompter([false]);
    await expectUnchanged(dir, 
      async () => deleteConfigurations({names: ['dev']}, await ctxOf({}, {interactive: true, prompter})),
      new CancelledError('Nothing was deleted.'),
    );
  });

  test('without a terminal or --quiet it fails naming the flag', async () => {
    await expectUnchanged(dir, 
      async () => deleteConfigurations({names: ['dev']}, await ctxOf()),
      new UsageError('Delete configuration [dev]? Cannot ask without a terminal (or with --quiet): pass --quiet.'),
    );
  });

  test('refuses the active configuration, whichever way it is active, before deleting any', async () => {
    const refused = (name: string) =>
      new UsageError(`Cannot delete configuration [${name}]: it is active.`, {hint: 'Activate another one first: gcauth config configurations activate NAME'});
    await expectUnchanged(dir, async () => deleteConfigurations({names: ['dev', 'default']}, await ctxOf({quiet: true})), refused('default'));
    await expectUnchanged(dir, async () => deleteConfigurations({names: ['dev']}, await ctxOf({quiet: true, configuration: 'dev'})), refused('dev'));
    await expectUnchanged(dir, async () => deleteConfigurations({names: ['ci']}, await ctxOf({quiet: true}, {env: {GCAUTH_ACTIVE_CONFIG_NAME: 'ci'}})), refused('ci'));
    // active_config names dev even though the environment picks another one for this run.
    await activateConfiguration({name: 'dev'}, await ctxOf());
    await expectUnchanged(dir, async () => deleteConfigurations({names: ['dev']}, await ctxOf({quiet: true}, {env: {GCAUTH_ACTIVE_CONFIG_NAME: 'ci'}})), refused('dev'));
  });

  test('an unknown or invalid name deletes none of the others', async () => {
    await expectUnchanged(dir, async () => deleteConfigurations({names: ['dev', 'nosuch', 'gone']}, await ctxOf({quiet: true})), new NotFoundError('Configuration [nosuch, gone] does not exist.'));
    await expectUnchanged(dir, 
      async () => deleteConfigurations({names: ['dev', 'Bad']}, await ctxOf({quiet: true})),
      new UsageError('Invalid configuration name [Bad]: names start with a lower-case letter and contain only lower-case letters, digits and hyphens.'),
    );
    await expectUnchanged(dir, async () => deleteConfigurations({names: []}, await ctxOf({quiet: true})), new UsageError('Name at least one configuration to delete.'));
  });
});
