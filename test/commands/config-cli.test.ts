/**
 * The config command classes run through oclif's parser against a fake context: exact stdout, stderr and exit code.
 * Logic and error cases in depth are in config-properties.test.ts and config-configurations.test.ts.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ConfigGet from '../../src/commands/config/get.js';
import ConfigList from '../../src/commands/config/list.js';
import ConfigSet from '../../src/commands/config/set.js';
import ConfigUnset from '../../src/commands/config/unset.js';
import Activate from '../../src/commands/config/configurations/activate.js';
import Create from '../../src/commands/config/configurations/create.js';
import Delete from '../../src/commands/config/configurations/delete.js';
import Describe from '../../src/commands/config/configurations/describe.js';
import ConfigurationsList from '../../src/commands/config/configurations/list.js';
import type {Prompter} from '../../src/lib/prompter.js';
import {scriptedPrompter} from '../helpers/context.js';
import {runCommand} from '../helpers/run-command.js';

let configDir: string;

beforeEach(() => {
  configDir = mkdtempSync(path.join(tmpdir(), 'gcauth-config-cli-'));
});
afterEach(() => rmSync(configDir, {recursive: true, force: true}));

/** Runs a command class as oclif would, with its context built by fakeContext over `configDir`. */
const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], options: {env?: Record<string, string>; interactive?: boolean; prompter?: Prompter} = {}) =>
  runCommand(Cmd, argv, {...options, configDir});

describe('config set / get / unset', () => {
  test('set writes the property and says so on stderr only', async () => {
    expect(await run(ConfigSet, ['project', 'p1'])).toEqual({stdout: '', stderr: 'Updated property [core/project].\n', code: 0});
    expect(await run(ConfigGet, ['core/project'])).toEqual({stdout: 'p1\n', stderr: '', code: 0});
  });

  test('set warns when an environment variable outranks the value', async () => {
    expect(await run(ConfigSet, ['project', 'p1'], {env: {GCAUTH_CORE_PROJECT: 'envp'}})).toEqual({
      stdout: '',
      stderr: 'WARNING: Property [project] is overridden by environment setting [GCAUTH_CORE_PROJECT=envp]\nUpdated property [core/project].\n',
      code: 0,
    });
  });

  test('set warns when a flag outranks the value', async () => {
    expect((await run(ConfigSet, ['account', 'a@x', '--account', 'b@x'])).stderr).toBe(
      'WARNING: Property [account] is overridden by flag [--account=b@x]\nUpdated property [core/account].\n',
    );
    expect((await run(ConfigSet, ['disable_prompts', 'false', '-q'])).stderr).toBe(
      'WARNING: Property [disable_prompts] is overridden by flag [--quiet]\nUpdated property [core/disable_prompts].\n',
    );
  });

  test('an invalid value is one ERROR line and exit 2', async () => {
    expect(await run(ConfigSet, ['auth/token_host', 'not-a-url'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Invalid value for property [auth/token_host]: "not-a-url": expected an http:// or https:// URL.\n',
      code: 2,
    });
    expect((await run(ConfigSet, ['nosuch/x', 'v'])).stderr).toBe(
      'ERROR: Section [nosuch] does not exist. Valid sections: core, auth, api_endpoint_overrides, docker, artifacts, proxy.\n',
    );
  });

  test('get of an unset property prints (unset) on stderr and exits 0', async () => {
    expect(await run(ConfigGet, ['account'])).toEqual({stdout: '', stderr: '(unset)\n', code: 0});
  });

  test('get names a non-default active configuration, and honours --format', async () => {
    await run(Create, ['dev']);
    await run(ConfigSet, ['project', 'devp']);
    expect(await run(ConfigGet, ['project'])).toEqual({stdout: 'devp\n', stderr: 'Your active configuration is: [dev]\n', code: 0});
    expect((await run(ConfigGet, ['project', '--format', 'json'])).stdout).toBe('"devp"\n');
  });

  test('unset says which property it removed', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    expect(await run(ConfigUnset, ['account'])).toEqual({stdout: '', stderr: 'Unset property [core/account].\n', code: 0});
    expect((await run(ConfigGet, ['account'])).stderr).toBe('(unset)\n');
  });
});

describe('config list', () => {
  test('INI on stdout with every source merged, active configuration on stderr', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    await run(ConfigSet, ['api_endpoint_overrides/iam', 'http://127.0.0.1:1/iam/']);
    expect(await run(ConfigList, ['--project', 'flagp'], {env: {GCAUTH_AUTH_TOKEN_HOST: 'http://127.0.0.1:1/token'}})).toEqual({
      stdout: '[api_endpoint_overrides]\niam = http://127.0.0.1:1/iam/\n[auth]\ntoken_host = http://127.0.0.1:1/token\n[core]\naccount = a@x\nproject = flagp\n',
      stderr: '\nYour active configuration is: [default]\n',
      code: 0,
    });
  });

  test('--format json nests sections; --all adds unset properties', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    expect(JSON.parse((await run(ConfigList, ['--format', 'json'])).stdout)).toEqual({core: {account: 'a@x'}});
    expect((await run(ConfigList, ['core/', '--all'])).stdout).toBe(
      '[core]\naccount = a@x\ncheck_gce_metadata = true\ncustom_ca_certs_file (unset)\ndisable_prompts = false\nproject (unset)\nverbosity = warning\n',
    );
  });
});

describe('config configurations', () => {
  test('create activates unless --no-activate', async () => {
    expect(await run(Create, ['dev'])).toEqual({stdout: '', stderr: 'Created [dev].\nActivated [dev].\n', code: 0});
    expect(await run(Create, ['ci', '--no-activate'])).toEqual({
      stdout: '',
      stderr: 'Created [ci].\nTo use this configuration, activate it by running:\n  $ gcauth config configurations activate ci\n\n\n',
      code: 0,
    });
    expect(await run(Create, ['dev'])).toEqual({stdout: '', stderr: 'ERROR: Cannot create configuration [dev], it already exists.\n', code: 2});
  });

  test('activate, and its unknown-name error', async () => {
    await run(Create, ['dev']);
    expect(await run(Activate, ['default'])).toEqual({stdout: '', stderr: 'Activated [default].\n', code: 0});
    expect(await run(Activate, ['nosuch'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Cannot activate configuration [nosuch], it does not exist.\n',
      code: 1,
    });
  });

  test('activate warns when GCAUTH_ACTIVE_CONFIG_NAME keeps another one active', async () => {
    await run(Create, ['dev', '--no-activate']);
    await run(Create, ['ci', '--no-activate']);
    expect((await run(Activate, ['dev'], {env: {GCAUTH_ACTIVE_CONFIG_NAME: 'ci'}})).stderr).toBe(
      'Activated [dev].\nWARNING: The active configuration is overridden by environment setting [GCAUTH_ACTIVE_CONFIG_NAME=ci].\n',
    );
  });

  test('list is a table by default and rows in JSON', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    await run(Create, ['dev']);
    await run(ConfigSet, ['project', 'devp']);
    expect(await run(ConfigurationsList, [])).toEqual({
      stdout: 'NAME     IS_ACTIVE  ACCOUNT  PROJECT  COMPUTE_DEFAULT_ZONE  COMPUTE_DEFAULT_REGION\ndefault  False      a@x\ndev      True                devp\n',
      stderr: '',
      code: 0,
    });
    expect(JSON.parse((await run(ConfigurationsList, ['--format', 'json'])).stdout)).toEqual([
      {name: 'default', is_active: false, account: 'a@x'},
      {name: 'dev', is_active: true, project: 'devp'},
    ]);
  });

  test('describe prints YAML by default', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    expect(await run(Describe, ['default'])).toEqual({
      stdout: 'is_active: true\nname: default\nproperties:\n  core:\n    account: a@x\n',
      stderr: '',
      code: 0,
    });
    expect(await run(Describe, ['nosuch'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Configuration [nosuch] does not exist.\nTo list configurations, run: gcauth config configurations list\n',
      code: 1,
    });
  });

  test('delete asks on a terminal, -q skips, no terminal names the flag', async () => {
    await run(Create, ['dev', '--no-activate']);
    await run(Create, ['ci', '--no-activate']);
    expect(await run(Delete, ['dev'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Delete configuration [dev]? Cannot ask without a terminal (or with --quiet): pass --quiet.\n',
      code: 2,
    });
    const prompter = scriptedPrompter([false, true]);
    expect(await run(Delete, ['dev'], {interactive: true, prompter})).toEqual({stdout: '', stderr: 'The following configurations will be deleted:\n - dev\nERROR: Nothing was deleted.\n', code: 130});
    expect(await run(Delete, ['dev'], {interactive: true, prompter})).toEqual({stdout: '', stderr: 'The following configurations will be deleted:\n - dev\nDeleted [dev].\n', code: 0});
    expect(prompter.asked).toEqual(['Delete configuration [dev]?', 'Delete configuration [dev]?']);
    expect(await run(Delete, ['ci', '-q'])).toEqual({stdout: '', stderr: 'The following configurations will be deleted:\n - ci\nDeleted [ci].\n', code: 0});
  });

  test('delete refuses the active configuration', async () => {
    await run(ConfigSet, ['account', 'a@x']);
    expect(await run(Delete, ['default', '-q'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Cannot delete configuration [default]: it is active.\nActivate another one first: gcauth config configurations activate NAME\n',
      code: 2,
    });
  });
});
