/**
 * Concurrent editors of Docker's config.json and of gcauth's configurations: every read-modify-write holds the
 * file's lock around the read and the write, so no process's edit is lost. The built CLI and helper, as
 * subprocesses, each sandbox with its own HOME, gcauth config dir and DOCKER_CONFIG.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

import {runCli, runHelper, type CliResult} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';

const CONCURRENT = 10;
const ROUNDS = 3;

function sandbox(): {env: Record<string, string>; dockerDir: string; configDir: string} {
  const home = tmpDir('gcauth-concurrent-');
  const dockerDir = path.join(home, 'docker');
  const configDir = path.join(home, 'gcauth');
  // No metadata probe and no docker CLI wait: neither matters to what is written.
  return {env: {HOME: home, GCAUTH_CONFIG: configDir, DOCKER_CONFIG: dockerDir, GCAUTH_CORE_CHECK_GCE_METADATA: 'false'}, dockerDir, configDir};
}

const hosts = (round: number) => Array.from({length: CONCURRENT}, (_, i) => `r${round}-${i}.example.com:5000`);

function expectAllSucceeded(results: CliResult[]): void {
  expect(results.map((r) => ({exitCode: r.exitCode, errors: r.stderr.split('\n').filter((l) => l.startsWith('ERROR'))}))).toEqual(
    results.map(() => ({exitCode: 0, errors: []})),
  );
}

/** What each file says after a round: credHelpers of config.json and docker/registries of the default configuration. */
async function configured(env: Record<string, string>, dockerDir: string) {
  const credHelpers = (JSON.parse(readFileSync(path.join(dockerDir, 'config.json'), 'utf8')) as {credHelpers: Record<string, string>}).credHelpers;
  const registries = (await runCli(['config', 'get', 'docker/registries'], {env})).stdout.trim().split(',');
  return {credHelpers, registries};
}

/** No lock directory is left beside either file. */
function expectNoLocks(dockerDir: string, configDir: string): void {
  expect(readdirSync(dockerDir).filter((name) => name.endsWith('.lock'))).toEqual([]);
  expect(readdirSync(path.join(configDir, 'configurations')).filter((name) => name.endsWith('.lock'))).toEqual([]);
}

describe.each([
  ['gcauth auth configure-docker HOST -q', (host: string, env: Record<string, string>) => runCli(['auth', 'configure-docker', host, '-q'], {env})],
  ['docker-credential-gcauth configure-docker --registries=HOST -q', (host: string, env: Record<string, string>) => runHelper(['configure-docker', `--registries=${host}`, '-q'], {env})],
])(`%s, ${CONCURRENT} at once`, (_name, configure) => {
  test(`every host lands in credHelpers and docker/registries, ${ROUNDS} rounds`, async () => {
    const {env, dockerDir, configDir} = sandbox();
    const expected: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      expectAllSucceeded(await Promise.all(hosts(round).map((host) => configure(host, env))));
      expected.push(...hosts(round));
      const {credHelpers, registries} = await configured(env, dockerDir);
      expect(Object.keys(credHelpers).sort()).toEqual([...expected].sort());
      expect(Object.values(credHelpers)).toEqual(expected.map(() => 'gcauth'));
      expect([...registries].sort()).toEqual([...expected].sort());
      expectNoLocks(dockerDir, configDir);
    }
    // Docker's file keeps the layout and mode gcauth gives a new one: tabs, a final newline, 0600.
    const text = readFileSync(path.join(dockerDir, 'config.json'), 'utf8');
    expect(text).toMatch(/^\{\n\t"credHelpers": \{\n\t\t"/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

test(`${CONCURRENT} concurrent config set of different properties all land, and unset likewise`, async () => {
  const {env, configDir} = sandbox();
  const properties: Array<[string, string]> = [
    ['core/project', 'concurrent-project'],
    ['core/account', 'someone@example.com'],
    ['core/disable_prompts', 'true'],
    ['core/verbosity', 'error'],
    ['auth/token_host', 'http://127.0.0.1:9/token'],
    ['docker/registries', 'a.example.com'],
    ['docker/token_source', 'adc'],
    ['api_endpoint_overrides/iam', 'http://127.0.0.1:9/iam/'],
    ['api_endpoint_overrides/cloudresourcemanager', 'http://127.0.0.1:9/crm/'],
    ['api_endpoint_overrides/iamcredentials', 'http://127.0.0.1:9/iamcredentials/'],
  ];
  expect(properties).toHaveLength(CONCURRENT);
  expectAllSucceeded(await Promise.all(properties.map(([key, value]) => runCli(['config', 'set', key, value], {env}))));
  const listed = JSON.parse((await runCli(['config', 'list', '--format=json'], {env})).stdout) as Record<string, Record<string, string>>;
  for (const [key, value] of properties) {
    const [section, name] = key.split('/') as [string, string];
    expect({key, value: listed[section]?.[name]}).toEqual({key, value});
  }

  const unset = properties.filter((_, i) => i % 2 === 0).map(([key]) => key);
  expectAllSucceeded(await Promise.all(unset.map((key) => runCli(['config', 'unset', key], {env}))));
  const after = JSON.parse((await runCli(['config', 'list', '--format=json'], {env})).stdout) as Record<string, Record<string, string>>;
  for (const [key, value] of properties) {
    const [section, name] = key.split('/') as [string, string];
    expect({key, value: after[section]?.[name]}).toEqual({key, value: unset.includes(key) ? undefined : value});
  }
  expect(existsSync(path.join(configDir, 'configurations', 'config_default.lock'))).toBe(false);
});
