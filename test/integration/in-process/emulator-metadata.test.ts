import {createRemoteJWKSet, jwtVerify} from 'jose';
import {DEFAULT_VM_SCOPES, expandScope} from '../../../src/emulator/metadata.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {accessTokenFor, callApi, readKeyFile, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let computeEmail: string;
const FLAVOR = {'Metadata-Flavor': 'Google'};
const MD = '/computeMetadata/v1';
const AUTH = 'https://www.googleapis.com/auth/';

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  computeEmail = `${emu.state.project(emu.project)!.projectNumber}-compute@developer.gserviceaccount.com`;
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await admin({serviceAccount: 'default', scopes: [...DEFAULT_VM_SCOPES], fault: null});
  emu.faults.set({});
  emu.resetStats();
});

async function admin(body: unknown): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`${emu.url}/__admin/metadata`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

async function md(path: string, headers: Record<string, string> = FLAVOR): Promise<{status: number; text: string; headers: Headers}> {
  const res = await fetch(`${emu.url}${path}`, {headers, redirect: 'manual'});
  return {status: res.status, text: await res.text(), headers: res.headers};
}

async function tokenInfo(token: string): Promise<Record<string, string>> {
  return (await (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json()) as Record<string, string>;
}

describe('the metadata tree', () => {
  it('lists the root, v1, instance and service-accounts directories, subdirectories ending in /', async () => {
    expect((await md('/')).text).toBe('computeMetadata/\n');
    expect((await md('/computeMetadata/')).text).toBe('v1/\n');
    expect((await md(`${MD}/`)).text).toBe('instance/\nproject/\nuniverse/\n');
    expect((await md(`${MD}/instance/`)).text).toBe('attributes/\nhostname\nid\nmachine-type\nname\nservice-accounts/\nzone\n');
    expect((await md(`${MD}/instance/service-accounts/`)).text).toBe(`${computeEmail}/\ndefault/\n`);
    expect((await md(`${MD}/instance/service-accounts/default/`)).text).toBe('aliases\nemail\nidentity\nscopes\ntoken\n');
  });

  it('answers every leaf as text with Metadata-Flavor: Google, and JSON with alt=json', async () => {
    const project = emu.state.project(emu.project)!;
    const email = await md(`${MD}/instance/service-accounts/default/email`);
    expect(email).toMatchObject({status: 200, text: computeEmail});
    expect(email.headers.get('metadata-flavor')).toBe('Google');
    expect(email.headers.get('content-type')).toBe('application/text');
    expect((await md(`${MD}/instance/service-accounts/${computeEmail}/email`)).text).toBe(computeEmail);
    expect((await md(`${MD}/instance/service-accounts/default/aliases`)).text).toBe('default\n');
    expect((await md(`${MD}/instance/service-accounts/default/scopes`)).text).toBe(DEFAULT_VM_SCOPES.map((s) => `${s}\n`).join(''));
    expect(JSON.parse((await md(`${MD}/instance/service-accounts/default/scopes?alt=json`)).text)).toEqual(DEFAULT_VM_SCOPES);
    expect((await md(`${MD}/project/project-id`)).text).toBe(emu.project);
    expect((await md(`${MD}/project/numeric-project-id`)).text).toBe(project?.projectNumber);
    expect((await md(`${MD}/instance/zone`)).text).toBe(`projects/${project?.projectNumber}/zones/us-central1-a`);
    expect((await md(`${MD}/instance/id`)).text).toMatch(/^\d{19}$/);
    expect((await md(`${MD}/instance/name`)).text).toBe('gcauth-emulated-vm');
    expect((await md(`${MD}/instance/hostname`)).text).toBe(`gcauth-emulated-vm.us-central1-a.c.${emu.project}.internal`);
    expect((await md(`${MD}/universe/universe-domain`)).text).toBe('googleapis.com');
  });

  it('answers a directory with recursive=true as camelCase JSON, and redirects a directory asked without its slash', async () => {
    const info = await md(`${MD}/instance/service-accounts/default/?recursive=true`);
    expect(info.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(info.text)).toEqual({aliases: ['default'], email: computeEmail, scopes: DEFAULT_VM_SCOPES});
    const project = JSON.parse((await md(`${MD}/project/?recursive=true`)).text) as Record<string, unknown>;
    expect(project).toEqual({attributes: {}, numericProjectId: Number(emu.state.project(emu.project)!.projectNumber), projectId: emu.project});
    const moved = await md(`${MD}/instance`);
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe(`${MD}/instance/`);
    expect(moved.headers.get('metadata-flavor')).toBe('Google');
  });

  it('answers unknown paths, a leaf with a slash and another version 404 with the flavor header', async () => {
    for (const path of [`${MD}/instance/nope`, `${MD}/instance/name/`, `${MD}/instance/attributes/cluster-name`, '/computeMetadata/v2/']) {
      const r = await md(path);
      expect({path, status: r.status}).toEqual({path, status: 404});
      expect(r.headers.get('metadata-flavor')).toBe('Google');
    }
    expect((await md(`${MD}/instance/service-accounts/nobody@example.com/email`)).status).toBe(404);
    expect((await md(`${MD}/instance/service-accounts/nobody@example.com/token`)).status).toBe(404);
  });
});

describe('header enforcement', () => {
  it('refuses a request without Metadata-Flavor: Google, or with another value, 403 with Google\'s page and the flavor header', async () => {
    for (const headers of <Record<string, string>[]>[{}, {'Metadata-Flavor': 'google-ish'}, {'Metadata-Flavor': 'Google', 'X-Forwarded-For': '10.0.0.1'}]) {
      const r = await md(`${MD}/instance/service-accounts/default/token`, headers);
      expect(r.status).toBe(403);
      expect(r.headers.get('metadata-flavor')).toBe('Google');
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(r.text).toContain('Your client does not have permission to get URL');
    }
    expect((await md(`${MD}/instance/`, {})).text).toContain('Missing Metadata-Flavor:Google header.');
    expect((await md('/', {})).status).toBe(403);
    expect(emu.stats().tokensIssued.metadata).toBe(0);
  });

  it('takes the legacy X-Google-Metadata-Request: True header', async () => {
    expect((await md(`${MD}/project/project-id`, {'X-Google-Metadata-Request': 'True'})).text).toBe(emu.project);
  });
});

describe('tokens', () => {
  it('hands out an ordinary access token of the VM account with its scopes, reused while it is fresh, counted as metadata', async () => {
    const r = await md(`${MD}/instance/service-accounts/default/token`);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(r.text) as {access_token: string; expires_in: number; token_type: string};
    expect(body).toEqual({access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: 'Bearer'});
    const info = await tokenInfo(body.access_token);
    expect(info.scope).toBe(DEFAULT_VM_SCOPES.join(' '));
    expect(info.azp).toBe(emu.state.serviceAccount(computeEmail)?.uniqueId);
    const again = JSON.parse((await md(`${MD}/instance/service-accounts/${computeEmail}/token`)).text) as {access_token: string};
    expect(again.access_token).toBe(body.access_token);
    expect(emu.stats().tokenRequests.metadata).toBe(2);
    expect(emu.stats().tokensIssued.metadata).toBe(1);
  });

  it('makes the Compute Engine default account on first use, with roles/editor on the project', () => {
    expect(emu.state.serviceAccount(computeEmail)?.displayName).toBe('Compute Engine default service account');
    const editors = emu.state.project(emu.project)!.iamPolicy.bindings.find((b) => b.role === 'roles/editor');
    expect(editors?.members).toContain(`serviceAccount:${computeEmail}`);
  });

  it('limits a token asked with ?scopes= to what was asked and the VM holds; all asked when the VM holds cloud-platform', async () => {
    const asked = `${AUTH}devstorage.read_only,${AUTH}bigquery`;
    const narrow = JSON.parse((await md(`${MD}/instance/service-accounts/default/token?scopes=${encodeURIComponent(asked)}`)).text) as {access_token: string};
    expect((await tokenInfo(narrow.access_token)).scope).toBe(`${AUTH}devstorage.read_only`);
    const outside = JSON.parse((await md(`${MD}/instance/service-accounts/default/token?scopes=${AUTH}bigquery`)).text) as {access_token: string};
    expect((await tokenInfo(outside.access_token)).scope).toBe(DEFAULT_VM_SCOPES.join(' '));
    await admin({scopes: ['cloud-platform']});
    const wide = JSON.parse((await md(`${MD}/instance/service-accounts/default/token?scopes=${encodeURIComponent(asked)}`)).text) as {access_token: string};
    expect((await tokenInfo(wide.access_token)).scope).toBe(`${AUTH}devstorage.read_only ${AUTH}bigquery`);
  });

  it('signs an identity token with the key at /oauth2/v3/certs; format=full adds google.compute_engine; no audience is 400', async () => {
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`));
    const account = emu.state.serviceAccount(computeEmail);
    const standard = await md(`${MD}/instance/service-accounts/default/identity?audience=https://svc.example`);
    const {payload} = await jwtVerify(standard.text, jwks, {issuer: 'https://accounts.google.com', audience: 'https://svc.example'});
    expect(payload).toMatchObject({sub: account?.uniqueId, azp: account?.uniqueId, email: computeEmail, email_verified: true});
    expect(payload.google).toBeUndefined();
    const full = await md(`${MD}/instance/service-accounts/default/identity?audience=aud-2&format=full&licenses=TRUE`);
    const fullClaims = (await jwtVerify(full.text, jwks, {audience: 'aud-2'})).payload as {google: {compute_engine: Record<string, unknown>}};
    expect(fullClaims.google.compute_engine).toMatchObject({project_id: emu.project, instance_name: 'gcauth-emulated-vm', zone: 'us-central1-a', license_id: []});
    const missing = await md(`${MD}/instance/service-accounts/default/identity`);
    expect(missing).toMatchObject({status: 400, text: 'non-empty audience parameter required'});
    expect(emu.stats().tokenRequests.metadataIdentity).toBe(3);
    expect(emu.stats().tokensIssued.metadataIdentity).toBe(2);
  });
});

describe('the VM configuration', () => {
  it('serves a VM without a service account: an empty list, and 404 for its token', async () => {
    expect((await admin({serviceAccount: null})).body).toMatchObject({serviceAccount: null});
    expect((await md(`${MD}/instance/service-accounts/`)).text).toBe('');
    expect((await md(`${MD}/instance/service-accounts/default/token`)).status).toBe(404);
    expect((await md(`${MD}/instance/service-accounts/default/email`)).status).toBe(404);
  });

  it('takes another account and short scope names from the admin API, shows them, and refuses bad settings with nothing changed', async () => {
    const email = `vm-runner@${emu.project}.iam.gserviceaccount.com`;
    const set = await admin({serviceAccount: email, scopes: ['cloud-platform', 'userinfo.email']});
    expect(set.body).toMatchObject({serviceAccount: email, scopes: [`${AUTH}cloud-platform`, `${AUTH}userinfo.email`], fault: null});
    expect((await md(`${MD}/instance/service-accounts/default/email`)).text).toBe(email);
    expect(emu.state.serviceAccount(email)).toBeDefined();
    const before = (await (await fetch(`${emu.url}/__admin/metadata`)).json()) as unknown;
    for (const bad of [{serviceAccount: 'x@other-project.iam.gserviceaccount.com'}, {serviceAccount: 'someone@example.com'}, {scopes: ['has space']}, {fault: 'explode'}, {colour: 'red'}, [1]]) {
      expect((await admin(bad)).status).toBe(400);
    }
    expect(await (await fetch(`${emu.url}/__admin/metadata`)).json()).toEqual(before);
    expect(expandScope('devstorage.read_only')).toBe(`${AUTH}devstorage.read_only`);
  });

  it('keeps the VM configuration in state across a restart', async () => {
    const dir = tmpDir();
    const first = await startEmulator({dataDir: dir, vm: {serviceAccount: null, scopes: ['cloud-platform']}});
    await first.close();
    const second = await startEmulator({dataDir: dir});
    try {
      expect(second.metadata.view()).toMatchObject({serviceAccount: null, scopes: [`${AUTH}cloud-platform`]});
    } finally {
      await second.close();
    }
  });
});

describe('faults', () => {
  it('html: answers 200 text/html without the flavor header', async () => {
    await admin({fault: 'html'});
    const r = await md(`${MD}/instance/service-accounts/default/token`);
    expect(r.status).toBe(200);
    expect(r.headers.get('metadata-flavor')).toBeNull();
    expect(r.headers.get('content-type')).toContain('text/html');
  });

  it('token-404: answers 404 for the token while the rest of the tree answers', async () => {
    await admin({fault: 'token-404'});
    expect((await md(`${MD}/instance/service-accounts/default/token`)).status).toBe(404);
    expect((await md(`${MD}/instance/service-accounts/default/email`)).status).toBe(200);
  });

  it('token-not-json: answers the token 200 as an HTML page, with the flavor header; the rest of the tree answers', async () => {
    await admin({fault: 'token-not-json'});
    const r = await md(`${MD}/instance/service-accounts/default/token`);
    expect(r.status).toBe(200);
    expect(r.headers.get('metadata-flavor')).toBe('Google');
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(() => JSON.parse(r.text) as unknown).toThrow();
    expect((await md(`${MD}/instance/service-accounts/default/email`)).text).toBe(computeEmail);
    expect(emu.stats().tokensIssued.metadata).toBe(0);
  });

  it('token-503-once: the next token request is 503 with the flavor header, then the fault lifts itself', async () => {
    await admin({fault: 'token-503-once'});
    expect((await md(`${MD}/instance/service-accounts/default/email`)).status).toBe(200);
    const first = await md(`${MD}/instance/service-accounts/default/token`);
    expect(first.status).toBe(503);
    expect(first.headers.get('metadata-flavor')).toBe('Google');
    expect(emu.metadata.view().fault).toBeNull();
    const second = await md(`${MD}/instance/service-accounts/default/token`);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text)).toMatchObject({access_token: expect.stringMatching(/^ya29\./)});
    expect(emu.stats().tokenRequests.metadata).toBe(2);
    expect(emu.stats().tokensIssued.metadata).toBe(1);
  });

  it('token-hang: the token never answers until the client gives up, while the rest of the tree answers', async () => {
    await admin({fault: 'token-hang'});
    const started = Date.now();
    await expect(fetch(`${emu.url}${MD}/instance/service-accounts/default/token`, {headers: FLAVOR, signal: AbortSignal.timeout(300)})).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await md(`${MD}/instance/service-accounts/default/email`)).text).toBe(computeEmail);
    await admin({fault: null});
    expect((await md(`${MD}/instance/service-accounts/default/token`)).status).toBe(200);
  });

  it('hang: never answers until the client gives up', async () => {
    await admin({fault: 'hang'});
    const started = Date.now();
    await expect(fetch(`${emu.url}${MD}/instance/`, {headers: FLAVOR, signal: AbortSignal.timeout(300)})).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await admin({fault: null});
    expect((await md(`${MD}/project/project-id`)).status).toBe(200);
  });

  it('the fault injector applies to metadata paths by prefix, with the flavor header on the injected answer', async () => {
    emu.faults.set({failNext: 1, paths: ['/computeMetadata/']});
    const r = await md(`${MD}/project/project-id`);
    expect(r.status).toBe(503);
    expect(r.headers.get('metadata-flavor')).toBe('Google');
    expect((await md(`${MD}/project/project-id`)).status).toBe(200);
  });
});

describe('test control', () => {
  const requests = async () => ((await (await fetch(`${emu.url}/__admin/metadata/requests`)).json()) as {requests: string[]}).requests;

  it('logs each metadata request path and query in order, refused and faulted ones too, and nothing else; reset-stats clears it', async () => {
    await md(`${MD}/instance/service-accounts/default/token?scopes=${encodeURIComponent(`${AUTH}devstorage.read_only`)}`);
    await md(`${MD}/project/project-id`, {});
    await fetch(`${emu.url}/tokeninfo?access_token=nope`);
    emu.faults.set({failNext: 1, paths: ['/computeMetadata/']});
    await md(`${MD}/instance/?recursive=true&alt=json`);
    await md('/');
    expect(await requests()).toEqual([
      `${MD}/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only`,
      `${MD}/project/project-id`,
      `${MD}/instance/?recursive=true&alt=json`,
      '/',
    ]);
    expect(emu.metadata.requests()).toEqual(await requests());
    await fetch(`${emu.url}/__admin/reset-stats`, {method: 'POST'});
    expect(await requests()).toEqual([]);
  });

  it('latency limited to the token path delays token answers (with a query too) and nothing else', async () => {
    emu.faults.set({latencyMs: 1000, paths: [`${MD}/instance/service-accounts/default/token`]});
    const timed = async (path: string) => {
      const started = Date.now();
      expect((await md(path)).status).toBe(200);
      return Date.now() - started;
    };
    expect(await timed(`${MD}/instance/service-accounts/default/token?scopes=${AUTH}devstorage.read_only`)).toBeGreaterThanOrEqual(990);
    expect(await timed(`${MD}/instance/service-accounts/default/email`)).toBeLessThan(1000);
    expect(await timed(`${MD}/instance/service-accounts/default/identity?audience=a`)).toBeLessThan(1000);
  });
});

describe('scopes are enforced on the tokens', () => {
  it('IAM and Resource Manager refuse a devstorage.read_only token with 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT; cloud-platform passes', async () => {
    const vmToken = (JSON.parse((await md(`${MD}/instance/service-accounts/default/token`)).text) as {access_token: string}).access_token;
    const cases = [
      ['GET', '/iam/v1/projects/demo-project/serviceAccounts', 'iam.googleapis.com', 'google.iam.admin.v1.IAM.ListServiceAccounts'],
      ['POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v1.Projects.GetIamPolicy'],
    ] as const;
    for (const [method, path, service, rpc] of cases) {
      const r = await callApi(emu.url, vmToken, method, path, method === 'POST' ? {} : undefined);
      expect(r.status).toBe(403);
      expect(r.body).toEqual({
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
          details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: {service, method: rpc}}],
        },
      });
    }
    await admin({scopes: ['cloud-platform']});
    const wide = (JSON.parse((await md(`${MD}/instance/service-accounts/default/token`)).text) as {access_token: string}).access_token;
    for (const [method, path] of cases) expect((await callApi(emu.url, wide, method, path, method === 'POST' ? {} : undefined)).status).toBe(200);
  });

  it('IAM takes the iam scope; Resource Manager does not', async () => {
    const owner = readKeyFile(emu.ownerKeyFile);
    const iamOnly = await accessTokenFor(emu.url, owner, `${AUTH}iam`);
    expect((await callApi(emu.url, iamOnly, 'GET', '/iam/v1/projects/demo-project/serviceAccounts')).status).toBe(200);
    expect((await callApi(emu.url, iamOnly, 'POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {})).status).toBe(403);
  });

  it('the registry front gives a read-only VM token pull, and refuses push naming the missing scope', async () => {
    const vmToken = (JSON.parse((await md(`${MD}/instance/service-accounts/default/token`)).text) as {access_token: string}).access_token;
    const basic = `Basic ${Buffer.from(`oauth2accesstoken:${vmToken}`).toString('base64')}`;
    const ask = (scope: string) => fetch(`${emu.url}/v2/token?service=gcauth-emulator-registry&scope=${encodeURIComponent(scope)}`, {headers: {authorization: basic}});
    const pull = await ask('repository:demo-project/app:pull');
    expect(pull.status).toBe(200);
    const granted = JSON.parse(Buffer.from(String(((await pull.json()) as {token: string}).token.split('.')[1]), 'base64url').toString()) as {access: unknown};
    expect(granted.access).toEqual([{type: 'repository', name: 'demo-project/app', actions: ['pull']}]);
    const push = await ask('repository:demo-project/app:pull,push');
    expect(push.status).toBe(403);
    const body = (await push.json()) as {errors: Array<{code: string; message: string}>};
    expect(body.errors[0]?.code).toBe('DENIED');
    expect(body.errors[0]?.message).toContain('https://www.googleapis.com/auth/devstorage.read_write');
    expect(body.errors[0]?.message).toContain(`${AUTH}devstorage.read_only`);
  });
});
