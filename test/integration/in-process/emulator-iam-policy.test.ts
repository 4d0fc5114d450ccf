import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {conditionHolds} from '../../../src/emulator/policy.js';
import {accessTokenFor, adminState, callApi, readKeyFile, tmpDir, type KeyFileFields} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let ownerKey: KeyFileFields;
let owner: string;
let ownerMember: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
  ownerMember = `serviceAccount:${ownerKey.client_email}`;
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.resetStats();
});

const crm = (method: string, path: string, body?: unknown, token: string | undefined = owner) =>
  callApi(emu.url, token, method, `/cloudresourcemanager/${path}?alt=json`, body);
const answer = (r: {status: number; body: unknown}) => ({status: r.status, body: r.body});
const OWNER_BINDING = () => ({role: 'roles/owner', members: [ownerMember]});

interface Policy {
  version: number;
  etag: string;
  bindings?: Array<{role: string; members: string[]; condition?: Record<string, string>}>;
}

async function getPolicy(version = 3, project = 'demo-project'): Promise<Policy> {
  const r = await crm('POST', `v1/projects/${project}:getIamPolicy`, {options: {requestedPolicyVersion: version}});
  expect(r.status).toBe(200);
  return r.body as unknown as Policy;
}

/** Sets bindings (the owner binding is always kept) with the current etag; returns the answer. */
async function setBindings(bindings: unknown[], extra: Record<string, unknown> = {}) {
  const {etag} = await getPolicy();
  return crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {version: 3, etag, bindings: [OWNER_BINDING(), ...bindings], ...extra}});
}

async function principal(id: string, role?: string): Promise<{email: string; token: string}> {
  const account = emu.state.createServiceAccount(emu.project, id);
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(account.email);
  if (role) emu.state.addBinding(emu.project, role, `serviceAccount:${account.email}`);
  return {email: account.email, token: await accessTokenFor(emu.url, {client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem})};
}

function crmDenied(permission: string, resource: string) {
  return {
    status: 403,
    body: {
      error: {
        code: 403,
        message: 'The caller does not have permission',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'cloudresourcemanager.googleapis.com',
            metadata: {permission, resource},
          },
        ],
      },
    },
  };
}

describe('projects', () => {
  it('gets a project in v1 and v3 shapes, by id or number', async () => {
    const {projectNumber, createTime} = emu.state.project('demo-project')!;
    const v1 = await crm('GET', 'v1/projects/demo-project');
    expect(answer(v1)).toEqual({status: 200, body: {projectNumber, projectId: 'demo-project', lifecycleState: 'ACTIVE', name: 'demo-project', createTime}});
    const v3 = await crm('GET', `v3/projects/${projectNumber}`);
    expect(v3.body).toEqual({name: `projects/${projectNumber}`, projectId: 'demo-project', state: 'ACTIVE', displayName: 'demo-project', createTime, updateTime: createTime});
    expect(emu.stats().byRoute).toMatchObject({'GET /cloudresourcemanager/v1/projects/{project}': 1, 'GET /cloudresourcemanager/v3/projects/{project}': 1});
  });

  it('answers a project that does not exist with the 403 of one the caller cannot see', async () => {
    expect(answer(await crm('GET', 'v1/projects/no-such-project'))).toEqual(crmDenied('resourcemanager.projects.get', 'projects/no-such-project'));
    expect(answer(await crm('POST', 'v1/projects/no-such-project:getIamPolicy', {}))).toEqual(
      crmDenied('resourcemanager.projects.getIamPolicy', 'projects/no-such-project'),
    );
    expect((await crm('POST', 'v3/projects/no-such-project:testIamPermissions', {permissions: ['resourcemanager.projects.get']})).status).toBe(403);
  });
});

describe('project IAM policy', () => {
  it('answers getIamPolicy with version, etag, bindings in Google\'s order; version 1 when nothing is conditional', async () => {
    for (const path of ['v1/projects/demo-project:getIamPolicy', 'v3/projects/demo-project:getIamPolicy']) {
      const r = await crm('POST', path, {options: {requestedPolicyVersion: 3}});
      expect(Object.keys(r.body)).toEqual(['version', 'etag', 'bindings']);
      expect(r.body).toMatchObject({version: 1, etag: emu.state.project('demo-project')!.iamPolicy.etag});
      expect(r.body.bindings).toContainEqual(OWNER_BINDING());
    }
    expect((await crm('POST', 'v1/projects/demo-project:getIamPolicy', {options: {requestedPolicyVersion: 2}})).status).toBe(400);
  });

  it('writes with the current etag, rotates it every write, and counts setIamPolicy calls', async () => {
    const before = await getPolicy();
    const r = await setBindings([{members: ['user:dev@example.com'], role: 'roles/storage.admin'}]);
    expect(r.status).toBe(200);
    const after = r.body as unknown as Policy;
    expect(Object.keys(after)).toEqual(['version', 'etag', 'bindings']);
    expect(after.etag).not.toBe(before.etag);
    expect(after.version).toBe(1);
    expect(after.bindings).toContainEqual({role: 'roles/storage.admin', members: ['user:dev@example.com']});
    expect(await getPolicy()).toEqual(after);
    // Writing the same policy again still yields a new etag.
    const again = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {...after}});
    expect((again.body as unknown as Policy).etag).not.toBe(after.etag);
    expect(emu.stats().byRoute['POST /cloudresourcemanager/v1/projects/{project}:setIamPolicy']).toBe(2);
  });

  it('refuses a stale etag with 409 ABORTED and Google\'s message, changing nothing', async () => {
    const stale = await getPolicy();
    await setBindings([{role: 'roles/viewer', members: ['user:first@example.com']}]);
    const before = await adminState(emu.url);
    const r = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {
      policy: {etag: stale.etag, bindings: [OWNER_BINDING(), {role: 'roles/viewer', members: ['user:second@example.com']}]},
    });
    expect(answer(r)).toEqual({
      status: 409,
      body: {
        error: {
          code: 409,
          message: 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
          status: 'ABORTED',
        },
      },
    });
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('compares etags as the bytes they encode: gcloud sends back URL-safe base64 what it read as standard', async () => {
    emu.state.project('demo-project')!.iamPolicy.etag = 'B+/ABC//+w8=';
    const urlSafe = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {etag: 'B-_ABC__-w8=', bindings: [OWNER_BINDING()]}});
    expect(urlSafe.status).toBe(200);
    const notBase64 = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {etag: 'not base64!', bindings: [OWNER_BINDING()]}});
    expect(notBase64.body.error).toMatchObject({code: 400, message: 'Invalid value at \'policy.etag\' (TYPE_BYTES), Base64 decoding failed for "not base64!"'});
  });

  it('overwrites when no etag is given', async () => {
    const r = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {bindings: [OWNER_BINDING(), {role: 'roles/browser', members: ['user:x@example.com']}]}});
    expect(r.status).toBe(200);
    expect((await getPolicy()).bindings).toEqual([{role: 'roles/browser', members: ['user:x@example.com']}, OWNER_BINDING()]);
  });

  it('drops empty bindings, merges equal roles, de-duplicates and sorts members and roles', async () => {
    const r = await setBindings([
      {role: 'roles/viewer', members: ['user:b@example.com', 'user:a@example.com']},
      {role: 'roles/editor', members: []},
      {role: 'roles/viewer', members: ['user:a@example.com', 'group:g@example.com']},
    ]);
    expect((r.body as unknown as Policy).bindings).toEqual([
      OWNER_BINDING(),
      {role: 'roles/viewer', members: ['group:g@example.com', 'user:a@example.com', 'user:b@example.com']},
    ]);
  });

  it('honours an updateMask without bindings, and refuses unknown mask paths', async () => {
    const before = await getPolicy();
    const r = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {bindings: []}, updateMask: 'etag'});
    expect((r.body as unknown as Policy).bindings).toEqual(before.bindings);
    expect((await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: {bindings: []}, updateMask: 'bindings,owners'})).status).toBe(400);
  });

  it.each([
    ['no type prefix', 'dev@example.com', 'Policy members must be of the form "<type>:<value>".'],
    ['an unknown type', 'robot:dev@example.com', 'The member robot:dev@example.com is of an unknown type. Please set a valid type prefix for the member.'],
    ['a user that is no email', 'user:dev', 'Invalid member: user:dev'],
    ['a domain with a space', 'domain:exa mple.com', 'Invalid member: domain:exa mple.com'],
    ['an emulated account that does not exist', 'serviceAccount:ghost-account@demo-project.iam.gserviceaccount.com', 'Service account ghost-account@demo-project.iam.gserviceaccount.com does not exist.'],
  ])('refuses %s with 400', async (_name, member, message) => {
    const r = await setBindings([{role: 'roles/viewer', members: [member]}]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({code: 400, status: 'INVALID_ARGUMENT', message});
  });

  it('gives a missing type prefix Google\'s BadRequest detail', async () => {
    const r = await setBindings([{role: 'roles/viewer', members: ['nobody']}]);
    expect((r.body.error as {details: unknown}).details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [
          {
            field: 'policy.bindings.member',
            description: "Policy members must be prefixed of the form '<type>:<value>', where <type> is 'domain', 'group', 'serviceAccount', or 'user'.",
          },
        ],
      },
    ]);
  });

  it('accepts every member type Google knows', async () => {
    const members = [
      'deleted:serviceAccount:gone@demo-project.iam.gserviceaccount.com?uid=123456789012345678901',
      'deleted:user:left@example.com?uid=42',
      'domain:example.com',
      'group:team@example.com',
      'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/s',
      'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*',
      'serviceAccount:123-compute@developer.gserviceaccount.com',
      'serviceAccount:elsewhere@another-project.iam.gserviceaccount.com',
      'user:dev@example.com',
    ];
    const r = await setBindings([{role: 'roles/viewer', members}]);
    expect(r.status).toBe(200);
    expect((r.body as unknown as Policy).bindings).toContainEqual({role: 'roles/viewer', members});
  });

  it('refuses malformed role names, version-1 renderings (_withcond_) of conditional roles and custom roles that do not exist', async () => {
    const roles = ['owner', 'roles/', 'roles/viewer_withcond_0123456789abcdef0123', 'projects/demo-project/roles/', 'projects/demo-project/roles/x', 'organizations/123/roles/x'];
    for (const role of roles) {
      const r = await setBindings([{role, members: ['user:dev@example.com']}]);
      expect([role, r.status, (r.body.error as {message: string}).message]).toEqual([role, 400, `Role (${role}) does not exist in the resource's hierarchy.`]);
    }
  });

  it("refuses a predefined role Google does not know with Google's message, changing nothing", async () => {
    const before = await getPolicy();
    const r = await setBindings([{role: 'roles/doesNotExist', members: ['user:dev@example.com']}]);
    expect(answer(r)).toEqual({
      status: 400,
      body: {error: {code: 400, message: 'Role roles/doesNotExist is not supported for this resource.', status: 'INVALID_ARGUMENT'}},
    });
    expect(await getPolicy()).toEqual(before);
    expect((await setBindings([{role: 'roles/run.invoker', members: ['user:dev@example.com']}])).status).toBe(200);
  });

  it.each([
    ['allUsers', 'roles/owner'],
    ['allAuthenticatedUsers', 'roles/owner'],
    ['allUsers', 'roles/editor'],
    ['allAuthenticatedUsers', 'roles/viewer'],
  ])('refuses %s in %s on a project, as Google does for any role, naming the binding', async (member, role) => {
    const before = await getPolicy();
    const r = await setBindings([{role, members: [member, 'user:dev@example.com']}]);
    expect(answer(r)).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'Request contains an invalid argument.',
          status: 'INVALID_ARGUMENT',
          details: [{'@type': 'type.googleapis.com/google.cloudresourcemanager.v1.ProjectIamPolicyError', member, role}],
        },
      },
    });
    expect(await getPolicy()).toEqual(before);
  });

  it('limits a policy to 1,500 principals with Google\'s message', async () => {
    const members = (n: number) => Array.from({length: n}, (_, i) => `user:u${i}@example.com`);
    // The owner binding holds one principal: 1,499 more make exactly 1,500.
    expect((await setBindings([{role: 'roles/viewer', members: members(1499)}])).status).toBe(200);
    const r = await setBindings([{role: 'roles/viewer', members: members(1500)}]);
    expect(r.body.error).toEqual({
      code: 400,
      message: 'The number of members in the policy (1,501) is larger than the maximum allowed size 1,500.',
      status: 'INVALID_ARGUMENT',
    });
    await setBindings([]);
  });
});

describe('conditional bindings', () => {
  const condition = {expression: 'request.time < timestamp("2999-01-01T00:00:00Z")', title: 'until 2999', description: 'long lived'};

  it('needs version 3 and refuses basic roles, as Google does', async () => {
    const v1 = await setBindings([{role: 'roles/storage.admin', members: ['user:dev@example.com'], condition}], {version: 1});
    expect(v1.body.error).toMatchObject({code: 400, message: 'A policy with conditional role bindings must have version 3.'});
    const basic = await setBindings([{role: 'roles/editor', members: ['user:dev@example.com'], condition}]);
    expect(basic.status).toBe(400);
    expect((basic.body.error as {message: string}).message).toContain('basic role');
    expect((await setBindings([{role: 'roles/storage.admin', members: ['user:dev@example.com'], condition: {title: 'no expression'}}])).status).toBe(400);
  });

  it('stores version 3, answers it to v3 readers, and hides conditions behind _withcond_ roles for v1 readers', async () => {
    const conditional = {role: 'roles/storage.admin', members: ['user:dev@example.com'], condition};
    const set = await setBindings([conditional, {role: 'roles/viewer', members: ['user:dev@example.com']}]);
    expect(set.status).toBe(200);
    const v3 = await getPolicy(3);
    expect(v3.version).toBe(3);
    expect(v3.bindings).toContainEqual(conditional);
    expect(Object.keys(v3.bindings!.find((b) => b.condition)!)).toEqual(['role', 'members', 'condition']);
    expect(Object.keys(v3.bindings!.find((b) => b.condition)!.condition!)).toEqual(['expression', 'title', 'description']);

    for (const version of [0, 1]) {
      const v1 = await getPolicy(version);
      expect(v1.version).toBe(1);
      expect(v1.etag).toBe(v3.etag);
      expect(v1.bindings!.every((b) => b.condition === undefined)).toBe(true);
      expect(v1.bindings!.map((b) => b.role)).toEqual(['roles/owner', expect.stringMatching(/^roles\/storage\.admin_withcond_[0-9a-f]{20}$/), 'roles/viewer']);
    }
    // A v1 read-modify-write cannot silently drop the condition.
    const v1 = await getPolicy(1);
    expect((await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy: v1})).status).toBe(400);
    await setBindings([]);
    expect((await getPolicy(3)).version).toBe(1);
  });

  it('grants a conditional role only while its condition holds; an expression the emulator cannot read never grants', async () => {
    const bot = await principal('conditional-iam-admin');
    const member = `serviceAccount:${bot.email}`;
    const canRead = async () => (await crm('POST', 'v1/projects/demo-project:getIamPolicy', {}, bot.token)).status;
    const grant = (expression: string) =>
      setBindings([{role: 'roles/resourcemanager.projectIamAdmin', members: [member], condition: {expression, title: 't'}}]);

    await grant('request.time < timestamp("2999-01-01T00:00:00Z")');
    expect(await canRead()).toBe(200);
    await grant('request.time < timestamp("2001-01-01T00:00:00Z")');
    expect(await canRead()).toBe(403);
    await grant('true');
    expect(await canRead()).toBe(200);
    await grant('resource.name.startsWith("projects/demo-project")');
    expect(await canRead()).toBe(403);
    await setBindings([]);
  });

  it.each([
    ['true', true],
    ['(true)', true],
    ['false', false],
    ['request.time < timestamp("2030-01-01T00:00:00Z")', true],
    ['request.time <= timestamp("2025-06-01T00:00:00Z")', true],
    ['request.time > timestamp("2025-06-01T00:00:00Z")', false],
    ['request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2030-01-01T00:00:00Z")', true],
    ['(request.time > timestamp("2020-01-01T00:00:00Z")) && (request.time < timestamp("2021-01-01T00:00:00Z"))', false],
    ['request.time < timestamp("not a time")', false],
    ['true || false', false],
    ['resource.type == "cloudresourcemanager.googleapis.com/Project"', false],
  ])('evaluates %s as %s at 2025-06-01', (expression, expected) => {
    expect(conditionHolds(expression, Date.parse('2025-06-01T00:00:00Z'))).toBe(expected);
  });
});

describe('permissions on Resource Manager', () => {
  it('lets a viewer read the policy but not write it, changing nothing; testIamPermissions names the subset', async () => {
    const viewer = await principal('crm-viewer', 'roles/viewer');
    expect((await crm('POST', 'v1/projects/demo-project:getIamPolicy', {}, viewer.token)).status).toBe(200);
    const before = await adminState(emu.url);
    const policy = await getPolicy();
    expect(answer(await crm('POST', 'v1/projects/demo-project:setIamPolicy', {policy}, viewer.token))).toEqual(
      crmDenied('resourcemanager.projects.setIamPolicy', 'projects/demo-project'),
    );
    expect(await adminState(emu.url)).toEqual(before);

    const asked = ['resourcemanager.projects.get', 'resourcemanager.projects.setIamPolicy', 'iam.serviceAccounts.list', 'storage.objects.get'];
    expect((await crm('POST', 'v1/projects/demo-project:testIamPermissions', {permissions: asked}, viewer.token)).body).toEqual({
      permissions: ['resourcemanager.projects.get', 'iam.serviceAccounts.list'],
    });
    expect((await crm('POST', 'v3/projects/demo-project:testIamPermissions', {permissions: asked})).body).toEqual({permissions: asked});
    expect((await crm('POST', 'v1/projects/demo-project:testIamPermissions', {permissions: 'x'})).status).toBe(400);
  });

  it('lets a projectIamAdmin write the policy, and a grant made there take effect at once', async () => {
    const admin = await principal('crm-iam-admin', 'roles/resourcemanager.projectIamAdmin');
    const bot = await principal('crm-late-viewer');
    expect((await crm('GET', 'v1/projects/demo-project', undefined, bot.token)).status).toBe(403);
    const {etag, bindings} = await getPolicy();
    const r = await crm('POST', 'v1/projects/demo-project:setIamPolicy', {
      policy: {etag, bindings: [...bindings!, {role: 'roles/browser', members: [`serviceAccount:${bot.email}`]}]},
    }, admin.token);
    expect(r.status).toBe(200);
    expect((await crm('GET', 'v1/projects/demo-project', undefined, bot.token)).status).toBe(200);
  });
});

describe('service account IAM policy', () => {
  const sa = () => `target-sa@${emu.project}.iam.gserviceaccount.com`;
  const iam = (verb: string, body?: unknown) => callApi(emu.url, owner, 'POST', `/iam/v1/projects/${emu.project}/serviceAccounts/${sa()}:${verb}`, body);
  const setAccountBindings = async (bindings: unknown[]) => {
    const {etag} = (await iam('getIamPolicy')).body as unknown as Policy;
    return iam('setIamPolicy', {policy: {etag, bindings}});
  };

  beforeAll(() => {
    emu.state.createServiceAccount(emu.project, 'target-sa');
  });

  it('takes roles that act on service accounts, and allUsers, which only a project refuses', async () => {
    const r = await setAccountBindings([
      {role: 'roles/iam.serviceAccountUser', members: ['user:dev@example.com']},
      {role: 'roles/iam.serviceAccountTokenCreator', members: ['allAuthenticatedUsers']},
      {role: 'roles/viewer', members: ['allUsers']},
    ]);
    expect(r.status).toBe(200);
  });

  it.each([
    ['roles/doesNotExist', 'Role roles/doesNotExist is not supported for this resource.'],
    ['roles/storage.admin', 'Role roles/storage.admin is not supported for this resource.'],
    ['roles/iam.serviceAccountCreator', 'Role roles/iam.serviceAccountCreator is not supported for this resource.'],
    [`projects/${'demo-project'}/roles/x`, "Role (projects/demo-project/roles/x) does not exist in the resource's hierarchy."],
  ])('refuses %s with Google\'s message', async (role, message) => {
    const r = await setAccountBindings([{role, members: ['user:dev@example.com']}]);
    expect(answer(r)).toEqual({status: 400, body: {error: {code: 400, message, status: 'INVALID_ARGUMENT'}}});
  });
});
