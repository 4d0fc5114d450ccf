/**
 * gcloud's token entry points, served by the built CLI against an emulator in this process (its clock is the test's,
 * so a token can really expire): `config config-helper` for every credential type, `--force-auth-refresh`, a token
 * handed over by CLOUDSDK_AUTH_ACCESS_TOKEN or --access-token-file and the 401 of an expired one, the real gcloud's
 * config-helper beside gcauth's, and tools that run `gcloud` for their token: kubectl through the exec-plugin protocol
 * of gke-gcloud-auth-plugin, and docker-credential-gcr's argv, each running gcauth as `gcloud` from PATH.
 */
import {generateKeyPairSync} from 'node:crypto';
import {createServer, type Server} from 'node:https';
import type {AddressInfo} from 'node:net';
import {statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {selfSignedCertificate, toPem} from '../../src/emulator/x509.js';
import {findOnPath} from '../../scripts/launch.js';
import {emulatorEnv, runCli} from '../helpers/cli.js';
import {cliBin, tmpDir} from '../helpers/emulator.js';
import {emulatedVm} from '../helpers/emulated-vm.js';
import {type Federation, setUpFederation} from '../helpers/federation.js';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {browserLoginEnv, LOGIN_CLIENT} from '../helpers/login.js';
import {sayWhySkipped} from '../helpers/skip.js';

interface HelperJson {
  configuration: {active_configuration: string; properties: Record<string, Record<string, string>>};
  credential: {access_token: string; id_token: string | null; token_expiry: string | null};
  sentinels: {config_sentinel: string};
}

const USER = 'user@example.com';
let emu: RunningEmulator;
/** The emulator's clock runs this far ahead of the test's. */
let skew = 0;
let fed: Federation;

beforeAll(async () => {
  emu = await startEmulator({dataDir: path.join(tmpDir('gcauth-token-entry-emu-'), 'data'), users: [USER], now: () => Date.now() + skew});
  fed = await setUpFederation(emu.url, emu.ownerKeyFile);
});
afterAll(() => emu?.close());

const tokenInfo = async (token: string) => {
  const res = await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(token)}`);
  return res.ok ? ((await res.json()) as {email?: string; azp?: string}) : undefined;
};
const jwtClaims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {aud?: string; email?: string; sub?: string};
const accessMints = () => emu.stats().tokenRequests.accessToken;

/** The api_endpoint_overrides section an environment sets, by its GCAUTH_API_ENDPOINT_OVERRIDES_* variables. */
const endpointOverridesOf = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.startsWith('GCAUTH_API_ENDPOINT_OVERRIDES_'))
      .map(([name, url]) => [name.slice('GCAUTH_API_ENDPOINT_OVERRIDES_'.length).toLowerCase(), url]),
  );

/** A config dir with the emulator's owner key active. */
async function ownerEnv(): Promise<Record<string, string>> {
  const env = emulatorEnv(emu.url, path.join(tmpDir(), 'gcauth'));
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  return env;
}

async function helperJson(args: string[], env: Record<string, string>): Promise<HelperJson> {
  const result = await runCli(['config', 'config-helper', '--format=json', ...args], {env});
  expect({stderr: result.stderr, exitCode: result.exitCode}).toEqual({stderr: '', exitCode: 0});
  return JSON.parse(result.stdout) as HelperJson;
}

describe('config config-helper, for each credential type', () => {
  test('a service-account key: its token, its id token (the default audience), the expiry to the second; cached, then --force-auth-refresh mints anew', async () => {
    const env = await ownerEnv();
    const first = await helperJson([], env);
    expect(await tokenInfo(first.credential.access_token)).toMatchObject({email: emu.ownerEmail});
    expect(jwtClaims(first.credential.id_token!)).toMatchObject({email: emu.ownerEmail, aud: '32555940559.apps.googleusercontent.com'});
    expect(first.credential.token_expiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(first.credential.token_expiry!) - Date.now()).toBeGreaterThan(3500_000);
    expect(first.configuration).toEqual({
      active_configuration: 'default',
      properties: {
        // Every API the emulator serves, as emulatorEnv points gcauth at it.
        api_endpoint_overrides: endpointOverridesOf(env),
        auth: {token_host: `${emu.url}/token`},
        core: {account: emu.ownerEmail},
      },
    });
    expect(first.sentinels).toEqual({config_sentinel: path.join(env.GCAUTH_CONFIG!, 'config_sentinel')});

    const mints = accessMints();
    const idMints = emu.stats().tokenRequests.idToken;
    expect((await helperJson([], env)).credential).toEqual(first.credential);
    expect(accessMints()).toBe(mints);
    const forced = await helperJson(['--force-auth-refresh'], env);
    expect(accessMints()).toBe(mints + 1);
    // The id token is minted again too (within the same second, the emulator's is the same JWT).
    expect(emu.stats().tokenRequests.idToken).toBe(idMints + 1);
    expect(forced.credential.access_token).not.toBe(first.credential.access_token);
    expect(await tokenInfo(forced.credential.access_token)).toMatchObject({email: emu.ownerEmail});
    // What it minted is cached for everyone else.
    expect((await runCli(['auth', 'print-access-token'], {env})).stdout).toBe(`${forced.credential.access_token}\n`);
  });

  test('a user login: its token and the id token of its refresh grant, issued to its OAuth client', async () => {
    const {env, landing} = browserLoginEnv(emu.url);
    expect((await runCli(['auth', 'login'], {env})).exitCode).toBe(0);
    await landing();
    const json = await helperJson([], env);
    expect(await tokenInfo(json.credential.access_token)).toMatchObject({email: USER});
    expect(jwtClaims(json.credential.id_token!)).toMatchObject({email: USER, aud: LOGIN_CLIENT.id});
    expect(json.configuration.properties.core).toEqual({account: USER});
  });

  test("on a VM with no account: the metadata server's token and id token", async () => {
    const vm = await emulatedVm(emu.url, {serviceAccount: `vm-runner@${emu.project}.iam.gserviceaccount.com`});
    const env = {...emulatorEnv(emu.url, path.join(tmpDir(), 'gcauth')), GCE_METADATA_HOST: vm.host};
    const json = await helperJson([], env);
    expect(await vm.tokenOwner(json.credential.access_token)).toMatchObject({account: `vm-runner@${emu.project}.iam.gserviceaccount.com`});
    expect(jwtClaims(json.credential.id_token!)).toMatchObject({email: `vm-runner@${emu.project}.iam.gserviceaccount.com`});
    expect(json.configuration.properties.core).toBeUndefined();
    await emulatedVm(emu.url, {serviceAccount: null});
  });

  test('an external account: impersonating a service account, its tokens and an id token; through the STS alone, no id token (null)', async () => {
    const dir = tmpDir();
    const env = emulatorEnv(emu.url, path.join(dir, 'gcauth'));
    writeFileSync(path.join(dir, 'oidc.txt'), `${await fed.jobToken()}\n`);
    const source = {credential_source: {file: path.join(dir, 'oidc.txt')}};
    writeFileSync(path.join(dir, 'imp.json'), JSON.stringify(fed.impersonating(source)));
    expect((await runCli(['auth', 'login', `--cred-file=${path.join(dir, 'imp.json')}`], {env})).exitCode).toBe(0);
    const impersonating = await helperJson([], env);
    expect(await tokenInfo(impersonating.credential.access_token)).toMatchObject({azp: fed.saUniqueId});
    expect(jwtClaims(impersonating.credential.id_token!)).toMatchObject({email: fed.sa});

    const stsOnly = emulatorEnv(emu.url, path.join(dir, 'sts-only'));
    writeFileSync(path.join(dir, 'sts.json'), JSON.stringify(fed.config(source)));
    expect((await runCli(['auth', 'login', `--cred-file=${path.join(dir, 'sts.json')}`], {env: stsOnly})).exitCode).toBe(0);
    const federated = await helperJson([], stsOnly);
    expect(federated.credential.access_token).toMatch(/\S/);
    expect(federated.credential.id_token).toBeNull();
    expect(federated.credential.token_expiry).toMatch(/Z$/);
  });
});

describe('sentinels.config_sentinel', () => {
  test('is rewritten by each change of configuration or credentials, as gcloud rewrites it, and by no read', async () => {
    const env = await ownerEnv();
    const sentinel = (await helperJson([], env)).sentinels.config_sentinel;
    expect(statSync(sentinel).isFile()).toBe(true);
    // Dated back to the epoch before each step, so a rewrite shows whatever the clock's resolution.
    const after = async (args: string[]) => {
      utimesSync(sentinel, 0, 0);
      expect((await runCli(args, {env})).exitCode).toBe(0);
      return statSync(sentinel).mtimeMs > 0;
    };
    expect(await after(['config', 'config-helper', '--force-auth-refresh'])).toBe(false);
    expect(await after(['auth', 'print-access-token'])).toBe(false);
    expect(await after(['config', 'list'])).toBe(false);
    expect(await after(['config', 'set', 'project', 'other-project'])).toBe(true);
    expect(await after(['config', 'unset', 'project'])).toBe(true);
    expect(await after(['config', 'configurations', 'create', 'spare', '--no-activate'])).toBe(false);
    expect(await after(['config', 'configurations', 'activate', 'spare'])).toBe(true);
    expect(await after(['config', 'configurations', 'activate', 'default'])).toBe(true);
    expect(await after(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).toBe(true);
    expect(await after(['auth', 'revoke', emu.ownerEmail])).toBe(true);
  });
});

describe('a token handed to gcauth', () => {
  test('an expired one reaches the API, and its 401 is one line in gcloud\'s words naming where the token came from', async () => {
    const env = await ownerEnv();
    const token = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    const fresh = await runCli(['projects', 'get-iam-policy', emu.project, '--format=json'], {env: {...env, CLOUDSDK_AUTH_ACCESS_TOKEN: token}});
    expect({stderr: fresh.stderr, exitCode: fresh.exitCode}).toEqual({stderr: '', exitCode: 0});

    skew = 2 * 3600_000;
    try {
      const calls = emu.stats().byRoute['POST /cloudresourcemanager/v1/projects/{project}:getIamPolicy'] ?? 0;
      const expired = await runCli(['projects', 'get-iam-policy', emu.project], {env: {...env, CLOUDSDK_AUTH_ACCESS_TOKEN: token}});
      expect(expired).toEqual({
        stdout: '',
        stderr:
          'ERROR: UNAUTHENTICATED: Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
          'See https://developers.google.com/identity/sign-in/web/devconsole-project. This command is authenticated with an access token from the CLOUDSDK_AUTH_ACCESS_TOKEN environment variable.\n',
        exitCode: 4,
      });
      // Sent once, not retried, not refreshed: the account's own key is never used.
      expect(emu.stats().byRoute['POST /cloudresourcemanager/v1/projects/{project}:getIamPolicy']).toBe(calls + 1);
      const file = path.join(tmpDir(), 'token.txt');
      writeFileSync(file, `${token}\n`);
      const mints = accessMints();
      const fromFile = await runCli(['iam', 'service-accounts', 'list', `--project=${emu.project}`, `--access-token-file=${file}`], {env});
      expect(fromFile.stderr).toBe(
        'ERROR: UNAUTHENTICATED: Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
          `See https://developers.google.com/identity/sign-in/web/devconsole-project. This command is authenticated with an access token from ${file} specified by the [auth/access_token_file] property.\n`,
      );
      expect(fromFile.exitCode).toBe(4);
      expect(accessMints()).toBe(mints);
    } finally {
      skew = 0;
    }
  });
});

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('config-helper beside the real gcloud skipped: gcloud is not on PATH');
(gcloud ? describe : describe.skip)("the real gcloud's config-helper on the same emulator", () => {
  /**
   * Every key path of a JSON value, in order, with each leaf's type. The properties are the configuration's own (gcloud
   * sets some of its own), so of them only their form counts: sections in order, each a map of strings in order.
   */
  const shape = (value: unknown, at = ''): string[] => {
    if (value === null || typeof value !== 'object') return [`${at}: ${value === null ? 'null' : typeof value}`];
    if (at === '.configuration.properties') {
      const sections = Object.entries(value as Record<string, Record<string, unknown>>);
      const sorted = (keys: string[]) => keys.join() === [...keys].sort().join();
      const form = sorted(sections.map(([name]) => name)) && sections.every(([, p]) => sorted(Object.keys(p)) && Object.values(p).every((v) => typeof v === 'string'));
      return [`${at}: ${form ? 'sorted sections of sorted strings' : JSON.stringify(value)}`];
    }
    return Object.entries(value).flatMap(([key, v]) => [`${at}.${key}`, ...shape(v, `${at}.${key}`)]);
  };

  test('the same keys in the same order, with a key and with a token handed over; the same 401 text for an expired token', async () => {
    const genv = gcloudEnv(emu.url, emu.project);
    expect((await runGcloud(gcloud!, ['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], genv)).exitCode).toBe(0);
    const env = await ownerEnv();
    const theirs = JSON.parse((await runGcloud(gcloud!, ['config', 'config-helper', '--format=json'], genv)).stdout) as unknown;
    const ours = await helperJson([], env);
    expect(shape(ours)).toEqual(shape(theirs));
    expect(shape(ours)).toContain('.credential.id_token: string');

    const token = ours.credential.access_token;
    const theirsGiven = JSON.parse((await runGcloud(gcloud!, ['config', 'config-helper', '--format=json'], {...genv, CLOUDSDK_AUTH_ACCESS_TOKEN: token})).stdout) as HelperJson;
    const oursGiven = await helperJson([], {...env, CLOUDSDK_AUTH_ACCESS_TOKEN: token});
    expect(shape(oursGiven)).toEqual(shape(theirsGiven));
    expect(oursGiven.credential).toEqual(theirsGiven.credential);
    expect(oursGiven.credential).toEqual({access_token: token, id_token: null, token_expiry: null});

    skew = 2 * 3600_000;
    try {
      const theirs401 = await runGcloud(gcloud!, ['projects', 'get-iam-policy', emu.project], {...genv, CLOUDSDK_AUTH_ACCESS_TOKEN: token});
      const ours401 = await runCli(['projects', 'get-iam-policy', emu.project], {env: {...env, CLOUDSDK_AUTH_ACCESS_TOKEN: token}});
      expect(String(theirs401.stderr).split('\n')[0]!.replace('ERROR: (gcloud.projects.get-iam-policy) ', 'ERROR: ')).toBe(ours401.stderr.trimEnd());
    } finally {
      skew = 0;
    }
  });
});

/** A directory for PATH holding `gcloud`: gcauth's own bin/run.js, under gcloud's name. */
function gcloudShim(): string {
  const dir = tmpDir('gcauth-gcloud-shim-');
  symlinkSync(cliBin, path.join(dir, 'gcloud'));
  return dir;
}

test("docker-credential-gcr's call, through gcauth as `gcloud` on PATH: a new token, alone on stdout", async () => {
  const env = await ownerEnv();
  const cached = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
  const mints = accessMints();
  const result = await execa('gcloud', ['config', 'config-helper', '--force-auth-refresh', '--format=value(credential.access_token)'], {
    env: {...env, PATH: `${gcloudShim()}:${process.env.PATH}`, HOME: process.env.HOME, METADATA_SERVER_DETECTION: 'none'},
    extendEnv: false,
    reject: false,
  });
  expect({stderr: result.stderr, exitCode: result.exitCode}).toEqual({stderr: '', exitCode: 0});
  expect(result.stdout).toMatch(/^ya29\.\S+$/);
  expect(result.stdout).not.toBe(cached);
  expect(accessMints()).toBe(mints + 1);
  expect(await tokenInfo(result.stdout)).toMatchObject({email: emu.ownerEmail});
});

const kubectl = findOnPath('kubectl');
if (!kubectl) sayWhySkipped('the kubectl exec-plugin test skipped: kubectl is not on PATH (Debian: kubernetes-client)');
(kubectl ? describe : describe.skip)('kubectl, through the exec-plugin protocol of gke-gcloud-auth-plugin', () => {
  let api: Server;
  let apiUrl: string;
  const seen: Array<{path: string; token?: string; email?: string}> = [];

  beforeAll(async () => {
    // A Kubernetes API server that takes only bearer tokens the emulator knows, as GKE takes Google's. Over TLS:
    // kubectl (clientcmd) reads a user's credentials, its exec plugin included, only for a server it reaches over TLS.
    const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
    const cert = toPem(selfSignedCertificate(privateKey, {commonName: '127.0.0.1', notBefore: Date.now() - 3600_000, notAfter: Date.now() + 86400_000}));
    api = createServer({key: privateKey.export({type: 'pkcs8', format: 'pem'}), cert}, (req, res) => {
      void (async () => {
        const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        const info = bearer ? await tokenInfo(bearer) : undefined;
        seen.push({path: req.url ?? '', token: bearer, email: info?.email});
        res.setHeader('content-type', 'application/json');
        if (!info) {
          res.writeHead(401).end(JSON.stringify({kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401}));
          return;
        }
        res.writeHead(200).end(JSON.stringify({kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1'}]}));
      })();
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  test('`kubectl get --raw /api` succeeds with the token `gcloud config config-helper --format=json` gave the plugin', async () => {
    const env = await ownerEnv();
    const dir = tmpDir('gcauth-kubectl-');
    // What gke-gcloud-auth-plugin does: run gcloud's config-helper, hand kubectl credential.access_token until token_expiry.
    const plugin = path.join(dir, 'gcloud-exec-plugin');
    writeFileSync(
      plugin,
      '#!/bin/sh\nset -e\ngcloud config config-helper --format=json | node -e \'' +
        'const c = JSON.parse(require("fs").readFileSync(0, "utf8")).credential;' +
        'process.stdout.write(JSON.stringify({apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: {token: c.access_token, expirationTimestamp: c.token_expiry}}));\'\n',
      {mode: 0o755},
    );
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        // The test's certificate names no host; what is under test is the credential, not TLS.
        'clusters: [{name: emu, cluster: {server: "' + apiUrl + '", insecure-skip-tls-verify: true}}]',
        'users: [{name: gcauth, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: "' + plugin + '", interactiveMode: Never, provideClusterInfo: false}}}]',
        'contexts: [{name: emu, context: {cluster: emu, user: gcauth}}]',
        'current-context: emu',
        '',
      ].join('\n'),
    );
    seen.length = 0;
    const result = await execa(kubectl!, ['get', '--raw', '/api'], {
      env: {...env, KUBECONFIG: kubeconfig, HOME: dir, PATH: `${gcloudShim()}:${process.env.PATH}`, METADATA_SERVER_DETECTION: 'none'},
      extendEnv: false,
      reject: false,
    });
    expect({stderr: result.stderr, exitCode: result.exitCode}).toEqual({stderr: '', exitCode: 0});
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'APIVersions', versions: ['v1']});
    // The token kubectl sent is gcauth's cached one.
    const cached = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    // Every request carried it (Google's kubectl dispatcher asks /version first).
    expect(seen.map((r) => r.path)).toContain('/api');
    expect(seen.filter((r) => r.token !== cached || r.email !== emu.ownerEmail)).toEqual([]);
  });
});
