import {chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import ActivateServiceAccount from '../../../src/commands/auth/activate-service-account.js';
import CreateAccount from '../../../src/commands/iam/service-accounts/create.js';
import CreateKey from '../../../src/commands/iam/service-accounts/keys/create.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {createContext} from '../../../src/lib/context.js';
import {type CheckResult, type DoctorSystem, doctorPassed, doctorSystem, renderDoctorReport, runDoctor} from '../../../src/lib/doctor/doctor.js';
import {checkHelperFastPath} from '../../../src/lib/doctor/helper.js';
import {emulatorEndpoints} from '../../helpers/cli.js';
import {fakeContext} from '../../helpers/context.js';
import {HEALTHY_VERDICTS} from '../../helpers/doctor.js';
import {repoRoot, tmpDir} from '../../helpers/emulator.js';
import {runCommand} from '../../helpers/run-command.js';

// The doctor core against an in-process emulator, each world built to fail one check. The helper it runs is
// the built one (npm run compile first), through a PATH of one temp bin dir holding it, node and a fake docker
// (node's own directory holds a real docker here).

let emu: RunningEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  // The Artifact Registry repository the image tests name; gcr.io's repositories are made by their first push.
  emu.state.createRepository({projectId: emu.project, location: 'us', repositoryId: 'images', format: 'DOCKER', description: '', labels: {}});
  env = {...emulatorEndpoints(emu.url), METADATA_SERVER_DETECTION: 'none'};
});
afterAll(() => emu.close());

interface World {
  configDir: string;
  home: string;
  bin: string;
  env: Record<string, string>;
  system: DoctorSystem;
}

const GOOD_CONFIG = {auths: {}, credHelpers: {'gcr.io': 'gcauth', 'us-docker.pkg.dev': 'gcauth'}};

/** A world where every check passes: docker 24 (a fake), the helper on PATH, credHelpers, a docker-group member, the owner key active. */
async function world(options: {dockerVersion?: string | null; helper?: boolean; dockerConfig?: unknown; groupFile?: string; gids?: number[]; activate?: string | null} = {}): Promise<World> {
  const root = tmpDir('gcauth-doctor-');
  const configDir = path.join(root, 'gcauth');
  const home = path.join(root, 'home');
  const bin = path.join(root, 'bin');
  mkdirSync(path.join(home, '.docker'), {recursive: true});
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  if (options.dockerVersion !== null) {
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho ${options.dockerVersion ?? '24.0.7'}\n`);
    chmodSync(path.join(bin, 'docker'), 0o755);
  }
  if (options.helper !== false) symlinkSync(path.join(repoRoot, 'bin', 'docker-credential-gcauth'), path.join(bin, 'docker-credential-gcauth'));
  writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify(options.dockerConfig ?? GOOD_CONFIG, null, '\t'));
  const groupFile = path.join(root, 'group');
  writeFileSync(groupFile, options.groupFile ?? 'root:x:0:\ndocker:x:998:ana\nana:x:1000:\n');
  const w: World = {
    configDir,
    home,
    bin,
    env: {...env, GCAUTH_CONFIG: configDir, HOME: home, PATH: bin},
    system: {uid: 1000, gids: options.gids ?? [1000, 998], userName: 'ana', groupFile},
  };
  if (options.activate !== null) {
    const activated = await runCommand(ActivateServiceAccount, [`--key-file=${options.activate ?? emu.ownerKeyFile}`], {configDir, env: w.env});
    expect(activated.code).toBe(0);
  }
  return w;
}

async function doctor(w: World, target?: string): Promise<Record<string, CheckResult> & {all: CheckResult[]}> {
  const {ctx} = await fakeContext({configDir: w.configDir, env: w.env});
  const results = await runDoctor({target, system: w.system}, {...ctx, homeDir: w.home});
  return Object.assign(Object.fromEntries(results.map((r) => [r.check, r])), {all: results});
}

const statusOf = (r: {all: CheckResult[]}) => Object.fromEntries(r.all.map((c) => [c.check, c.status]));

test('everything passes: gcr.io image, owner key, helper answering with a token', async () => {
  const w = await world();
  const r = await doctor(w, `gcr.io/${emu.project}/app:1.0`);
  expect(statusOf(r)).toEqual(HEALTHY_VERDICTS);
  expect(r['docker-cli']!.message).toBe('docker 24.0.7');
  expect(r.helper!.message).toMatch(/answers gcr\.io with a token \(username oauth2accesstoken\)$/);
  expect(r['key-age']!.message).toMatch(/is 0 days old \(created \d{4}-/);
  expect(r.all.every((c) => c.fix === null)).toBe(true);
  expect(doctorPassed(r.all)).toBe(true);
  expect(JSON.stringify(r.all)).not.toMatch(/ya29\./);
});

test('an Artifact Registry image is checked on its repository through the Artifact Registry API', async () => {
  const w = await world();
  const before = emu.stats().byRoute;
  const r = await doctor(w, `us-docker.pkg.dev/${emu.project}/images/app@sha256:abc`);
  expect(r['registry-pull']).toMatchObject({status: 'ok', message: expect.stringContaining(`repository us/images of project ${emu.project}`)});
  expect(r['registry-push']!.status).toBe('ok');
  const route = 'POST /artifactregistry/v1/projects/{project}/locations/{location}/repositories/{repository}:testIamPermissions';
  expect(emu.stats().byRoute[route]).toBe((before[route] ?? 0) + 1);
});

test('an account without registry roles: pull fails and push warns, each with the binding that fixes it', async () => {
  const w = await world();
  expect((await runCommand(CreateAccount, ['bare-account', '--project', emu.project], {configDir: w.configDir, env: w.env})).code).toBe(0);
  const email = `bare-account@${emu.project}.iam.gserviceaccount.com`;
  const keyFile = path.join(w.home, 'bare.json');
  expect((await runCommand(CreateKey, [keyFile, `--iam-account=${email}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  expect((await runCommand(ActivateServiceAccount, [`--key-file=${keyFile}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  for (const image of [`us-docker.pkg.dev/${emu.project}/images/app`]) {
    const r = await doctor(w, image);
    // Least privilege: the fix grants on the image's repository, not on the project.
    expect(r['registry-pull']).toMatchObject({
      status: 'fail',
      fix: `gcauth artifacts repositories add-iam-policy-binding images --location=us --project=${emu.project} --member=serviceAccount:${email} --role=roles/artifactregistry.reader   (as an account that may set the repository's policy)`,
    });
    expect(r['registry-pull']!.message).toContain('artifactregistry.repositories.downloadArtifacts');
    expect(r['registry-push']).toMatchObject({status: 'warn', fix: expect.stringContaining('gcauth artifacts repositories add-iam-policy-binding images --location=us')});
    expect(r['registry-push']!.fix).toContain('--role=roles/artifactregistry.writer');
    expect(r.account!.status).toBe('ok');
    // The key's own account may not list its keys: the age comes from when it was activated here, and says so in one sentence.
    const keyId = (JSON.parse(readFileSync(keyFile, 'utf8')) as {private_key_id: string}).private_key_id;
    expect(renderDoctorReport([r['key-age']!])).toBe(
      `ok    key-age: key ${keyId} of ${email} is 0 days old, counted from when it was activated here because IAM does not let the account list its keys\n`,
    );
    expect(doctorPassed(r.all)).toBe(false);
  }
  // gcr.io/P is the project's repository gcr.io in us; one the account cannot see is taken to exist, and granted on.
  const gcr = await doctor(w, `gcr.io/${emu.project}/app`);
  expect(gcr['registry-pull']!.fix).toBe(
    `gcauth artifacts repositories add-iam-policy-binding gcr.io --location=us --project=${emu.project} --member=serviceAccount:${email} --role=roles/artifactregistry.reader   (as an account that may set the repository's policy)`,
  );
  // Once it may see that gcr.io's repository does not exist yet, the push needs createOnPush, which only the project can grant.
  const policy = emu.state.findProject(emu.project)!.iamPolicy;
  policy.bindings = [...(policy.bindings ?? []), {role: 'roles/artifactregistry.reader', members: [`serviceAccount:${email}`]}];
  await emu.state.save();
  const reader = await doctor(w, `gcr.io/${emu.project}/app`);
  expect(reader['registry-pull']).toMatchObject({status: 'ok'});
  expect(reader['registry-push']).toMatchObject({
    status: 'warn',
    message: `${email} may not push to repository us/gcr.io of project ${emu.project}: it does not exist yet, and creating it on the first push needs artifactregistry.repositories.createOnPush on the project`,
    fix: `gcauth projects add-iam-policy-binding ${emu.project} --member=serviceAccount:${email} --role=roles/artifactregistry.createOnPushWriter   (as an account that may set the project's policy)`,
  });
  // An Artifact Registry repository that does not exist is named, with the command that makes it.
  const missing = await doctor(w, `europe-docker.pkg.dev/${emu.project}/repo/app`);
  expect(missing['registry-pull']).toMatchObject({
    status: 'fail',
    message: `repository europe/repo of project ${emu.project} does not exist`,
    fix: `gcauth artifacts repositories create repo --repository-format=docker --location=europe --project=${emu.project}`,
  });
});

test('a writer on one repository only: that repository passes, another repository of the project fails with its own grant', async () => {
  const w = await world();
  emu.state.createRepository({projectId: emu.project, location: 'us', repositoryId: 'other', format: 'DOCKER', description: '', labels: {}});
  expect((await runCommand(CreateAccount, ['one-repo', '--project', emu.project], {configDir: w.configDir, env: w.env})).code).toBe(0);
  const email = `one-repo@${emu.project}.iam.gserviceaccount.com`;
  const repo = emu.state.repository(emu.project, 'us', 'images')!;
  repo.iamPolicy.bindings = [...(repo.iamPolicy.bindings ?? []), {role: 'roles/artifactregistry.writer', members: [`serviceAccount:${email}`]}];
  await emu.state.save();
  const keyFile = path.join(w.home, 'one-repo.json');
  expect((await runCommand(CreateKey, [keyFile, `--iam-account=${email}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  expect((await runCommand(ActivateServiceAccount, [`--key-file=${keyFile}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  const mine = await doctor(w, `us-docker.pkg.dev/${emu.project}/images/app`);
  expect(mine['registry-pull']).toMatchObject({status: 'ok', message: `${email} may pull from repository us/images of project ${emu.project}`});
  expect(mine['registry-push']).toMatchObject({status: 'ok', message: `${email} may push to repository us/images of project ${emu.project}`});
  const other = await doctor(w, `us-docker.pkg.dev/${emu.project}/other/app`);
  expect(other['registry-push']).toMatchObject({status: 'warn', fix: expect.stringContaining(`add-iam-policy-binding other --location=us --project=${emu.project} --member=serviceAccount:${email} --role=roles/artifactregistry.writer`)});
});

test('a project that has not enabled the registry API fails registry-api with the command that enables it', async () => {
  const w = await world();
  emu.state.setServicesEnabled(emu.project, ['artifactregistry.googleapis.com'], false);
  try {
    const r = await doctor(w, `europe-docker.pkg.dev/${emu.project}/repo/app`);
    expect(r['registry-api']).toEqual({
      check: 'registry-api',
      status: 'fail',
      message: `Artifact Registry API (artifactregistry.googleapis.com) is not enabled on project ${emu.project}: the registry refuses every pull and push of its images`,
      fix: `gcauth services enable artifactregistry.googleapis.com --project=${emu.project}`,
    });
    expect(r['registry-pull']).toMatchObject({status: 'skip', message: `artifactregistry.googleapis.com is not enabled on project ${emu.project} (see registry-api)`});
    expect(doctorPassed(r.all)).toBe(false);
  } finally {
    emu.state.setServicesEnabled(emu.project, ['artifactregistry.googleapis.com'], true);
  }
  expect((await doctor(w, `gcr.io/${emu.project}/app`))['registry-api']).toMatchObject({status: 'ok'});
});

test('a key account on a project whose policy forbids key creation warns, with upload and the keyless ways; with upload forbidden too, the keyless ways', async () => {
  const w = await world();
  emu.state.setConstraintEnforced(emu.project, 'iam.disableServiceAccountKeyCreation', true);
  try {
    const r = await doctor(w, `gcr.io/${emu.project}/app`);
    expect(r['key-policy']).toMatchObject({
      status: 'warn',
      message:
        `constraints/iam.disableServiceAccountKeyCreation is enforced on project ${emu.project}: Google can make no new key to replace this one when it must be rotated; ` +
        'one you make can still be uploaded (constraints/iam.disableServiceAccountKeyUpload is not enforced)',
    });
    expect(r['key-policy']!.fix).toMatch(new RegExp(`^upload the public half of a key pair you make \\(gcauth iam service-accounts keys upload public_key\\.pem --iam-account=${emu.ownerEmail}\\), or act as `));
    expect(r['key-policy']!.fix).toContain(`--impersonate-service-account=${emu.ownerEmail}`);
    expect(r['key-policy']!.fix).toContain('gcauth iam workload-identity-pools create-cred-config');
    expect(doctorPassed(r.all)).toBe(true);

    emu.state.setConstraintEnforced(emu.project, 'iam.disableServiceAccountKeyUpload', true);
    const both = (await doctor(w, `gcr.io/${emu.project}/app`))['key-policy']!;
    expect(both).toMatchObject({
      status: 'warn',
      message: `constraints/iam.disableServiceAccountKeyCreation and constraints/iam.disableServiceAccountKeyUpload are enforced on project ${emu.project}: no new key can replace this one when it must be rotated`,
    });
    expect(both.fix).toMatch(new RegExp(`^act as ${emu.ownerEmail} without a key: impersonate it`));
  } finally {
    emu.state.setConstraintEnforced(emu.project, 'iam.disableServiceAccountKeyCreation', false);
    emu.state.setConstraintEnforced(emu.project, 'iam.disableServiceAccountKeyUpload', false);
  }
});

test('a project that does not exist fails the pull check with a fix naming the project', async () => {
  const w = await world();
  const r = await doctor(w, 'gcr.io/no-such-project/app');
  expect(r['registry-pull']).toMatchObject({status: 'fail', message: expect.stringContaining('cannot see project no-such-project')});
  expect(r['registry-push']!.status).toBe('skip');
});

test('an old key warns with the rotate commands', async () => {
  const w = await world();
  const key = JSON.parse((await import('node:fs')).readFileSync(emu.ownerKeyFile, 'utf8')) as {private_key_id: string; client_email: string};
  const res = await fetch(`${emu.url}/__admin/key-valid-after`, {method: 'POST', body: JSON.stringify({keyId: key.private_key_id, validAfterTime: '2021-01-02T03:04:05Z'})});
  expect(res.status).toBe(200);
  try {
    const r = await doctor(w);
    expect(r['key-age']).toMatchObject({status: 'warn', message: expect.stringMatching(/is \d{4} days old \(created 2021-01-02T03:04:05Z\); Google's recommender flags keys older than 90 days$/)});
    expect(r['key-age']!.fix).toBe(
      `gcauth iam service-accounts keys create new-key.json --iam-account=${key.client_email} && gcauth auth activate-service-account --key-file=new-key.json && gcauth iam service-accounts keys delete ${key.private_key_id} --iam-account=${key.client_email}`,
    );
    expect(doctorPassed(r.all)).toBe(true);
  } finally {
    await fetch(`${emu.url}/__admin/key-valid-after`, {method: 'POST', body: JSON.stringify({keyId: key.private_key_id, validAfterTime: new Date().toISOString()})});
  }
});

test('a revoked (deleted) key fails the account check with the activate command, and the API checks are skipped', async () => {
  const w = await world();
  const email = `gone-account@${emu.project}.iam.gserviceaccount.com`;
  expect((await runCommand(CreateAccount, ['gone-account', '--project', emu.project], {configDir: w.configDir, env: w.env})).code).toBe(0);
  const keyFile = path.join(w.home, 'gone.json');
  expect((await runCommand(CreateKey, [keyFile, `--iam-account=${email}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  expect((await runCommand(ActivateServiceAccount, [`--key-file=${keyFile}`], {configDir: w.configDir, env: w.env})).code).toBe(0);
  emu.state.deleteServiceAccount(email);
  await emu.state.save();
  const r = await doctor(w, `gcr.io/${emu.project}/app`);
  expect(r.account).toMatchObject({status: 'fail', fix: expect.stringMatching(new RegExp(`^gcauth auth activate-service-account ${email} --key-file=NEW_KEY\\.json`))});
  // activate-service-account cached a token, which still serves the helper: only a fresh mint shows the refusal.
  expect(r.account!.message).toMatch(/the cached token lasts until .*, but no new token can be had: The token endpoint refused key/);
  expect(r['registry-pull']!.status).toBe('skip');
  expect(doctorPassed(r.all)).toBe(false);
});

test('no active account: the account check and the helper fail, saying how to get one', async () => {
  const w = await world({activate: null});
  const r = await doctor(w);
  expect(r.account).toMatchObject({status: 'fail', message: 'no active account'});
  expect(r.helper).toMatchObject({status: 'fail', message: expect.stringContaining('has no credentials for gcr.io: it tried gcauth (no active account; run: gcauth auth login, or gcauth auth activate-service-account --key-file=FILE), adc (')});
  expect(r['key-age']!.status).toBe('skip');
  // The doctor words the same walk as the helper's stderr line, from the structure, not by rewriting that line.
  const {execa} = await import('execa');
  const helper = await execa(path.join(w.bin, 'docker-credential-gcauth'), ['get'], {input: 'gcr.io', env: w.env, extendEnv: false, reject: false});
  const tried = /Tried (.+)$/.exec(helper.stderr.trim())?.[1];
  expect(tried).toMatch(/^gcauth \(no active account; /);
  expect(r.helper!.message).toMatch(/^docker-credential-gcauth \S+ .*has no credentials for gcr\.io: it tried /);
  expect(r.helper!.message.endsWith(`has no credentials for gcr.io: it tried ${tried}`)).toBe(true);
});

test("without a system given, the group check reads the context's user (createContext is what reads the process)", async () => {
  const configDir = tmpDir();
  const ctxAs = (user: {uid?: number; gids: number[]; name: string}) =>
    createContext({}, {env: {GCAUTH_CONFIG: configDir, PATH: ''}, homeDir: configDir, platform: 'linux', user, sysRoot: configDir, macAddresses: () => [], io: {stdout: {write: () => true}, stderr: {write: () => true}, stdin: process.stdin, interactive: false}});
  expect(doctorSystem(await ctxAs({uid: 4242, gids: [7], name: 'ghost'}))).toMatchObject({uid: 4242, gids: [7], userName: 'ghost', groupFile: '/etc/group'});
  const group = (results: CheckResult[]) => results.find((r) => r.check === 'docker-group')!;
  expect(group(await runDoctor({}, await ctxAs({uid: 0, gids: [], name: 'root'})))).toMatchObject({status: 'ok', message: 'running as root, which needs no group'});
  // Whatever this machine's /etc/group holds, a user in no group is told to join docker by name.
  expect(group(await runDoctor({}, await ctxAs({uid: 4242, gids: [], name: 'ghost'}))).fix).toMatch(/sudo usermod -aG docker ghost /);
});

test('no helper on PATH, and no docker', async () => {
  const w = await world({helper: false, dockerVersion: null});
  const r = await doctor(w);
  expect(r.helper).toMatchObject({status: 'fail', message: 'docker-credential-gcauth is not on PATH, so Docker cannot run it'});
  expect(r.helper!.fix).toBe(`export PATH="${path.join(repoRoot, 'bin')}:$PATH"   (in your shell profile)`);
  expect(r['docker-cli']).toMatchObject({status: 'fail', message: 'docker was not found on PATH'});
});

test('the fast path: a Node-only helper on PATH, no rendered answer, a host the answer does not cover, an expired answer', async () => {
  const nodeOnly = await world({helper: false});
  symlinkSync(path.join(repoRoot, 'bin', 'docker-credential-gcauth.cjs'), path.join(nodeOnly.bin, 'docker-credential-gcauth'));
  const slow = await doctor(nodeOnly);
  expect(slow.helper!.status).toBe('ok');
  expect(slow['helper-fast-path']).toMatchObject({status: 'warn', message: expect.stringMatching(/ is not the sh fast path, so every get starts Node$/)});
  expect(slow['helper-fast-path']!.fix).toBe(`export PATH="${path.join(repoRoot, 'bin')}:$PATH"   (this installation's docker-credential-gcauth is the sh program)`);

  // Switched off, the sh always runs Node, which renders nothing.
  const off = await world();
  off.env.GCAUTH_HELPER_NO_FAST = '1';
  const unrendered = await doctor(off);
  expect(unrendered.helper!.status).toBe('ok');
  expect(unrendered['helper-fast-path']).toMatchObject({status: 'warn', message: expect.stringContaining('no answer is rendered for it')});

  // After a get for gcr.io rendered an answer: a host it does not cover, then the same answer expired.
  const w = await world();
  expect((await doctor(w, 'gcr.io/p/app'))['helper-fast-path']!.status).toBe('ok');
  const {ctx} = await fakeContext({configDir: w.configDir, env: w.env});
  expect(await checkHelperFastPath(ctx, 'registry.example.com')).toMatchObject({status: 'warn', message: "the fast path's answer does not cover registry.example.com: Node answers it"});
  const answerFile = path.join(w.configDir, 'docker-helper-answer');
  const lines = readFileSync(answerFile, 'utf8').split('\n');
  lines[2] = String(Math.floor(Date.now() / 1000) - 1);
  writeFileSync(answerFile, lines.join('\n'), {mode: 0o600});
  expect(await checkHelperFastPath(ctx, 'gcr.io')).toMatchObject({status: 'warn', message: expect.stringContaining('answer has expired')});
});

test('a docker older than 18.03 fails', async () => {
  const r = await doctor(await world({dockerVersion: '17.12.1-ce'}));
  expect(r['docker-cli']).toMatchObject({status: 'fail', message: 'docker 17.12.1-ce is older than 18.03, which credential helpers need'});
});

test('a user not in the docker group (a fake group file) fails with usermod', async () => {
  const r = await doctor(await world({groupFile: 'docker:x:998:bob\nana:x:1000:\n', gids: [1000]}));
  expect(r['docker-group']!.status).toBe('fail');
  expect(r['docker-group']!.message).toMatch(/^ana is not in the docker group \(gid 998 in .*\), so the docker CLI cannot reach the daemon$/);
  expect(r['docker-group']!.fix).toBe('sudo usermod -aG docker ana   (then log out and in, or run: newgrp docker)');
});

test('a shadowed auths secret warns; an auths secret that answers fails, with configure-docker and docker logout', async () => {
  const secret = {auth: Buffer.from('oauth2accesstoken:ya29.old').toString('base64')};
  const hidden = await doctor(await world({dockerConfig: {auths: {'https://gcr.io': secret}, credHelpers: {'gcr.io': 'gcauth'}}}));
  expect(hidden['docker-config']!.status).toBe('ok');
  expect(hidden['docker-auths']).toMatchObject({status: 'warn', fix: 'docker logout gcr.io'});

  const answering = await doctor(await world({dockerConfig: {auths: {'gcr.io': secret}}}));
  expect(answering['docker-config']).toMatchObject({status: 'fail', fix: 'gcauth auth configure-docker gcr.io'});
  expect(answering['docker-config']!.message).toContain('its "auths" entry');
  expect(answering['docker-auths']).toMatchObject({status: 'fail', fix: 'gcauth auth configure-docker gcr.io && docker logout gcr.io'});
  expect(JSON.stringify(answering.all)).not.toContain('ya29.old');

  const other = await doctor(await world({dockerConfig: {credHelpers: {'gcr.io': 'gcloud'}}}));
  expect(other['docker-config']).toMatchObject({status: 'fail', fix: 'gcauth auth configure-docker gcr.io --overwrite'});
});

describe('on an emulated VM: no key, the metadata server', () => {
  /** A world with no account, its metadata server the emulator's, the VM's scopes as given. */
  async function vmWorld(scopes: string[]): Promise<World> {
    await emu.metadata.configure({serviceAccount: 'default', scopes});
    const w = await world({activate: null});
    const {METADATA_SERVER_DETECTION: _none, ...rest} = w.env;
    return {...w, env: {...rest, GCE_METADATA_HOST: new URL(emu.url).host}};
  }
  afterAll(() => emu.metadata.configure({scopes: ['cloud-platform']}));

  test('the VM\'s default scopes: the account is the VM\'s, read-only scopes warn with the command that widens them', async () => {
    const w = await vmWorld(['devstorage.read_only', 'logging.write', 'monitoring.write']);
    const r = await doctor(w, `gcr.io/${emu.project}/app:1.0`);
    const vm = emu.metadata.view().serviceAccount!;
    expect(r.account).toMatchObject({status: 'ok', message: `${vm} (the VM's service account, from the metadata server): a token can be had now`});
    expect(r.helper!.status).toBe('ok');
    expect(r['vm-scopes']).toMatchObject({status: 'warn', message: expect.stringContaining('read-only for registries (devstorage.read_only, logging.write, monitoring.write): pulls work, pushes are refused')});
    expect(r['vm-scopes']!.fix).toContain(`gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=${vm} --scopes=cloud-platform`);
    // Without cloud-platform the token may not call Resource Manager, so which roles the VM holds cannot be asked.
    expect(r['registry-pull']).toMatchObject({status: 'skip', message: `the token's scopes do not let it ask Google which permissions ${vm} holds (see vm-scopes)`});
    expect(r['key-age']!.status).toBe('skip');
    expect(doctorPassed(r.all)).toBe(true);
  });

  test('cloud-platform is ok; no storage scope at all fails', async () => {
    const wide = await doctor(await vmWorld(['cloud-platform']), `gcr.io/${emu.project}/app:1.0`);
    expect(wide['vm-scopes']).toMatchObject({status: 'ok', message: "the VM's scopes let its token pull and push (cloud-platform)"});
    expect(wide['registry-push']).toMatchObject({status: 'ok', message: `${emu.metadata.view().serviceAccount} may push to repository us/gcr.io of project ${emu.project}; its first push creates the repository`});
    const none = await doctor(await vmWorld(['userinfo.email']));
    expect(none['vm-scopes']).toMatchObject({status: 'fail', message: "the VM's scopes include no storage or cloud-platform scope (userinfo.email): registries refuse its token"});
    expect(doctorPassed(none.all)).toBe(false);
  });

  test('off a VM with an ADC file and no account: the file is what the helper uses, so a file it cannot use fails with the helper\'s error', async () => {
    const w = await world({activate: null});
    const adc = path.join(w.home, 'adc.json');
    writeFileSync(adc, '{"type": "service_account"}');
    const r = await doctor({...w, env: {...w.env, GOOGLE_APPLICATION_CREDENTIALS: adc}});
    expect(r.account).toMatchObject({
      status: 'fail',
      message: `no active account; the Docker helper uses the Application Default Credentials (docker/token_source=gcauth,adc,metadata): [${adc}], a file of type service_account: no token can be had now: Cannot use the Application Default Credentials in [${adc}]: The incoming JSON object does not contain a client_email field`,
      fix: 'gcauth auth application-default login',
    });
    expect(r.helper).toMatchObject({status: 'fail', message: expect.stringContaining('does not contain a client_email field')});
    expect(r['vm-scopes']!.status).toBe('skip');
  });
});

test('a config dir other users may write: a warning naming why, with the fix; a sticky one owned by root is fine', async () => {
  const w = await world();
  // The context is built first: outside doctor (whose command tolerates the dir), createContext refuses it.
  const {ctx} = await fakeContext({configDir: w.configDir, env: w.env});
  const configDir = async () => (await runDoctor({system: w.system}, {...ctx, homeDir: w.home})).find((c) => c.check === 'config-dir');
  chmodSync(w.configDir, 0o777);
  expect(await configDir()).toEqual({
    check: 'config-dir',
    status: 'warn',
    message: `${w.configDir}: other users can write to it (mode 0777), so gcauth and its helper refuse to read credentials, settings or answers there`,
    fix: `chmod 700 ${w.configDir}`,
  });
  chmodSync(w.configDir, 0o1777);
  expect((await configDir())!.status).toBe(process.getuid?.() === 0 ? 'ok' : 'warn');
});
