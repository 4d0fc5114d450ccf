/**
 * `gcauth doctor IMAGE` (the built CLI) as a federated CI identity of the emulator's pool: a job of a repository that
 * may pull and push (its principalSet bound on the project), one that may only pull, one the provider's attribute
 * condition refuses, and one that impersonates a service account. Job tokens come from the emulator's CI issuer.
 */
import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, helperBin, runCli} from '../helpers/cli.js';
import {accessTokenFor, admin, callApi, type EmulatorProcess, readKeyFile, startEmulatorProcess, tmpDir} from '../helpers/emulator.js';
import {type Federation, setUpFederation} from '../helpers/federation.js';

let emu: EmulatorProcess;
let fed: Federation;
let pool: string;

/** Adds a binding to the project's policy as its owner. */
async function bind(member: string, role: string): Promise<void> {
  const owner = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  const resource = `/cloudresourcemanager/v1/projects/${emu.project}`;
  const policy = (await callApi(emu.url, owner, 'POST', `${resource}:getIamPolicy`, {})).body as {bindings?: unknown[]};
  const set = await callApi(emu.url, owner, 'POST', `${resource}:setIamPolicy`, {policy: {...policy, bindings: [...(policy.bindings ?? []), {role, members: [member]}]}});
  expect(set.status).toBe(200);
}

beforeAll(async () => {
  emu = await startEmulatorProcess();
  fed = await setUpFederation(emu.url, emu.ownerKeyFile);
  pool = fed.audience.replace(/\/providers\/[^/]+$/, '');
  const owner = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  const created = await callApi(emu.url, owner, 'POST', `/artifactregistry/v1/projects/${emu.project}/locations/us/repositories?repositoryId=images`, {format: 'DOCKER'});
  expect(created.status).toBe(200);
  await bind(`principalSet:${pool}/attribute.repository/octo/app`, 'roles/artifactregistry.writer');
  await bind(`principalSet:${pool}/attribute.repository/octo/reader`, 'roles/artifactregistry.reader');
});
afterAll(() => emu.stop());

interface Row {
  check: string;
  status: string;
  message: string;
  fix: string | null;
}

/** A machine whose Docker sends us-docker.pkg.dev to gcauth, logged in with a job's token of repository in a file. */
async function ciJob(repository: string, options: {lifetimeSeconds?: number; impersonate?: boolean; login?: boolean} = {}) {
  const root = tmpDir('gcauth-doctor-wif-');
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(root, '.docker'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync(helperBin, path.join(bin, 'docker-credential-gcauth'));
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho 27.1.0\n');
  chmodSync(path.join(bin, 'docker'), 0o755);
  writeFileSync(path.join(root, '.docker', 'config.json'), JSON.stringify({credHelpers: {'us-docker.pkg.dev': 'gcauth'}}));
  const job = (await admin(emu.url, 'ci/jobs', {repository, ref: 'refs/heads/main', ...(options.lifetimeSeconds ? {lifetimeSeconds: options.lifetimeSeconds} : {})})) as {requestUrl: string; requestToken: string};
  const res = await fetch(`${job.requestUrl}&audience=${encodeURIComponent(`https:${fed.audience}`)}`, {headers: {Authorization: `Bearer ${job.requestToken}`}});
  const tokenFile = path.join(root, 'oidc.txt');
  writeFileSync(tokenFile, ((await res.json()) as {value: string}).value);
  const configFile = path.join(root, 'wif.json');
  const source = {credential_source: {file: tokenFile}};
  writeFileSync(configFile, JSON.stringify(options.impersonate ? fed.impersonating(source) : fed.config(source), null, 2));
  const env = {
    ...emulatorEnv(emu.url, path.join(root, 'gcauth')),
    METADATA_SERVER_DETECTION: 'none',
    HOME: root,
    PATH: bin,
  };
  const login = options.login === false ? undefined : await runCli(['auth', 'login', `--cred-file=${configFile}`], {env});
  return {env, configFile, tokenFile, login};
}

async function doctor(env: Record<string, string>) {
  const out = await runCli(['doctor', `us-docker.pkg.dev/${emu.project}/images/app:1`, '--format=json'], {env});
  expect(out.stderr).toBe('');
  return {exitCode: out.exitCode, rows: Object.fromEntries((JSON.parse(out.stdout) as Row[]).map((r) => [r.check, r]))};
}

const principalOf = (repository: string) => `principal:${pool}/subject/repo:${repository}:ref:refs/heads/main`;

test('a job that may pull and push: its pool, provider, project number, source and principal named; every federated check ok; key-age not applicable', async () => {
  const job = await ciJob('octo/app', {lifetimeSeconds: 7200});
  expect(job.login!.exitCode).toBe(0);
  const {rows, exitCode} = await doctor(job.env);
  const principal = principalOf('octo/app');
  expect(rows.account).toMatchObject({status: 'ok', message: `${principal} (external account (workload identity pool ci-pool, provider gh-prov, project ${fed.number}, file source)): a token can be had now`});
  expect(rows.federation).toEqual({
    check: 'federation',
    status: 'ok',
    message: `external_account [${job.configFile}]: workload identity pool ci-pool, provider gh-prov of project number ${fed.number}; subject tokens from the file [${job.tokenFile}]; acts as the principal ${principal} (named by the STS's introspection)`,
    fix: null,
  });
  expect(rows.helper!.status).toBe('ok');
  expect(rows['registry-pull']).toMatchObject({status: 'ok', message: `${principal} may pull from repository us/images of project ${emu.project}`});
  expect(rows['registry-push']).toMatchObject({status: 'ok', message: `${principal} may push to repository us/images of project ${emu.project}`});
  expect(rows['token-lifetime']!.status).toBe('ok');
  expect(rows['token-lifetime']!.message).toMatch(/^a token minted now lasts (59|60)m, at least docker\/min_token_lifetime \(30m\); the subject token in the file \[.*\] lasts until \S+Z, past the next exchange \(\S+Z\)$/);
  expect(rows['key-age']).toMatchObject({status: 'skip', message: 'not applicable: an external account (Workload Identity Federation) has no key'});
  expect(exitCode).toBe(rows['docker-group']!.status === 'fail' ? 1 : 0);
  // Neither the job's token nor an access token reaches the report.
  expect(JSON.stringify(rows)).not.toMatch(/eyJ|ya29\./);
});

test('a job that may only pull: push warns with the principalSet binding of its repository; its 5-minute token warns for long pushes', async () => {
  const job = await ciJob('octo/reader');
  expect(job.login!.exitCode).toBe(0);
  const {rows} = await doctor(job.env);
  expect(rows['registry-pull']!.status).toBe('ok');
  expect(rows['registry-push']).toEqual({
    check: 'registry-push',
    status: 'warn',
    message: `${principalOf('octo/reader')} may not push to repository us/images of project ${emu.project}: it lacks artifactregistry.repositories.uploadArtifacts`,
    fix: `gcauth artifacts repositories add-iam-policy-binding images --location=us --project=${emu.project} --member=principalSet:${pool}/attribute.repository/octo/reader --role=roles/artifactregistry.writer   (as an account that may set the repository's policy)`,
  });
  expect(rows['token-lifetime']!.status).toBe('warn');
  expect(rows['token-lifetime']!.message).toMatch(
    /^a token minted now lasts [1-5]m \(bounded by the subject token from the file \[.*oidc\.txt\], whose exp the STS's token does not outlive\), less than docker\/min_token_lifetime \(30m\): /,
  );
  expect(rows['token-lifetime']!.fix).toContain('--service-account=EMAIL');
});

test('a job the attribute condition refuses: the account fails with the STS\'s reason and the command that shows the condition', async () => {
  const conditionFix = `gcauth iam workload-identity-pools providers describe gh-prov --workload-identity-pool=ci-pool --location=global --project=${fed.number} --format="value(attributeCondition)"   (the attribute condition of provider gh-prov refused the token's claims: check it against them)`;
  const refused = '(unauthorized_client: The given credential is rejected by the attribute condition.)';
  // The configuration as the ADC file the helper reads (login refuses it): described, and its exchange tried.
  const job = await ciJob('evil/app');
  expect(job.login!.exitCode).toBe(4);
  const adc = await doctor({...job.env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: job.configFile});
  expect(adc.exitCode).toBe(1);
  expect(adc.rows.account).toMatchObject({status: 'fail', fix: conditionFix});
  expect(adc.rows.account!.message).toMatch(/^no active account; the Docker helper uses the Application Default Credentials \(docker\/token_source=adc\): \[.*wif\.json\], an external account: no token can be had now: /);
  expect(adc.rows.account!.message).toContain(refused);
  expect(adc.rows.federation).toMatchObject({status: 'skip', message: expect.stringContaining('workload identity pool ci-pool, provider gh-prov')});
  expect(adc.rows['registry-pull']!.status).toBe('skip');
  expect(adc.rows['key-age']!.message).toMatch(/^not applicable/);

  // A logged-in job whose token file now holds a token the condition refuses.
  const ok = await ciJob('octo/app', {lifetimeSeconds: 7200});
  const other = (await admin(emu.url, 'ci/jobs', {repository: 'evil/app', ref: 'refs/heads/main'})) as {requestUrl: string; requestToken: string};
  const res = await fetch(`${other.requestUrl}&audience=${encodeURIComponent(`https:${fed.audience}`)}`, {headers: {Authorization: `Bearer ${other.requestToken}`}});
  writeFileSync(ok.tokenFile, ((await res.json()) as {value: string}).value);
  const {rows} = await doctor(ok.env);
  expect(rows.account).toMatchObject({status: 'fail', fix: conditionFix});
  // The login's exchange left a token in the cache: doctor asks the STS for a new one too, which it refuses.
  expect(rows.account!.message).toMatch(/ \(external account \(.*\)\): the cached token lasts until \S+Z, but no new token can be had: The STS at .* refused the subject token of \[principal:\/\/.*\] \(configuration \[.*wif\.json\]\) from the file \[.*oidc\.txt\] /);
  expect(rows.account!.message).toContain(refused);
});

test('impersonating a service account: the account is the service account, its federated principal named; no registry role yet: the binding for the service account', async () => {
  const job = await ciJob('octo/app', {lifetimeSeconds: 7200, impersonate: true});
  expect(job.login!.exitCode).toBe(0);
  const {rows} = await doctor(job.env);
  expect(rows.account).toMatchObject({status: 'ok', message: expect.stringContaining(`${fed.sa} (external account (`)});
  expect(rows.federation!.message).toMatch(new RegExp(`; impersonates ${fed.sa.replace(/\./g, '\\.')}, as the principal ${principalOf('octo/app').replace(/[.:/]/g, '\\$&')} \\(named by the STS's introspection\\)$`));
  expect(rows['registry-pull']).toMatchObject({status: 'fail', fix: expect.stringContaining(`--member=serviceAccount:${fed.sa} --role=roles/artifactregistry.reader`)});
  expect(rows['token-lifetime']!.status).toBe('ok');
});

test("the ADC's external account (no active account, the helper's adc source): registry-api, pull and push asked as it, as for the same identity logged in", async () => {
  const job = await ciJob('octo/app', {lifetimeSeconds: 7200, login: false});
  const adcEnv = {...job.env, GOOGLE_APPLICATION_CREDENTIALS: job.configFile};
  const adc = await doctor(adcEnv);
  const principal = principalOf('octo/app');
  expect(adc.rows.account).toMatchObject({status: 'ok', message: expect.stringMatching(/^no active account; the Docker helper uses the Application Default Credentials \(docker\/token_source=[^)]*\): \[.*wif\.json\], an external account: a token can be had now$/)});
  expect(adc.rows['registry-pull']).toMatchObject({status: 'ok', message: `${principal} may pull from repository us/images of project ${emu.project}`});
  expect(adc.rows['registry-push']).toMatchObject({status: 'ok', message: `${principal} may push to repository us/images of project ${emu.project}`});
  expect(adc.rows['registry-api']!.status).not.toBe('skip');

  // The same identity logged in gets the same three rows.
  expect((await runCli(['auth', 'login', `--cred-file=${job.configFile}`], {env: job.env})).exitCode).toBe(0);
  const {rows} = await doctor(job.env);
  for (const check of ['registry-api', 'registry-pull', 'registry-push']) expect(adc.rows[check]).toEqual(rows[check]);
});

test("an ADC external account that impersonates (docker/token_source=adc): asked as the service account, whose missing role is the fix", async () => {
  const job = await ciJob('octo/app', {lifetimeSeconds: 7200, impersonate: true, login: false});
  const {rows} = await doctor({...job.env, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc', GOOGLE_APPLICATION_CREDENTIALS: job.configFile});
  expect(rows.account!.status).toBe('ok');
  expect(rows['registry-pull']).toEqual({
    check: 'registry-pull',
    status: 'fail',
    message: `${fed.sa} may not pull from repository us/images of project ${emu.project}: it lacks artifactregistry.repositories.downloadArtifacts`,
    fix: `gcauth artifacts repositories add-iam-policy-binding images --location=us --project=${emu.project} --member=serviceAccount:${fed.sa} --role=roles/artifactregistry.reader   (as an account that may set the repository's policy)`,
  });
  expect(rows['registry-push']!.status).toBe('warn');
});
