/**
 * The sh fast path of docker-credential-gcauth against the Node helper it stands in for: both run over every host
 * form and every state, and must print byte-identical stdout with identical exit codes; a token never goes to a host
 * Node refuses. A `node` (and a `date`) trap on PATH records each start, so the tests also prove when the fast path
 * answered on its own.
 */
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {AS_ROOT, asNobody} from '../helpers/as-nobody.js';
import {helperBin, runCli} from '../helpers/cli.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';
import {dockerSandbox} from '../helpers/sandbox.js';

let emu: EmulatorProcess;
let registryHost: string;
let traps: string;
const nodeLog = () => path.join(traps, 'node.log');

beforeAll(async () => {
  emu = await startEmulatorProcess();
  registryHost = new URL(emu.url).host;
  // `node` on PATH that notes each start, then runs the real one: the fast path started Node iff a line appears.
  traps = tmpDir('gcauth-fast-traps-');
  writeFileSync(path.join(traps, 'node'), `#!/bin/sh\necho started >>"${nodeLog()}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
});
afterAll(() => emu.stop());

interface Run {
  stdout: string;
  exitCode: number;
  /** True when Node was started. */
  node: boolean;
}

/** Runs the installed-form helper (the sh) with `input`, exactly env (plus the trap PATH), through its shebang (dash). */
async function helper(input: string, env: Record<string, string>, extra: Record<string, string> = {}, file = helperBin): Promise<Run> {
  rmSync(nodeLog(), {force: true});
  const result = await execa(file, ['get'], {
    env: {PATH: `${traps}:${process.env.PATH}`, ...env, ...extra},
    extendEnv: false,
    input,
    reject: false,
    stripFinalNewline: false,
  });
  return {stdout: String(result.stdout), exitCode: result.exitCode ?? -1, node: existsSync(nodeLog())};
}

/** The fast path (twice: the first may render the answer the second uses) and forced Node, compared. */
async function compare(input: string, env: Record<string, string>, extra: Record<string, string> = {}): Promise<{fast: Run; again: Run; forced: Run}> {
  const fast = await helper(input, env, extra);
  const again = await helper(input, env, extra);
  const forced = await helper(input, env, {...extra, GCAUTH_HELPER_NO_FAST: '1'});
  const label = JSON.stringify(input);
  expect({input: label, stdout: fast.stdout, exitCode: fast.exitCode}).toEqual({input: label, stdout: forced.stdout, exitCode: forced.exitCode});
  expect({input: label, stdout: again.stdout, exitCode: again.exitCode}).toEqual({input: label, stdout: forced.stdout, exitCode: forced.exitCode});
  expect(forced.node).toBe(true);
  // A token only where Node gives one.
  if (forced.exitCode !== 0) expect(`${fast.stdout}${again.stdout}`).not.toContain('"Secret"');
  return {fast, again, forced};
}

const sandbox = async (activate = true) => (await dockerSandbox(emu, activate)).env;

const answerFile = (env: Record<string, string>) => path.join(env.GCAUTH_CONFIG!, 'docker-helper-answer');

/** Rewrites the answer as it is now with another deadline (its third line, in seconds since the epoch). */
function deadlineSetter(file: string): (seconds: number) => void {
  const lines = readFileSync(file, 'utf8').split('\n');
  return (seconds) => {
    rmSync(file);
    writeFileSync(file, [...lines.slice(0, 2), String(seconds), ...lines.slice(3)].join('\n'), {mode: 0o600});
  };
}

// Every form a client may send: schemes, ports, paths, case, trailing dot, user-info, look-alikes, IPv6, empty
// input, with and without a newline, several lines, surrounding space.
const HOST_FORMS = [
  'gcr.io',
  'gcr.io\n',
  'https://gcr.io',
  'http://gcr.io',
  'https://gcr.io/',
  'https://gcr.io/v2/',
  'https://gcr.io\n',
  'gcr.io:443',
  'https://gcr.io:443/v2/',
  'GCR.IO',
  'https://Gcr.io',
  'HTTPS://gcr.io',
  'ftp://gcr.io',
  'gcr.io.',
  'user@gcr.io',
  'https://user:pw@gcr.io',
  ' gcr.io ',
  'gcr.io\r\n',
  'gcr.io\ngcr.io',
  'gcr.io\n\n',
  'gcr.io\0',
  'us-docker.pkg.dev',
  'https://europe-west1-docker.pkg.dev/p/r/i',
  'docker.us-central1.rep.pkg.dev',
  'us.gcr.io',
  'mirror.gcr.io',
  'pkg.dev',
  'evilgcr.io',
  'gcr.io.evil.com',
  'gcr.io-evil.com',
  'evil.com/gcr.io',
  'evil.com?gcr.io',
  'evil.com#gcr.io',
  'evil.com\ngcr.io',
  '-bad.gcr.io',
  `${'a'.repeat(64)}.gcr.io`,
  '[::1]:5000',
  '[::1]',
  'localhost:5000',
  'docker.io',
  '',
  '\n',
];

// Canonical forms of served hosts: the second call is the fast path's (a host outside the default lists is listed
// once Node has served it; a NUL byte is dropped by the shell's read and by Node alike).
const FAST_FORMS = ['gcr.io', 'gcr.io\0', 'gcr.io\n', 'https://gcr.io', 'http://gcr.io', 'https://gcr.io\n', 'gcr.io:443', 'gcr.io.', 'us-docker.pkg.dev', 'docker.us-central1.rep.pkg.dev', 'us.gcr.io', 'mirror.gcr.io'];
// Forms the sh never reads itself, and refused hosts: always Node.
const NODE_FORMS = HOST_FORMS.filter((form) => !FAST_FORMS.includes(form) && form !== 'https://europe-west1-docker.pkg.dev/p/r/i');

describe('fast path and Node answer alike', () => {
  test('every host form with an active account; the canonical Google forms are answered without Node', async () => {
    const env = await sandbox();
    for (const input of HOST_FORMS) {
      const {again} = await compare(input, env);
      if (FAST_FORMS.includes(input)) {
        expect({input, node: again.node}).toEqual({input, node: false});
        expect(again.stdout).toContain('"Secret":"ya29.');
      }
      if (NODE_FORMS.includes(input)) expect({input, node: again.node}).toEqual({input, node: true});
    }
    expect(statSync(answerFile(env)).mode & 0o777).toBe(0o600);
  }, 240_000);

  test('the emulator registry: refused until docker/registries lists it, then served fast; dropping it refuses again', async () => {
    const env = await sandbox();
    const forms = [registryHost, `https://${registryHost}`, `https://${registryHost}/v2/`, 'gcr.io'];
    for (const input of forms) expect((await compare(input, env)).forced.exitCode).toBe(input === 'gcr.io' ? 0 : 1);
    expect((await runCli(['config', 'set', 'docker/registries', registryHost], {env})).exitCode).toBe(0);
    expect(existsSync(answerFile(env))).toBe(false);
    for (const input of forms) expect((await compare(input, env)).forced.exitCode).toBe(0);
    expect((await helper(registryHost, env)).node).toBe(false);
    expect((await runCli(['config', 'unset', 'docker/registries'], {env})).exitCode).toBe(0);
    for (const input of forms) expect((await compare(input, env)).forced.exitCode).toBe(input === 'gcr.io' ? 0 : 1);
  });

  test("gcloud's CLOUDSDK_DOCKER_REGISTRIES lists it as the property does: served by Node, then fast; unset, refused again", async () => {
    const env = await sandbox();
    const gcloudForm = {CLOUDSDK_DOCKER_REGISTRIES: registryHost};
    const served = await compare(registryHost, env, gcloudForm);
    expect(served.forced.exitCode).toBe(0);
    expect(served.again.node).toBe(false);
    const refused = await compare(registryHost, env);
    expect(refused.forced.exitCode).toBe(1);
    expect(refused.fast.node).toBe(true);
  });

  const STATE_FORMS = ['gcr.io', 'https://us-docker.pkg.dev', 'gcr.io.evil.com', '127.0.0.1:5000', ''];

  test('no account: not found from both, and no answer rendered', async () => {
    const env = await sandbox(false);
    for (const input of STATE_FORMS) expect((await compare(input, env)).forced.exitCode).toBe(1);
    expect(existsSync(answerFile(env))).toBe(false);
  });

  test('an expired token: Node refreshes, then the fast path serves the new token', async () => {
    const env = await sandbox();
    const before = (await compare('gcr.io', env)).forced.stdout;
    for (const name of readdirSync(path.join(env.GCAUTH_CONFIG!, 'access_tokens')).filter((n) => n.endsWith('.json'))) {
      const file = path.join(env.GCAUTH_CONFIG!, 'access_tokens', name);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as {expiry: string};
      entry.expiry = new Date(Date.now() - 60_000).toISOString();
      writeFileSync(file, JSON.stringify(entry));
    }
    const {fast, again, forced} = await compare('gcr.io', env);
    expect(fast.node).toBe(true);
    expect(forced.stdout).not.toBe(before);
    expect(again.node).toBe(false);
  });

  test("past the answer's deadline the fast path goes to Node; just before it, it answers", async () => {
    const env = await sandbox();
    await compare('gcr.io', env);
    const withDeadline = deadlineSetter(answerFile(env));
    const now = Math.floor(Date.now() / 1000);
    withDeadline(now - 1);
    expect((await helper('gcr.io', env)).node).toBe(true);
    withDeadline(now + 60);
    expect((await helper('gcr.io', env)).node).toBe(false);
  });

  test('a revoked (disabled) key with an expired token: the same error from both', async () => {
    const env = await sandbox();
    const key = JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {private_key_id: string; client_email: string};
    const bearer = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    await compare('gcr.io', env);
    const dir = path.join(env.GCAUTH_CONFIG!, 'access_tokens');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const entry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {expiry: string};
      entry.expiry = new Date(Date.now() - 60_000).toISOString();
      writeFileSync(path.join(dir, name), JSON.stringify(entry));
    }
    const keyUrl = `${emu.url}/iam/v1/projects/-/serviceAccounts/${key.client_email}/keys/${key.private_key_id}`;
    expect((await fetch(`${keyUrl}:disable`, {method: 'POST', headers: {authorization: `Bearer ${bearer}`}})).status).toBe(200);
    try {
      const {forced} = await compare('gcr.io', env);
      expect(forced.exitCode).toBe(1);
      expect(forced.stdout).toContain('refused');
    } finally {
      expect((await fetch(`${keyUrl}:enable`, {method: 'POST', headers: {authorization: `Bearer ${bearer}`}})).status).toBe(200);
    }
  });

  test('a switched configuration, by activate and by GCAUTH_ACTIVE_CONFIG_NAME', async () => {
    const env = await sandbox();
    await compare('gcr.io', env);
    expect((await runCli(['config', 'configurations', 'create', 'other'], {env})).exitCode).toBe(0);
    expect((await runCli(['config', 'configurations', 'activate', 'other'], {env})).exitCode).toBe(0);
    expect(existsSync(answerFile(env))).toBe(false);
    for (const input of STATE_FORMS) expect((await compare(input, env)).forced.exitCode).toBe(1);
    expect((await runCli(['config', 'configurations', 'activate', 'default'], {env})).exitCode).toBe(0);
    expect((await compare('gcr.io', env)).again.node).toBe(false);
    for (const input of STATE_FORMS) expect((await compare(input, env, {GCAUTH_ACTIVE_CONFIG_NAME: 'other'})).forced.exitCode).toBe(1);
  });

  test("gcloud's CLOUDSDK_ACTIVE_CONFIG_NAME chooses the configuration for both, and one it names that does not exist yet is seen once written", async () => {
    const env = await sandbox();
    expect((await runCli(['config', 'configurations', 'create', 'other'], {env})).exitCode).toBe(0);
    // `other` has no account: both miss.
    for (const input of STATE_FORMS) expect((await compare(input, env, {CLOUDSDK_ACTIVE_CONFIG_NAME: 'other'})).forced.exitCode).toBe(1);
    // gcauth's own variable wins over gcloud's.
    expect((await compare('gcr.io', env, {GCAUTH_ACTIVE_CONFIG_NAME: 'default', CLOUDSDK_ACTIVE_CONFIG_NAME: 'other'})).forced.exitCode).toBe(0);
    // An answer rendered under `later`, which does not exist yet (the account comes from the environment), holds only
    // while it does not: once written by hand, the sh runs Node, which now reads it.
    const account = String((JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {client_email: string}).client_email);
    const later = {CLOUDSDK_ACTIVE_CONFIG_NAME: 'later', GCAUTH_CORE_ACCOUNT: account};
    expect((await compare('gcr.io', env, later)).again.node).toBe(false);
    writeFileSync(path.join(env.GCAUTH_CONFIG!, 'configurations', 'config_later'), '[docker]\ntoken_source = metadata\n', {mode: 0o600});
    const {fast, forced} = await compare('gcr.io', env, later);
    expect(fast.node).toBe(true);
    expect(forced.exitCode).toBe(1);
  });

  test('a configuration file edited by hand (no gcauth write) is seen', async () => {
    const env = await sandbox();
    expect((await compare('gcr.io', env)).again.node).toBe(false);
    const file = path.join(env.GCAUTH_CONFIG!, 'configurations', 'config_default');
    writeFileSync(file, `${readFileSync(file, 'utf8')}[docker]\ntoken_source = metadata\n`);
    const {fast, forced} = await compare('gcr.io', env);
    expect(fast.node).toBe(true);
    expect(forced.exitCode).toBe(1);
  });

  test.each([
    ['GCAUTH_CORE_ACCOUNT', 'someone@example.com'],
    ['CLOUDSDK_CORE_ACCOUNT', 'someone@example.com'],
    ['GCAUTH_DOCKER_TOKEN_SOURCE', 'adc'],
    ['GCAUTH_DOCKER_REGISTRIES', '127.0.0.1:5000'],
    ['GCAUTH_AUTH_IMPERSONATE_SERVICE_ACCOUNT', 'target@demo-project.iam.gserviceaccount.com'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/nonexistent/key.json'],
    ['GCE_METADATA_HOST', '127.0.0.1:9'],
    ['GCAUTH_NEW_VARIABLE', 'x'],
  ])('an environment override (%s) the answer was not rendered with goes to Node', async (name, value) => {
    const env = await sandbox();
    expect((await compare('gcr.io', env)).again.node).toBe(false);
    expect((await helper('gcr.io', env, {[name]: value})).node).toBe(true);
    // Then answers as Node does under the override (an answer rendered under it may serve it from now on).
    for (const input of ['gcr.io', '127.0.0.1:5000']) await compare(input, env, {[name]: value});
    // And without it, Node again: the answer is the override's.
    expect((await helper('gcr.io', env)).stdout).toBe((await helper('gcr.io', env, {GCAUTH_HELPER_NO_FAST: '1'})).stdout);
  });

  test('a variable whose value imitates the environment\'s end and the stat output cannot stand in for them', async () => {
    const env = await sandbox();
    expect((await compare('gcr.io', env)).again.node).toBe(false);
    // The identities the answer pins, after a line like the one the sh prints between `export -p` and stat.
    const pinned = readFileSync(answerFile(env), 'utf8').split('\n').filter((l) => l.startsWith('p ')).map((l) => l.split(' ')[1]);
    const decoy = {UNRELATED: `x\n--- gcauth: end of environment ---\n600:0:0:0:0:0.0\n${pinned.join('\n')}\n`};
    expect((await compare('gcr.io', env, decoy)).again.node).toBe(false);
    const file = path.join(env.GCAUTH_CONFIG!, 'configurations', 'config_default');
    writeFileSync(file, `${readFileSync(file, 'utf8')}[docker]\ntoken_source = metadata\n`);
    const {fast, forced} = await compare('gcr.io', env, decoy);
    expect(fast.node).toBe(true);
    expect(forced.exitCode).toBe(1);
  });

  test('ADC from GOOGLE_APPLICATION_CREDENTIALS, no account: served fast and equal; a new key file is seen', async () => {
    const env = {...(await sandbox(false)), GOOGLE_APPLICATION_CREDENTIALS: emu.ownerKeyFile};
    for (const input of STATE_FORMS) await compare(input, env);
    expect((await helper('gcr.io', env)).node).toBe(false);
    const copy = path.join(tmpDir('gcauth-fast-adc-'), 'key.json');
    writeFileSync(copy, readFileSync(emu.ownerKeyFile));
    const moved = {...env, GOOGLE_APPLICATION_CREDENTIALS: copy};
    expect((await compare('gcr.io', moved)).fast.node).toBe(true);
    // Rewriting the file in place changes its identity too.
    writeFileSync(copy, readFileSync(emu.ownerKeyFile));
    expect((await compare('gcr.io', moved)).fast.node).toBe(true);
  });
});

describe('the answer file', () => {
  test('is gone after auth revoke and after a change of account, and is 0600', async () => {
    const env = await sandbox();
    await compare('gcr.io', env);
    expect(statSync(answerFile(env)).mode & 0o777).toBe(0o600);
    expect((await runCli(['config', 'set', 'account', 'someone@example.com'], {env})).exitCode).toBe(0);
    expect(existsSync(answerFile(env))).toBe(false);
    expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
    await compare('gcr.io', env);
    expect(existsSync(answerFile(env))).toBe(true);
    expect((await runCli(['auth', 'revoke', '--all'], {env})).exitCode).toBe(0);
    expect(existsSync(answerFile(env))).toBe(false);
    const after = await compare('gcr.io', env);
    expect(after.forced.exitCode).toBe(1);
    expect(existsSync(answerFile(env))).toBe(false);
  });

  test('is refused when group-readable, a symlink, not the user’s, or cut short', async () => {
    const env = await sandbox();
    await compare('gcr.io', env);
    const file = answerFile(env);
    const text = readFileSync(file, 'utf8');
    expect((await helper('gcr.io', env)).node).toBe(false);

    chmodSync(file, 0o640);
    expect((await compare('gcr.io', env)).fast.node).toBe(true);

    const elsewhere = path.join(tmpDir('gcauth-fast-link-'), 'answer');
    writeFileSync(elsewhere, text, {mode: 0o600});
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect((await compare('gcr.io', env)).fast.node).toBe(true);

    rmSync(file);
    writeFileSync(file, text.replace(/end\n$/, ''), {mode: 0o600});
    expect((await compare('gcr.io', env)).fast.node).toBe(true);

    if (process.getuid?.() === 0) {
      rmSync(file);
      writeFileSync(file, text, {mode: 0o600});
      chownSync(file, 65534, 65534);
      expect((await compare('gcr.io', env)).fast.node).toBe(true);
    }
  });

  test('the same answers under bash as under dash', async () => {
    const env = await sandbox();
    for (const input of ['gcr.io', 'https://gcr.io', 'gcr.io.evil.com']) {
      await compare(input, env);
      const bash = await execa('bash', [helperBin, 'get'], {env: {PATH: `${traps}:${process.env.PATH}`, ...env}, extendEnv: false, input, reject: false, stripFinalNewline: false});
      const forced = await helper(input, env, {GCAUTH_HELPER_NO_FAST: '1'});
      expect({stdout: String(bash.stdout), exitCode: bash.exitCode}).toEqual({stdout: forced.stdout, exitCode: forced.exitCode});
    }
  });

  test('the sh finds the Node helper through a chain of symlinks, as npm installs bins', async () => {
    const env = await sandbox();
    const dir = tmpDir('gcauth-fast-bin-');
    mkdirSync(path.join(dir, 'a'));
    symlinkSync(helperBin, path.join(dir, 'a', 'helper'));
    symlinkSync('a/helper', path.join(dir, 'docker-credential-gcauth'));
    const viaLink = await helper('gcr.io', env, {GCAUTH_HELPER_NO_FAST: '1'}, path.join(dir, 'docker-credential-gcauth'));
    expect(viaLink.exitCode).toBe(0);
    expect(viaLink.stdout).toContain('"Secret":"ya29.');
  });
});

/** Every regular file under dir (temp files, lock leftovers and all), with its bytes. */
function filesUnder(dir: string): Array<[string, string]> {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file), readFileSync(file, 'latin1')];
    });
}

describe('secrets in the environment', () => {
  // Values as CI sets them: setup-node's npm token, Terraform's key (one line, as `jq -c` gives it), a token, a client secret.
  const SECRETS = {
    NODE_AUTH_TOKEN: 'npm_nodeAuthTokenZq81Xv5b',
    GOOGLE_CREDENTIALS: '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANkeyBodyWq93Lp\\n-----END PRIVATE KEY-----\\n"}',
    GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.oauthAccessTokenKm27Rt',
    GCAUTH_AUTH_CLIENT_SECRET: 'GOCSPX-clientSecretHy64Nc',
  };
  const cores = ['nodeAuthTokenZq81Xv5b', 'keyBodyWq93Lp', 'oauthAccessTokenKm27Rt', 'clientSecretHy64Nc'];

  test('a get with them set writes none of their values to any file in the config dir, and is still served fast', async () => {
    const env: Record<string, string> = {...(await sandbox()), ...SECRETS};
    const {again} = await compare('gcr.io', env);
    expect(again.node).toBe(false);
    // A change of one of them is still seen.
    expect((await helper('gcr.io', env, {NODE_AUTH_TOKEN: 'npm_other'})).node).toBe(true);
    expect((await helper('gcr.io', env)).node).toBe(true);
    expect((await helper('gcr.io', env)).node).toBe(false);
    const files = filesUnder(env.GCAUTH_CONFIG!);
    expect(files.map(([name]) => name)).toContain('docker-helper-answer');
    for (const [name, bytes] of files) {
      for (const core of cores) expect({name, found: bytes.includes(core)}).toEqual({name, found: false});
    }
  });
});

describe('the clock', () => {
  test('in a PID namespace without its own /proc (unshare -p -f), an expired answer is not served', async () => {
    const probe = await execa('unshare', ['-p', '-f', 'true'], {reject: false});
    if (probe.exitCode !== 0) {
      sayWhySkipped(`PID namespace clock test skipped: unshare -p -f is refused here (${String(probe.stderr).trim()})`);
      return;
    }
    const env = await sandbox();
    await compare('gcr.io', env);
    const withDeadline = deadlineSetter(answerFile(env));
    // In the namespace the helper is PID 1: /proc/1 is the machine's init, whose entry is as old as the machine.
    const inNamespace = async () => {
      rmSync(nodeLog(), {force: true});
      const result = await execa('unshare', ['-p', '-f', helperBin, 'get'], {env: {PATH: `${traps}:${process.env.PATH}`, ...env}, extendEnv: false, input: 'gcr.io', reject: false});
      return {stdout: String(result.stdout), node: existsSync(nodeLog())};
    };
    const now = Math.floor(Date.now() / 1000);
    withDeadline(now - 3);
    expect((await inNamespace()).node).toBe(true);
    // Node renders a fresh answer, which the namespace's fast path then serves.
    const served = await inNamespace();
    expect(served.node).toBe(false);
    expect(served.stdout).toContain('"Secret":"ya29.');
  });
});

describe('a config dir other users may write', () => {
  const skip = AS_ROOT ? undefined : 'not root: no other user to forge files as';
  if (skip) sayWhySkipped(`a config dir other users may write: skipped (${skip})`);
  const test = skip ? globalThis.test.skip : globalThis.test;

  /** A sandbox whose config dir nobody may reach, then write (mode) into. */
  async function shared(mode: number, activate = true): Promise<Record<string, string>> {
    const env = await sandbox(activate);
    chmodSync(env.HOME!, 0o755);
    mkdirSync(env.GCAUTH_CONFIG!, {recursive: true});
    chmodSync(env.GCAUTH_CONFIG!, mode);
    return env;
  }

  test("nobody's forged answer is never served, nor the genuine one; Node refuses the dir in one line", async () => {
    const env = await shared(0o700);
    expect((await compare('gcr.io', env)).again.node).toBe(false);
    const genuine = readFileSync(answerFile(env), 'utf8');
    chmodSync(env.GCAUTH_CONFIG!, 0o777);
    // Even the genuine answer: between the sh's checks and its read, another user may swap it.
    const fast = await helper('gcr.io', env);
    expect(fast.node).toBe(true);
    expect(fast.exitCode).toBe(1);
    expect(fast.stdout).toBe(`docker-credential-gcauth: Refusing to use [${env.GCAUTH_CONFIG}]: other users can write to it (mode 0777), so it could be made to hold another user's credentials or settings. Fix: chmod 700 ${env.GCAUTH_CONFIG}\n`);
    const forged = genuine.replace(/"Secret":"[^"]*"/, '"Secret":"forged-by-nobody"');
    asNobody('umask 077; printf %s "$FORGED" >"$DIR/forged" && mv -f "$DIR/forged" "$DIR/docker-helper-answer"', {FORGED: forged, DIR: env.GCAUTH_CONFIG!});
    expect(statSync(answerFile(env)).uid).toBe(65534);
    for (const input of ['gcr.io', 'https://gcr.io', 'us-docker.pkg.dev']) {
      const run = await helper(input, env);
      expect(run.stdout).not.toContain('forged-by-nobody');
      expect(run.exitCode).toBe(1);
    }
  });

  test("a sticky shared dir is usable, but nobody's credentials.json in it is refused in one line", async () => {
    const env = await shared(0o1777, false);
    const key = readFileSync(emu.ownerKeyFile, 'utf8');
    const forgedStore = JSON.stringify({version: 1, credentials: {}}).replace('{}', `{"forged@x.iam.gserviceaccount.com":{"type":"service_account","account":"forged@x.iam.gserviceaccount.com","key":${key},"addedAt":"2024-01-01T00:00:00Z"}}`);
    asNobody('umask 022; printf %s "$STORE" >"$DIR/credentials.json"', {STORE: forgedStore, DIR: env.GCAUTH_CONFIG!});
    const file = path.join(env.GCAUTH_CONFIG!, 'credentials.json');
    const refused = `Refusing to use [${file}]: it belongs to another user (uid 65534), so it could be made to hold another user's credentials or settings. Fix: move it aside`;
    const list = await runCli(['auth', 'list'], {env});
    expect({stderr: list.stderr, exitCode: list.exitCode}).toEqual({stderr: `ERROR: ${refused}\n`, exitCode: 1});
    const get = await helper('gcr.io', env, {GCAUTH_CORE_ACCOUNT: 'forged@x.iam.gserviceaccount.com'});
    expect({stdout: get.stdout, exitCode: get.exitCode}).toEqual({stdout: `docker-credential-gcauth: ${refused}\n`, exitCode: 1});
    // Once it is gone, the sticky dir serves: others may add names to it but not replace ours.
    rmSync(file);
    expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
    expect((await compare('gcr.io', env)).forced.exitCode).toBe(0);
  });
});
