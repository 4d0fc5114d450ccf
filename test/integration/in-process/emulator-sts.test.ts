import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK} from 'jose';

type KeyLike = CryptoKey;
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {AWS_STS_MESSAGES} from '../../../src/emulator/aws.js';
import {STS_MESSAGES} from '../../../src/emulator/google-errors.js';
import {accessTokenFor, callApi, type KeyFileFields, permissionDenied, readKeyFile, tmpDir} from '../../helpers/emulator.js';

/** A tiny OIDC issuer in the test: discovery and JWKS on 127.0.0.1, keys made here, and a switch to break it. */
interface Issuer {
  url: string;
  key: KeyLike;
  jwk: JWK;
  /** 'ok', or 'down' (discovery answers 500). */
  mode: 'ok' | 'down';
  discoveryHits: number;
  close(): Promise<void>;
}

async function startIssuer(): Promise<Issuer> {
  const {privateKey, publicKey} = await generateKeyPair('RS256');
  const jwk = {...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig'};
  const issuer = {mode: 'ok', discoveryHits: 0} as Issuer;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') {
      issuer.discoveryHits++;
      if (issuer.mode === 'down') return send(500, {});
      return send(200, {issuer: issuer.url, jwks_uri: `${issuer.url}/jwks`});
    }
    if (req.url === '/jwks') return send(200, {keys: [jwk]});
    return send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(issuer, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: privateKey,
    jwk,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return issuer;
}

let emu: RunningEmulator;
let issuer: Issuer;
let owner: string;
let ownerKey: KeyFileFields;
let number: string;
const clock = {now: Math.floor(Date.now() / 1000) * 1000};

const POOLS = 'projects/demo-project/locations/global/workloadIdentityPools';
const iam = (method: string, path: string, body?: unknown, token = owner) => callApi(emu.url, token, method, `/iam/v1/${path}`, body);
const audienceOf = (pool: string, provider: string, project = number) => `//iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${provider}`;
const poolMember = (pool: string) => `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}`;
const MAPPING = {'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'google.groups': 'assertion.teams'};

beforeAll(async () => {
  issuer = await startIssuer();
  emu = await startEmulator({dataDir: tmpDir(), now: () => clock.now});
  ownerKey = readKeyFile(emu.ownerKeyFile);
  owner = await accessTokenFor(emu.url, ownerKey);
  number = emu.state.project(emu.project)!.projectNumber;
  expect((await iam('POST', `${POOLS}?workloadIdentityPoolId=ci-pool`, {})).status).toBe(200);
  const provider = (id: string, extra: Record<string, unknown> = {}) =>
    iam('POST', `${POOLS}/ci-pool/providers?workloadIdentityPoolProviderId=${id}`, {oidc: {issuerUri: issuer.url}, attributeMapping: MAPPING, ...extra});
  expect((await provider('gh-prov', {attributeCondition: "assertion.repository_owner == 'octo'"})).status).toBe(200);
  expect((await provider('aud-prov', {oidc: {issuerUri: issuer.url, allowedAudiences: ['my-aud']}})).status).toBe(200);
  expect((await provider('jwks-prov', {oidc: {issuerUri: 'https://issuer.invalid', jwksJson: JSON.stringify({keys: [issuer.jwk]})}})).status).toBe(200);
  expect((await provider('off-prov', {disabled: true})).status).toBe(200);
  expect((await provider('gone-prov')).status).toBe(200);
  expect((await iam('DELETE', `${POOLS}/ci-pool/providers/gone-prov`)).status).toBe(200);
  expect((await iam('POST', `${POOLS}/ci-pool/providers?workloadIdentityPoolProviderId=aws-prov`, {aws: {accountId: '123456789012'}})).status).toBe(200);
});
afterAll(async () => {
  await emu.close();
  await issuer.close();
});

/** A GitHub-Actions-shaped job token signed by the test issuer. */
function jobToken(claims: Record<string, unknown> = {}, opts: {key?: KeyLike; kid?: string; iat?: number; exp?: number} = {}): Promise<string> {
  const now = Math.floor(clock.now / 1000);
  const body: Record<string, unknown> = {
    iss: issuer.url,
    aud: audienceOf('ci-pool', 'gh-prov').replace(/^\/\//, 'https://'),
    sub: 'repo:octo/app:ref:refs/heads/main',
    repository: 'octo/app',
    repository_owner: 'octo',
    teams: ['builders'],
    iat: opts.iat ?? now - 10,
    exp: opts.exp ?? now + 300,
    ...claims,
  };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return new SignJWT(body).setProtectedHeader({alg: 'RS256', kid: opts.kid ?? 'k1'}).sign(opts.key ?? issuer.key);
}

const FORM = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  scope: 'https://www.googleapis.com/auth/cloud-platform',
};

/** `POST {url}/sts/v1/token` as gcloud sends it: a form with HTTP Basic client credentials. */
async function exchange(fields: Record<string, string | undefined>): Promise<{status: number; body: Record<string, unknown>}> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries({...FORM, audience: audienceOf('ci-pool', 'gh-prov'), ...fields})) if (v !== undefined) form.set(k, v);
  const res = await fetch(`${emu.url}/sts/v1/token`, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('gcloud-client:secret').toString('base64')}`},
    body: form,
  });
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

const refused = (error: string, description: string) => ({status: 400, body: {error, error_description: description}});

async function federatedToken(claims: Record<string, unknown> = {}, provider = 'gh-prov'): Promise<string> {
  const r = await exchange({subject_token: await jobToken(claims), audience: audienceOf('ci-pool', provider)});
  expect(r.status).toBe(200);
  return r.body.access_token as string;
}

describe('STS token exchange', () => {
  it('exchanges a form-encoded OIDC token (gcloud\'s request) for a federated token living until the JWT expires, at most an hour', async () => {
    const r = await exchange({subject_token: `${await jobToken()}\n`});
    expect(r).toEqual({status: 200, body: {access_token: expect.stringMatching(/^ya29\./), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 300}});
    const hour = await exchange({subject_token: await jobToken({}, {exp: Math.floor(clock.now / 1000) + 7200})});
    expect(hour.body.expires_in).toBe(3600);
  });

  it('takes a JSON body with camelCase names (Google\'s REST reference) and the project id in the audience', async () => {
    const res = await fetch(`${emu.url}/sts/v1/token`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        grantType: FORM.grant_type,
        requestedTokenType: FORM.requested_token_type,
        subjectTokenType: FORM.subject_token_type,
        subjectToken: await jobToken(),
        audience: audienceOf('ci-pool', 'gh-prov', 'demo-project'),
        scope: FORM.scope,
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as {token_type: string}).token_type).toBe('Bearer');
  });

  it('introspects its tokens: the principal, scope, client and expiry; anything else is inactive', async () => {
    const token = await federatedToken();
    const introspect = async (body: string) =>
      (await fetch(`${emu.url}/sts/v1/introspect`, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body})).json();
    expect(await introspect(`token=${token}&token_type_hint=urn:ietf:params:oauth:token-type:access_token`)).toEqual({
      active: true,
      client_id: 'gcloud-client',
      exp: Math.floor(clock.now / 1000) + 300,
      iat: Math.floor(clock.now / 1000),
      scope: FORM.scope,
      username: `principal:${poolMember('ci-pool')}/subject/repo:octo/app:ref:refs/heads/main`,
    });
    expect(await introspect(`token=${owner}`)).toEqual({active: false});
    expect(await introspect('token=nonsense')).toEqual({active: false});
  });

  it('refuses malformed requests with invalid_request', async () => {
    const token = await jobToken();
    expect(await exchange({subject_token: token, grant_type: 'client_credentials'})).toEqual(refused('invalid_request', STS_MESSAGES.grantType('client_credentials')));
    expect(await exchange({subject_token: token, grant_type: undefined})).toEqual(refused('invalid_request', STS_MESSAGES.missing('grant_type')));
    expect(await exchange({subject_token: token, requested_token_type: 'urn:x'})).toEqual(refused('invalid_request', STS_MESSAGES.requestedTokenType('urn:x')));
    expect(await exchange({subject_token: token, subject_token_type: 'urn:x'})).toEqual(refused('invalid_request', STS_MESSAGES.subjectTokenType('urn:x')));
    expect(await exchange({subject_token: undefined})).toEqual(refused('invalid_request', STS_MESSAGES.missing('subject_token')));
    expect(await exchange({subject_token: token, scope: undefined})).toEqual(refused('invalid_scope', STS_MESSAGES.missing('scope')));
    expect(await exchange({subject_token: token, subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request'})).toEqual(
      refused('invalid_request', STS_MESSAGES.subjectTokenTypeForProvider('urn:ietf:params:aws:token-type:aws4_request', 'OIDC')),
    );
  });

  it('refuses an audience that is no provider\'s name (invalid_request) and one of no usable provider (invalid_target)', async () => {
    const token = await jobToken();
    for (const audience of ['projects/1/locations/global/workloadIdentityPools/ci-pool/providers/gh-prov', 'https://iam.googleapis.com/x', '']) {
      expect(await exchange({subject_token: token, audience})).toEqual(refused('invalid_request', STS_MESSAGES.badAudience));
    }
    for (const audience of [audienceOf('ci-pool', 'no-prov'), audienceOf('no-pool', 'gh-prov'), audienceOf('ci-pool', 'off-prov'), audienceOf('ci-pool', 'gone-prov'), audienceOf('ci-pool', 'gh-prov', '999')]) {
      expect(await exchange({subject_token: token, audience})).toEqual(refused('invalid_target', STS_MESSAGES.invalidTarget));
    }
  });

  it('refuses a token of another issuer, naming both', async () => {
    expect(await exchange({subject_token: await jobToken({iss: 'https://evil.example'})})).toEqual(
      refused('invalid_grant', STS_MESSAGES.issuer('https://evil.example', issuer.url)),
    );
    expect(await exchange({subject_token: await jobToken({iss: undefined})})).toEqual(refused('invalid_grant', STS_MESSAGES.issuer('null', issuer.url)));
    expect(await exchange({subject_token: 'not-a-jwt'})).toEqual(refused('invalid_grant', STS_MESSAGES.notJwt));
  });

  it('checks the audience: the provider\'s name with or without https: by default, else only the allowed audiences', async () => {
    expect((await exchange({subject_token: await jobToken({aud: audienceOf('ci-pool', 'gh-prov')})})).status).toBe(200);
    expect(await exchange({subject_token: await jobToken({aud: 'other'})})).toEqual(refused('invalid_grant', STS_MESSAGES.audience(['other'])));
    expect(await exchange({subject_token: await jobToken({aud: undefined})})).toEqual(refused('invalid_grant', STS_MESSAGES.audience([])));
    const aud = audienceOf('ci-pool', 'aud-prov');
    expect((await exchange({audience: aud, subject_token: await jobToken({aud: ['x', 'my-aud']})})).status).toBe(200);
    expect(await exchange({audience: aud, subject_token: await jobToken({aud: aud.replace(/^\/\//, 'https://')})})).toEqual(
      refused('invalid_grant', STS_MESSAGES.audience([aud.replace(/^\/\//, 'https://')])),
    );
  });

  it('refuses an expired token, one issued in the future, and one without iat, as stale (a minute of skew allowed)', async () => {
    const now = Math.floor(clock.now / 1000);
    expect(await exchange({subject_token: await jobToken({}, {iat: now - 600, exp: now - 61})})).toEqual(refused('invalid_grant', STS_MESSAGES.stale(String(now - 600))));
    expect((await exchange({subject_token: await jobToken({}, {iat: now - 600, exp: now - 30})})).status).toBe(200);
    expect(await exchange({subject_token: await jobToken({}, {iat: now + 120, exp: now + 600})})).toEqual(refused('invalid_grant', STS_MESSAGES.stale(String(now + 120))));
    expect(await exchange({subject_token: await jobToken({iat: undefined})})).toEqual(refused('invalid_grant', STS_MESSAGES.stale('null')));
  });

  it('checks the signature against the issuer\'s keys: another key is refused, an unknown kid or a dead issuer is "Error connecting"', async () => {
    const {privateKey: other} = await generateKeyPair('RS256');
    expect(await exchange({subject_token: await jobToken({}, {key: other})})).toEqual(refused('invalid_grant', STS_MESSAGES.signature));
    expect(await exchange({subject_token: await jobToken({}, {kid: 'k9'})})).toEqual(refused('invalid_grant', STS_MESSAGES.issuerUnreachable));
    issuer.mode = 'down';
    try {
      expect(await exchange({subject_token: await jobToken()})).toEqual(refused('invalid_grant', STS_MESSAGES.issuerUnreachable));
    } finally {
      issuer.mode = 'ok';
    }
  });

  it('uses a provider\'s own jwksJson without asking the issuer', async () => {
    const hits = issuer.discoveryHits;
    const r = await exchange({audience: audienceOf('ci-pool', 'jwks-prov'), subject_token: await jobToken({iss: 'https://issuer.invalid', aud: audienceOf('ci-pool', 'jwks-prov')})});
    expect(r.status).toBe(200);
    expect(issuer.discoveryHits).toBe(hits);
  });

  it('applies the attribute condition (unauthorized_client) and the mapping (invalid_grant; invalid_request for a long subject)', async () => {
    expect(await exchange({subject_token: await jobToken({repository_owner: 'mallory'})})).toEqual(refused('unauthorized_client', STS_MESSAGES.condition));
    expect(await exchange({subject_token: await jobToken({repository_owner: undefined})})).toEqual(refused('unauthorized_client', STS_MESSAGES.condition));
    const noRepo = await exchange({subject_token: await jobToken({repository: undefined})});
    expect(noRepo.body).toMatchObject({error: 'invalid_grant', error_description: expect.stringMatching(/^The attribute mapping of attribute\.repository could not be evaluated: /)});
    expect(await exchange({subject_token: await jobToken({sub: 'x'.repeat(128)})})).toEqual(refused('invalid_request', STS_MESSAGES.subjectTooLong));
  });

  it('hands AWS subject tokens to the AWS check and passes its refusal on; a JWT for an AWS provider is refused', async () => {
    const aws = audienceOf('ci-pool', 'aws-prov');
    expect(await exchange({audience: aws, subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request', subject_token: '%7B%7D'})).toEqual(
      refused('invalid_grant', AWS_STS_MESSAGES.malformed('expected the fields "url", "method" and "headers"')),
    );
    expect(await exchange({audience: aws, subject_token: await jobToken()})).toEqual(
      refused('invalid_request', STS_MESSAGES.subjectTokenTypeForProvider(FORM.subject_token_type, 'AWS')),
    );
  });
});

describe('federated principals', () => {
  const getProject = (token: string) => callApi(emu.url, token, 'GET', '/cloudresourcemanager/v1/projects/demo-project');
  const setPolicy = async (member: string, role: string) => {
    const policy = (await callApi(emu.url, owner, 'POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {})).body as {bindings: Array<{role: string; members: string[]}>};
    policy.bindings.push({role, members: [member]});
    return callApi(emu.url, owner, 'POST', '/cloudresourcemanager/v1/projects/demo-project:setIamPolicy', {policy});
  };

  it('act through principalSet attribute bindings: the bound repository may, another may not', async () => {
    const mine = await federatedToken({repository: 'octo/app'});
    const theirs = await federatedToken({repository: 'octo/other'});
    expect((await getProject(mine)).status).toBe(403);
    expect((await setPolicy(`principalSet:${poolMember('ci-pool')}/attribute.repository/octo/app`, 'roles/viewer')).status).toBe(200);
    expect((await getProject(mine)).status).toBe(200);
    expect({status: (await getProject(theirs)).status, body: (await getProject(theirs)).body}).toMatchObject({status: 403});
  });

  it('act through principal:// (subject), group and whole-pool bindings', async () => {
    const bySubject = await federatedToken({sub: 'repo:octo/solo:ref:refs/heads/main', repository: 'octo/solo', teams: []});
    expect((await getProject(bySubject)).status).toBe(403);
    await setPolicy(`principal:${poolMember('ci-pool')}/subject/repo:octo/solo:ref:refs/heads/main`, 'roles/browser');
    expect((await getProject(bySubject)).status).toBe(200);
    const byGroup = await federatedToken({sub: 'repo:octo/g:ref:x', repository: 'octo/g', teams: ['release']});
    await setPolicy(`principalSet:${poolMember('ci-pool')}/group/release`, 'roles/browser');
    expect((await getProject(byGroup)).status).toBe(200);
    const anyone = await federatedToken({sub: 'repo:octo/any:ref:x', repository: 'octo/any', teams: []});
    expect((await getProject(anyone)).status).toBe(403);
    await setPolicy(`principalSet:${poolMember('ci-pool')}/*`, 'roles/browser');
    expect((await getProject(anyone)).status).toBe(200);
  });

  it('are validated as members: the pool named by project number, in one of Google\'s forms', async () => {
    for (const member of [
      'principal://iam.googleapis.com/projects/demo-project/locations/global/workloadIdentityPools/ci-pool/subject/x',
      `principalSet:${poolMember('ci-pool')}/subjects/x`,
      `principal:${poolMember('ci-pool')}/attribute.repository/x`,
    ]) {
      expect({member, status: (await setPolicy(member, 'roles/viewer')).status}).toEqual({member, status: 400});
    }
  });

  it('impersonate a service account only with roles/iam.workloadIdentityUser on it', async () => {
    const account = emu.state.createServiceAccount(emu.project, 'ci-deployer');
    await emu.state.addSystemManagedKey(account.email);
    const token = await federatedToken({repository: 'octo/deploy', sub: 'repo:octo/deploy:ref:main'});
    const generate = (verb: string, body: unknown) => callApi(emu.url, token, 'POST', `/iamcredentials/v1/projects/-/serviceAccounts/${account.email}:${verb}`, body);
    const body = {scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '600s'};
    expect(await generate('generateAccessToken', body)).toMatchObject(
      permissionDenied('iam.serviceAccounts.getAccessToken', `projects/-/serviceAccounts/${account.email}`),
    );
    account.iamPolicy.bindings.push({role: 'roles/iam.workloadIdentityUser', members: [`principalSet:${poolMember('ci-pool')}/attribute.repository/octo/deploy`]});
    const minted = await generate('generateAccessToken', body);
    expect(minted.status).toBe(200);
    const info = (await (await fetch(`${emu.url}/tokeninfo?access_token=${minted.body.accessToken as string}`)).json()) as Record<string, string>;
    expect(info.azp).toBe(account.uniqueId);
    const id = await generate('generateIdToken', {audience: 'https://svc.example', includeEmail: true});
    expect(decodeJwt(id.body.token as string)).toMatchObject({email: account.email, aud: 'https://svc.example'});
  });

  it('stop working while their pool is disabled or deleted, and not when their provider is', async () => {
    const token = await federatedToken({repository: 'octo/app'});
    expect((await getProject(token)).status).toBe(200);
    await iam('PATCH', `${POOLS}/ci-pool?updateMask=disabled`, {disabled: true});
    expect((await getProject(token)).body).toMatchObject({error: {code: 401}});
    await iam('PATCH', `${POOLS}/ci-pool?updateMask=disabled`, {disabled: false});
    expect((await getProject(token)).status).toBe(200);
    await iam('DELETE', `${POOLS}/ci-pool`);
    expect((await getProject(token)).body).toMatchObject({error: {code: 401}});
    await iam('POST', `${POOLS}/ci-pool:undelete`, {});
    expect((await getProject(token)).status).toBe(200);
    await iam('PATCH', `${POOLS}/ci-pool/providers/gh-prov?updateMask=disabled`, {disabled: true});
    expect((await getProject(token)).status).toBe(200);
    await iam('PATCH', `${POOLS}/ci-pool/providers/gh-prov?updateMask=disabled`, {disabled: false});
  });

  it('are not understood by tokeninfo and userinfo, as at Google', async () => {
    const token = await federatedToken();
    const info = await fetch(`${emu.url}/tokeninfo?access_token=${token}`);
    expect({status: info.status, body: await info.json()}).toEqual({status: 400, body: {error: 'invalid_token', error_description: 'Invalid Value'}});
    expect((await fetch(`${emu.url}/oauth2/v3/userinfo`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(401);
  });

  it('pull from the registry front by their bindings, through the one authenticator, on the project and on a repository', async () => {
    const token = await federatedToken({repository: 'octo/app'});
    const ask = (scope: string) =>
      fetch(`${emu.url}/v2/token?service=gcauth-emulator-registry&scope=${encodeURIComponent(scope)}`, {
        headers: {authorization: `Basic ${Buffer.from(`oauth2accesstoken:${token}`).toString('base64')}`},
      });
    const pull = async (scope = 'repository:demo-project/app:pull') => {
      const res = await ask(scope);
      expect(res.status).toBe(200);
      return (decodeJwt(((await res.json()) as {token: string}).token) as {access: Array<{actions: string[]}>; sub: string});
    };
    const refused = await ask('repository:demo-project/app:pull');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as {details: string}).details).toBe(
      'Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "projects/demo-project/locations/us/repositories/gcr.io" (or it may not exist)',
    );
    await setPolicy(`principalSet:${poolMember('ci-pool')}/attribute.repository/octo/app`, 'roles/artifactregistry.reader');
    const granted = await pull();
    expect(granted.access[0]!.actions).toEqual(['pull']);
    expect(granted.sub).toBe(`principal:${poolMember('ci-pool')}/subject/repo:octo/app:ref:refs/heads/main`);

    // A principalSet bound on one repository's policy pushes there, and only there.
    const repository = emu.state.createRepository({projectId: 'demo-project', location: 'us-central1', repositoryId: 'fed-repo', format: 'DOCKER', description: '', labels: {}});
    repository.iamPolicy.bindings.push({role: 'roles/artifactregistry.writer', members: [`principalSet:${poolMember('ci-pool')}/attribute.repository/octo/app`]});
    expect((await pull('repository:us-central1-docker.pkg.dev/demo-project/fed-repo/app:pull,push')).access[0]!.actions).toEqual(['pull', 'push']);
    emu.state.createRepository({projectId: 'demo-project', location: 'us-central1', repositoryId: 'fed-other', format: 'DOCKER', description: '', labels: {}});
    expect((await ask('repository:us-central1-docker.pkg.dev/demo-project/fed-other/app:pull,push')).status).toBe(403);
  });

});
