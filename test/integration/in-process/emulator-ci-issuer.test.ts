import {createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify} from 'jose';
import {CI_MESSAGES, DEFAULT_CI_TOKEN_LIFETIME_S} from '../../../src/emulator/ci-issuer.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {tmpDir} from '../../helpers/emulator.js';

// A settable clock, so a token's end can be reached without waiting for it.
let clock = Date.parse('2030-01-02T03:04:05Z');
const now = () => clock;
let dataDir: string;
let emu: RunningEmulator;

beforeAll(async () => {
  dataDir = tmpDir();
  emu = await startEmulator({dataDir, now});
});
afterAll(async () => {
  await emu.close();
});

async function jobToken(requestUrl: string, requestToken: string | undefined, audience?: string): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(audience === undefined ? requestUrl : `${requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: requestToken === undefined ? {} : {Authorization: `bearer ${requestToken}`},
  });
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

async function newJob(body: unknown): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`${emu.url}/__admin/ci/jobs`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

describe('the CI token issuer: discovery', () => {
  it('serves a discovery document shaped like GitHub Actions\' at {url}/ci, naming its JWKS', async () => {
    const res = await fetch(`${emu.url}/ci/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: `${emu.url}/ci`,
      jwks_uri: `${emu.url}/ci/.well-known/jwks`,
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
    });
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'aud', 'repository', 'repository_owner', 'ref', 'job_workflow_ref', 'environment']));
    const jwks = (await (await fetch(doc.jwks_uri as string)).json()) as {keys: Array<Record<string, string>>};
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({kty: 'RSA', alg: 'RS256', use: 'sig'});
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});

describe('the CI token issuer: job tokens', () => {
  it("answers the default job's request URL (from emulator.json) with {count, value}: a GitHub-shaped RS256 job token its JWKS verifies", async () => {
    expect(emu.ci.requestUrl).toBe(`${emu.url}/ci/token?api-version=2.0`);
    const {status, body} = await jobToken(emu.ci.requestUrl, emu.ci.requestToken, '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh');
    expect(status).toBe(200);
    const value = body.value as string;
    expect(body.count).toBe(value.length);
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/ci/.well-known/jwks`));
    const {payload, protectedHeader} = await jwtVerify(value, jwks, {issuer: `${emu.url}/ci`, currentDate: new Date(clock)});
    expect(protectedHeader).toMatchObject({alg: 'RS256', typ: 'JWT'});
    expect(typeof protectedHeader.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: `${emu.url}/ci`,
      aud: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh',
      sub: 'repo:example-org/example-repo:ref:refs/heads/main',
      repository: 'example-org/example-repo',
      repository_owner: 'example-org',
      ref: 'refs/heads/main',
      ref_type: 'branch',
      actor: 'example-user',
      event_name: 'push',
      job_workflow_ref: 'example-org/example-repo/.github/workflows/ci.yml@refs/heads/main',
    });
    for (const claim of ['repository_id', 'repository_owner_id', 'actor_id', 'run_id', 'sha', 'workflow', 'jti']) expect(typeof payload[claim]).toBe('string');
    expect(payload.environment).toBeUndefined();
    // GitHub's documented example: exp five minutes after iat, nbf ten minutes before it.
    expect(payload.iat).toBe(Math.floor(clock / 1000));
    expect((payload.exp as number) - (payload.iat as number)).toBe(DEFAULT_CI_TOKEN_LIFETIME_S);
    expect((payload.iat as number) - (payload.nbf as number)).toBe(600);
  });

  it("gives a token without audience the repository owner's URL as its aud, as GitHub does, and a new jti each time", async () => {
    const first = decodeJwt((await jobToken(emu.ci.requestUrl, emu.ci.requestToken)).body.value as string);
    const second = decodeJwt((await jobToken(emu.ci.requestUrl, emu.ci.requestToken)).body.value as string);
    expect(first.aud).toBe('https://github.com/example-org');
    expect(first.jti).not.toBe(second.jti);
  });

  it('refuses a request without the bearer secret, or with another, with a 401 and a JSON message', async () => {
    const missing = await jobToken(emu.ci.requestUrl, undefined, 'x');
    expect(missing).toEqual({status: 401, body: {message: CI_MESSAGES.missingBearer}});
    const wrong = await jobToken(emu.ci.requestUrl, `${emu.ci.requestToken}x`, 'x');
    expect(wrong).toEqual({status: 401, body: {message: CI_MESSAGES.badBearer}});
  });

  it('makes jobs through the admin route; the bearer secret decides whose token it is; environment jobs get the environment subject', async () => {
    const made = await newJob({repository: 'acme/deploy', ref: 'release', actor: 'alice', environment: 'prod'});
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({requestUrl: `${emu.url}/ci/token?api-version=2.0`});
    expect(made.body.requestToken).not.toBe(emu.ci.requestToken);
    const claims = decodeJwt((await jobToken(made.body.requestUrl as string, made.body.requestToken as string, 'aud-1')).body.value as string);
    expect(claims).toMatchObject({sub: 'repo:acme/deploy:environment:prod', environment: 'prod', repository: 'acme/deploy', repository_owner: 'acme', ref: 'refs/heads/release', actor: 'alice', aud: 'aud-1'});
    const tag = decodeJwt((await jobToken(...(await job({repository: 'acme/deploy', ref: 'refs/tags/v1.2.0'})), 'a')).body.value as string);
    expect(tag).toMatchObject({sub: 'repo:acme/deploy:ref:refs/tags/v1.2.0', ref_type: 'tag', actor: 'acme'});
    // The same repository keeps its id from job to job, as at GitHub.
    expect(tag.repository_id).toBe(claims.repository_id);
  });

  it('mints tokens with the job\'s lifetime; past exp a verifier (jose, as the STS uses) refuses them', async () => {
    const [url, secret] = await job({repository: 'acme/app', ref: 'main', lifetimeSeconds: 60});
    const token = (await jobToken(url, secret, 'aud')).body.value as string;
    const claims = decodeJwt(token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    const jwks = createRemoteJWKSet(new URL(`${emu.url}/ci/.well-known/jwks`));
    await expect(jwtVerify(token, jwks, {currentDate: new Date(clock + 59_000)})).resolves.toBeDefined();
    await expect(jwtVerify(token, jwks, {currentDate: new Date(clock + 61_000)})).rejects.toMatchObject({code: 'ERR_JWT_EXPIRED'});
    // The token is fixed at minting: a later request gets a new token with a later exp.
    clock += 120_000;
    const later = decodeJwt((await jobToken(url, secret, 'aud')).body.value as string);
    expect(later.exp).toBe((claims.exp as number) + 120);
  });

  it('refuses job descriptions it cannot use, naming the field', async () => {
    for (const [body, words] of [
      [{ref: 'main'}, '"repository"'],
      [{repository: 'no-slash', ref: 'main'}, '"repository" must be OWNER/REPO'],
      [{repository: 'a/b'}, '"ref"'],
      [{repository: 'a/b', ref: 'main', lifetimeSeconds: 0}, '"lifetimeSeconds"'],
      [{repository: 'a/b', ref: 'main', colour: 'red'}, 'unknown field "colour"'],
      [[], 'expected a JSON object'],
    ] as const) {
      const res = await newJob(body);
      expect(res.status).toBe(400);
      expect((res.body.error as {message: string}).message).toContain(words);
    }
  });
});

describe('the CI token issuer: persistence', () => {
  it('keeps its signing key and the default job across a restart on the same data dir', async () => {
    const before = {ci: emu.ci, kid: decodeProtectedHeader((await jobToken(emu.ci.requestUrl, emu.ci.requestToken)).body.value as string).kid};
    await emu.close();
    emu = await startEmulator({dataDir, now});
    expect(emu.ci.requestToken).toBe(before.ci.requestToken);
    const token = (await jobToken(emu.ci.requestUrl, emu.ci.requestToken, 'a')).body.value as string;
    expect(decodeProtectedHeader(token).kid).toBe(before.kid);
    await expect(jwtVerify(token, createRemoteJWKSet(new URL(`${emu.url}/ci/.well-known/jwks`)), {currentDate: new Date(clock)})).resolves.toBeDefined();
  });
});

async function job(body: unknown): Promise<[string, string]> {
  const made = await newJob(body);
  expect(made.status).toBe(200);
  return [made.body.requestUrl as string, made.body.requestToken as string];
}
