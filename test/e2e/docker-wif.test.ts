import {readFileSync} from 'node:fs';
import path from 'node:path';

import {STS_MESSAGES} from '../../src/emulator/google-errors.js';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {helperBin, runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {writeOciImage, type OciImage} from '../helpers/oci-image.js';
import {startRegistry, type RegistryProcess} from '../helpers/registry.js';
import {clientSandbox, type ClientRun, type ClientSandbox, dockerClientsSuite, gcauthOk, runIn} from '../helpers/docker-clients.js';
import {pointAtEmulator, provisionFederation, writeCredentialConfig, type FederatedPool} from '../helpers/federation.js';

// Issue 18, item 7(c): docker (the CLI alone, no daemon) and skopeo pull and push through docker-credential-gcauth
// as a federated identity of the emulator's workload identity pool, against Debian's registry whose token server is
// the emulator's registry front. The credential configurations are gcauth's own (create-cred-config), pointed at the
// emulator; the identity is a CI job of the emulator's CI issuer. Once with the principal's own access (a
// principalSet:// bound on the project), once by impersonation of a service account that holds the role, and once
// through GOOGLE_APPLICATION_CREDENTIALS with docker/token_source=adc; a job outside the condition is refused at
// the STS with its reason.

const suite = dockerClientsSuite('test/e2e/docker-wif');

const TAG = 'v1';
const WRITER = 'roles/artifactregistry.writer';

let emu: RunningEmulator;
let fed: FederatedPool;
let registry: RegistryProcess;
let image: OciImage;
let work: string;

async function sandbox(): Promise<ClientSandbox> {
  const sb = await clientSandbox('gcauth-e2e-docker-wif-', emu.url, registry.host);
  expect((JSON.parse(readFileSync(path.join(sb.dockerConfig, 'config.json'), 'utf8')) as {credHelpers: unknown}).credHelpers).toEqual({[registry.host]: 'gcauth'});
  return sb;
}

const gcauth = (sb: ClientSandbox, args: string[]) => runCli(args, {env: sb.env});

/** `gcauth iam workload-identity-pools create-cred-config` for a new CI job of `repository`, pointed at the emulator; its path. */
async function credConfig(repository: string, serviceAccount?: string): Promise<string> {
  const job = await fed.job(repository);
  const file = path.join(work, `${repository.replace('/', '-')}${serviceAccount === undefined ? '' : '-sa'}.json`);
  const r = await runCli([
    'iam', 'workload-identity-pools', 'create-cred-config', fed.provider,
    `--credential-source-url=${fed.sourceUrl(job)}`,
    `--credential-source-headers=Authorization=Bearer ${job.requestToken}`,
    '--credential-source-type=json', '--credential-source-field-name=value',
    `--output-file=${file}`,
    ...(serviceAccount === undefined ? [] : [`--service-account=${serviceAccount}`]),
  ], {env: {GCAUTH_CONFIG: tmpDir()}});
  expect(r).toMatchObject({exitCode: 0, stdout: ''});
  writeCredentialConfig(file, pointAtEmulator(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, emu.url));
  return file;
}

const ref = (tag: string) => `${registry.host}/${emu.project}/img:${tag}`;
const skopeoPush = (sb: ClientSandbox, tag: string) =>
  runIn(sb, 'skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}:${TAG}`, `docker://${ref(tag)}`]);
const skopeoInspect = (sb: ClientSandbox, tag: string) => runIn(sb, 'skopeo', ['inspect', '--tls-verify=false', `docker://${ref(tag)}`]);
const dockerInspect = (sb: ClientSandbox, tag: string) => runIn(sb, 'docker', ['manifest', 'inspect', '--insecure', ref(tag)]);

/**
 * Pushes with skopeo, reads it back with docker and skopeo, and pushes a manifest list with docker (the docker CLI's
 * one push without a daemon): each through the helper alone.
 */
async function pushAndPull(sb: ClientSandbox, tag: string): Promise<void> {
  expect(await skopeoPush(sb, tag)).toMatchObject({exitCode: 0, stderr: ''});
  const pulled = await dockerInspect(sb, tag);
  expect(pulled).toMatchObject({exitCode: 0, stderr: ''});
  expect(JSON.parse(pulled.stdout)).toEqual(image.manifest);
  const inspected = await skopeoInspect(sb, tag);
  expect(inspected).toMatchObject({exitCode: 0, stderr: ''});
  expect((JSON.parse(inspected.stdout) as {Digest: string}).Digest).toBe(image.manifestDigest);
  expect(await runIn(sb, 'docker', ['manifest', 'create', '--insecure', ref(`${tag}-list`), ref(tag)])).toMatchObject({exitCode: 0});
  const listed = await runIn(sb, 'docker', ['manifest', 'push', '--insecure', ref(`${tag}-list`)]);
  expect(listed.exitCode).toBe(0);
  expect(listed.stdout).toMatch(/^sha256:[0-9a-f]{64}$/m);
}

/** The helper's answer for the registry, as docker and skopeo get it. */
async function helperGet(sb: ClientSandbox): Promise<ClientRun> {
  return runIn(sb, helperBin, ['get'], registry.host);
}

suite('docker and skopeo through docker-credential-gcauth as a federated identity', () => {
  beforeAll(async () => {
    work = tmpDir('gcauth-e2e-docker-wif-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    fed = await provisionFederation(emu);
    // The project's gcr.io repository exists, as after its first push: a writer may push to it but not create it.
    emu.state.createRepository({projectId: emu.project, location: 'us', repositoryId: 'gcr.io', format: 'DOCKER', description: '', labels: {}});
    image = writeOciImage(path.join(work, 'layout'), TAG, {'hello.txt': 'pushed by test/e2e/docker-wif\n'});
    const {realm, service, issuer, rootCertBundle} = emu.registry;
    registry = await startRegistry({auth: {realm, service, issuer, rootcertbundle: rootCertBundle}});
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), emu?.close()]);
  });

  test('direct resource access: auth login --cred-file, then push and pull as the principalSet bound on the project', async () => {
    await fed.grant(fed.repositorySet('acme/app'), WRITER);
    const sb = await sandbox();
    const login = await gcauth(sb, ['auth', 'login', `--cred-file=${await credConfig('acme/app')}`]);
    const principal = fed.principal('repo:acme/app:ref:refs/heads/main');
    expect(login.stderr).toContain(`Authenticated with external account credentials for: [${principal}].`);
    expect(login.exitCode).toBe(0);

    const issued = emu.stats().registryTokens.issued;
    await pushAndPull(sb, 'direct');
    expect(emu.stats().registryTokens.issued).toBeGreaterThan(issued);
    // What the helper hands docker is the principal's own STS token.
    const got = await helperGet(sb);
    expect(got.exitCode).toBe(0);
    const {Username, Secret} = JSON.parse(got.stdout) as {Username: string; Secret: string};
    expect(Username).toBe('oauth2accesstoken');
    expect(emu.state.federatedToken(Secret)).toMatchObject({subject: 'repo:acme/app:ref:refs/heads/main'});
  });

  test('impersonation: a principal with no role of its own pushes and pulls as the service account it may impersonate', async () => {
    const {email} = await fed.createServiceAccount('ci-pusher');
    await fed.grant(`serviceAccount:${email}`, WRITER);
    await fed.grant(fed.repositorySet('acme/deployer'), 'roles/iam.workloadIdentityUser', email);

    // The control: the same principal without impersonation may not even pull.
    const own = await sandbox();
    await gcauthOk(own, ['auth', 'login', `--cred-file=${await credConfig('acme/deployer')}`]);
    const refused = await skopeoInspect(own, 'direct');
    expect(refused.exitCode).not.toBe(0);
    // The token server refuses it (Artifact Registry's denial); skopeo 1.9 prints only the status.
    expect(refused.stderr).toContain('Requesting bearer token: invalid status code from registry 403 (Forbidden)');

    const sb = await sandbox();
    const login = await gcauth(sb, ['auth', 'login', `--cred-file=${await credConfig('acme/deployer', email)}`]);
    expect(login.stderr).toContain(`Authenticated with external account credentials for: [${email}].`);
    expect(login.exitCode).toBe(0);
    await pushAndPull(sb, 'impersonated');
    const {Secret} = JSON.parse((await helperGet(sb)).stdout) as {Secret: string};
    expect(emu.state.accessToken(Secret)).toMatchObject({email});
  });

  test('GOOGLE_APPLICATION_CREDENTIALS with docker/token_source=adc: push and pull with no gcauth login', async () => {
    const sb = await sandbox();
    await gcauthOk(sb, ['config', 'set', 'docker/token_source', 'adc']);
    sb.env.GOOGLE_APPLICATION_CREDENTIALS = await credConfig('acme/app');
    expect((await gcauth(sb, ['auth', 'list', '--format=value(account)'])).stdout).toBe('');
    await pushAndPull(sb, 'adc');
    const {Secret} = JSON.parse((await helperGet(sb)).stdout) as {Secret: string};
    expect(emu.state.federatedToken(Secret)).toMatchObject({subject: 'repo:acme/app:ref:refs/heads/main'});
  });

  test('a job of another owner is refused at the STS: gcauth names the reason, stores nothing, and the helper says the same', async () => {
    const sb = await sandbox();
    const file = await credConfig('mallory/app');
    const login = await gcauth(sb, ['auth', 'login', `--cred-file=${file}`]);
    expect(login.exitCode).not.toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/^ERROR: .*\(unauthorized_client: The given credential is rejected by the attribute condition\.\)/);
    expect(login.stderr).toContain(STS_MESSAGES.condition);
    expect(login.stderr.trim().split('\n')).toHaveLength(1);
    expect((await gcauth(sb, ['auth', 'list', '--format=value(account)'])).stdout).toBe('');

    await gcauthOk(sb, ['config', 'set', 'docker/token_source', 'adc']);
    sb.env.GOOGLE_APPLICATION_CREDENTIALS = file;
    const got = await helperGet(sb);
    expect(got.exitCode).toBe(1);
    expect(got.stdout).toContain(STS_MESSAGES.condition);
    const pushed = await skopeoPush(sb, 'mallory');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(STS_MESSAGES.condition);
  });
});
