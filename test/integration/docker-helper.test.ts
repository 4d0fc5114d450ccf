/**
 * The built docker-credential-gcauth (and auth configure-docker) as Docker runs them: subprocesses against the
 * emulator, each with its own config dir, HOME and DOCKER_CONFIG.
 */
import {generateKeyPairSync} from 'node:crypto';
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {runCli, runHelper} from '../helpers/cli.js';
import {repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {snapshot} from '../helpers/fs.js';
import {AS_ROOT, nobodyProblem, restrictedCommand} from '../helpers/as-nobody.js';
import {sayWhySkipped} from '../helpers/skip.js';
import {dockerSandbox, expireCachedTokens} from '../helpers/sandbox.js';

const NOT_FOUND = 'credentials not found in native keychain\n';

let emu: EmulatorProcess;
let registryHost: string;
let owner: string;
beforeAll(async () => {
  emu = await startEmulatorProcess({args: ['--latency-ms', '150']});
  registryHost = new URL(emu.url).host;
  owner = (JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {client_email: string}).client_email;
});
afterAll(() => emu.stop());

const answer = (serverUrl: string, token: string) => `${JSON.stringify({ServerURL: serverUrl, Username: 'oauth2accesstoken', Secret: token})}\n`;

async function tokenInfo(token: string): Promise<{email?: string; azp?: string; scope?: string}> {
  return (await (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json()) as {email?: string; azp?: string; scope?: string};
}
const tokenEmail = async (token: string) => (await tokenInfo(token)).email;

/** What the emulator says of an ADC token: it shows no email without the email scope, so the owner key's client and the scope. */
const ADC_TOKEN_INFO = () => ({azp: (JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {client_id: string}).client_id, scope: 'https://www.googleapis.com/auth/cloud-platform'});

describe('get', () => {
  test('Google hosts and the emulator listed in docker/registries get the token print-access-token prints, from the cache', async () => {
    const {env} = await dockerSandbox(emu);
    const printed = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    await emu.resetStats();
    const withRegistry = {...env, GCAUTH_DOCKER_REGISTRIES: registryHost};
    for (const serverUrl of ['gcr.io', 'https://us-docker.pkg.dev/proj/repo/img', registryHost, `https://${registryHost}/v2/`]) {
      expect(await runHelper(['get'], {env: withRegistry, input: serverUrl})).toEqual({stdout: answer(serverUrl, printed), stderr: '', exitCode: 0});
    }
    expect(await tokenEmail(printed)).toBe(owner);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(0);
  });

  test('any other host gets exactly the not-found answer, exit 1: the emulator unlisted, Docker Hub, a look-alike', async () => {
    const {env} = await dockerSandbox(emu);
    for (const serverUrl of [registryHost, 'docker.io', 'quay.io', 'gcr.io.example.com']) {
      expect(await runHelper(['get'], {env, input: serverUrl})).toEqual({stdout: NOT_FOUND, stderr: '', exitCode: 1});
    }
  });

  test('no credentials at all: not found, and exactly one line on stderr naming every source tried (no Node warning)', async () => {
    const {env} = await dockerSandbox(emu, false);
    expect(await runHelper(['get'], {env, input: 'gcr.io'})).toEqual({
      stdout: NOT_FOUND,
      stderr:
        'docker-credential-gcauth: no credentials for gcr.io, so Docker goes on without them. Tried ' +
        'gcauth (no active account; run: gcauth auth login, or gcauth auth activate-service-account --key-file=FILE), ' +
        'adc (no GOOGLE_APPLICATION_CREDENTIALS and no ~/.config/gcloud/application_default_credentials.json; run: gcauth auth application-default login), ' +
        'metadata (metadata-server detection is off (core/check_gce_metadata is false)).\n',
      exitCode: 1,
    });
  });

  test('credentials the token endpoint refuses: one error line on stdout, exit 1', async () => {
    const {env} = await dockerSandbox(emu);
    const key = JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {private_key_id: string};
    const bearer = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    expireCachedTokens(env.GCAUTH_CONFIG!);
    // Disable the owner's key, so the refresh is refused, then put it back.
    const keyUrl = `${emu.url}/iam/v1/projects/-/serviceAccounts/${owner}/keys/${key.private_key_id}`;
    expect((await fetch(`${keyUrl}:disable`, {method: 'POST', headers: {authorization: `Bearer ${bearer}`}})).status).toBe(200);
    try {
      const result = await runHelper(['get'], {env, input: 'gcr.io'});
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^docker-credential-gcauth: The token endpoint refused key \\[${key.private_key_id}\\] of service account \\[${owner.replace(/\./g, '\\.')}\\] \\(invalid_grant[^\\n]*\\n$`));
      expect(result.stderr).toBe('');
    } finally {
      expect((await fetch(`${keyUrl}:enable`, {method: 'POST', headers: {authorization: `Bearer ${bearer}`}})).status).toBe(200);
    }
  });

  test('50 concurrent gets with a stale token: one token request, 50 answers, one token', async () => {
    const {env} = await dockerSandbox(emu);
    const before = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    expireCachedTokens(env.GCAUTH_CONFIG!);
    await emu.resetStats();

    const results = await Promise.all(Array.from({length: 50}, (_, i) => runHelper(['get'], {env, input: i % 2 ? 'gcr.io' : 'us-docker.pkg.dev'})));

    expect(results.map((r) => r.exitCode)).toEqual(Array(50).fill(0));
    expect(results.map((r) => r.stderr).filter(Boolean)).toEqual([]);
    const tokens = new Set(results.map((r) => (JSON.parse(r.stdout) as {Secret: string}).Secret));
    expect(tokens.size).toBe(1);
    const [token] = tokens;
    expect(token).not.toBe(before);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
    expect((await runCli(['auth', 'print-access-token'], {env})).stdout.trim()).toBe(token);
  });
});

describe('what the helper loads', () => {
  // A preloaded probe reports, at exit, whether oclif or google-auth-library was loaded.
  const probe = () => {
    const file = path.join(tmpDir('gcauth-probe-'), 'probe.cjs');
    writeFileSync(
      file,
      "process.on('exit', () => process.stderr.write('heavy:' + Object.keys(require.cache).filter((k) => /node_modules\\/(google-auth-library|@oclif)\\//.test(k)).length + '\\n'));\n",
    );
    return file;
  };
  // The same for oclif alone, which no action of the helper may load.
  const oclifProbe = () => {
    const file = path.join(tmpDir('gcauth-probe-'), 'oclif-probe.cjs');
    writeFileSync(file, "process.on('exit', () => process.stderr.write('oclif:' + Object.keys(require.cache).filter((k) => /node_modules\\/@oclif\\//.test(k)).length + '\\n'));\n");
    return file;
  };

  test('a cached get from the ADC source loads neither; nor do config, help and version; configure-docker loads no oclif', async () => {
    const {env, home} = await dockerSandbox(emu, false);
    const gcloudDir = path.join(home, '.config', 'gcloud');
    mkdirSync(gcloudDir, {recursive: true});
    writeFileSync(path.join(gcloudDir, 'application_default_credentials.json'), readFileSync(emu.ownerKeyFile));
    const withProbe = {...env, NODE_OPTIONS: `--require ${probe()}`};
    const minted = await runHelper(['get'], {env: withProbe, input: 'gcr.io'});
    expect(minted).toMatchObject({exitCode: 0, stderr: expect.stringMatching(/^heavy:[1-9]\d*\n$/)});
    // The cached answer is the sh fast path's (no Node, so no probe line); forced through Node it loads neither.
    expect(await runHelper(['get'], {env: withProbe, input: 'gcr.io'})).toMatchObject({exitCode: 0, stdout: minted.stdout, stderr: ''});
    expect(await runHelper(['get'], {env: {...withProbe, GCAUTH_HELPER_NO_FAST: '1'}, input: 'gcr.io'})).toMatchObject({exitCode: 0, stdout: minted.stdout, stderr: 'heavy:0\n'});
    for (const argv of [['config'], ['config', '--token-source=adc,gcauth'], ['help'], ['version'], ['help', 'config']]) {
      expect((await runHelper(argv, {env: withProbe})).stderr).toMatch(/(^|\n)heavy:0\n$/);
    }
    const configured = await runHelper(['configure-docker', '-q'], {env: {...env, NODE_OPTIONS: `--require ${oclifProbe()}`}});
    expect(configured.exitCode).toBe(0);
    expect(configured.stderr).toMatch(/\noclif:0\n$/);
  });

  test('neither oclif nor google-auth-library while a cached token serves; google-auth-library on a refresh', async () => {
    const {env} = await dockerSandbox(emu);
    const withProbe = {...env, NODE_OPTIONS: `--require ${probe()}`};
    expect(await runHelper(['get'], {env: withProbe, input: 'gcr.io'})).toMatchObject({exitCode: 0, stderr: 'heavy:0\n'});
    expireCachedTokens(env.GCAUTH_CONFIG!);
    const refreshed = await runHelper(['get'], {env: withProbe, input: 'gcr.io'});
    expect(refreshed.exitCode).toBe(0);
    expect(refreshed.stderr).toMatch(/^heavy:[1-9]\d*\n$/);
  });
});

describe('store, erase, list, version', () => {
  test('store and erase read their input and succeed silently', async () => {
    const {env} = await dockerSandbox(emu);
    expect(await runHelper(['store'], {env, input: '{"ServerURL":"gcr.io","Username":"oauth2accesstoken","Secret":"x"}'})).toEqual({stdout: '', stderr: '', exitCode: 0});
    expect(await runHelper(['erase'], {env, input: 'gcr.io'})).toEqual({stdout: '', stderr: '', exitCode: 0});
  });

  test('version, help and wrong arguments', async () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string};
    const usage = 'Usage: docker-credential-gcauth <get|store|erase|list|version|configure-docker|config|help>\n';
    expect(await runHelper(['version'])).toEqual({stdout: `docker-credential-gcauth (gcauth) ${pkg.version}\n`, stderr: '', exitCode: 0});
    for (const flag of ['help', '--help', '-h']) {
      const help = await runHelper([flag]);
      expect(help).toMatchObject({stderr: '', exitCode: 0});
      expect(help.stdout.startsWith(usage)).toBe(true);
      expect(help.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(['get', 'store', 'erase', 'list', 'version', 'configure-docker', 'config', 'help']);
    }
    expect(await runHelper([])).toEqual({stdout: usage, stderr: '', exitCode: 1});
    expect(await runHelper(['get', 'gcr.io'])).toEqual({stdout: usage, stderr: '', exitCode: 1});
    expect(await runHelper(['configure-docker'], {env: {GCAUTH_CONFIG: '/nonexistent'}})).not.toMatchObject({stdout: expect.stringContaining('unknown credential action')});
  });

  test('configure-docker for the emulator, then the helper serves it and lists it', async () => {
    const {env} = await dockerSandbox(emu);
    const configured = await runCli(['auth', 'configure-docker', `gcr.io,${registryHost}`, '-q'], {env});
    expect(configured.exitCode).toBe(0);
    expect(configured.stdout).toBe('');
    expect(JSON.parse(readFileSync(path.join(env.DOCKER_CONFIG!, 'config.json'), 'utf8'))).toEqual({credHelpers: {'gcr.io': 'gcauth', [registryHost]: 'gcauth'}});
    const printed = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    expect(await runHelper(['get'], {env, input: registryHost})).toEqual({stdout: answer(registryHost, printed), stderr: '', exitCode: 0});
    expect(await runHelper(['list'], {env, input: 'unused'})).toEqual({
      stdout: `{"https://gcr.io":"oauth2accesstoken","https://${registryHost}":"oauth2accesstoken"}\n`,
      stderr: '',
      exitCode: 0,
    });
    expect((await runCli(['auth', 'configure-docker', '--remove', '-q'], {env})).exitCode).toBe(0);
    expect(await runHelper(['get'], {env, input: registryHost})).toEqual({stdout: NOT_FOUND, stderr: '', exitCode: 1});
  });
});

describe('standalone: a machine where only the helper runs', () => {
  const configFile = (env: Record<string, string>) => path.join(env.DOCKER_CONFIG!, 'config.json');

  test('configure-docker then config --token-source, read back by gcauth config get; nothing else needed', async () => {
    const {env} = await dockerSandbox(emu, false);
    const configured = await runHelper(['configure-docker', `--registries=gcr.io,${registryHost}`, '--quiet'], {env});
    expect(configured.exitCode).toBe(0);
    expect(configured.stdout).toBe('');
    expect(configured.stderr).toContain(`Docker now runs docker-credential-gcauth for gcr.io, ${registryHost} (${configFile(env)}).\n`);
    expect(JSON.parse(readFileSync(configFile(env), 'utf8'))).toEqual({credHelpers: {'gcr.io': 'gcauth', [registryHost]: 'gcauth'}});

    expect(await runHelper(['config'], {env})).toEqual({stdout: 'gcauth,adc,metadata\n', stderr: '(the default; change it with: docker-credential-gcauth config --token-source=LIST)\n', exitCode: 0});
    expect(await runHelper(['config', '--token-source=adc,metadata'], {env})).toMatchObject({stdout: '', exitCode: 0});
    expect(await runCli(['config', 'get', 'docker/token_source'], {env})).toEqual({stdout: 'adc,metadata\n', stderr: '', exitCode: 0});
    expect((await runCli(['config', 'set', 'docker/token_source', 'gcauth'], {env})).exitCode).toBe(0);
    expect(await runHelper(['config'], {env})).toEqual({stdout: 'gcauth\n', stderr: '(configuration [default])\n', exitCode: 0});
    expect(await runHelper(['config', '--unset-token-source'], {env})).toMatchObject({exitCode: 0});
    expect(await runCli(['config', 'get', 'docker/token_source'], {env})).toEqual({stdout: 'gcauth,adc,metadata\n', stderr: '', exitCode: 0});
    expect(await runHelper(['config'], {env: {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'metadata'}})).toEqual({stdout: 'metadata\n', stderr: '(from GCAUTH_DOCKER_TOKEN_SOURCE)\n', exitCode: 0});
  });

  test.each([
    [['--token-source=gcauth,env'], 'ERROR: Invalid value for property [docker/token_source]: "gcauth,env": unknown token source [env]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n'],
    [['--token-source=store, env'], 'ERROR: Invalid value for property [docker/token_source]: "store, env": unknown token source [store]; expected a comma-separated list of gcauth, adc, metadata, in the order to try them.\n'],
    [['--token'], "ERROR: config: Unknown option '--token'.\nRun: docker-credential-gcauth help config\n"],
  ])('config %j: one ERROR line on stderr, exit 2, nothing written anywhere', async (args, stderr) => {
    const {env, home} = await dockerSandbox(emu, false);
    const before = snapshot(home);
    expect(await runHelper(['config', ...args], {env})).toEqual({stdout: '', stderr, exitCode: 2});
    expect(snapshot(home)).toEqual(before);
  });

  /** The same starting config.json in two sandboxes, one configured by the helper, one by gcauth, with the same flags. */
  async function bothWays(flags: string[], positional: string | undefined, start?: string) {
    const runs = [];
    for (const tool of ['helper', 'gcauth'] as const) {
      const {env, home} = await dockerSandbox(emu, false);
      mkdirSync(env.DOCKER_CONFIG!, {recursive: true});
      if (start !== undefined) writeFileSync(configFile(env), start);
      const result =
        tool === 'helper'
          ? await runHelper(['configure-docker', ...(positional ? [`--registries=${positional}`] : []), ...flags], {env})
          : await runCli(['auth', 'configure-docker', ...(positional ? [positional] : []), ...flags], {env});
      let config: string | undefined;
      try {
        config = readFileSync(configFile(env), 'utf8');
      } catch {
        config = undefined;
      }
      let gcauthConfig: string | undefined;
      try {
        gcauthConfig = readFileSync(path.join(env.GCAUTH_CONFIG!, 'configurations', 'config_default'), 'utf8');
      } catch {
        gcauthConfig = undefined;
      }
      runs.push({exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr.split(home).join('HOME'), config, gcauthConfig});
    }
    return runs;
  }

  test.each([
    [[], undefined, undefined],
    [['--include-artifact-registry', '-q'], undefined, undefined],
    [['-q'], 'gcr.io,REGISTRY', '{\n  "auths": {"gcr.io": {"auth": "eDp5"}},\n  "credHelpers": {"ecr.example.com": "ecr-login"},\n  "psFormat": "x"\n}\n'],
    [['--overwrite', '-q'], 'us.gcr.io,eu.gcr.io', '{"credHelpers": {"us.gcr.io": "gcloud"}}'],
    [[], 'us.gcr.io', '{"credHelpers": {"us.gcr.io": "gcloud"}}'],
    [['--dry-run'], 'REGISTRY', undefined],
    [['--remove', '-q'], undefined, '{"credHelpers": {"gcr.io": "gcauth", "ecr.example.com": "ecr-login"}}'],
  ])('configure-docker %j %j: the helper and gcauth auth configure-docker write the same bytes and say the same', async (flags, positional, start) => {
    const [helper, gcauth] = await bothWays(flags, positional?.replace('REGISTRY', registryHost), start);
    expect(helper).toEqual(gcauth);
    expect(helper!.stdout).toBe('');
  });

  test('only an ADC file, no gcauth account, the default sources: ADC answers; a refused ADC file is an error, not a fall-through', async () => {
    const {env, home} = await dockerSandbox(emu);
    expect((await runCli(['config', 'unset', 'account'], {env})).exitCode).toBe(0);
    const gcloudDir = path.join(home, '.config', 'gcloud');
    mkdirSync(gcloudDir, {recursive: true});
    const adcFile = path.join(gcloudDir, 'application_default_credentials.json');
    writeFileSync(adcFile, readFileSync(emu.ownerKeyFile));
    const first = await runHelper(['get'], {env, input: 'gcr.io'});
    expect(first).toMatchObject({exitCode: 0, stderr: ''});
    expect(await tokenInfo((JSON.parse(first.stdout) as {Secret: string}).Secret)).toMatchObject(ADC_TOKEN_INFO());

    // A key the emulator does not know signs the assertion: refused. With an account configured after it, still an error.
    const key = JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as Record<string, string>;
    const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
    writeFileSync(adcFile, JSON.stringify({...key, private_key: privateKey.export({type: 'pkcs8', format: 'pem'})}));
    expect((await runCli(['config', 'set', 'account', owner], {env})).exitCode).toBe(0);
    const refused = await runHelper(['get'], {env: {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc,gcauth'}, input: 'gcr.io'});
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/^docker-credential-gcauth: The token endpoint refused the Application Default Credentials in \[[^\]]+\] \(invalid_grant[^\n]*\n$/);
    expect(refused.stderr).toBe('');
    // In the default order the account comes first and answers.
    expect(await runHelper(['get'], {env, input: 'gcr.io'})).toMatchObject({exitCode: 0, stderr: ''});
  });
});

describe('token source adc', () => {
  test('GOOGLE_APPLICATION_CREDENTIALS: a token for the key, its request sent to the token_uri of the key; then cached', async () => {
    const {env} = await dockerSandbox(emu, false);
    const adc = {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: emu.ownerKeyFile, METADATA_SERVER_DETECTION: 'none'};
    // The key's token_uri is the emulator; google-auth-library posts to Google's URL, which the transporter redirects.
    delete (adc as Record<string, string | undefined>).GCAUTH_AUTH_TOKEN_HOST;
    await emu.resetStats();
    const first = await runHelper(['get'], {env: adc, input: 'gcr.io'});
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const token = (JSON.parse(first.stdout) as {Secret: string}).Secret;
    expect(await tokenInfo(token)).toMatchObject(ADC_TOKEN_INFO());
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);

    await emu.resetStats();
    const results = await Promise.all(Array.from({length: 5}, () => runHelper(['get'], {env: adc, input: 'gcr.io'})));
    expect(results.map((r) => r.stdout)).toEqual(Array(5).fill(answer('gcr.io', token)));
    expect((await emu.stats()).total).toBe(0);
  });

  test('no Application Default Credentials anywhere: not found, with what to do on stderr', async () => {
    const {env, home} = await dockerSandbox(emu, false);
    const adc = {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', METADATA_SERVER_DETECTION: 'none', CLOUDSDK_CONFIG: path.join(home, 'gcloud')};
    expect(await runHelper(['get'], {env: adc, input: 'gcr.io'})).toEqual({
      stdout: NOT_FOUND,
      stderr:
        'docker-credential-gcauth: no credentials for gcr.io, so Docker goes on without them. Tried ' +
        'adc (no GOOGLE_APPLICATION_CREDENTIALS and no ~/gcloud/application_default_credentials.json; run: gcauth auth application-default login).\n',
      exitCode: 1,
    });
  });

  test('the well-known file gcloud writes is found', async () => {
    const {env, home} = await dockerSandbox(emu, false);
    const gcloudDir = path.join(home, '.config', 'gcloud');
    mkdirSync(gcloudDir, {recursive: true});
    writeFileSync(path.join(gcloudDir, 'application_default_credentials.json'), readFileSync(emu.ownerKeyFile));
    const result = await runHelper(['get'], {env: {...env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', METADATA_SERVER_DETECTION: 'none'}, input: 'us-docker.pkg.dev'});
    expect(result.exitCode).toBe(0);
    expect(await tokenInfo((JSON.parse(result.stdout) as {Secret: string}).Secret)).toMatchObject(ADC_TOKEN_INFO());
  });
});

describe('configure-docker with a file or directory it may not use', () => {
  // As root, permissions do not stop anything: run the CLI as nobody instead; skipped, saying why, when nobody cannot read the checkout.
  const asRoot = AS_ROOT;
  const unable = nobodyProblem();
  if (unable) sayWhySkipped(`configure-docker with a file or directory it may not use skipped: ${unable}`);
  const test = unable ? globalThis.test.skip : globalThis.test;
  const runRestricted = (args: string[], env: Record<string, string>) =>
    execa(...restrictedCommand(args), {
      env: {PATH: process.env.PATH, NO_COLOR: '1', ...env},
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });

  function world(): {dir: string; docker: string; env: Record<string, string>} {
    const dir = tmpDir('gcauth-restricted-');
    chmodSync(dir, 0o755);
    const docker = path.join(dir, 'docker');
    mkdirSync(docker);
    writeFileSync(path.join(docker, 'config.json'), '{"auths": {}}');
    return {dir, docker, env: {HOME: dir, GCAUTH_CONFIG: path.join(dir, 'gcauth'), DOCKER_CONFIG: docker}};
  }

  test('a read-only directory: one error line, the file untouched', async () => {
    const {dir, docker, env} = world();
    chmodSync(path.join(docker, 'config.json'), 0o644);
    chmodSync(docker, 0o555);
    const before = snapshot(dir);
    const result = await runRestricted(['auth', 'configure-docker', 'gcr.io', '-q'], env);
    // The diff of what it meant to write comes first; then the one error line.
    expect(result.stderr).toMatch(/^\+\t"credHelpers": \{$/m);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('ERROR'))).toEqual([
      `ERROR: Cannot write the Docker config file [${docker}/config.json]: permission denied. It was not changed.`,
    ]);
    expect(result.stderr).toMatch(/It was not changed\.\n$/);
    expect(result.exitCode).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });

  test('an unreadable file: one error line, the file untouched', async () => {
    const {dir, docker, env} = world();
    chmodSync(path.join(docker, 'config.json'), asRoot ? 0o600 : 0o000);
    const before = snapshot(dir);
    const result = await runRestricted(['auth', 'configure-docker', 'gcr.io', '-q'], env);
    expect(result.stderr).toBe(`ERROR: Cannot read the Docker config file [${docker}/config.json]: permission denied.\n`);
    expect(result.exitCode).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });
});
