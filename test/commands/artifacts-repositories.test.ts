/**
 * The `artifacts repositories` cores on a fake context whose Artifact Registry client is the real one over a recording
 * session: what each command sends (method, path, body), what it prints, and that bad input sends nothing. The same
 * commands against the emulator: test/integration/artifacts-repositories.test.ts.
 */
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {artifactsRepositoriesAddIamPolicyBindingSpec as addSpec} from '../../src/lib/specs/artifacts/repositories/add-iam-policy-binding.js';
import {spec as createSpec} from '../../src/commands/artifacts/repositories/create.js';
import {spec as deleteSpec} from '../../src/commands/artifacts/repositories/delete.js';
import {spec as describeSpec} from '../../src/commands/artifacts/repositories/describe.js';
import {artifactsRepositoriesGetIamPolicySpec as getSpec} from '../../src/lib/specs/artifacts/repositories/get-iam-policy.js';
import {spec as listSpec} from '../../src/commands/artifacts/repositories/list.js';
import {artifactsRepositoriesRemoveIamPolicyBindingSpec as removeSpec} from '../../src/lib/specs/artifacts/repositories/remove-iam-policy-binding.js';
import {artifactsRepositoriesSetIamPolicySpec as setSpec} from '../../src/lib/specs/artifacts/repositories/set-iam-policy.js';
import {setProperty} from '../../src/commands/config/set.js';
import {ArtifactRegistryApi} from '../../src/lib/api/artifact-registry.js';
import type {RequestAuth} from '../../src/lib/api/session.js';
import {renderSpecResult} from '../../src/lib/cli/command-spec.js';
import {UsageError} from '../../src/lib/errors.js';
import {parseFormat} from '../../src/lib/output/format.js';
import {fakeContext} from '../helpers/context.js';

const ROOT = 'https://artifactregistry.test/';
const REPO = 'projects/demo-project/locations/us/repositories/images';
const PUSHER = 'serviceAccount:ci-pusher@demo-project.iam.gserviceaccount.com';

interface Sent {
  method: string;
  path: string;
  data?: unknown;
}

/** A fake context whose Artifact Registry session answers from `answer` and records every request. */
async function setup(answer: (sent: Sent, index: number) => unknown, options: {quiet?: boolean; env?: Record<string, string>; configDir?: string} = {}) {
  const sent: Sent[] = [];
  const auth: RequestAuth = {
    async request<T>(o: {url?: unknown; method?: string; data?: unknown}) {
      const request: Sent = {method: o.method ?? 'GET', path: String(o.url).slice(`${ROOT}v1/`.length), ...(o.data === undefined ? {} : {data: o.data})};
      sent.push(request);
      const data = answer(request, sent.length - 1);
      if (data instanceof Error) throw data;
      return {data} as never as {data: T};
    },
  } as RequestAuth;
  const fake = await fakeContext({
    env: {GCAUTH_CORE_PROJECT: 'demo-project', GCAUTH_CORE_ACCOUNT: 'owner@demo-project.iam.gserviceaccount.com', ...options.env},
    flags: options.quiet ? {quiet: true} : {},
    configDir: options.configDir,
  });
  const api = new ArtifactRegistryApi(ROOT, auth, 'owner@demo-project.iam.gserviceaccount.com');
  fake.ctx.api = {...fake.ctx.api, artifactRegistry: async () => api};
  return {...fake, sent};
}

/** What a Google API failure looks like to the session (gaxios' error shape). */
const googleError = (code: number, status: string, message: string) =>
  Object.assign(new Error(message), {response: {status: code, data: {error: {code, status, message}}}});

/** Runs a spec as every entry point does: options from the parsed line, then the core. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function run(spec: {options: (i: never) => unknown; run: (o: never, c: never) => Promise<unknown>}, args: Record<string, string>, flags: Record<string, unknown>, ctx: unknown): Promise<any> {
  const options = (spec.options as (i: unknown) => unknown)({args, flags, argv: Object.values(args)});
  return (spec.run as (o: unknown, c: unknown) => Promise<unknown>)(options, ctx);
}

const POLICY = {version: 1, etag: 'BwE1', bindings: [{role: 'roles/artifactregistry.reader', members: ['group:devs@example.com']}]};

describe('add-iam-policy-binding', () => {
  it('reads at version 3, writes with the etag it read, prints the policy and one status line', async () => {
    const {ctx, out, sent} = await setup((s) => (s.path.endsWith(':getIamPolicy?options.requestedPolicyVersion=3') ? POLICY : {...(s.data as {policy: object}).policy, etag: 'BwE2'}));
    const policy = await run(addSpec, {repository: 'images'}, {location: 'us', member: PUSHER, role: 'roles/artifactregistry.writer'}, ctx);
    expect(sent).toEqual([
      {method: 'GET', path: `${REPO}:getIamPolicy?options.requestedPolicyVersion=3`},
      {
        method: 'POST',
        path: `${REPO}:setIamPolicy`,
        data: {policy: {version: 1, etag: 'BwE1', bindings: [...POLICY.bindings, {role: 'roles/artifactregistry.writer', members: [PUSHER]}]}},
      },
    ]);
    expect(out.stderr).toBe('Updated IAM policy for repository [images].\n');
    expect(await renderSpecResult(addSpec, policy, parseFormat(undefined))).toBe(
      'bindings:\n- members:\n  - group:devs@example.com\n  role: roles/artifactregistry.reader\n' +
        `- members:\n  - ${PUSHER}\n  role: roles/artifactregistry.writer\netag: BwE2\nversion: 1\n`,
    );
  });

  it('a binding already there is not written again', async () => {
    const {ctx, out, sent} = await setup(() => POLICY);
    await run(addSpec, {repository: 'images'}, {location: 'us', member: 'group:devs@example.com', role: 'roles/artifactregistry.reader'}, ctx);
    expect(sent.map((s) => s.method)).toEqual(['GET']);
    expect(out.stderr).toBe('[group:devs@example.com] already has [roles/artifactregistry.reader] on repository [images]; the policy was not written.\n');
  });

  it('a write that lost a race (409 ABORTED) is redone from a fresh read, keeping the other writer\'s binding', async () => {
    const raced = {...POLICY, etag: 'BwE3', bindings: [...POLICY.bindings, {role: 'roles/artifactregistry.reader', members: ['user:other@example.com']}]};
    const {ctx, sent} = await setup((s, i) => {
      if (i === 0) return POLICY;
      if (i === 1) return googleError(409, 'ABORTED', 'There were concurrent policy changes.');
      if (i === 2) return raced;
      return (s.data as {policy: object}).policy;
    });
    await run(addSpec, {repository: 'images'}, {location: 'us', member: PUSHER, role: 'roles/artifactregistry.writer'}, ctx);
    expect(sent.map((s) => s.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
    const written = (sent[3]!.data as {policy: typeof raced}).policy;
    expect(written.etag).toBe('BwE3');
    expect(written.bindings).toContainEqual({role: 'roles/artifactregistry.reader', members: ['user:other@example.com']});
  });

  it('--dry-run writes nothing and asks testIamPermissions for setIamPolicy', async () => {
    const {ctx, out, sent} = await setup((s) => (s.path.endsWith(':testIamPermissions') ? {} : POLICY));
    await run(addSpec, {repository: 'images'}, {location: 'us', member: PUSHER, role: 'roles/artifactregistry.writer', 'dry-run': true}, ctx);
    expect(sent).toEqual([
      {method: 'GET', path: `${REPO}:getIamPolicy?options.requestedPolicyVersion=3`},
      {method: 'POST', path: `${REPO}:testIamPermissions`, data: {permissions: ['artifactregistry.repositories.setIamPolicy']}},
    ]);
    expect(out.stderr).toContain('Dry run: would add [' + PUSHER + '] to [roles/artifactregistry.writer] on repository [images]; nothing was written.\n');
    expect(out.stderr).toContain('WARNING: owner@demo-project.iam.gserviceaccount.com lacks artifactregistry.repositories.setIamPolicy on repository [images]');
  });

  it('a full resource name is taken as gcloud takes it, its project and location winning', async () => {
    const {ctx, sent} = await setup(() => POLICY);
    await run(getSpec, {repository: 'projects/other/locations/europe-west1/repositories/web'}, {}, ctx);
    expect(sent).toEqual([{method: 'GET', path: 'projects/other/locations/europe-west1/repositories/web:getIamPolicy?options.requestedPolicyVersion=3'}]);
  });

  it.each([
    ['an unknown location', {location: 'moon', member: PUSHER, role: 'roles/artifactregistry.writer'}, 'Invalid --location [moon]: Artifact Registry has no such location; expected an Artifact Registry location such as us, europe, asia or us-central1.'],
    [
      'no location',
      {member: PUSHER, role: 'roles/artifactregistry.writer'},
      'Failed to find attribute [location] of REPOSITORY: pass --location (e.g. --location=us), set the property artifacts/location (gcauth config set artifacts/location us), or give REPOSITORY as projects/PROJECT/locations/LOCATION/repositories/REPOSITORY.',
    ],
    ['a role not granted on repositories', {location: 'us', member: PUSHER, role: 'roles/storage.admin'}, 'Role roles/storage.admin is not supported for this resource.'],
    ['a malformed role', {location: 'us', member: PUSHER, role: 'artifactregistry.writer'}, 'Invalid --role [artifactregistry.writer]: a role name starts with roles/'],
    ['a member without its type', {location: 'us', member: 'ci@demo-project.iam.gserviceaccount.com', role: 'roles/artifactregistry.writer'}, 'Invalid --member'],
  ])('%s is one usage error and sends nothing', async (_what, flags, message) => {
    const {ctx, sent} = await setup(() => POLICY);
    const error = await run(addSpec, {repository: 'images'}, flags, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect(sent).toEqual([]);
  });

  it('remove drops the member and writes; a binding that is not there is an error and nothing is written', async () => {
    const {ctx, sent} = await setup((s) => (s.method === 'GET' ? POLICY : (s.data as {policy: object}).policy));
    await run(removeSpec, {repository: 'images'}, {location: 'us', member: 'group:devs@example.com', role: 'roles/artifactregistry.reader'}, ctx);
    expect(sent[1]).toEqual({method: 'POST', path: `${REPO}:setIamPolicy`, data: {policy: {version: 1, etag: 'BwE1', bindings: []}}});
    const missing = await run(removeSpec, {repository: 'images'}, {location: 'us', member: PUSHER, role: 'roles/artifactregistry.reader'}, ctx).catch((e: Error) => e);
    expect((missing as Error).message).toBe(`Repository [images] has no binding of [${PUSHER}] to [roles/artifactregistry.reader] without a condition; nothing to remove.`);
    expect(sent).toHaveLength(3);
  });
});

describe('set-iam-policy', () => {
  it('sends the file\'s policy (YAML or JSON) with its etag and says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-policy-'));
    const file = path.join(dir, 'policy.yaml');
    writeFileSync(file, `bindings:\n- members:\n  - ${PUSHER}\n  role: roles/artifactregistry.writer\netag: BwE1\nversion: 1\n`);
    const {ctx, out, sent} = await setup((s) => (s.data as {policy: object}).policy);
    await run(setSpec, {repository: 'images', policy_file: file}, {location: 'us'}, ctx);
    expect(sent).toEqual([{method: 'POST', path: `${REPO}:setIamPolicy`, data: {policy: {bindings: [{members: [PUSHER], role: 'roles/artifactregistry.writer'}], etag: 'BwE1', version: 1}}}]);
    expect(out.stderr).toBe('Updated IAM policy for repository [images].\n');
  });

  it('a binding with a role repositories do not take is refused before the request', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-policy-'));
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({bindings: [{role: 'roles/storage.objectAdmin', members: [PUSHER]}]}));
    const {ctx, sent} = await setup(() => ({}));
    await expect(run(setSpec, {repository: 'images', policy_file: file}, {location: 'us'}, ctx)).rejects.toThrow('Role roles/storage.objectAdmin is not supported for this resource.');
    expect(sent).toEqual([]);
  });
});

describe('repositories', () => {
  it('create sends the id, format and description, waits for the operation, and prints gcloud\'s status lines', async () => {
    const op = 'projects/demo-project/locations/us/operations/op1';
    const {ctx, out, sent} = await setup((s) => (s.method === 'POST' ? {name: op, done: false} : {name: op, done: true, response: {name: REPO, format: 'DOCKER'}}));
    const created = await run(createSpec, {repository: 'images'}, {location: 'us', 'repository-format': 'docker', description: 'CI images'}, ctx);
    expect(sent).toEqual([
      {method: 'POST', path: 'projects/demo-project/locations/us/repositories?repositoryId=images', data: {name: REPO, format: 'DOCKER', description: 'CI images'}},
      {method: 'GET', path: op},
    ]);
    expect(out).toEqual({
      stdout: '',
      stderr: `Create request issued for: [images]\nWaiting for operation [${op}] to complete...done.\nCreated repository [images].\n`,
    });
    expect(await renderSpecResult(createSpec, created, parseFormat(undefined))).toBe('');
  });

  it.each([
    [{repository: 'Images'}, {location: 'us', 'repository-format': 'docker'}, 'Names may only contain lowercase letters, numbers, and hyphens, and must begin with a letter and end with a letter or number.'],
    [{repository: 'images'}, {location: 'us', 'repository-format': 'rpm'}, 'Invalid --repository-format [rpm]'],
    [{repository: 'eu.gcr.io'}, {location: 'us', 'repository-format': 'docker'}, 'GCR repository eu.gcr.io can only be created in the europe multi-region.'],
    [{repository: 'gcr.io'}, {location: 'us', 'repository-format': 'npm'}, 'GCR repository gcr.io must be of DOCKER format.'],
  ])('create %o %o is refused before any request', async (args, flags, message) => {
    const {ctx, sent} = await setup(() => ({}));
    await expect(run(createSpec, args, flags, ctx)).rejects.toThrow(message);
    expect(sent).toEqual([]);
  });

  it('describe prints the repository and gcloud\'s encryption, URL and size lines', async () => {
    const {ctx, out} = await setup(() => ({name: REPO, format: 'DOCKER', sizeBytes: '2500000'}));
    const repository = await run(describeSpec, {repository: 'images'}, {location: 'us'}, ctx);
    expect(out.stderr).toBe('Encryption: Google-managed key\nRegistry URL: us-docker.pkg.dev/demo-project/images\nRepository Size: 2.500MB\n');
    expect(await renderSpecResult(describeSpec, repository, parseFormat(undefined))).toBe(`format: DOCKER\nname: ${REPO}\n`);
  });

  it('list in one location, or across the locations the project has, with gcloud\'s table', async () => {
    const {ctx, out, sent} = await setup((s) =>
      s.path.endsWith('/locations') ? {locations: [{locationId: 'us'}, {locationId: 'europe'}]} : {repositories: s.path.includes('/us/') ? [{name: REPO, format: 'DOCKER', description: 'CI'}] : []},
    );
    const repositories = await run(listSpec, {}, {}, ctx);
    expect(sent.map((s) => s.path)).toEqual(['projects/demo-project/locations', 'projects/demo-project/locations/europe/repositories', 'projects/demo-project/locations/us/repositories']);
    expect(out.stderr).toBe('Listing items under project demo-project, across all locations.\n\n');
    const table = await renderSpecResult(listSpec, repositories, parseFormat(undefined));
    expect(table.split('\n')[0]).toMatch(/^ {20,}ARTIFACT_REGISTRY$/);
    expect(table.split('\n')[1]).toMatch(/^REPOSITORY\s+FORMAT\s+MODE\s+DESCRIPTION\s+LOCATION\s+LABELS\s+ENCRYPTION\s+CREATE_TIME\s+UPDATE_TIME\s+SIZE \(MB\)$/);
    expect(table.split('\n')[2]).toMatch(/^images\s+DOCKER\s+STANDARD_REPOSITORY\s+CI\s+us\s+Google-managed key\s+0$/);
    const one = await setup(() => ({}));
    await run(listSpec, {}, {location: 'us'}, one.ctx);
    expect(one.sent.map((s) => s.path)).toEqual(['projects/demo-project/locations/us/repositories']);
    expect(one.out.stderr).toBe('Listing items under project demo-project, location us.\n\n');
    expect(listSpec.epilog!([], parseFormat(undefined), one.ctx)).toBe('Listed 0 items.\n');
  });

  it('delete needs --quiet without a terminal, then sends DELETE and reports', async () => {
    const unasked = await setup(() => ({done: true}));
    await expect(run(deleteSpec, {repository: 'images'}, {location: 'us'}, unasked.ctx)).rejects.toThrow('pass --quiet');
    expect(unasked.sent).toEqual([]);
    const {ctx, out, sent} = await setup(() => ({name: 'op', done: true}), {quiet: true});
    await run(deleteSpec, {repository: 'images'}, {location: 'us'}, ctx);
    expect(sent).toEqual([{method: 'DELETE', path: REPO}]);
    expect(out.stderr).toBe('Delete request issued for: [images]\nDeleted repository [images].\n');
  });
});

describe('the artifacts/location property (gcloud\'s fallthrough of --location)', () => {
  const GET = (location: string) => ({method: 'GET', path: `projects/demo-project/locations/${location}/repositories/images:getIamPolicy?options.requestedPolicyVersion=3`});

  it('stands in for --location in every repository command, from either variable; --location and a full name win over it', async () => {
    const envs: Array<Record<string, string>> = [{GCAUTH_ARTIFACTS_LOCATION: 'europe'}, {CLOUDSDK_ARTIFACTS_LOCATION: 'europe'}, {GCAUTH_ARTIFACTS_LOCATION: 'europe', CLOUDSDK_ARTIFACTS_LOCATION: 'asia'}];
    for (const env of envs) {
      const {ctx, sent} = await setup(() => POLICY, {env});
      await run(getSpec, {repository: 'images'}, {}, ctx);
      await run(getSpec, {repository: 'images'}, {location: 'us'}, ctx);
      await run(getSpec, {repository: 'projects/demo-project/locations/asia/repositories/images'}, {}, ctx);
      expect(sent).toEqual([GET('europe'), GET('us'), GET('asia')]);
    }
    const {ctx, out, sent} = await setup(() => ({name: 'projects/demo-project/locations/europe/repositories/images', format: 'DOCKER'}), {env: {GCAUTH_ARTIFACTS_LOCATION: 'europe'}});
    await run(describeSpec, {repository: 'images'}, {}, ctx);
    expect(sent).toEqual([{method: 'GET', path: 'projects/demo-project/locations/europe/repositories/images'}]);
    expect(out.stderr).toContain('Registry URL: europe-docker.pkg.dev/demo-project/images\n');
  });

  it('is set by config set, checked there and where a variable gives it, naming the variable', async () => {
    const {ctx: configCtx, configDir} = await fakeContext();
    await expect(setProperty({property: 'artifacts/location', value: 'US'}, configCtx)).rejects.toThrow(
      'Invalid value for property [artifacts/location]: "US": expected an Artifact Registry location such as us, europe, asia or us-central1; did you mean us?',
    );
    await setProperty({property: 'artifacts/location', value: 'us-central1'}, configCtx);
    const {ctx, sent} = await setup(() => ({done: true}), {configDir});
    await run(createSpec, {repository: 'images'}, {'repository-format': 'docker'}, ctx);
    expect(sent[0]).toMatchObject({method: 'POST', path: 'projects/demo-project/locations/us-central1/repositories?repositoryId=images'});

    const bad = await setup(() => POLICY, {env: {CLOUDSDK_ARTIFACTS_LOCATION: 'moon'}});
    await expect(run(getSpec, {repository: 'images'}, {}, bad.ctx)).rejects.toThrow(
      new UsageError(
        'Invalid value for property [artifacts/location] (from CLOUDSDK_ARTIFACTS_LOCATION): "moon": Artifact Registry has no such location; expected an Artifact Registry location such as us, europe, asia or us-central1.',
      ),
    );
    // --location given, the property is not read, so its bad value is in no one's way (gcloud reads it only as a fallback).
    await run(getSpec, {repository: 'images'}, {location: 'us'}, bad.ctx);
    expect(bad.sent).toEqual([GET('us')]);
  });

  it('list lists only there, as gcloud does; --location=all still lists every location', async () => {
    const answer = (s: Sent) => (s.path.endsWith('/locations') ? {locations: [{locationId: 'us'}, {locationId: 'europe'}]} : {repositories: []});
    const one = await setup(answer, {env: {GCAUTH_ARTIFACTS_LOCATION: 'europe'}});
    await run(listSpec, {}, {}, one.ctx);
    expect(one.sent.map((s) => s.path)).toEqual(['projects/demo-project/locations/europe/repositories']);
    expect(one.out.stderr).toBe('Listing items under project demo-project, location europe.\n\n');
    const all = await setup(answer, {env: {GCAUTH_ARTIFACTS_LOCATION: 'europe'}});
    await run(listSpec, {}, {location: 'all'}, all.ctx);
    expect(all.sent.map((s) => s.path)).toEqual(['projects/demo-project/locations', 'projects/demo-project/locations/europe/repositories', 'projects/demo-project/locations/us/repositories']);
    expect(all.out.stderr).toBe('Listing items under project demo-project, across all locations.\n\n');
  });
});
