import {accessSync, constants, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {execa, type ResultPromise} from 'execa';
import {emulatorEnv} from '../../src/emulator/env.js';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {accessTokenFor, readKeyFile, tmpDir, type KeyFileFields} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const registryBin = findOnPath('docker-registry');
if (!registryBin) sayWhySkipped("emulator-as-token-server tests skipped: Debian's docker-registry is not on PATH (apt-get install docker-registry)");
const describeIfRegistry = registryBin ? describe : describe.skip;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const READY = /listening on 127\.0\.0\.1:(\d+)/;

// distribution 2.8 configured with nothing but what emulator.json's `registry` says (as env-init --registry prints it): the JWTs the emulator issues
// must pass its checks (x5c chain to the rootcertbundle, RS256 signature, iss, aud, exp) and grant what they say.
describeIfRegistry('a real registry (distribution 2.8) using the emulator as its token server', () => {
  let emu: RunningEmulator;
  let ownerKey: KeyFileFields;
  let registry: ResultPromise;
  let registryUrl: string;
  let registryLog = '';

  beforeAll(async () => {
    emu = await startEmulator({dataDir: tmpDir()});
    ownerKey = readKeyFile(emu.ownerKeyFile);
    const dir = tmpDir('gcauth-registry-');
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log: {level: info}',
        `storage: {filesystem: {rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}}}`,
        `http: {addr: "127.0.0.1:${port}"}`,
        // An auth section naming the provider; every setting comes from `gcauth emulator env-init --registry`.
        'auth: {token: {}}',
        '',
      ].join('\n'),
    );
    const env = Object.fromEntries(emulatorEnv(emu, {registry: true}));
    expect(env).toEqual({
      REGISTRY_AUTH_TOKEN_REALM: `${emu.url}/v2/token`,
      REGISTRY_AUTH_TOKEN_SERVICE: 'gcauth-emulator-registry',
      REGISTRY_AUTH_TOKEN_ISSUER: 'gcauth-emulator',
      REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: path.join(emu.dataDir, 'registry-token.crt'),
    });
    registry = execa(registryBin!, ['serve', config], {env: {PATH: process.env.PATH, ...env}, extendEnv: false, stdin: 'ignore', stdout: 'ignore', buffer: false, reject: false});
    registryUrl = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({input: registry.stderr!});
      lines.on('line', (line) => {
        registryLog += `${line}\n`;
        const match = READY.exec(line);
        if (match) resolve(`http://127.0.0.1:${match[1]}`);
      });
      void registry.then(() => reject(new Error(`docker-registry exited before listening:\n${registryLog}`)));
    });
  });
  afterAll(async () => {
    if (registry?.pid !== undefined) {
      process.kill(registry.pid, 'SIGTERM');
      await registry;
    }
    await emu.close();
  });

  /** A registry token from the emulator for `scopes`, as `user:password`. */
  async function registryToken(user: string, password: string, scopes: string[]): Promise<string> {
    const query = new URLSearchParams({service: emu.registry.service});
    for (const s of scopes) query.append('scope', s);
    const res = await fetch(`${emu.registry.realm}?${query}`, {headers: {authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`}});
    expect(res.status).toBe(200);
    return ((await res.json()) as {token: string}).token;
  }

  /** Starts a blob upload: 202 only with push on `repo`. */
  const startUpload = (repo: string, token: string) =>
    fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, {method: 'POST', headers: {authorization: `Bearer ${token}`}});

  it('challenges with the emulator as realm and service', async () => {
    const res = await fetch(`${registryUrl}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${emu.registry.realm}",service="${emu.registry.service}"`);
  });

  it('accepts a login token, and refuses a token signed by another emulator', async () => {
    const token = await registryToken('_json_key', JSON.stringify(ownerKey), []);
    expect((await fetch(`${registryUrl}/v2/`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200);

    const other = await startEmulator({dataDir: tmpDir()});
    try {
      const res = await fetch(`${other.registry.realm}?service=${other.registry.service}`, {
        headers: {authorization: `Basic ${Buffer.from(`_json_key:${JSON.stringify(readKeyFile(other.ownerKeyFile))}`).toString('base64')}`},
      });
      const {token: foreign} = (await res.json()) as {token: string};
      expect((await fetch(`${registryUrl}/v2/`, {headers: {authorization: `Bearer ${foreign}`}})).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('lets a writer push and a reader only pull, as their IAM roles say', async () => {
    const account = (id: string, role: string) => {
      const sa = emu.state.createServiceAccount(emu.project, id);
      emu.state.addBinding(emu.project, role, `serviceAccount:${sa.email}`);
      return sa.email;
    };
    const keyOf = async (email: string) => {
      const {key, privateKeyPem} = await emu.state.addServiceAccountKey(email);
      return {...ownerKey, client_email: email, private_key_id: key.keyId, private_key: privateKeyPem};
    };
    const writer = await accessTokenFor(emu.url, await keyOf(account('dist-writer', 'roles/artifactregistry.writer')));
    const reader = await accessTokenFor(emu.url, await keyOf(account('dist-reader', 'roles/artifactregistry.reader')));
    const scope = ['repository:demo-project/app:pull,push'];
    // demo-project's gcr.io repository exists, as after its first push (a writer cannot create it: createOnPush).
    emu.state.createRepository({projectId: 'demo-project', location: 'us', repositoryId: 'gcr.io', format: 'DOCKER', description: '', labels: {}});

    expect((await startUpload('demo-project/app', await registryToken('oauth2accesstoken', writer, scope))).status).toBe(202);
    // The reader's push is refused by the token server, with Artifact Registry's words.
    const query = new URLSearchParams({service: emu.registry.service, scope: scope[0]!});
    const denied = await fetch(`${emu.registry.realm}?${query}`, {headers: {authorization: `Basic ${Buffer.from(`oauth2accesstoken:${reader}`).toString('base64')}`}});
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as {errors: Array<{message: string}>}).errors[0]?.message).toBe(
      'Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/demo-project/locations/us/repositories/gcr.io" (or it may not exist)',
    );
    // A token with pull only does not let the registry take an upload.
    const pullOnly = await registryToken('oauth2accesstoken', reader, ['repository:demo-project/app:pull']);
    const upload = await startUpload('demo-project/app', pullOnly);
    expect(upload.status).toBe(401);
    expect(upload.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // Pull is granted: the registry answers the reader's manifest request with "no such repository", not 401.
    const pull = await fetch(`${registryUrl}/v2/demo-project/app/manifests/latest`, {headers: {authorization: `Bearer ${pullOnly}`}});
    expect(pull.status).toBe(404);
  });
});
