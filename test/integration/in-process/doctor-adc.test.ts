/**
 * `gcauth doctor IMAGE` checks the identity the Docker helper would use, by the helper's own walk over
 * docker/token_source: an Application Default Credentials file of each type gcauth reads (a user login in gcloud's
 * shape, a service-account key, an impersonated service account), ahead of an active account or with none. The core
 * runs against an in-process emulator; the helper it runs is the built one (npm run compile first).
 */
import {chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import ActivateServiceAccount from '../../../src/commands/auth/activate-service-account.js';
import CreateAccount from '../../../src/commands/iam/service-accounts/create.js';
import CreateKey from '../../../src/commands/iam/service-accounts/keys/create.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {type CheckResult, doctorPassed, runDoctor} from '../../../src/lib/doctor/doctor.js';
import {SCOPES} from '../../../src/lib/messages.js';
import {emulatorEndpoints} from '../../helpers/cli.js';
import {fakeContext} from '../../helpers/context.js';
import {repoRoot, tmpDir} from '../../helpers/emulator.js';
import {setUpFederation} from '../../helpers/federation.js';
import {LOGIN_CLIENT} from '../../helpers/login.js';
import {runCommand} from '../../helpers/run-command.js';

const USER = 'ada@example.com';
let emu: RunningEmulator;
let env: Record<string, string>;
let image: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), users: [USER]});
  emu.state.createRepository({projectId: emu.project, location: 'us', repositoryId: 'images', format: 'DOCKER', description: '', labels: {}});
  image = `us-docker.pkg.dev/${emu.project}/images/app:1`;
  env = {...emulatorEndpoints(emu.url), METADATA_SERVER_DETECTION: 'none'};
});
afterAll(() => emu.close());

interface World {
  configDir: string;
  home: string;
  env: Record<string, string>;
  /** The well-known ADC file under HOME (gcloud's place). */
  adc: string;
}

/** Docker 24 (a fake), the built helper on PATH, credHelpers for us-docker.pkg.dev, a docker-group member; the owner key active unless `activate` is false. */
async function world(activate = true): Promise<World> {
  const root = tmpDir('gcauth-doctor-adc-');
  const configDir = path.join(root, 'gcauth');
  const home = path.join(root, 'home');
  const bin = path.join(root, 'bin');
  mkdirSync(path.join(home, '.docker'), {recursive: true});
  mkdirSync(path.join(home, '.config', 'gcloud'), {recursive: true});
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho 24.0.7\n');
  chmodSync(path.join(bin, 'docker'), 0o755);
  symlinkSync(path.join(repoRoot, 'bin', 'docker-credential-gcauth'), path.join(bin, 'docker-credential-gcauth'));
  writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({credHelpers: {'us-docker.pkg.dev': 'gcauth'}}));
  writeFileSync(path.join(root, 'group'), 'docker:x:998:ana\n');
  const w = {configDir, home, env: {...env, GCAUTH_CONFIG: configDir, HOME: home, PATH: bin}, adc: path.join(home, '.config', 'gcloud', 'application_default_credentials.json')};
  if (activate) expect((await runCommand(ActivateServiceAccount, [`--key-file=${emu.ownerKeyFile}`], {configDir, env: w.env})).code).toBe(0);
  return w;
}

async function doctor(w: World, extra: Record<string, string> = {}): Promise<Record<string, CheckResult> & {all: CheckResult[]}> {
  const {ctx} = await fakeContext({configDir: w.configDir, env: {...w.env, ...extra}});
  const system = {uid: 1000, gids: [998], userName: 'ana', groupFile: path.join(w.configDir, '..', 'group')};
  const results = await runDoctor({target: image, system}, {...ctx, homeDir: w.home});
  return Object.assign(Object.fromEntries(results.map((r) => [r.check, r])), {all: results});
}

/** A service account of the project and a key file of it (made as the owner), with `role` on the images repository. */
async function serviceAccountKey(name: string, role?: string): Promise<{email: string; keyFile: string; keyId: string}> {
  const owner = await world();
  const email = `${name}@${emu.project}.iam.gserviceaccount.com`;
  expect((await runCommand(CreateAccount, [name, '--project', emu.project], {configDir: owner.configDir, env: owner.env})).code).toBe(0);
  const keyFile = path.join(owner.home, `${name}.json`);
  expect((await runCommand(CreateKey, [keyFile, `--iam-account=${email}`], {configDir: owner.configDir, env: owner.env})).code).toBe(0);
  if (role) {
    const repo = emu.state.repository(emu.project, 'us', 'images')!;
    repo.iamPolicy.bindings = [...(repo.iamPolicy.bindings ?? []), {role, members: [`serviceAccount:${email}`]}];
    await emu.state.save();
  }
  return {email, keyFile, keyId: (JSON.parse(readFileSync(keyFile, 'utf8')) as {private_key_id: string}).private_key_id};
}

test("docker/token_source=adc with an active account: the user login in gcloud's ADC file is checked, not the active account", async () => {
  const w = await world();
  // A refresh token of the emulator's OAuth, in the layout gcloud writes (account "", no token_uri).
  const refreshToken = emu.state.issueRefreshToken(USER, LOGIN_CLIENT.id, ['openid', SCOPES.userinfoEmail, SCOPES.cloudPlatform]);
  await emu.state.save();
  const fixture = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'gcloud-adc-authorized-user.json'), 'utf8');
  writeFileSync(w.adc, fixture.replace('REFRESH_TOKEN', refreshToken), {mode: 0o600});
  const r = await doctor(w, {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'});
  expect(r.helper!.status).toBe('ok');
  expect(r.account).toEqual({
    check: 'account',
    status: 'ok',
    message: `the Docker helper uses the Application Default Credentials (docker/token_source=adc), not the active account ${emu.ownerEmail}: [${w.adc}], ${USER} (user login): a token can be had now`,
    fix: null,
  });
  // The user holds no role: asked as the user, with the user's token, the fix binds the user.
  expect(r['registry-pull']).toEqual({
    check: 'registry-pull',
    status: 'fail',
    message: `${USER} may not pull from repository us/images of project ${emu.project}: it lacks artifactregistry.repositories.downloadArtifacts`,
    fix: `gcauth artifacts repositories add-iam-policy-binding images --location=us --project=${emu.project} --member=user:${USER} --role=roles/artifactregistry.reader   (as an account that may set the repository's policy)`,
  });
  expect(r['registry-push']).toMatchObject({status: 'warn', fix: expect.stringContaining(`--member=user:${USER} --role=roles/artifactregistry.writer`)});
  expect(r['key-age']).toMatchObject({status: 'skip', message: `${USER} is a user login, not a key`});
  expect(r['key-policy']!.status).toBe('skip');
  expect(doctorPassed(r.all)).toBe(false);

  // Revoked: the helper's cached token still serves, a fresh one is refused, and the fix is the ADC login.
  emu.state.revokeRefreshToken(refreshToken);
  await emu.state.save();
  const revoked = await doctor(w, {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'});
  expect(revoked.account).toMatchObject({status: 'fail', fix: 'gcauth auth application-default login'});
  expect(revoked.account!.message).toMatch(/^the Docker helper uses the Application Default Credentials \(docker\/token_source=adc\), not the active account .*: \[.*\], a file of type authorized_user: the cached token lasts until \S+Z, but no new token can be had: The token endpoint refused the Application Default Credentials /);
  expect(revoked['registry-pull']!.status).toBe('skip');
});

test('a service-account key as ADC, ahead of the active account, whose role may pull but not push: asked as that key', async () => {
  const {email, keyFile, keyId} = await serviceAccountKey('adc-reader', 'roles/artifactregistry.reader');
  const w = await world();
  const r = await doctor(w, {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc,gcauth', GOOGLE_APPLICATION_CREDENTIALS: keyFile});
  expect(r.account).toMatchObject({
    status: 'ok',
    message: `the Docker helper uses the Application Default Credentials (docker/token_source=adc,gcauth), not the active account ${emu.ownerEmail}: [${keyFile}], ${email} (service-account key): a token can be had now`,
  });
  expect(r['registry-pull']).toMatchObject({status: 'ok', message: `${email} may pull from repository us/images of project ${emu.project}`});
  expect(r['registry-push']).toEqual({
    check: 'registry-push',
    status: 'warn',
    message: `${email} may not push to repository us/images of project ${emu.project}: it lacks artifactregistry.repositories.uploadArtifacts`,
    fix: `gcauth artifacts repositories add-iam-policy-binding images --location=us --project=${emu.project} --member=serviceAccount:${email} --role=roles/artifactregistry.writer   (as an account that may set the repository's policy)`,
  });
  // The key's own age, asked as the key (which may not list its keys): counted from the file, not an activation.
  expect(r['key-age']).toEqual({
    check: 'key-age',
    status: 'ok',
    message: `key ${keyId} of ${email} is 0 days old, counted from when [${keyFile}] was last written because IAM does not let the account list its keys`,
    fix: null,
  });
  expect(r['key-policy']!.message).toContain(emu.project);
});

test('an impersonated_service_account ADC: checked as its target; a source that may not mint its tokens gets the Token Creator grant', async () => {
  const source = await serviceAccountKey('adc-source');
  const target = await serviceAccountKey('adc-target', 'roles/artifactregistry.writer');
  const w = await world();
  const adc = path.join(w.home, 'impersonated.json');
  writeFileSync(
    adc,
    JSON.stringify({
      type: 'impersonated_service_account',
      service_account_impersonation_url: `${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${target.email}:generateAccessToken`,
      source_credentials: JSON.parse(readFileSync(source.keyFile, 'utf8')) as unknown,
      delegates: [],
    }),
    {mode: 0o600},
  );
  const extra = {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: adc};
  const lead = `the Docker helper uses the Application Default Credentials (docker/token_source=adc), not the active account ${emu.ownerEmail}: [${adc}], ${target.email} (impersonated, its source credentials of type service_account)`;
  const refused = await doctor(w, extra);
  expect(refused.account).toMatchObject({
    status: 'fail',
    fix: `gcauth iam service-accounts add-iam-policy-binding ${target.email} --member=serviceAccount:${source.email} --role=roles/iam.serviceAccountTokenCreator   (as an account that may set the service account's policy)`,
  });
  expect(refused.account!.message).toMatch(new RegExp(`^${lead.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no token can be had now: IAM Credentials refused to impersonate`));
  expect(refused['registry-pull']!.status).toBe('skip');

  const sa = emu.state.serviceAccount(target.email)!;
  sa.iamPolicy = {...sa.iamPolicy, bindings: [...(sa.iamPolicy?.bindings ?? []), {role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${source.email}`]}]};
  await emu.state.save();
  const r = await doctor(w, extra);
  expect(r.account).toMatchObject({status: 'ok', message: `${lead}: a token can be had now`});
  expect(r.helper!.status).toBe('ok');
  expect(r['registry-pull']).toMatchObject({status: 'ok', message: `${target.email} may pull from repository us/images of project ${emu.project}`});
  expect(r['registry-push']).toMatchObject({status: 'ok', message: `${target.email} may push to repository us/images of project ${emu.project}`});
  expect(r['key-age']!.status).toBe('skip');
});

test('an impersonated_service_account ADC whose source is an external account: the STS exchange, then IAM Credentials, checked as the target', async () => {
  const fed = await setUpFederation(emu.url, emu.ownerKeyFile);
  const target = await serviceAccountKey('adc-wif-target', 'roles/artifactregistry.writer');
  const sa = emu.state.serviceAccount(target.email)!;
  sa.iamPolicy = {...sa.iamPolicy, bindings: [...(sa.iamPolicy?.bindings ?? []), {role: 'roles/iam.serviceAccountTokenCreator', members: [fed.principal]}]};
  await emu.state.save();
  const w = await world();
  const tokenFile = path.join(w.home, 'oidc.txt');
  writeFileSync(tokenFile, await fed.jobToken());
  const adc = path.join(w.home, 'impersonated-wif.json');
  writeFileSync(
    adc,
    JSON.stringify({
      type: 'impersonated_service_account',
      service_account_impersonation_url: `${emu.url}/iamcredentials/v1/projects/-/serviceAccounts/${target.email}:generateAccessToken`,
      source_credentials: fed.config({credential_source: {file: tokenFile}}),
      delegates: [],
    }),
    {mode: 0o600},
  );
  const r = await doctor(w, {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: adc});
  expect(r.account).toMatchObject({
    status: 'ok',
    message: `the Docker helper uses the Application Default Credentials (docker/token_source=adc), not the active account ${emu.ownerEmail}: [${adc}], ${target.email} (impersonated, its source credentials of type external_account): a token can be had now`,
  });
  expect(r.helper!.status).toBe('ok');
  expect(r['registry-push']).toMatchObject({status: 'ok', message: `${target.email} may push to repository us/images of project ${emu.project}`});
});

test('the default order with no active account and a key as ADC: the key is checked, its age from IAM, its rotation written back to the file', async () => {
  const w = await world(false);
  writeFileSync(w.adc, readFileSync(emu.ownerKeyFile));
  const fresh = await doctor(w);
  expect(fresh.account).toMatchObject({
    status: 'ok',
    message: `no active account; the Docker helper uses the Application Default Credentials (docker/token_source=gcauth,adc,metadata): [${w.adc}], ${emu.ownerEmail} (service-account key): a token can be had now`,
  });
  for (const check of ['helper', 'registry-api', 'registry-pull', 'registry-push', 'key-age', 'key-policy']) expect([check, fresh[check]!.status]).toEqual([check, 'ok']);

  const {private_key_id: keyId} = JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {private_key_id: string};
  const backDate = (validAfterTime: string) => fetch(`${emu.url}/__admin/key-valid-after`, {method: 'POST', body: JSON.stringify({keyId, validAfterTime})});
  expect((await backDate('2021-01-02T03:04:05Z')).status).toBe(200);
  try {
    const old = await doctor(w);
    expect(old['key-age']).toMatchObject({status: 'warn', message: expect.stringMatching(/^key \S+ of .* is \d{4} days old \(created 2021-01-02T03:04:05Z\); /)});
    expect(old['key-age']!.fix).toBe(
      `gcauth iam service-accounts keys create new-key.json --iam-account=${emu.ownerEmail} && mv new-key.json ${w.adc} && gcauth iam service-accounts keys delete ${keyId} --iam-account=${emu.ownerEmail}`,
    );
  } finally {
    await backDate(new Date().toISOString());
  }
});

test('docker/token_source=adc with an active account and no ADC file: the helper finds nothing, and the account row says so as the helper does', async () => {
  const w = await world();
  const r = await doctor(w, {GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'});
  expect(r.account).toEqual({
    check: 'account',
    status: 'fail',
    message:
      'the Docker helper has no credentials (docker/token_source=adc): it tried adc (no GOOGLE_APPLICATION_CREDENTIALS and no ~/.config/gcloud/application_default_credentials.json; ' +
      `run: gcauth auth application-default login); it does not use the active account ${emu.ownerEmail}`,
    fix: 'gcauth auth application-default login',
  });
  expect(r.helper!.status).toBe('fail');
  expect(r['registry-pull']!.status).toBe('skip');
});
