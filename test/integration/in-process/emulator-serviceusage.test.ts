import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {SU_MESSAGES} from '../../../src/emulator/serviceusage.js';
import {DEFAULT_SERVICES} from '../../../src/emulator/state.js';
import {accessTokenFor, adminState, callApi, readKeyFile, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let owner: string;
let number: string;

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${emu.url}${path}`, {method: 'POST', body: JSON.stringify(body)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
};
const su = (method: string, path: string, body?: unknown, token: string | undefined = owner) => callApi(emu.url, token, method, `/serviceusage/v1/${path}`, body);
const enabled = async () => ((await su('GET', 'projects/demo-project/services?filter=state:ENABLED')).body.services as Array<{config: {name: string}}>).map((s) => s.config.name);

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), services: []});
  owner = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  number = emu.state.project('demo-project')!.projectNumber;
});
afterAll(async () => {
  await emu.close();
});

/** Google's SERVICE_DISABLED body for `service` on the demo project. */
function serviceDisabledBody(service: string, title: string) {
  const url = `https://console.developers.google.com/apis/api/${service}/overview?project=${number}`;
  const message =
    `${title} has not been used in project ${number} before or it is disabled. Enable it by visiting ${url} then retry. ` +
    'If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.';
  return {
    error: {
      code: 403,
      message,
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: {service, consumer: `projects/${number}`, activationUrl: url, serviceTitle: title, containerInfo: number},
        },
        {'@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message},
        {'@type': 'type.googleapis.com/google.rpc.Help', links: [{description: 'Google developers console API activation', url}]},
      ],
    },
  };
}

describe('Service Usage on a project with nothing enabled (emulator start --no-services)', () => {
  it('lists nothing enabled, and every service the emulator knows as available and DISABLED', async () => {
    expect(await enabled()).toEqual([]);
    const all = await su('GET', 'projects/demo-project/services?pageSize=200');
    const services = all.body.services as Array<{name: string; parent: string; state: string; config: {name: string; title: string}}>;
    expect(services.find((s) => s.config.name === 'artifactregistry.googleapis.com')).toMatchObject({
      name: `projects/${number}/services/artifactregistry.googleapis.com`,
      parent: `projects/${number}`,
      state: 'DISABLED',
      config: {name: 'artifactregistry.googleapis.com', title: 'Artifact Registry API'},
    });
    expect((await su('GET', 'projects/demo-project/services?filter=state:BOGUS')).status).toBe(400);
  });

  it('refuses every other emulated API on the project with Google\'s SERVICE_DISABLED', async () => {
    const iam = await callApi(emu.url, owner, 'GET', '/iam/v1/projects/demo-project/serviceAccounts');
    expect({status: iam.status, body: iam.body}).toEqual({status: 403, body: serviceDisabledBody('iam.googleapis.com', 'Identity and Access Management (IAM) API')});
    // `projects/-/...` counts as the account's own project.
    const creds = await callApi(emu.url, owner, 'POST', `/iamcredentials/v1/projects/-/serviceAccounts/${emu.ownerEmail}:generateAccessToken`, {scope: ['x']});
    expect(creds.body).toEqual(serviceDisabledBody('iamcredentials.googleapis.com', 'IAM Service Account Credentials API'));
    const crm = await callApi(emu.url, owner, 'POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {});
    expect(crm.body).toEqual(serviceDisabledBody('cloudresourcemanager.googleapis.com', 'Cloud Resource Manager API'));
    const ar = await callApi(emu.url, owner, 'POST', '/artifactregistry/v1/projects/demo-project/locations/europe/repositories/r:testIamPermissions', {permissions: []});
    expect(ar.body).toEqual(serviceDisabledBody('artifactregistry.googleapis.com', 'Artifact Registry API'));
  });

  it('refuses a registry token for a repository of the project with the SERVICE_DISABLED text', async () => {
    const basic = Buffer.from(`oauth2accesstoken:${owner}`).toString('base64');
    const res = await fetch(`${emu.url}/v2/token?service=gcauth-emulator-registry&scope=repository:demo-project/app:pull`, {headers: {authorization: `Basic ${basic}`}});
    expect(res.status).toBe(403);
    const body = (await res.json()) as {errors: Array<{code: string; message: string}>};
    expect(body.errors[0]).toEqual({code: 'DENIED', message: serviceDisabledBody('artifactregistry.googleapis.com', 'Artifact Registry API').error.message});
  });

  it('enables one service with an operation that operations.get answers done, then answers noop for a repeat', async () => {
    const op = await su('POST', 'projects/demo-project/services/iam.googleapis.com:enable', {});
    expect(op.status).toBe(200);
    expect(Object.keys(op.body)).toEqual(['name']);
    expect(op.body.name).toMatch(new RegExp(`^operations/acf\\.p2-${number}-[0-9a-f-]{36}$`));
    const done = await su('GET', String(op.body.name));
    expect(done.body).toMatchObject({
      name: op.body.name,
      done: true,
      response: {'@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse', service: {state: 'ENABLED', config: {name: 'iam.googleapis.com'}}},
    });
    expect(await enabled()).toEqual(['iam.googleapis.com']);
    const again = await su('POST', 'projects/demo-project/services/iam.googleapis.com:enable', {});
    expect(again.body).toMatchObject({name: 'operations/noop.DONE_OPERATION', done: true});
    expect((await callApi(emu.url, owner, 'GET', '/iam/v1/projects/demo-project/serviceAccounts')).status).toBe(200);
  });

  it('batch-enables all or nothing, and refuses an unknown name in Google\'s words', async () => {
    const before = await adminState(emu.url);
    const unknown = await su('POST', 'projects/demo-project/services:batchEnable', {serviceIds: ['run.googleapis.com', 'nope.googleapis.com']});
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({status: 'PERMISSION_DENIED', message: SU_MESSAGES.notFound(['nope.googleapis.com'])});
    expect(await adminState(emu.url)).toEqual(before);
    const op = await su('POST', 'projects/demo-project/services:batchEnable', {serviceIds: ['run.googleapis.com', 'artifactregistry.googleapis.com']});
    expect((await su('GET', String(op.body.name))).body.response).toMatchObject({'@type': 'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse'});
    expect(await enabled()).toEqual(['artifactregistry.googleapis.com', 'iam.googleapis.com', 'run.googleapis.com']);
  });

  it('disables a service, and refuses a caller without serviceusage.services.disable in Google\'s words, changing nothing', async () => {
    const viewer = emu.state.createServiceAccount('demo-project', 'su-viewer');
    emu.state.addBinding('demo-project', 'roles/viewer', `serviceAccount:${viewer.email}`);
    const {key, privateKeyPem} = await emu.state.addServiceAccountKey(viewer.email);
    const token = await accessTokenFor(emu.url, {...readKeyFile(emu.ownerKeyFile), client_email: viewer.email, private_key_id: key.keyId, private_key: privateKeyPem});
    const refused = await su('POST', 'projects/demo-project/services/run.googleapis.com:disable', {}, token);
    expect(refused.status).toBe(403);
    expect((refused.body.error as {message: string}).message).toBe('Permission denied to disable service [run.googleapis.com]');
    expect(await enabled()).toContain('run.googleapis.com');
    const op = await su('POST', 'projects/demo-project/services/run.googleapis.com:disable', {disableDependentServices: false, checkIfServiceHasUsage: 'CHECK'});
    expect(op.status).toBe(200);
    expect(await enabled()).not.toContain('run.googleapis.com');
  });

  it('keeps enabled services across a restart', async () => {
    const dataDir = tmpDir();
    const first = await startEmulator({dataDir, services: []});
    first.state.setServicesEnabled('demo-project', ['iam.googleapis.com'], true);
    await first.close();
    const second = await startEmulator({dataDir});
    try {
      expect(second.state.enabledServices('demo-project')).toEqual(['iam.googleapis.com']);
    } finally {
      await second.close();
    }
  });
});

describe('admin routes and the default project', () => {
  it('starts the default project with what the demo needs', async () => {
    const other = await startEmulator({dataDir: tmpDir()});
    try {
      expect(other.state.enabledServices('demo-project')).toEqual([...DEFAULT_SERVICES].sort());
    } finally {
      await other.close();
    }
  });

  it('makes a project with nothing enabled, sets services, and enforces an org-policy constraint', async () => {
    expect(await post('/__admin/projects', {projectId: 'bare-project', services: []})).toMatchObject({status: 200, body: {enabledServices: []}});
    expect(await post('/__admin/services', {project: 'bare-project', services: ['iam.googleapis.com'], enabled: true})).toMatchObject({body: {enabledServices: ['iam.googleapis.com']}});
    expect(await post('/__admin/org-policy', {project: 'bare-project', constraint: 'constraints/iam.disableServiceAccountKeyCreation', enforced: true})).toMatchObject({
      body: {enforcedConstraints: ['iam.disableServiceAccountKeyCreation']},
    });
    expect((await post('/__admin/services', {project: 'bare-project', services: ['nope.googleapis.com'], enabled: true})).status).toBe(400);
    expect((await post('/__admin/org-policy', {project: 'bare-project', constraint: 'iam.other', enforced: true})).status).toBe(400);
  });

  it('refuses keys create under iam.disableServiceAccountKeyCreation with Google\'s FAILED_PRECONDITION', async () => {
    await post('/__admin/org-policy', {project: 'demo-project', constraint: 'iam.disableServiceAccountKeyCreation', enforced: true});
    const before = await adminState(emu.url);
    const r = await callApi(emu.url, owner, 'POST', `/iam/v1/projects/-/serviceAccounts/${emu.ownerEmail}/keys`, {});
    expect(r.status).toBe(400);
    const message = 'Key creation is not allowed on this service account.';
    expect(r.body).toEqual({
      error: {
        code: 400,
        message,
        status: 'FAILED_PRECONDITION',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
            violations: [
              {
                type: 'constraints/iam.disableServiceAccountKeyCreation',
                subject: `projects/demo-project/serviceAccounts/${emu.ownerEmail}?configvalue=${encodeURIComponent(emu.ownerEmail)}`,
                description: message,
              },
            ],
          },
        ],
      },
    });
    expect(await adminState(emu.url)).toEqual(before);
    await post('/__admin/org-policy', {project: 'demo-project', constraint: 'iam.disableServiceAccountKeyCreation', enforced: false});
    expect((await callApi(emu.url, owner, 'POST', `/iam/v1/projects/-/serviceAccounts/${emu.ownerEmail}/keys`, {})).status).toBe(200);
  });
});
