/**
 * gcloud's CLOUDSDK_<SECTION>_<NAME> variables, through the built CLI: every property reads them after gcauth's own
 * GCAUTH_ variables and before the configuration, `config list` and `config get` show their values, `config set`
 * names one that hides what it wrote, an invalid one is one ERROR line naming it, and the error reporter, which
 * runs even when no context could be built, honours them too (both entry points: oclif and the lean dispatcher).
 */
import path from 'node:path';

import {runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';

const sandbox = (extra: Record<string, string> = {}) => ({GCAUTH_CONFIG: path.join(tmpDir(), 'gcauth'), ...extra});

test("config list --all shows a property set by its CLOUDSDK_ variable, as gcloud's does; GCAUTH_ wins over it", async () => {
  const env = sandbox({CLOUDSDK_PROXY_TYPE: 'http', CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM: 'http://127.0.0.1:9/iam/'});
  const listed = await runCli(['config', 'list', '--all', 'proxy/'], {env});
  expect(listed).toMatchObject({exitCode: 0, stdout: expect.stringContaining('[proxy]\naddress (unset)\npassword (unset)\nport (unset)\nrdns = true\ntype = http\n')});
  expect((await runCli(['config', 'get', 'api_endpoint_overrides/iam'], {env})).stdout).toBe('http://127.0.0.1:9/iam/\n');
  expect((await runCli(['config', 'get', 'proxy/type'], {env: {...env, GCAUTH_PROXY_TYPE: 'socks5'}})).stdout).toBe('socks5\n');
});

test('config set warns that the CLOUDSDK_ variable hides the value it wrote', async () => {
  const env = sandbox({CLOUDSDK_DOCKER_REGISTRIES: 'mirror.example.com'});
  const set = await runCli(['config', 'set', 'docker/registries', 'registry.example.com'], {env});
  expect(set.exitCode).toBe(0);
  expect(set.stderr).toContain('WARNING: Property [docker/registries] is overridden by environment setting [CLOUDSDK_DOCKER_REGISTRIES=mirror.example.com]');
  expect((await runCli(['config', 'get', 'docker/registries'], {env})).stdout).toBe('mirror.example.com\n');
});

test.each([
  [['config', 'list'], 'CLOUDSDK_PROXY_TYPE', 'bogus', 'Invalid value for property [proxy/type] (from CLOUDSDK_PROXY_TYPE): "bogus": expected one of http, http_no_tunnel, socks4, socks5.'],
  [['config', 'config-helper'], 'CLOUDSDK_AUTH_TOKEN_HOST', 'oauth2.example.com', 'Invalid value for property [auth/token_host] (from CLOUDSDK_AUTH_TOKEN_HOST): "oauth2.example.com": expected an http:// or https:// URL.'],
])('%j with an invalid %s: one ERROR line naming it, exit 2', async (args, name, value, message) => {
  expect(await runCli(args, {env: sandbox({[name]: value})})).toEqual({stdout: '', stderr: `ERROR: ${message}\n`, exitCode: 2});
});

test.each([[['config', 'list']], [['auth', 'print-access-token']]])('%j: CLOUDSDK_CORE_VERBOSITY=none silences an error raised before any context', async (args) => {
  const failed = await runCli([...args, '--configuration=nosuch'], {env: sandbox({CLOUDSDK_CORE_VERBOSITY: 'none'})});
  expect(failed.exitCode).not.toBe(0);
  expect(failed.stderr).toBe('');
});
