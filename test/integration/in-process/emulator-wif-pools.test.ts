import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {API_MESSAGES} from '../../../src/emulator/google-errors.js';
import {DEFAULT_AWS_MAPPING} from '../../../src/emulator/federation.js';
import {accessTokenFor, callApi, type KeyFileFields, permissionDenied, readKeyFile, savedState, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;
let number: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
  number = emu.state.project(emu.project)!.projectNumber;
});
afterAll(async () => {
  await emu.close();
});

const POOLS = 'projects/demo-project/locations/global/workloadIdentityPools';
const iam = (method: string, path: string, body?: unknown, token: string | undefined = owner) => callApi(emu.url, token, method, `/iam/v1/${path}`, body);
const answer = (r: {status: number; body: unknown}) => ({status: r.status, body: r.body});
const poolName = (id: string) => `projects/${number}/locations/global/workloadIdentityPools/${id}`;
const OIDC = {oidc: {issuerUri: 'https://token.actions.githubusercontent.com'}, attributeMapping: {'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository'}};

/** A service account made directly in state with a project role and a live token. */
async function caller(id: string, role?: string): Promise<string> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  if (role) emu.state.addBinding(emu.project, role, `serviceAccount:${account.email}`);
  return accessTokenFor(emu.url, {...ownerKey, client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem});
}

describe('workload identity pools', () => {
  it('creates a pool as a finished Operation whose response is the pool, named by project number', async () => {
    const r = await iam('POST', `${POOLS}?workloadIdentityPoolId=gh-pool`, {displayName: 'GitHub', description: 'CI'});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      name: expect.stringMatching(new RegExp(`^${poolName('gh-pool')}/operations/[0-9a-f]+$`)),
      done: true,
      response: {'@type': 'type.googleapis.com/google.iam.v1.WorkloadIdentityPool', name: poolName('gh-pool'), displayName: 'GitHub', description: 'CI', state: 'ACTIVE'},
    });
    // gcloud polls the operation it was given, then reads the pool.
    const op = await iam('GET', `${(r.body.name as string).replace(number, 'demo-project')}`);
    expect(op.body).toMatchObject({done: true, response: {name: poolName('gh-pool'), state: 'ACTIVE'}});
    expect((await iam('GET', `${POOLS}/gh-pool`)).body).toEqual({name: poolName('gh-pool'), displayName: 'GitHub', description: 'CI', state: 'ACTIVE'});
    expect((await iam('GET', `projects/${number}/locations/global/workloadIdentityPools/gh-pool`)).status).toBe(200);
  });

  it('refuses bad ids, a location other than global, too long names, and an id in use (deleted or not)', async () => {
    for (const id of ['abc', 'x'.repeat(33), 'gcp-pool', 'Upper-case', 'under_score']) {
      const r = await iam('POST', `${POOLS}?workloadIdentityPoolId=${id}`, {});
      expect({id, status: r.status, message: (r.body.error as {message: string}).message}).toEqual({id, status: 400, message: API_MESSAGES.federationId('pool', id)});
    }
    expect((await iam('POST', POOLS, {})).status).toBe(400);
    expect((await iam('POST', 'projects/demo-project/locations/us-east1/workloadIdentityPools?workloadIdentityPoolId=abcd', {})).body).toMatchObject({
      error: {code: 400, message: API_MESSAGES.location('us-east1')},
    });
    expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=long-name`, {displayName: 'x'.repeat(33)})).status).toBe(400);
    expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=gh-pool`, {})).body).toEqual({
      error: {code: 409, message: API_MESSAGES.alreadyExists, status: 'ALREADY_EXISTS'},
    });
    expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=gh-pool`, {unknownField: 1})).status).toBe(400);
  });

  it('soft-deletes: state DELETED, hidden from list unless showDeleted, the id still taken, undeletable', async () => {
    await iam('POST', `${POOLS}?workloadIdentityPoolId=old-pool`, {});
    const del = await iam('DELETE', `${POOLS}/old-pool`);
    expect(del.body).toMatchObject({done: true, response: {name: poolName('old-pool'), state: 'DELETED', expireTime: expect.any(String)}});
    expect((await iam('GET', `${POOLS}/old-pool`)).body).toMatchObject({state: 'DELETED'});
    const names = async (q: string) => ((await iam('GET', `${POOLS}${q}`)).body.workloadIdentityPools as Array<{name: string}>).map((p) => p.name);
    expect(await names('')).not.toContain(poolName('old-pool'));
    expect(await names('?showDeleted=true')).toContain(poolName('old-pool'));
    expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=old-pool`, {})).status).toBe(409);
    expect((await iam('DELETE', `${POOLS}/old-pool`)).body).toMatchObject({error: {code: 400, status: 'FAILED_PRECONDITION'}});
    expect((await iam('POST', `${POOLS}/old-pool:undelete`, {})).body).toMatchObject({response: {state: 'ACTIVE'}});
    expect((await iam('GET', `${POOLS}/old-pool`)).body).not.toHaveProperty('expireTime');
    expect((await iam('POST', `${POOLS}/old-pool:undelete`, {})).body).toMatchObject({error: {code: 400, status: 'FAILED_PRECONDITION'}});
    expect((await iam('GET', `${POOLS}/no-such-pool`)).status).toBe(404);
  });

  it('patches the masked fields only, and disables', async () => {
    await iam('POST', `${POOLS}?workloadIdentityPoolId=patch-me`, {displayName: 'before', description: 'kept'});
    const r = await iam('PATCH', `${POOLS}/patch-me?updateMask=displayName,disabled`, {displayName: 'after', description: 'ignored', disabled: true});
    expect(r.body).toMatchObject({response: {displayName: 'after', description: 'kept', disabled: true}});
    expect((await iam('PATCH', `${POOLS}/patch-me?updateMask=name`, {})).status).toBe(400);
    expect((await iam('PATCH', `${POOLS}/patch-me`, {})).status).toBe(400);
  });

  it('pages the list by id', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) await iam('POST', `${POOLS}?workloadIdentityPoolId=${id}`, {});
    const first = await iam('GET', `${POOLS}?pageSize=2`);
    expect((first.body.workloadIdentityPools as unknown[]).length).toBe(2);
    const second = await iam('GET', `${POOLS}?pageSize=2&pageToken=${first.body.nextPageToken as string}`);
    expect((second.body.workloadIdentityPools as Array<{name: string}>)[0]!.name > (first.body.workloadIdentityPools as Array<{name: string}>)[1]!.name).toBe(true);
  });

  it('asks iam.workloadIdentityPools.* on the project: viewers read, workloadIdentityPoolAdmin writes, others are denied', async () => {
    const viewer = await caller('pool-viewer', 'roles/viewer');
    const admin = await caller('pool-admin', 'roles/iam.workloadIdentityPoolAdmin');
    const nobody = await caller('pool-nobody');
    expect((await iam('GET', `${POOLS}/gh-pool`, undefined, viewer)).status).toBe(200);
    expect(answer(await iam('POST', `${POOLS}?workloadIdentityPoolId=by-viewer`, {}, viewer))).toMatchObject(
      permissionDenied('iam.workloadIdentityPools.create', 'projects/demo-project/locations/global'),
    );
    expect(answer(await iam('GET', POOLS, undefined, nobody))).toMatchObject(permissionDenied('iam.workloadIdentityPools.list', 'projects/demo-project/locations/global'));
    expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=by-admin`, {}, admin)).status).toBe(200);
    expect((await iam('POST', `${POOLS}/by-admin/providers?workloadIdentityPoolProviderId=gh-prov`, OIDC, admin)).status).toBe(200);
    expect((await iam('GET', 'projects/no-such-project/locations/global/workloadIdentityPools', undefined, owner)).status).toBe(403);
  });
});

describe('workload identity pool providers', () => {
  const PROVIDERS = `${POOLS}/gh-pool/providers`;

  it('creates an OIDC provider and renders it as Google does', async () => {
    const r = await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=gh-prov`, {...OIDC, attributeCondition: "assertion.repository_owner == 'octo'"});
    const name = `${poolName('gh-pool')}/providers/gh-prov`;
    expect(r.body).toMatchObject({done: true, response: {'@type': 'type.googleapis.com/google.iam.v1.WorkloadIdentityPoolProvider', name}});
    expect((await iam('GET', `${PROVIDERS}/gh-prov`)).body).toEqual({
      name,
      state: 'ACTIVE',
      attributeMapping: OIDC.attributeMapping,
      attributeCondition: "assertion.repository_owner == 'octo'",
      oidc: {issuerUri: 'https://token.actions.githubusercontent.com'},
    });
    expect(((await iam('GET', PROVIDERS)).body.workloadIdentityPoolProviders as Array<{name: string}>).map((p) => p.name)).toEqual([name]);
    expect((await iam('GET', `${PROVIDERS}/gh-prov/operations/abc`)).body).toMatchObject({name: `${name}/operations/abc`, done: true});
  });

  it('gives an AWS provider without a mapping Google\'s default one', async () => {
    const r = await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=aws-prov`, {aws: {accountId: '123456789012'}});
    expect(r.body).toMatchObject({response: {aws: {accountId: '123456789012'}, attributeMapping: DEFAULT_AWS_MAPPING}});
    expect((await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=aws-bad`, {aws: {accountId: '1234'}})).body).toMatchObject({
      error: {code: 400, message: API_MESSAGES.accountIdAws('1234')},
    });
  });

  it('refuses what Google refuses, one reason each', async () => {
    const refused = async (body: unknown, message: string) => {
      const r = await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=bad-prov`, body);
      expect({status: r.status, message: (r.body.error as {message: string}).message}).toEqual({status: 400, message});
    };
    await refused({oidc: {issuerUri: 'https://x.example'}}, API_MESSAGES.mappingRequired);
    await refused({oidc: {issuerUri: 'https://x.example'}, attributeMapping: {'attribute.repo': 'assertion.repo'}}, API_MESSAGES.mappingRequired);
    await refused({...OIDC, oidc: {issuerUri: 'http://issuer.example'}}, API_MESSAGES.issuerScheme);
    await refused({...OIDC, oidc: {issuerUri: 'not a url'}}, API_MESSAGES.issuerUri);
    await refused({...OIDC, oidc: {issuerUri: 'https://x.example', allowedAudiences: Array.from({length: 11}, (_, i) => `a${i}`)}}, API_MESSAGES.audiences);
    await refused({...OIDC, oidc: {issuerUri: 'https://x.example', jwksJson: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}'}}, API_MESSAGES.jwksKeyType);
    await refused({...OIDC, oidc: {issuerUri: 'https://x.example', jwksJson: 'not json'}}, API_MESSAGES.jwksCorrupt);
    await refused({...OIDC, aws: {accountId: '123456789012'}}, API_MESSAGES.providerKind);
    await refused({saml: {idpMetadataXml: '<x/>'}, attributeMapping: {'google.subject': 'assertion.sub'}}, API_MESSAGES.providerKind);
    await refused({oidc: {issuerUri: 'https://x.example'}, attributeMapping: {'google.subject': 'assertion.sub', 'attribute.Bad-Key': 'x'}}, API_MESSAGES.mappingKey('attribute.Bad-Key'));
    const syntax = await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=bad-prov`, {oidc: {issuerUri: 'https://x.example'}, attributeMapping: {'google.subject': 'assertion.sub +'}});
    expect((syntax.body.error as {message: string}).message).toMatch(/^Invalid CEL expression in attribute_mapping\[google\.subject\]: /);
    const condition = await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=bad-prov`, {...OIDC, attributeCondition: "assertion.sub == 'x"});
    expect((condition.body.error as {message: string}).message).toMatch(/^Invalid CEL expression in attribute_condition: /);
    expect((await iam('GET', `${PROVIDERS}/bad-prov`)).status).toBe(404);
  });

  it('accepts a plain-http issuer on this machine only (the emulator\'s allowance for local issuers)', async () => {
    expect((await iam('POST', `${PROVIDERS}?workloadIdentityPoolProviderId=local-prov`, {...OIDC, oidc: {issuerUri: 'http://127.0.0.1:9/issuer'}})).status).toBe(200);
  });

  it('patches a provider, validating the result whole, and soft-deletes and undeletes it', async () => {
    const p = await iam('PATCH', `${PROVIDERS}/gh-prov?updateMask=attribute_condition,oidc.allowed_audiences,disabled`, {
      attributeCondition: "assertion.repository == 'octo/app'",
      oidc: {allowedAudiences: ['my-aud']},
      disabled: true,
    });
    expect(p.body).toMatchObject({
      response: {disabled: true, attributeCondition: "assertion.repository == 'octo/app'", oidc: {issuerUri: 'https://token.actions.githubusercontent.com', allowedAudiences: ['my-aud']}},
    });
    expect((await iam('PATCH', `${PROVIDERS}/gh-prov?updateMask=attributeMapping`, {attributeMapping: {}})).body).toMatchObject({error: {message: API_MESSAGES.mappingRequired}});
    expect((await iam('GET', `${PROVIDERS}/gh-prov`)).body).toMatchObject({attributeMapping: OIDC.attributeMapping});
    expect((await iam('DELETE', `${PROVIDERS}/gh-prov`)).body).toMatchObject({response: {state: 'DELETED'}});
    expect((await iam('GET', PROVIDERS)).body.workloadIdentityPoolProviders).not.toContainEqual(expect.objectContaining({name: expect.stringContaining('/gh-prov')}));
    expect((await iam('POST', `${PROVIDERS}/gh-prov:undelete`, {})).body).toMatchObject({response: {state: 'ACTIVE'}});
    await iam('PATCH', `${PROVIDERS}/gh-prov?updateMask=disabled`, {disabled: false});
  });

  it('persists pools and providers in the state file', async () => {
    const saved = await savedState(emu);
    expect(saved.workloadIdentityPools[poolName('gh-pool')]).toMatchObject({poolId: 'gh-pool', providers: {'gh-prov': {oidc: {issuerUri: 'https://token.actions.githubusercontent.com'}}}});
  });
});
