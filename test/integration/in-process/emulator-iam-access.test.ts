import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import type {StateData, StateView} from '../../../src/emulator/records.js';
import {accessTokenFor, adminState, callApi, readKeyFile, savedState, tmpDir, type KeyFileFields} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;
let offsetMs = 0;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), now: () => Date.now() + offsetMs});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  offsetMs = 0;
  emu.faults.set({});
  emu.resetStats();
});

const LIST = '/iam/v1/projects/demo-project/serviceAccounts';
const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';
const AUTH_HELP = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

function unauthenticated(message: string, reason: string, service: string, method: string) {
  return {
    status: 401,
    body: {
      error: {
        code: 401,
        message,
        status: 'UNAUTHENTICATED',
        details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: {service, method}}],
      },
    },
  };
}

describe('authentication', () => {
  it('answers a call without a token with Google\'s 401 CREDENTIALS_MISSING and a Bearer challenge', async () => {
    const r = await callApi(emu.url, undefined, 'GET', LIST);
    expect({status: r.status, body: r.body}).toEqual(
      unauthenticated(`Request is missing required authentication credential. ${AUTH_HELP}`, 'CREDENTIALS_MISSING', 'iam.googleapis.com', 'google.iam.admin.v1.IAM.ListServiceAccounts'),
    );
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/"');
    const crm = await callApi(emu.url, undefined, 'POST', '/cloudresourcemanager/v1/projects/demo-project:setIamPolicy', {policy: {}});
    expect(crm.body).toEqual(
      unauthenticated(`Request is missing required authentication credential. ${AUTH_HELP}`, 'CREDENTIALS_MISSING', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v1.Projects.SetIamPolicy').body,
    );
  });

  it('answers an unknown, expired or revoked token with 401 invalid credentials', async () => {
    const invalid = unauthenticated(`Request had invalid authentication credentials. ${AUTH_HELP}`, 'ACCESS_TOKEN_EXPIRED', 'iam.googleapis.com', 'google.iam.admin.v1.IAM.ListServiceAccounts');
    const unknown = await callApi(emu.url, 'ya29.not-a-token', 'GET', LIST);
    expect({status: unknown.status, body: unknown.body}).toEqual(invalid);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/", error="invalid_token"');

    const soon = await accessTokenFor(emu.url, ownerKey);
    offsetMs = 3600 * 1000;
    expect((await callApi(emu.url, soon, 'GET', LIST)).status).toBe(401);
    offsetMs = 0;

    const revoked = await accessTokenFor(emu.url, ownerKey);
    expect((await callApi(emu.url, revoked, 'GET', LIST)).status).toBe(200);
    await fetch(`${emu.url}/revoke?token=${revoked}`, {method: 'POST'});
    expect((await callApi(emu.url, revoked, 'GET', LIST)).status).toBe(401);
  });

  it('takes the token from the access_token query parameter too, as Google does', async () => {
    expect((await fetch(`${emu.url}${LIST}?access_token=${owner}`)).status).toBe(200);
  });

  it('refuses a token without a cloud-platform scope with 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT; read-only scope reads only', async () => {
    const emailOnly = await accessTokenFor(emu.url, ownerKey, 'https://www.googleapis.com/auth/userinfo.email');
    const r = await callApi(emu.url, emailOnly, 'GET', LIST);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED', details: [{reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT'}]});

    const readOnly = await accessTokenFor(emu.url, ownerKey, `${CLOUD}.read-only`);
    expect((await callApi(emu.url, readOnly, 'GET', LIST)).status).toBe(200);
    expect((await callApi(emu.url, readOnly, 'POST', LIST, {accountId: 'read-only-try'})).status).toBe(403);
    expect((await callApi(emu.url, await accessTokenFor(emu.url, ownerKey, `openid ${CLOUD}`), 'GET', LIST)).status).toBe(200);
  });

  it('answers an unknown path or method under an API prefix with Google\'s 404, counted as unmatched', async () => {
    const r = await callApi(emu.url, owner, 'GET', '/iam/v1/projects/demo-project/roles');
    expect(r.body).toEqual({error: {code: 404, message: 'The requested URL /iam/v1/projects/demo-project/roles was not found on this server.', status: 'NOT_FOUND'}});
    expect((await callApi(emu.url, owner, 'PUT', '/cloudresourcemanager/v1/projects/demo-project')).status).toBe(404);
    expect(emu.stats().byRoute).toEqual({'GET (unmatched)': 1, 'PUT (unmatched)': 1});
  });
});

describe('faults on the API routes', () => {
  it('fails an IAM call with Google\'s 503 when told to, counted under its method, then answers normally', async () => {
    emu.faults.set({failNext: 1, paths: ['/iam/']});
    const faulted = await callApi(emu.url, owner, 'GET', LIST);
    expect({status: faulted.status, body: faulted.body}).toEqual({
      status: 503,
      body: {error: {code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE'}},
    });
    expect((await callApi(emu.url, owner, 'GET', LIST)).status).toBe(200);
    const stats = emu.stats();
    expect(stats.faultsInjected).toBe(1);
    expect(stats.byRoute).toEqual({'GET /iam/v1/projects/{project}/serviceAccounts': 2});
    expect(stats.byStatus).toEqual({'503': 1, '200': 1});
  });

  it('injects 429 on Resource Manager and leaves /token alone when limited to that prefix', async () => {
    emu.faults.set({failRate: 1, failStatus: 429, paths: ['/cloudresourcemanager/']});
    expect((await callApi(emu.url, owner, 'POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {})).status).toBe(429);
    expect(await accessTokenFor(emu.url, ownerKey)).toMatch(/^ya29\./);
  });
});

describe('GET /__admin/state', () => {
  it('shows projects, accounts, policies and key ids, without key material or tokens', async () => {
    const view = (await adminState(emu.url)) as StateView;
    const ownerView = view.serviceAccounts[ownerKey.client_email]!;
    expect(ownerView).toMatchObject({projectId: 'demo-project', disabled: false, iamPolicy: {version: 1, etag: 'ACAB', bindings: []}});
    expect(ownerView.keys[ownerKey.private_key_id]).toEqual({keyType: 'USER_MANAGED', disabled: false});
    expect(Object.values(ownerView.keys).map((k) => k.keyType).sort()).toEqual(['SYSTEM_MANAGED', 'USER_MANAGED']);
    expect(view.projects['demo-project']!.iamPolicy.bindings).toContainEqual({role: 'roles/owner', members: [`serviceAccount:${ownerKey.client_email}`]});
    const text = JSON.stringify(view);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('PUBLIC KEY');
    expect(text).not.toContain(owner);
    expect(emu.stats().total).toBe(0);
  });
});

describe('persistence', () => {
  it('keeps accounts, keys and policies across a restart', async () => {
    const dir = tmpDir();
    const first = await startEmulator({dataDir: dir});
    const token = await accessTokenFor(first.url, readKeyFile(first.ownerKeyFile));
    await callApi(first.url, token, 'POST', LIST, {accountId: 'survivor'});
    const {etag} = (await callApi(first.url, token, 'POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {})).body;
    await callApi(first.url, token, 'POST', '/cloudresourcemanager/v1/projects/demo-project:setIamPolicy', {
      policy: {etag, bindings: [{role: 'roles/owner', members: [`serviceAccount:${first.ownerEmail}`]}, {role: 'roles/viewer', members: ['user:dev@example.com']}]},
    });
    const before = await adminState(first.url);
    await first.close();

    const second = await startEmulator({dataDir: dir});
    try {
      expect(await adminState(second.url)).toEqual(before);
      expect((await callApi(second.url, token, 'GET', '/iam/v1/projects/-/serviceAccounts/survivor@demo-project.iam.gserviceaccount.com')).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('loads a state file written before service-account policies and system-managed keys existed', async () => {
    const dir = tmpDir();
    const first = await startEmulator({dataDir: dir});
    await first.close();
    const file = path.join(dir, 'state.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as StateData;
    for (const account of Object.values(data.serviceAccounts)) {
      delete (account as Partial<typeof account>).iamPolicy;
      for (const [id, key] of Object.entries(account.keys)) if (key.keyType === 'SYSTEM_MANAGED') delete account.keys[id];
    }
    writeFileSync(file, JSON.stringify(data));

    const second = await startEmulator({dataDir: dir});
    try {
      const token = await accessTokenFor(second.url, readKeyFile(second.ownerKeyFile));
      const base = `/iam/v1/projects/-/serviceAccounts/${second.ownerEmail}`;
      expect((await callApi(second.url, token, 'POST', `${base}:getIamPolicy`)).body).toEqual({version: 1, etag: 'ACAB'});
      const keys = (await callApi(second.url, token, 'GET', `${base}/keys?keyTypes=SYSTEM_MANAGED`)).body.keys as unknown[];
      expect(keys).toHaveLength(1);
      expect((await savedState(second)).version).toBe(1);
    } finally {
      await second.close();
    }
  });
});
