import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {OAUTH_MESSAGES} from '../../../src/emulator/google-errors.js';
import {accessTokenFor, adminState, callApi, type KeyFileFields, permissionDenied, postToken, readKeyFile, savedState, signAssertion, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.faults.set({});
  emu.resetStats();
});

const email = (id: string) => `${id}@demo-project.iam.gserviceaccount.com`;
const iam = (method: string, path: string, body?: unknown, token: string | undefined = owner) =>
  callApi(emu.url, token, method, `/iam/v1/${path}?alt=json`, body);
const answer = (r: {status: number; body: unknown}) => ({status: r.status, body: r.body});

/** A service account made directly in state, with a key, optionally a project role, and a live token. */
async function principal(id: string, role?: string): Promise<{email: string; key: KeyFileFields; token: string}> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  if (role) emu.state.addBinding(emu.project, role, `serviceAccount:${account.email}`);
  const k: KeyFileFields = {...ownerKey, client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem, client_id: account.uniqueId};
  return {email: account.email, key: k, token: await accessTokenFor(emu.url, k)};
}

const denied = permissionDenied;

describe('service accounts', () => {
  it('creates an account as Google renders it, with a system-managed key, counted under its method', async () => {
    const r = await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'ci-pusher', serviceAccount: {displayName: 'CI pusher', description: 'Pushes images'}});
    expect(r.status).toBe(200);
    const uniqueId = emu.state.serviceAccount(email('ci-pusher'))!.uniqueId;
    expect(Object.keys(r.body)).toEqual(['name', 'projectId', 'uniqueId', 'email', 'displayName', 'etag', 'description', 'oauth2ClientId']);
    expect(r.body).toEqual({
      name: `projects/demo-project/serviceAccounts/${email('ci-pusher')}`,
      projectId: 'demo-project',
      uniqueId,
      email: email('ci-pusher'),
      displayName: 'CI pusher',
      etag: 'MDEwMjE5MjA=',
      description: 'Pushes images',
      oauth2ClientId: uniqueId,
    });
    expect(uniqueId).toMatch(/^[1-9]\d{20}$/);
    const keys = await iam('GET', `projects/-/serviceAccounts/${email('ci-pusher')}/keys`);
    expect(keys.body.keys).toEqual([expect.objectContaining({keyType: 'SYSTEM_MANAGED', keyOrigin: 'GOOGLE_PROVIDED', keyAlgorithm: 'KEY_ALG_RSA_2048'})]);
    expect(emu.stats().byRoute['POST /iam/v1/projects/{project}/serviceAccounts']).toBe(1);
  });

  it('finds an account by email or uniqueId, under its project or "-", with the email percent-encoded or not', async () => {
    const {uniqueId} = (await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'find-me'})).body as {uniqueId: string};
    for (const path of [
      `projects/demo-project/serviceAccounts/${email('find-me')}`,
      `projects/-/serviceAccounts/${encodeURIComponent(email('find-me'))}`,
      `projects/-/serviceAccounts/${uniqueId}`,
      `projects/${emu.state.project('demo-project')!.projectNumber}/serviceAccounts/${email('find-me')}`,
    ]) {
      const r = await iam('GET', path);
      expect([path, r.status, r.body.email]).toEqual([path, 200, email('find-me')]);
    }
    // Empty fields are omitted, as in Google's JSON.
    expect((await iam('GET', `projects/-/serviceAccounts/${email('find-me')}`)).body).not.toHaveProperty('displayName');
    expect(emu.stats().byRoute['GET /iam/v1/projects/{project}/serviceAccounts/{account}']).toBe(5);
  });

  it('answers a missing account, or one asked for under another project, with the 403 of a hidden one', async () => {
    expect(answer(await iam('GET', `projects/-/serviceAccounts/${email('nobody-here')}`))).toEqual(
      denied('iam.serviceAccounts.get', `projects/-/serviceAccounts/${email('nobody-here')}`),
    );
    emu.state.createProject('other-project');
    expect((await iam('GET', `projects/other-project/serviceAccounts/${ownerKey.client_email}`)).status).toBe(403);
  });

  it.each([
    ['a too-short id', {accountId: 'abc'}, 'account_id'],
    ['a too-long id', {accountId: 'a'.repeat(31)}, 'account_id'],
    ['an id with capitals', {accountId: 'Ci-Pusher'}, 'account_id'],
    ['an id ending in a hyphen', {accountId: 'ci-pusher-'}, 'account_id'],
    ['an id starting with a digit', {accountId: '1ci-pusher'}, 'account_id'],
    ['no id', {}, 'account_id'],
    ['a 101-byte display name', {accountId: 'long-name', serviceAccount: {displayName: 'x'.repeat(101)}}, 'display_name'],
    ['a 257-byte description', {accountId: 'long-desc', serviceAccount: {description: 'é'.repeat(129)}}, 'description'],
  ])('refuses %s with 400 INVALID_ARGUMENT naming the field, changing nothing', async (_name, body, field) => {
    const before = await adminState(emu.url);
    const r = await iam('POST', 'projects/demo-project/serviceAccounts', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({code: 400, status: 'INVALID_ARGUMENT', details: [{'@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{field}]}]});
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('accepts the boundaries: 6 and 30 characters, 100-byte name, 256-byte description', async () => {
    for (const body of [
      {accountId: 'six-ch'},
      {accountId: `a${'b'.repeat(28)}c`, serviceAccount: {displayName: 'x'.repeat(100), description: 'y'.repeat(256)}},
    ]) {
      expect((await iam('POST', 'projects/demo-project/serviceAccounts', body)).status).toBe(200);
    }
  });

  it('refuses an existing id with 409 ALREADY_EXISTS and Google\'s message and ResourceInfo', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'twice-made'});
    expect(answer(await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'twice-made'}))).toEqual({
      status: 409,
      body: {
        error: {
          code: 409,
          message: 'Service account twice-made already exists within project projects/demo-project.',
          status: 'ALREADY_EXISTS',
          details: [{'@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName: `projects/demo-project/serviceAccounts/${email('twice-made')}`}],
        },
      },
    });
  });

  it('refuses unknown body fields and malformed JSON as Google does', async () => {
    const r = await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'field-test', displayName: 'misplaced'});
    expect(r.body.error).toEqual({code: 400, message: 'Invalid JSON payload received. Unknown name "displayName": Cannot find field.', status: 'INVALID_ARGUMENT'});
    const bad = await fetch(`${emu.url}/iam/v1/projects/demo-project/serviceAccounts`, {
      method: 'POST',
      headers: {authorization: `Bearer ${owner}`, 'content-type': 'application/json'},
      body: '{"accountId":',
    });
    expect(bad.status).toBe(400);
  });

  it('pages the list 20 at a time by default, at most 100, with a token that survives new accounts', async () => {
    const dir = tmpDir();
    const small = await startEmulator({dataDir: dir});
    try {
      const token = await accessTokenFor(small.url, readKeyFile(small.ownerKeyFile));
      for (let i = 0; i < 24; i++) small.state.createServiceAccount(small.project, `paged-${String(i).padStart(2, '0')}`);
      const list = (query: string) => callApi(small.url, token, 'GET', `/iam/v1/projects/demo-project/serviceAccounts?${query}`);
      const emails = (body: Record<string, unknown>) => (body.accounts as Array<{email: string}>).map((a) => a.email);

      const first = await list('alt=json');
      expect(emails(first.body)).toHaveLength(20);
      expect(first.body.nextPageToken).toEqual(expect.any(String));
      small.state.createServiceAccount(small.project, 'aaaa-created-meanwhile');
      const second = await list(`pageToken=${String(first.body.nextPageToken)}`);
      // 24 + the owner = 25; the new account sorts before the cursor, so the second page still holds the last 5.
      expect(emails(second.body)).toHaveLength(5);
      expect(second.body).not.toHaveProperty('nextPageToken');
      expect(new Set([...emails(first.body), ...emails(second.body)]).size).toBe(25);

      expect(emails((await list('pageSize=7')).body)).toHaveLength(7);
      expect(emails((await list('pageSize=1000')).body)).toHaveLength(26);
      expect((await list('pageToken=garbage')).status).toBe(400);
      expect((await list('pageSize=-1')).status).toBe(400);
    } finally {
      await small.close();
    }
  });

  it('patches displayName and description through updateMask only', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'patch-me', serviceAccount: {displayName: 'Old', description: 'Old desc'}});
    const r = await iam('PATCH', `projects/-/serviceAccounts/${email('patch-me')}`, {serviceAccount: {displayName: 'New', description: 'ignored'}, updateMask: 'displayName'});
    expect(r.body).toMatchObject({displayName: 'New', description: 'Old desc'});
    expect((await iam('PATCH', `projects/-/serviceAccounts/${email('patch-me')}`, {serviceAccount: {description: 'D'}, updateMask: 'description,display_name'})).body).not.toHaveProperty('displayName');
    for (const updateMask of [undefined, 'email', '']) {
      expect((await iam('PATCH', `projects/-/serviceAccounts/${email('patch-me')}`, {serviceAccount: {displayName: 'X'}, updateMask})).status).toBe(400);
    }
  });

  it('disables and enables: a disabled account\'s tokens answer 401 and the token endpoint refuses it', async () => {
    const bot = await principal('disable-me', 'roles/viewer');
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, bot.token)).status).toBe(200);
    expect(answer(await iam('POST', `projects/-/serviceAccounts/${bot.email}:disable`, {}))).toEqual({status: 200, body: {}});
    expect((await iam('GET', `projects/-/serviceAccounts/${bot.email}`)).body.disabled).toBe(true);
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, bot.token)).status).toBe(401);
    expect((await postToken(emu.url, signAssertion(bot.key))).body).toEqual({error: 'invalid_grant', error_description: OAUTH_MESSAGES.accountNotFound});

    expect((await iam('POST', `projects/-/serviceAccounts/${bot.email}:enable`, {})).status).toBe(200);
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, bot.token)).status).toBe(200);
    expect((await iam('GET', `projects/-/serviceAccounts/${bot.email}`)).body).not.toHaveProperty('disabled');
  });

  it('deletes: grants become deleted: members, tokens die, and a new account of the same email inherits nothing', async () => {
    const bot = await principal('delete-me', 'roles/viewer');
    const deletedUid = emu.state.serviceAccount(bot.email)!.uniqueId;
    expect(answer(await iam('DELETE', `projects/-/serviceAccounts/${bot.email}`))).toEqual({status: 200, body: {}});
    expect((await iam('GET', `projects/-/serviceAccounts/${bot.email}`)).status).toBe(403);
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, bot.token)).status).toBe(401);
    const viewers = emu.state.project('demo-project')!.iamPolicy.bindings.find((b) => b.role === 'roles/viewer')!;
    expect(viewers.members).toContain(`deleted:serviceAccount:${bot.email}?uid=${deletedUid}`);
    expect(viewers.members).not.toContain(`serviceAccount:${bot.email}`);

    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'delete-me'});
    const {key, privateKeyPem} = await emu.state.addServiceAccountKey(bot.email);
    const reborn = await accessTokenFor(emu.url, {client_email: bot.email, private_key_id: key.keyId, private_key: privateKeyPem});
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, reborn)).status).toBe(403);
    // The old token names the old uniqueId: it must not come back to life with the new account.
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, bot.token)).status).toBe(401);
  });
});

describe('service account keys', () => {
  it('creates a real key whose privateKeyData is a key file that mints tokens at this emulator', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'key-maker', serviceAccount: {}});
    const r = await iam('POST', `projects/-/serviceAccounts/${email('key-maker')}/keys`, {privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE'});
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['name', 'privateKeyType', 'privateKeyData', 'validAfterTime', 'validBeforeTime', 'keyAlgorithm', 'keyOrigin', 'keyType']);
    const keyId = String(r.body.name).split('/')[5]!;
    expect(r.body).toMatchObject({
      name: `projects/demo-project/serviceAccounts/${email('key-maker')}/keys/${keyId}`,
      privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
      validAfterTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      validBeforeTime: '9999-12-31T23:59:59Z',
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      keyOrigin: 'GOOGLE_PROVIDED',
      keyType: 'USER_MANAGED',
    });
    const file = JSON.parse(Buffer.from(String(r.body.privateKeyData), 'base64').toString('utf8')) as KeyFileFields & Record<string, string>;
    expect(file).toMatchObject({
      type: 'service_account',
      project_id: 'demo-project',
      private_key_id: keyId,
      client_email: email('key-maker'),
      client_id: emu.state.serviceAccount(email('key-maker'))!.uniqueId,
      token_uri: `${emu.url}/token`,
    });
    expect(file.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const minted = await postToken(emu.url, signAssertion(file));
    expect(minted.status).toBe(200);
    // The private half is handed out once and never kept.
    expect(JSON.stringify(await savedState(emu))).not.toContain(file.private_key);
    expect(emu.stats().byRoute['POST /iam/v1/projects/{project}/serviceAccounts/{account}/keys']).toBe(1);
  });

  it('lists keys by type (repeated keyTypes), gets one, and 404s an unknown key id', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'key-lister'});
    const made = await iam('POST', `projects/-/serviceAccounts/${email('key-lister')}/keys`, {});
    const base = `projects/-/serviceAccounts/${email('key-lister')}/keys`;
    const types = async (query: string) =>
      ((await callApi(emu.url, owner, 'GET', `/iam/v1/${base}${query}`)).body.keys as Array<{keyType: string}>).map((k) => k.keyType).sort();
    expect(await types('')).toEqual(['SYSTEM_MANAGED', 'USER_MANAGED']);
    expect(await types('?keyTypes=USER_MANAGED')).toEqual(['USER_MANAGED']);
    expect(await types('?keyTypes=SYSTEM_MANAGED')).toEqual(['SYSTEM_MANAGED']);
    expect(await types('?keyTypes=USER_MANAGED&keyTypes=SYSTEM_MANAGED')).toEqual(['SYSTEM_MANAGED', 'USER_MANAGED']);
    expect((await callApi(emu.url, owner, 'GET', `/iam/v1/${base}?keyTypes=NOPE`)).status).toBe(400);

    const keyId = String(made.body.name).split('/')[5]!;
    const got = await iam('GET', `${base}/${keyId}`);
    expect(got.body).toEqual({...made.body, privateKeyType: undefined, privateKeyData: undefined, name: made.body.name});
    expect(got.body).not.toHaveProperty('privateKeyData');
    expect((await iam('GET', `${base}/${'0'.repeat(40)}`)).status).toBe(404);
  });

  it('disables, enables and deletes a key; the token endpoint follows at once', async () => {
    const bot = await principal('key-cycler');
    const keyPath = `projects/-/serviceAccounts/${bot.email}/keys/${bot.key.private_key_id}`;
    const bad = {error: 'invalid_grant', error_description: OAUTH_MESSAGES.badSignature};

    expect(answer(await iam('POST', `${keyPath}:disable`, {}))).toEqual({status: 200, body: {}});
    expect((await iam('GET', keyPath)).body.disabled).toBe(true);
    expect((await postToken(emu.url, signAssertion(bot.key))).body).toEqual(bad);
    expect((await iam('POST', `${keyPath}:enable`, {})).status).toBe(200);
    expect((await postToken(emu.url, signAssertion(bot.key))).status).toBe(200);

    expect(answer(await iam('DELETE', keyPath))).toEqual({status: 200, body: {}});
    expect((await postToken(emu.url, signAssertion(bot.key))).body).toEqual(bad);
    expect((await iam('DELETE', keyPath)).status).toBe(404);
  });

  it('refuses to delete or disable the system-managed key, PKCS#12, another algorithm, and an eleventh user key', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'key-limits'});
    const base = `projects/-/serviceAccounts/${email('key-limits')}/keys`;
    const system = ((await iam('GET', base)).body.keys as Array<{name: string}>)[0]!.name.split('/')[5]!;
    expect((await iam('DELETE', `${base}/${system}`)).status).toBe(400);
    expect((await iam('POST', `${base}/${system}:disable`, {})).status).toBe(400);
    const p12 = await iam('POST', base, {privateKeyType: 'TYPE_PKCS12_FILE'});
    expect(p12.body.error).toMatchObject({code: 400, message: 'Private key type TYPE_PKCS12_FILE is not supported by the emulator.'});
    expect((await iam('POST', base, {keyAlgorithm: 'KEY_ALG_RSA_1024'})).status).toBe(400);

    for (let i = 0; i < 10; i++) await emu.state.addServiceAccountKey(email('key-limits'));
    expect(answer(await iam('POST', base, {}))).toEqual({
      status: 400,
      body: {error: {code: 400, message: 'Precondition check failed.', status: 'FAILED_PRECONDITION'}},
    });
  });
});

describe('permissions on IAM', () => {
  it('lets a viewer read but not create accounts or keys, with ErrorInfo naming the permission, changing nothing', async () => {
    const viewer = await principal('iam-viewer', 'roles/viewer');
    expect((await iam('GET', 'projects/demo-project/serviceAccounts', undefined, viewer.token)).status).toBe(200);
    expect((await iam('GET', `projects/-/serviceAccounts/${ownerKey.client_email}/keys`, undefined, viewer.token)).status).toBe(200);

    const before = await adminState(emu.url);
    expect(answer(await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'not-allowed'}, viewer.token))).toEqual(
      denied('iam.serviceAccounts.create', 'projects/demo-project'),
    );
    expect(answer(await iam('POST', `projects/-/serviceAccounts/${ownerKey.client_email}/keys`, {}, viewer.token))).toEqual(
      denied('iam.serviceAccountKeys.create', `projects/-/serviceAccounts/${ownerKey.client_email}`),
    );
    expect((await iam('DELETE', `projects/-/serviceAccounts/${ownerKey.client_email}`, undefined, viewer.token)).status).toBe(403);
    expect((await iam('POST', `projects/-/serviceAccounts/${ownerKey.client_email}:setIamPolicy`, {policy: {bindings: []}}, viewer.token)).status).toBe(403);
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('grants through an account\'s own policy for that account only, on top of inherited project roles', async () => {
    const admin = await principal('scoped-key-admin');
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'target-one'});
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'target-two'});
    const policy = await iam('POST', `projects/-/serviceAccounts/${email('target-one')}:getIamPolicy`);
    expect(policy.body).toEqual({version: 1, etag: 'ACAB'});
    const set = await iam('POST', `projects/-/serviceAccounts/${email('target-one')}:setIamPolicy`, {
      policy: {bindings: [{role: 'roles/iam.serviceAccountKeyAdmin', members: [`serviceAccount:${admin.email}`]}], etag: 'ACAB'},
    });
    expect(set.body).toEqual({version: 1, etag: expect.not.stringMatching(/^ACAB$/), bindings: [{role: 'roles/iam.serviceAccountKeyAdmin', members: [`serviceAccount:${admin.email}`]}]});

    expect((await iam('POST', `projects/-/serviceAccounts/${email('target-one')}/keys`, {}, admin.token)).status).toBe(200);
    expect((await iam('POST', `projects/-/serviceAccounts/${email('target-two')}/keys`, {}, admin.token)).status).toBe(403);
    const tested = await iam('POST', `projects/-/serviceAccounts/${email('target-one')}:testIamPermissions`, {
      permissions: ['iam.serviceAccountKeys.create', 'iam.serviceAccounts.delete', 'iam.serviceAccounts.actAs'],
    }, admin.token);
    expect(tested.body).toEqual({permissions: ['iam.serviceAccountKeys.create']});
    expect((await iam('POST', `projects/-/serviceAccounts/${email('target-two')}:testIamPermissions`, {permissions: ['iam.serviceAccounts.delete']}, admin.token)).body).toEqual({});
  });

  it('reads the requested version of an account policy from the query, as gcloud sends it', async () => {
    await iam('POST', 'projects/demo-project/serviceAccounts', {accountId: 'cond-target'});
    const base = `/iam/v1/projects/-/serviceAccounts/${email('cond-target')}`;
    const binding = {role: 'roles/iam.serviceAccountUser', members: ['user:dev@example.com'], condition: {expression: 'true', title: 'always'}};
    expect((await callApi(emu.url, owner, 'POST', `${base}:setIamPolicy`, {policy: {version: 3, bindings: [binding]}})).status).toBe(200);
    const v3 = await callApi(emu.url, owner, 'POST', `${base}:getIamPolicy?options.requestedPolicyVersion=3&alt=json`);
    expect(v3.body).toMatchObject({version: 3, bindings: [binding]});
    const v1 = await callApi(emu.url, owner, 'POST', `${base}:getIamPolicy`);
    expect(v1.body).toMatchObject({version: 1, bindings: [{role: expect.stringMatching(/^roles\/iam\.serviceAccountUser_withcond_[0-9a-f]{20}$/)}]});
  });
});
