/** docker-credential-gcauth's answers (protocol core over the gcauth backend) against a fake context and a fake token endpoint. */
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {printAccessToken} from '../../src/lib/auth/accounts.js';
import {ADC_SCOPES, findAdcSource} from '../../src/lib/auth/adc/read.js';
import {DEFAULT_SCOPES, type Minter} from '../../src/lib/auth/tokens/token-service.js';
import type {AppContext} from '../../src/lib/context.js';
import {serveCredentialHelper} from '../../src/lib/docker/credential-helper.js';
import {gcauthHelperBackend} from '../../src/lib/docker/helper.js';
import {helperCommands} from '../../src/lib/docker/helper-commands.js';
import {fnv1a} from '../../src/lib/store/token-cache.js';
import {fakeContext} from '../helpers/context.js';
import {snapshot} from '../helpers/fs.js';

// google-auth-library, which reads an ADC file here, must never look for a metadata server from a test.
process.env.METADATA_SERVER_DETECTION = 'none';

const EMAIL = 'ci@demo-project.iam.gserviceaccount.com';
let minted: number;
const mint: Minter = async () => ({token: `ya29.fake-${++minted}`, expiry: Date.UTC(2099, 0, 1)});

let ctx: AppContext;
let configDir: string;
let contexts: number;

async function setUp(withEnv: Record<string, string> = {}, {active = true, stored = true} = {}): Promise<void> {
  env = withEnv;
  minted = 0;
  contexts = 0;
  const fake = await fakeContext({env, mint});
  ({ctx, configDir} = fake);
  if (stored) {
    await ctx.store.put({type: 'service_account', account: EMAIL, key: {type: 'service_account', client_email: EMAIL, private_key: 'unused'}, addedAt: new Date(0).toISOString()});
  }
  if (active) await ctx.configurations.update('default', (values) => void (values.core = {account: EMAIL}));
  // Re-read the configuration the way a new helper process would.
  ({ctx} = await fakeContext({env, mint, configDir}));
}

let env: Record<string, string> = {};

/**
 * One helper invocation over `ctx`; its commands for people get a context of their own over the same config dir
 * (as in the binary), whose stdout and stderr are captured with the helper's own.
 */
async function helper(argv: string[], input = '') {
  const out = {stdout: '', stderr: ''};
  const commands = helperCommands(async (flags) => {
    const fake = await fakeContext({flags, env, mint, configDir});
    fake.ctx.io.stdout.write = (t: string) => (out.stdout += t);
    fake.ctx.io.stderr.write = (t: string) => (out.stderr += t);
    return fake.ctx;
  });
  const code = await serveCredentialHelper(
    argv,
    {readInput: async () => input, stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t)},
    gcauthHelperBackend(async () => (contexts++, ctx)),
    {name: 'docker-credential-gcauth', packageName: 'gcauth', version: () => '0.0.0'},
    commands,
  );
  return {code, ...out};
}

const answer = (serverUrl: string, secret: string) => `${JSON.stringify({ServerURL: serverUrl, Username: 'oauth2accesstoken', Secret: secret})}\n`;
const NOT_FOUND = {code: 1, stdout: 'credentials not found in native keychain\n', stderr: ''};

describe('get', () => {
  test.each(['gcr.io', 'https://us.gcr.io/v2/', 'us-docker.pkg.dev/proj/repo/img', 'docker.europe-west1.rep.pkg.dev\n', 'mirror.gcr.io'])(
    '%j: the token of the active account, the one print-access-token prints',
    async (serverUrl) => {
      await setUp();
      const result = await helper(['get'], serverUrl);
      const printed = await printAccessToken({}, ctx);
      expect(result).toEqual({code: 0, stdout: answer(serverUrl.trim(), printed.token), stderr: ''});
      expect(minted).toBe(1);
    },
  );

  test.each(['quay.io', 'ghcr.io', 'docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'gcr.io.evil.example', 'evil.example/gcr.io', '127.0.0.1:5000', 'localhost:5000'])(
    '%j is not a Google host: exactly not-found, and no token is made',
    async (serverUrl) => {
      await setUp();
      expect(await helper(['get'], serverUrl)).toEqual(NOT_FOUND);
      expect(minted).toBe(0);
    },
  );

  test('a token handed to gcauth (CLOUDSDK_AUTH_ACCESS_TOKEN) is served as given by the gcauth source, before the account, nothing minted', async () => {
    await setUp({CLOUDSDK_AUTH_ACCESS_TOKEN: 'handed-token'});
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'handed-token'), stderr: ''});
    expect(minted).toBe(0);
  });

  test('hosts of docker/registries are served, with their port; others on the same address are not', async () => {
    await setUp({GCAUTH_DOCKER_REGISTRIES: '127.0.0.1:5000,Mirror.Example.com'});
    expect(await helper(['get'], '127.0.0.1:5000')).toEqual({code: 0, stdout: answer('127.0.0.1:5000', 'ya29.fake-1'), stderr: ''});
    expect(await helper(['get'], 'https://mirror.example.com/v2/')).toMatchObject({code: 0});
    expect(await helper(['get'], '127.0.0.1:5001')).toEqual(NOT_FOUND);
    expect(minted).toBe(1);
  });

  test('an invalid docker/registries is an error for hosts it might have listed, never a token', async () => {
    await setUp({GCAUTH_DOCKER_REGISTRIES: 'https://bad/'});
    expect(await helper(['get'], 'quay.io')).toEqual({
      code: 1,
      stdout:
        'docker-credential-gcauth: Invalid value for property [docker/registries] (from GCAUTH_DOCKER_REGISTRIES): "https://bad/": [https://bad/]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000.\n',
      stderr: '',
    });
    expect(await helper(['get'], 'gcr.io')).toMatchObject({code: 0});
  });

  test('no credentials anywhere: not found, so public images still pull; one stderr line names every source tried, why, and how to configure it', async () => {
    await setUp({}, {active: false});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
      stderr:
        'docker-credential-gcauth: no credentials for gcr.io, so Docker goes on without them. Tried ' +
        'gcauth (no active account; run: gcauth auth login, or gcauth auth activate-service-account --key-file=FILE), ' +
        'adc (no GOOGLE_APPLICATION_CREDENTIALS and no ~/.config/gcloud/application_default_credentials.json; run: gcauth auth application-default login), ' +
        'metadata (not running on Google Cloud (no metadata server was detected)).\n',
    });
  });

  test('the hint names only the sources of docker/token_source, in its order', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'metadata,gcauth', CLOUDSDK_CONFIG: '/nonexistent/gcloud'}, {active: false});
    expect(await helper(['get'], 'us-docker.pkg.dev')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
      stderr:
        'docker-credential-gcauth: no credentials for us-docker.pkg.dev, so Docker goes on without them. Tried ' +
        'metadata (not running on Google Cloud (no metadata server was detected)), ' +
        'gcauth (no active account; run: gcauth auth login, or gcauth auth activate-service-account --key-file=FILE).\n',
    });
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', CLOUDSDK_CONFIG: '/nonexistent/gcloud'});
    expect((await helper(['get'], 'gcr.io')).stderr).toBe(
      'docker-credential-gcauth: no credentials for gcr.io, so Docker goes on without them. Tried adc (no GOOGLE_APPLICATION_CREDENTIALS and no /nonexistent/gcloud/application_default_credentials.json; run: gcauth auth application-default login).\n',
    );
    expect(minted).toBe(0);
  });

  test('an invalid GCAUTH_DOCKER_TOKEN_SOURCE is an error for Google hosts, naming where it comes from; other hosts never get that far', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'gcauth,env'});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout:
        'docker-credential-gcauth: Invalid value for property [docker/token_source] (from GCAUTH_DOCKER_TOKEN_SOURCE): "gcauth,env": unknown token source [env]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n',
      stderr: '',
    });
    expect(await helper(['get'], 'quay.io')).toEqual(NOT_FOUND);
    expect(minted).toBe(0);
  });

  test('an active account without credentials is an error: the user meant to authenticate', async () => {
    await setUp({}, {stored: false});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: `docker-credential-gcauth: Account [${EMAIL}] has no credentials. Log in with: gcauth auth login ${EMAIL}, or activate a key with: gcauth auth activate-service-account ${EMAIL} --key-file=FILE\n`,
      stderr: '',
    });
  });

  test('a refused credential is an error on stdout, one line', async () => {
    await setUp();
    const {TokenEndpointError} = await import('../../src/lib/auth/tokens/token-endpoint-error.js');
    ({ctx} = await fakeContext({configDir, mint: async () => Promise.reject(new TokenEndpointError('invalid_grant: Invalid JWT Signature.', {status: 400, oauthError: 'invalid_grant', transient: false}))}));
    const result = await helper(['get'], 'gcr.io');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^docker-credential-gcauth: The token endpoint refused the key of service account \[ci@demo-project\.iam\.gserviceaccount\.com\] \(invalid_grant: Invalid JWT Signature\.\)\. .+\n$/);
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  test('GOOGLE_APPLICATION_CREDENTIALS naming a missing file, with token_source adc: an error, not anonymous', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json'});
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: 'docker-credential-gcauth: GOOGLE_APPLICATION_CREDENTIALS names [/nonexistent/key.json], which cannot be read: no such file.\n',
      stderr: '',
    });
  });
});

describe('the token-source walk', () => {
  /** An ADC file in gcloud's well-known place, with a token for it already cached (so no token endpoint is needed). */
  async function adcFile(contents = '{"type": "service_account"}', cachedToken?: string): Promise<string> {
    const dir = path.join(configDir, '.config', 'gcloud');
    mkdirSync(dir, {recursive: true});
    const file = path.join(dir, 'application_default_credentials.json');
    writeFileSync(file, contents);
    if (cachedToken) {
      const {identity} = await findAdcSource(ctx);
      await ctx.cache.write({account: `application-default.${fnv1a(identity)}`, scopes: ADC_SCOPES, token: cachedToken, expiry: Date.UTC(2099, 0, 1)});
    }
    return file;
  }

  test('only an ADC file: the gcauth source is skipped and ADC answers', async () => {
    await setUp({}, {active: false});
    await adcFile(undefined, 'ya29.adc-cached');
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.adc-cached'), stderr: ''});
    expect(minted).toBe(0);
  });

  test('an active account and an ADC file: the first source of the list answers', async () => {
    await setUp();
    await adcFile(undefined, 'ya29.adc-cached');
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.fake-1'), stderr: ''});
    ({ctx} = await fakeContext({env: {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc,gcauth'}, mint, configDir}));
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.adc-cached'), stderr: ''});
    expect(minted).toBe(1);
  });

  test('an ADC file that cannot be used is an error, not a fall-through to the next source', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'adc,gcauth'});
    const file = await adcFile('{"type": "service_account", "private_key": "x"}');
    const result = await helper(['get'], 'gcr.io');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^docker-credential-gcauth: [^\n]*the Application Default Credentials in \\[${file.replace(/[.]/g, '\\.')}\\][^\n]*\n$`));
    expect(result.stderr).toBe('');
    expect(minted).toBe(0);
  });

  test('an active account without credentials stops the walk too: ADC is not consulted', async () => {
    await setUp({}, {stored: false});
    await adcFile(undefined, 'ya29.adc-cached');
    expect(await helper(['get'], 'gcr.io')).toMatchObject({code: 1, stdout: expect.stringMatching(/^docker-credential-gcauth: Account \[.+\] has no credentials\./), stderr: ''});
  });
});

describe('docker/min_token_lifetime', () => {
  const MINUTE = 60_000;
  /** The active account's cached token, as if minted `age` ago with an hour to live. */
  async function cachedToken(token: string, ageMs: number): Promise<void> {
    await ctx.cache.write({account: EMAIL, scopes: DEFAULT_SCOPES, token, expiry: Date.now() - ageMs + 60 * MINUTE, issued: Date.now() - ageMs});
  }

  test('a cached token with 20 minutes left is refreshed for Docker (default 30m); print-access-token still prints it', async () => {
    await setUp();
    await cachedToken('ya29.aged', 40 * MINUTE);
    expect((await printAccessToken({}, ctx)).token).toBe('ya29.aged');
    expect(minted).toBe(0);
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.fake-1'), stderr: ''});
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.fake-1'), stderr: ''});
    expect(minted).toBe(1);
  });

  test('GCAUTH_DOCKER_MIN_TOKEN_LIFETIME=10m serves the same token; a token with 35 minutes left is served under the default', async () => {
    await setUp({GCAUTH_DOCKER_MIN_TOKEN_LIFETIME: '10m'});
    await cachedToken('ya29.aged', 40 * MINUTE);
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.aged'), stderr: ''});
    await setUp();
    await cachedToken('ya29.younger', 25 * MINUTE);
    expect(await helper(['get'], 'gcr.io')).toEqual({code: 0, stdout: answer('gcr.io', 'ya29.younger'), stderr: ''});
    expect(minted).toBe(0);
  });

  test.each([
    ['2h', 'at most 55m: Google access tokens live 1h, so a longer minimum could not be met (and one near 1h would refresh on nearly every pull)'],
    ['1m', "at least 5m: no gcauth token is used with 5 minutes or less left (gcloud's rule)"],
    ['soon', 'expected a duration such as 30m, 1800s or 1800 (seconds), from 5m to 55m'],
  ])('GCAUTH_DOCKER_MIN_TOKEN_LIFETIME=%s: one error line for Google hosts, naming the limit, and no token', async (value, problem) => {
    await setUp({GCAUTH_DOCKER_MIN_TOKEN_LIFETIME: value});
    await cachedToken('ya29.fresh', 0);
    expect(await helper(['get'], 'gcr.io')).toEqual({
      code: 1,
      stdout: `docker-credential-gcauth: Invalid value for property [docker/min_token_lifetime] (from GCAUTH_DOCKER_MIN_TOKEN_LIFETIME): "${value}": ${problem}.\n`,
      stderr: '',
    });
    expect(await helper(['get'], 'quay.io')).toEqual(NOT_FOUND);
    expect(minted).toBe(0);
  });
});

describe('config', () => {
  const stored = () => {
    try {
      return readFileSync(path.join(configDir, 'configurations', 'config_default'), 'utf8');
    } catch {
      return undefined;
    }
  };

  test('prints the default, sets a list (canonical, read back by the resolver), prints it, unsets it', async () => {
    await setUp({}, {active: false});
    expect(await helper(['config'])).toEqual({code: 0, stdout: 'gcauth,adc,metadata\n', stderr: '(the default; change it with: docker-credential-gcauth config --token-source=LIST)\n'});
    expect(await helper(['config', '--token-source', ' metadata, adc'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Updated property [docker/token_source] of configuration [default]: docker-credential-gcauth tries metadata, then adc.\n',
    });
    expect(stored()).toBe('[docker]\ntoken_source = metadata,adc\n');
    ({ctx} = await fakeContext({configDir, mint}));
    expect(ctx.props.get('docker/token_source')).toBe('metadata,adc');
    expect(await helper(['config'])).toEqual({code: 0, stdout: 'metadata,adc\n', stderr: '(configuration [default])\n'});
    expect(await helper(['config', '--token-source=metadata,adc'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Property [docker/token_source] of configuration [default] is already metadata,adc; nothing to change.\n',
    });
    expect(await helper(['config', '--unset-token-source'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Unset property [docker/token_source] of configuration [default]: docker-credential-gcauth tries the default, gcauth, then adc, then metadata.\n',
    });
    expect(stored()).toBe('');
    expect((await helper(['config', '--unset-all'])).stderr).toBe(
      'Property [docker/token_source] is not set in configuration [default]; the default applies: gcauth, then adc, then metadata.\n',
    );
  });

  test('the old single values stay valid; other settings of the configuration are kept', async () => {
    await setUp();
    expect((await helper(['config', '--token-source=adc'])).code).toBe(0);
    expect(stored()).toBe(`[core]\naccount = ${EMAIL}\n\n[docker]\ntoken_source = adc\n`);
    expect((await helper(['config', '--token-source=gcauth'])).code).toBe(0);
    expect((await helper(['config', '--unset-token-source'])).code).toBe(0);
    expect(stored()).toBe(`[core]\naccount = ${EMAIL}\n`);
  });

  test('GCAUTH_DOCKER_TOKEN_SOURCE wins: config says so when showing and when setting', async () => {
    await setUp({GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'});
    expect(await helper(['config'])).toEqual({code: 0, stdout: 'adc\n', stderr: '(from GCAUTH_DOCKER_TOKEN_SOURCE)\n'});
    expect((await helper(['config', '--token-source=gcauth'])).stderr).toBe(
      'Updated property [docker/token_source] of configuration [default]: docker-credential-gcauth tries gcauth.\n' +
        'WARNING: Property [docker/token_source] is overridden by environment setting [GCAUTH_DOCKER_TOKEN_SOURCE=adc]\n',
    );
  });

  test.each([
    [['--token-source=gcauth,store'], 2, 'ERROR: Invalid value for property [docker/token_source]: "gcauth,store": unknown token source [store]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n'],
    [['--token-source='], 2, 'ERROR: Invalid value for property [docker/token_source]: "": the list is empty; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n'],
    [['--token-source=adc,adc'], 2, 'ERROR: Invalid value for property [docker/token_source]: "adc,adc": [adc] is listed twice; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n'],
    [['--token-source'], 2, "ERROR: config: Option '--token-source <value>' argument missing.\nRun: docker-credential-gcauth help config\n"],
    [['--token-source=adc', '--unset-token-source'], 2, 'ERROR: --token-source cannot be used with --unset-token-source.\n'],
    [['--reset-all'], 2, "ERROR: config: Unknown option '--reset-all'.\nRun: docker-credential-gcauth help config\n"],
    [['adc'], 2, "ERROR: config: Unexpected argument 'adc'.\nRun: docker-credential-gcauth help config\n"],
  ])('config %j: one ERROR line on stderr, exit %d, nothing written', async (args, code, stderr) => {
    await setUp({}, {active: false});
    expect(await helper(['config', '--token-source=metadata'])).toMatchObject({code: 0});
    const before = snapshot(configDir);
    expect(await helper(['config', ...args])).toEqual({code, stdout: '', stderr});
    expect(snapshot(configDir)).toEqual(before);
  });

  test('an invalid stored value is reported when shown, and can still be replaced or unset', async () => {
    await setUp({}, {active: false});
    mkdirSync(path.join(configDir, 'configurations'), {recursive: true});
    writeFileSync(path.join(configDir, 'configurations', 'config_default'), '[docker]\ntoken_source = store\n');
    expect(await helper(['config'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ERROR: Invalid value for property [docker/token_source] (in configuration [default]): "store": unknown token source [store]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n',
    });
    expect((await helper(['config', '--token-source=gcauth'])).code).toBe(0);
    expect(stored()).toBe('[docker]\ntoken_source = gcauth\n');
  });
});

describe('configure-docker', () => {
  test('the same core as gcauth auth configure-docker: credHelpers, docker/registries, the diff on stderr, stdout empty', async () => {
    await setUp({}, {active: false});
    env = {DOCKER_CONFIG: path.join(configDir, 'docker'), PATH: ''};
    const result = await helper(['configure-docker', '--registries=gcr.io,127.0.0.1:5000', '-q']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('+\t\t"127.0.0.1:5000": "gcauth"\n');
    expect(result.stderr).toContain('gcauth configuration [default]: docker/registries (unset) -> 127.0.0.1:5000\n');
    expect(JSON.parse(readFileSync(path.join(configDir, 'docker', 'config.json'), 'utf8'))).toEqual({credHelpers: {'gcr.io': 'gcauth', '127.0.0.1:5000': 'gcauth'}});
    expect(readFileSync(path.join(configDir, 'configurations', 'config_default'), 'utf8')).toBe('[docker]\nregistries = 127.0.0.1:5000\n');
  });

  test.each([
    [['--registries=docker.io'], 'ERROR: [docker.io] is Docker Hub: gcauth only serves Google registries and the mirrors or emulators you name.\n'],
    [['--registries=,'], 'ERROR: REGISTRIES is empty: name hosts separated by commas, e.g. gcr.io,us-docker.pkg.dev.\n'],
    [['--overwrite', '--remove'], 'ERROR: --overwrite cannot be used with --remove.\n'],
    [['--dry-run=yes'], "ERROR: configure-docker: Option '--dry-run' does not take an argument.\n"],
    [['--registry=gcr.io'], "ERROR: configure-docker: Unknown option '--registry'.\n"],
  ])('configure-docker %j: an ERROR line, exit 2, nothing written', async (args, start) => {
    await setUp({}, {active: false});
    env = {DOCKER_CONFIG: path.join(configDir, 'docker'), PATH: ''};
    const before = snapshot(configDir);
    const result = await helper(['configure-docker', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(start)).toBe(true);
    expect(snapshot(configDir)).toEqual(before);
  });
});

describe('store, erase, list, version', () => {
  test('store and erase succeed silently and need no configuration at all', async () => {
    await setUp();
    expect(await helper(['store'], '{"ServerURL":"gcr.io","Username":"oauth2accesstoken","Secret":"x"}')).toEqual({code: 0, stdout: '', stderr: ''});
    expect(await helper(['erase'], 'gcr.io')).toEqual({code: 0, stdout: '', stderr: ''});
    expect(await helper(['version'])).toEqual({code: 0, stdout: 'docker-credential-gcauth (gcauth) 0.0.0\n', stderr: ''});
    expect(contexts).toBe(0);
  });

  test("list: Docker's credHelpers hosts that name gcauth, then docker/registries, as https:// keys", async () => {
    await setUp();
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    // gcauth-node is gcauth too: the Node helper's name, which configure-docker writes on Windows.
    writeFileSync(path.join(docker, 'config.json'), JSON.stringify({credHelpers: {'gcr.io': 'gcauth', 'ecr.example.com': 'ecr-login', '127.0.0.1:5000': 'gcauth-node'}}));
    ({ctx} = await fakeContext({configDir, env: {DOCKER_CONFIG: docker, GCAUTH_DOCKER_REGISTRIES: '127.0.0.1:5000,mirror.example.com'}}));
    expect(await helper(['list'], 'unused')).toEqual({
      code: 0,
      stdout: '{"https://gcr.io":"oauth2accesstoken","https://127.0.0.1:5000":"oauth2accesstoken","https://mirror.example.com":"oauth2accesstoken"}\n',
      stderr: '',
    });
  });

  test('list names only the hosts get serves: a credHelpers host get refuses is left out, however config.json names it', async () => {
    await setUp();
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    const refused = ['quay.io', 'docker.io', '127.0.0.1:6000', 'gcr.io.evil.example'];
    const credHelpers = Object.fromEntries([...refused, 'https://US.GCR.io/v2/', '127.0.0.1:5000', 'gcr.io'].map((host) => [host, 'gcauth']));
    writeFileSync(path.join(docker, 'config.json'), JSON.stringify({credHelpers}));
    ({ctx} = await fakeContext({configDir, env: {DOCKER_CONFIG: docker, GCAUTH_DOCKER_REGISTRIES: '127.0.0.1:5000'}, mint}));
    const listed = await helper(['list']);
    expect(listed).toEqual({
      code: 0,
      stdout: '{"https://us.gcr.io":"oauth2accesstoken","https://127.0.0.1:5000":"oauth2accesstoken","https://gcr.io":"oauth2accesstoken"}\n',
      stderr: '',
    });
    for (const serverUrl of Object.keys(JSON.parse(listed.stdout) as Record<string, string>)) expect((await helper(['get'], serverUrl)).code).toBe(0);
    for (const host of refused) expect(await helper(['get'], host)).toEqual(NOT_FOUND);
  });

  test('list with an unreadable config.json and an invalid docker/registries is still valid JSON', async () => {
    await setUp();
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    writeFileSync(path.join(docker, 'config.json'), '{not json');
    ({ctx} = await fakeContext({configDir, env: {DOCKER_CONFIG: docker, GCAUTH_DOCKER_REGISTRIES: 'https://bad/'}}));
    expect(await helper(['list'])).toEqual({code: 0, stdout: '{}\n', stderr: ''});
    rmSync(docker, {recursive: true});
  });
});
