import {generateKeyPairSync} from 'node:crypto';
import {accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {REGISTRY_MESSAGES} from '../../src/emulator/registry.js';
import {emulatorEnv, runCli} from '../helpers/cli.js';
import {cliBin, repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {writeOciImage, type OciImage} from '../helpers/oci-image.js';
import {REGISTRY_BIN, startRegistry, type RegistryProcess, type RegistryTokenAuth} from '../helpers/registry.js';
import {sayWhySkipped} from '../helpers/skip.js';

// The real clients against a real registry whose token server is the emulator: the docker CLI 28 (client
// only: DOCKER_HOST names a socket that does not exist, so no daemon is ever used), Debian's docker-registry
// (distribution 2.8) and skopeo 1.9. Every test has its own HOME, DOCKER_CONFIG, containers auth file and
// gcauth config; every server listens on 127.0.0.1 on a free port and is stopped by PID.

const HELPER_BIN = path.join(repoRoot, 'bin', 'docker-credential-gcauth');
const NOT_FOUND = 'credentials not found in native keychain';
const IMAGE = 'img';
const TAG = 'v1';

/** The first executable named `name` on PATH (or the absolute path itself), if any. */
function onPath(name: string): string | undefined {
  const candidates = path.isAbsolute(name) ? [name] : (process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, name));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missing = ['docker', 'skopeo', REGISTRY_BIN].filter((tool) => !onPath(tool));
if (missing.length > 0) {
  sayWhySkipped(`test/e2e/docker skipped: ${missing.join(', ')} not installed (.ci/run installs Debian's docker-registry and skopeo; the docker CLI comes with the machine)`);
}
const suite = missing.length > 0 ? describe.skip : describe;

/** One test's world: its own HOME, docker config, gcauth config, PATH shims and helper call log. */
interface Sandbox {
  root: string;
  dockerConfig: string;
  gcauthConfig: string;
  /** Each call of docker-credential-gcauth leaves a directory here: argv, in, out, rc. */
  helperLog: string;
  env: Record<string, string>;
}

interface HelperCall {
  argv: string[];
  input: string;
  output: string;
  exitCode: number;
}

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
}

let emu: EmulatorProcess;
/** Token auth through the emulator. */
let registry: RegistryProcess;
/** No auth at all: a registry that is none of Google's business. */
let anonymous: RegistryProcess;
let image: OciImage;
/** `<project>/img`: the emulator grants registry access per project, as GCR does. */
let repository: string;

/** Where emulator.json says the registry token front is, and the certificate a registry must trust. */
function registryAuthOf(e: EmulatorProcess): RegistryTokenAuth {
  const info = JSON.parse(readFileSync(path.join(e.dataDir, 'emulator.json'), 'utf8')) as {
    registry?: {realm?: string; service?: string; issuer?: string; rootCertBundle?: string};
  };
  const reg = info.registry;
  if (!reg?.realm || !reg.service || !reg.issuer || !reg.rootCertBundle || !existsSync(reg.rootCertBundle)) {
    throw new Error(`emulator.json lacks the registry token front (realm, service, issuer, rootCertBundle): ${JSON.stringify(info)}`);
  }
  return {realm: reg.realm, service: reg.service, issuer: reg.issuer, rootcertbundle: reg.rootCertBundle};
}

/** Registry tokens the emulator issued so far. */
const registryTokensIssued = async () => (await emu.stats()).registryTokens.issued;

/** A fresh sandbox whose gcauth has the emulator's owner key active (so a token of its own is cached), unless `activate` is false. */
async function sandbox(activate = true): Promise<Sandbox> {
  const root = tmpDir('gcauth-e2e-docker-');
  const dirs = {home: 'home', dockerConfig: 'docker', gcauthConfig: 'gcauth', bin: 'bin', helperLog: 'helper-calls', tmp: 'tmp'};
  const at = Object.fromEntries(Object.entries(dirs).map(([k, v]) => [k, path.join(root, v)])) as Record<keyof typeof dirs, string>;
  for (const dir of Object.values(at)) mkdirSync(dir, {recursive: true});

  // `gcauth` for shell pipelines, and the helper behind a recorder: the helper itself answers, the recorder
  // only keeps what docker or skopeo asked and what it said.
  writeFileSync(path.join(at.bin, 'gcauth'), `#!/bin/sh\nexec '${process.execPath}' '${cliBin}' "$@"\n`);
  writeFileSync(
    path.join(at.bin, 'docker-credential-gcauth'),
    [
      '#!/bin/sh',
      `d='${at.helperLog}'/$(date +%s%N)-$$`,
      'mkdir "$d" && printf "%s\\n" "$@" >"$d/argv" && cat >"$d/in"',
      `'${HELPER_BIN}' "$@" <"$d/in" >"$d/out"`,
      'rc=$?',
      'echo "$rc" >"$d/rc"',
      'cat "$d/out"',
      'exit "$rc"',
      '',
    ].join('\n'),
  );
  for (const shim of ['gcauth', 'docker-credential-gcauth']) chmodSync(path.join(at.bin, shim), 0o755);

  const env: Record<string, string> = {
    PATH: `${at.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: at.home,
    TMPDIR: at.tmp,
    NO_COLOR: '1',
    DOCKER_CONFIG: at.dockerConfig,
    DOCKER_HOST: 'unix:///nonexistent.sock',
    // skopeo reads only this file when it is set; XDG_RUNTIME_DIR stays unset so no other auth.json is seen.
    REGISTRY_AUTH_FILE: path.join(at.dockerConfig, 'config.json'),
    XDG_CONFIG_HOME: path.join(at.home, '.config'),
    XDG_DATA_HOME: path.join(at.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(at.home, '.cache'),
    ...emulatorEnv(emu.url, at.gcauthConfig),
    // Never a probe of a real metadata server, whatever this machine looks like (the VM tests name the emulator's).
    METADATA_SERVER_DETECTION: 'none',
  };
  const sb: Sandbox = {root, dockerConfig: at.dockerConfig, gcauthConfig: at.gcauthConfig, helperLog: at.helperLog, env};
  if (activate) await gcauthOk(sb, ['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`]);
  return sb;
}

async function run(sb: Sandbox, file: string, args: string[], input?: string): Promise<Run> {
  const r = await execa(file, args, {
    cwd: sb.root,
    env: sb.env,
    extendEnv: false,
    input,
    stdin: input === undefined ? 'ignore' : undefined,
    reject: false,
    stripFinalNewline: false,
    timeout: 20_000,
  });
  return {stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1};
}

/** A bash pipeline, as a user types it, with the sandbox's environment (`gcauth` is on its PATH). */
const shell = (sb: Sandbox, script: string, vars: Record<string, string> = {}) =>
  run({...sb, env: {...sb.env, ...vars}}, 'bash', ['-c', `set -o pipefail\n${script}`]);

async function gcauthOk(sb: Sandbox, args: string[]): Promise<string> {
  const r = await runCli(args, {env: sb.env});
  if (r.exitCode !== 0) throw new Error(`gcauth ${args.join(' ')} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const accessToken = async (sb: Sandbox) => (await gcauthOk(sb, ['auth', 'print-access-token'])).trim();

/** `gcauth auth configure-docker HOSTS` plus `docker/registries`, so the helper serves `served` (non-Google hosts). */
async function configureHelper(sb: Sandbox, hosts: string[], served: string[]): Promise<void> {
  await gcauthOk(sb, ['auth', 'configure-docker', hosts.join(','), '--quiet']);
  await gcauthOk(sb, ['config', 'set', 'docker/registries', served.join(',')]);
}

function dockerConfigJson(sb: Sandbox): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(sb.dockerConfig, 'config.json'), 'utf8')) as Record<string, unknown>;
}

/** Every call of docker-credential-gcauth in the sandbox so far, oldest first. */
function helperCalls(sb: Sandbox): HelperCall[] {
  return readdirSync(sb.helperLog)
    .sort()
    .map((name) => {
      const read = (file: string) => readFileSync(path.join(sb.helperLog, name, file), 'utf8');
      return {argv: read('argv').split('\n').filter(Boolean), input: read('in'), output: read('out'), exitCode: Number(read('rc'))};
    });
}

const imageRef = (reg: RegistryProcess) => `${reg.host}/${repository}:${TAG}`;
const dockerManifestInspect = (sb: Sandbox, reg: RegistryProcess) => run(sb, 'docker', ['manifest', 'inspect', '--insecure', imageRef(reg)]);
const skopeoInspect = (sb: Sandbox, reg: RegistryProcess) => run(sb, 'skopeo', ['inspect', '--tls-verify=false', `docker://${imageRef(reg)}`]);

/** Pushes the test image with skopeo; `creds` as `user:secret`, or none for an anonymous registry. */
async function push(sb: Sandbox, reg: RegistryProcess, creds?: string): Promise<Run> {
  const auth = creds === undefined ? ['--dest-no-creds'] : ['--dest-creds', creds];
  return run(sb, 'skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', ...auth, `oci:${image.dir}:${TAG}`, `docker://${imageRef(reg)}`]);
}

suite('real docker CLI, skopeo and registry against the emulator', () => {
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    repository = `${emu.project}/${IMAGE}`;
    image = writeOciImage(path.join(tmpDir('gcauth-oci-'), 'layout'), TAG, {'hello.txt': 'pushed by test/e2e/docker\n'});
    [registry, anonymous] = await Promise.all([startRegistry({auth: registryAuthOf(emu)}), startRegistry()]);
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), anonymous?.stop(), emu?.stop()]);
  });

  describe('docker login with a piped secret', () => {
    test('a piped access token logs in, and docker keeps it for that host', async () => {
      const sb = await sandbox();
      const before = await registryTokensIssued();
      const r = await shell(sb, 'gcauth auth print-access-token | docker login -u oauth2accesstoken --password-stdin "http://$REG"', {REG: registry.host});
      // docker tries https:// first even for an http:// URL of a loopback host, and logs that on stderr.
      expect(r.stdout).toMatch(/^Login Succeeded$/m);
      expect(r.exitCode).toBe(0);
      // The registry sent docker to the emulator, which accepted the token.
      expect(await registryTokensIssued()).toBeGreaterThan(before);
      const auths = dockerConfigJson(sb).auths as Record<string, {auth: string}>;
      expect(Buffer.from(auths[registry.host]!.auth, 'base64').toString()).toBe(`oauth2accesstoken:${await accessToken(sb)}`);
    });

    test('a token revoked at the emulator is refused', async () => {
      const sb = await sandbox();
      const token = await accessToken(sb);
      const revoked = await fetch(`${emu.url}/revoke?token=${encodeURIComponent(token)}`, {method: 'POST'});
      expect(revoked.status).toBe(200);
      const r = await shell(sb, 'gcauth auth print-access-token | docker login -u oauth2accesstoken --password-stdin "http://$REG"', {REG: registry.host});
      expect(r.stderr).toContain(`unauthorized: ${REGISTRY_MESSAGES.badAccessToken}`);
      expect(r.exitCode).toBe(1);
      expect(existsSync(path.join(sb.dockerConfig, 'config.json'))).toBe(false);
    });

    test('a token the emulator never issued is refused', async () => {
      const sb = await sandbox();
      const r = await run(sb, 'docker', ['login', '-u', 'oauth2accesstoken', '--password-stdin', `http://${registry.host}`], 'ya29.c.not-a-token-this-google-issued\n');
      expect(r.stderr).toContain(`unauthorized: ${REGISTRY_MESSAGES.badAccessToken}`);
      expect(r.exitCode).toBe(1);
      expect(existsSync(path.join(sb.dockerConfig, 'config.json'))).toBe(false);
    });

    test('a piped key file logs in as _json_key', async () => {
      const sb = await sandbox();
      const r = await shell(sb, 'cat "$KEY" | docker login -u _json_key --password-stdin "http://$REG"', {KEY: emu.ownerKeyFile, REG: registry.host});
      expect(r.stdout).toMatch(/^Login Succeeded$/m);
      expect(r.exitCode).toBe(0);
    });

    test('a key file whose private key Google never issued is refused as _json_key', async () => {
      const sb = await sandbox();
      const key = JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as Record<string, string>;
      const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
      const forged = path.join(sb.root, 'forged-key.json');
      writeFileSync(forged, JSON.stringify({...key, private_key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString()}, null, 2));
      const r = await shell(sb, 'cat "$KEY" | docker login -u _json_key --password-stdin "http://$REG"', {KEY: forged, REG: registry.host});
      expect(r.stderr).toContain(`unauthorized: ${REGISTRY_MESSAGES.keyMismatch(key.private_key_id!)}`);
      expect(r.exitCode).toBe(1);
    });
  });

  describe('credentials from docker-credential-gcauth only', () => {
    beforeAll(async () => {
      const sb = await sandbox();
      const pushed = await push(sb, registry, `oauth2accesstoken:${await accessToken(sb)}`);
      if (pushed.exitCode !== 0) throw new Error(`skopeo copy to ${registry.host} failed:\n${pushed.stderr}`);
      const pushedAnonymously = await push(sb, anonymous);
      if (pushedAnonymously.exitCode !== 0) throw new Error(`skopeo copy to ${anonymous.host} failed:\n${pushedAnonymously.stderr}`);
    });

    test('without the helper the registry refuses an anonymous read (the control)', async () => {
      const sb = await sandbox();
      const docker = await dockerManifestInspect(sb, registry);
      // Artifact Registry's answer to an anonymous token request for a private repository (issue 20).
      expect(docker.stderr).toMatch(/denied: Unauthenticated request\. Unauthenticated requests do not have permission "artifactregistry\.repositories\.downloadArtifacts"/);
      expect(docker.exitCode).toBe(1);
      const skopeo = await skopeoInspect(sb, registry);
      expect(skopeo.stderr).toMatch(/Requesting bearer token: invalid status code from registry 403 \(Forbidden\)/);
      expect(skopeo.exitCode).not.toBe(0);
    });

    test('docker manifest inspect reads the pushed image with the token the helper gave', async () => {
      const sb = await sandbox();
      await configureHelper(sb, [registry.host], [registry.host]);
      const config = dockerConfigJson(sb);
      expect(config).not.toHaveProperty('auths');
      expect(config.credHelpers).toEqual({[registry.host]: 'gcauth'});

      const before = await registryTokensIssued();
      const r = await dockerManifestInspect(sb, registry);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(image.manifest);
      expect(await registryTokensIssued()).toBeGreaterThan(before);

      const token = await accessToken(sb);
      const gets = helperCalls(sb).filter((c) => c.argv[0] === 'get');
      expect(gets.length).toBeGreaterThan(0);
      for (const call of gets) {
        expect(call.input.trim()).toBe(registry.host);
        expect(call.exitCode).toBe(0);
        expect(JSON.parse(call.output)).toEqual({ServerURL: registry.host, Username: 'oauth2accesstoken', Secret: token});
      }
    });

    test('a project whose registry API is disabled is refused with the text that says what to enable; gcauth services enable fixes it', async () => {
      const sb = await sandbox();
      await configureHelper(sb, [registry.host], [registry.host]);
      await gcauthOk(sb, ['services', 'disable', 'artifactregistry.googleapis.com', `--project=${emu.project}`]);
      try {
        const refused = await dockerManifestInspect(sb, registry);
        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toMatch(/denied: Artifact Registry API has not been used in project \d+ before or it is disabled\. Enable it by visiting https:\/\/console\.developers\.google\.com\/apis\/api\/artifactregistry\.googleapis\.com\/overview\?project=\d+ then retry\./);
      } finally {
        await gcauthOk(sb, ['services', 'enable', 'artifactregistry.googleapis.com', `--project=${emu.project}`]);
      }
      const served = await dockerManifestInspect(sb, registry);
      expect(served.exitCode).toBe(0);
      expect(JSON.parse(served.stdout)).toEqual(image.manifest);
    });

    test('skopeo inspect reads the pushed image with the token the helper gave', async () => {
      const sb = await sandbox();
      await configureHelper(sb, [registry.host], [registry.host]);
      const r = await skopeoInspect(sb, registry);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect((JSON.parse(r.stdout) as {Digest: string}).Digest).toBe(image.manifestDigest);
      const gets = helperCalls(sb).filter((c) => c.argv[0] === 'get');
      expect(gets.length).toBeGreaterThan(0);
      expect(gets.every((c) => c.exitCode === 0 && (JSON.parse(c.output) as {Username: string}).Username === 'oauth2accesstoken')).toBe(true);
    });

    /** A sandbox configured for the registry whose PATH finds the helper bin itself first (in `bin`), not the recorder. */
    async function directHelperSandbox(name: string): Promise<{sb: Sandbox; bin: string; direct: Sandbox}> {
      const sb = await sandbox();
      await configureHelper(sb, [registry.host], [registry.host]);
      const bin = path.join(sb.root, name);
      mkdirSync(bin);
      symlinkSync(HELPER_BIN, path.join(bin, 'docker-credential-gcauth'));
      return {sb, bin, direct: {...sb, env: {...sb.env, PATH: `${bin}:${process.env.PATH ?? ''}`}}};
    }

    test('docker runs the helper bin itself (no recorder in between)', async () => {
      const {sb, direct} = await directHelperSandbox('bare-bin');
      const r = await dockerManifestInspect(direct, registry);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(helperCalls(sb)).toEqual([]);
    });

    // Issue 10: the real docker CLI through the sh fast path: after the first answer, Node is not started again.
    test('docker runs the helper and its sh fast path answers the second read without starting Node', async () => {
      const {sb, bin, direct: fast} = await directHelperSandbox('fast-bin');
      const log = path.join(sb.root, 'node-started');
      writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho x >>"${log}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
      expect((await dockerManifestInspect(fast, registry)).exitCode).toBe(0);
      expect(existsSync(log)).toBe(true);
      rmSync(log);
      const r = await dockerManifestInspect(fast, registry);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(existsSync(log)).toBe(false);
    });

    test('docker login on a helper-managed host succeeds through the helper\'s store, with no secret in config.json', async () => {
      const sb = await sandbox();
      await configureHelper(sb, [registry.host], [registry.host]);
      const token = await accessToken(sb);
      const r = await run(sb, 'docker', ['login', registry.host, '-u', 'oauth2accesstoken', '--password-stdin'], `${token}\n`);
      expect(r.stdout).toMatch(/^Login Succeeded$/m);
      expect(r.exitCode).toBe(0);

      const stores = helperCalls(sb).filter((c) => c.argv[0] === 'store');
      expect(stores).toHaveLength(1);
      expect(JSON.parse(stores[0]!.input)).toEqual({ServerURL: registry.host, Username: 'oauth2accesstoken', Secret: token});
      expect(stores[0]!.exitCode).toBe(0);
      expect(stores[0]!.output).toBe('');
      const config = dockerConfigJson(sb);
      expect(config.credHelpers).toEqual({[registry.host]: 'gcauth'});
      expect(config.auths).toEqual({[registry.host]: {}});
      expect(JSON.stringify(config)).not.toContain(token);
    });
  });

  describe('on an emulated VM: no key anywhere, the standalone helper and the metadata server', () => {
    /** The emulator's VM: its default service account (an editor of the project), with these access scopes. */
    async function vm(scopes: string[]): Promise<{email: string}> {
      const r = await fetch(`${emu.url}/__admin/metadata`, {method: 'POST', body: JSON.stringify({serviceAccount: 'default', scopes})});
      expect(r.status).toBe(200);
      return {email: ((await r.json()) as {serviceAccount: string}).serviceAccount};
    }
    /** A sandbox where no gcauth command ever ran, its metadata server the emulator's, and the helper configured by itself. */
    async function vmSandbox(): Promise<Sandbox> {
      const sb = await sandbox(false);
      delete sb.env.METADATA_SERVER_DETECTION;
      sb.env.GCE_METADATA_HOST = new URL(emu.url).host;
      const configured = await run(sb, HELPER_BIN, ['configure-docker', `--registries=${registry.host}`, '-q']);
      expect(configured).toMatchObject({exitCode: 0, stdout: ''});
      expect(dockerConfigJson(sb).credHelpers).toEqual({[registry.host]: 'gcauth'});
      return sb;
    }
    /** The metadata server's token for the VM, as any client on it would get it. */
    const vmToken = async () => {
      const r = await fetch(`${emu.url}/computeMetadata/v1/instance/service-accounts/default/token`, {headers: {'Metadata-Flavor': 'Google'}});
      return ((await r.json()) as {access_token: string}).access_token;
    };
    beforeAll(async () => {
      const owner = await sandbox();
      const pushed = await push(owner, registry, `oauth2accesstoken:${await accessToken(owner)}`);
      if (pushed.exitCode !== 0) throw new Error(`skopeo copy to ${registry.host} failed:\n${pushed.stderr}`);
    });
    afterAll(() => vm(['cloud-platform']));

    test('docker manifest inspect and skopeo inspect read the image with the VM\'s token, given by the helper', async () => {
      await vm(['cloud-platform']);
      const sb = await vmSandbox();
      expect(readdirSync(sb.gcauthConfig).filter((f) => /credential|key/i.test(f))).toEqual([]);
      const docker = await dockerManifestInspect(sb, registry);
      expect(docker).toMatchObject({exitCode: 0, stderr: ''});
      expect(JSON.parse(docker.stdout)).toEqual(image.manifest);
      const skopeo = await skopeoInspect(sb, registry);
      expect(skopeo).toMatchObject({exitCode: 0, stderr: ''});
      expect((JSON.parse(skopeo.stdout) as {Digest: string}).Digest).toBe(image.manifestDigest);

      const token = await vmToken();
      const gets = helperCalls(sb).filter((c) => c.argv[0] === 'get');
      expect(gets.length).toBeGreaterThanOrEqual(2);
      for (const call of gets) expect(JSON.parse(call.output)).toEqual({ServerURL: registry.host, Username: 'oauth2accesstoken', Secret: token});
    });

    test('read-only scopes: pulls work, a push is refused and the error names the scope it lacks', async () => {
      const {email} = await vm(['devstorage.read_only', 'logging.write']);
      const sb = await vmSandbox();
      expect((await skopeoInspect(sb, registry)).exitCode).toBe(0);
      const pushed = await run(sb, 'skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}:${TAG}`, `docker://${registry.host}/${repository}:vm-push`]);
      expect(pushed.exitCode).not.toBe(0);
      // skopeo 1.9 prints only the status of the token server's refusal; Docker's daemon prints its `errors`
      // message ("denied: ..."), which is this one, naming the scope:
      expect(pushed.stderr).toContain('Requesting bearer token: invalid status code from registry 403 (Forbidden)');
      const {realm, service} = registryAuthOf(emu);
      const basic = Buffer.from(`oauth2accesstoken:${await vmToken()}`).toString('base64');
      const refusal = await fetch(`${realm}?service=${encodeURIComponent(service)}&scope=repository:${repository}:pull,push`, {headers: {Authorization: `Basic ${basic}`}});
      expect(refusal.status).toBe(403);
      const message = ((await refusal.json()) as {errors: {code: string; message: string}[]}).errors[0]!;
      expect(message.code).toBe('DENIED');
      expect(message.message).toContain('do not include https://www.googleapis.com/auth/devstorage.read_write or https://www.googleapis.com/auth/cloud-platform');
      // The docker CLI pushes a manifest list with no daemon, and shows the user that message as it is.
      const list = `${registry.host}/${repository}:vm-list`;
      expect((await run(sb, 'docker', ['manifest', 'create', '--insecure', list, imageRef(registry)])).exitCode).toBe(0);
      const listPush = await run(sb, 'docker', ['manifest', 'push', '--insecure', list]);
      expect(listPush.stderr).toContain(`denied: ${message.message}`);
      expect(listPush.exitCode).toBe(1);
      expect((await run(sb, 'skopeo', ['inspect', '--tls-verify=false', `docker://${list}`])).stderr).toMatch(/manifest unknown/);
      // And gcauth doctor, on the same VM, says so before any push is tried.
      const doctor = await runCli(['doctor', `${registry.host}/${repository}:${TAG}`], {env: sb.env});
      expect(doctor.stdout).toMatch(/^warn {2}vm-scopes: the VM's scopes are read-only for registries \(devstorage\.read_only, logging\.write\): pulls work, pushes are refused$/m);
      expect(doctor.stdout).toContain(`--service-account=${email} --scopes=cloud-platform`);
      // The same account with cloud-platform may push: the refusal was the scopes', not IAM's.
      await vm(['cloud-platform']);
      const widened = await vmSandbox();
      const again = await run(widened, 'skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}:${TAG}`, `docker://${registry.host}/${repository}:vm-push`]);
      expect({email, exitCode: again.exitCode, stderr: again.stderr}).toEqual({email, exitCode: 0, stderr: ''});
    });
  });

  describe('hosts that are not gcauth\'s', () => {
    test('a host not configured and non-Google hosts get exactly the not-found answer, and nothing reaches the emulator', async () => {
      const sb = await sandbox();
      await gcauthOk(sb, ['config', 'set', 'docker/registries', registry.host]);
      const before = (await emu.stats()).total;
      for (const host of [anonymous.host, `http://${anonymous.host}/v2/`, 'registry-1.docker.io', 'https://ghcr.io', 'gcr.io.example.com']) {
        const r = await run(sb, HELPER_BIN, ['get'], host);
        expect({host, stdout: r.stdout.replace(/\n$/, ''), exitCode: r.exitCode}).toEqual({host, stdout: NOT_FOUND, exitCode: 1});
      }
      expect((await emu.stats()).total).toBe(before);
    });

    test('a Google host and a configured one get the active account\'s token (the positive control)', async () => {
      const sb = await sandbox();
      await gcauthOk(sb, ['config', 'set', 'docker/registries', registry.host]);
      const token = await accessToken(sb);
      for (const input of ['gcr.io', 'https://europe-docker.pkg.dev/p/r/img', registry.host]) {
        const r = await run(sb, HELPER_BIN, ['get'], input);
        expect({input, exitCode: r.exitCode}).toEqual({input, exitCode: 0});
        expect(JSON.parse(r.stdout)).toEqual(expect.objectContaining({Username: 'oauth2accesstoken', Secret: token}));
      }
    });

    test('a foreign image read stays anonymous even where credHelpers names gcauth', async () => {
      const sb = await sandbox();
      // Mapped to gcauth in config.json, but not in docker/registries: the helper must decline it.
      await configureHelper(sb, [registry.host, anonymous.host], [registry.host]);
      expect(dockerConfigJson(sb).credHelpers).toEqual({[registry.host]: 'gcauth', [anonymous.host]: 'gcauth'});
      const before = (await emu.stats()).total;

      const docker = await dockerManifestInspect(sb, anonymous);
      expect(docker.exitCode).toBe(0);
      expect(JSON.parse(docker.stdout)).toEqual(image.manifest);
      // skopeo, unlike docker, fails on any helper error other than the exact not-found answer.
      const skopeo = await skopeoInspect(sb, anonymous);
      expect(skopeo.stderr).toBe('');
      expect(skopeo.exitCode).toBe(0);
      expect((JSON.parse(skopeo.stdout) as {Digest: string}).Digest).toBe(image.manifestDigest);

      const gets = helperCalls(sb).filter((c) => c.argv[0] === 'get');
      expect(gets.length).toBeGreaterThan(0);
      for (const call of gets) {
        expect({input: call.input.trim(), output: call.output.replace(/\n$/, ''), exitCode: call.exitCode}).toEqual({input: anonymous.host, output: NOT_FOUND, exitCode: 1});
      }
      // No token was minted or sent anywhere on the way.
      expect((await emu.stats()).total).toBe(before);
    });
  });
});
