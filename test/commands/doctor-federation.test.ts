/**
 * The wording of `gcauth doctor`'s verdicts on an external account, on a fake context: the fix for each way an
 * exchange fails, the federation row, the token-lifetime verdicts, key-age not applicable. Nothing listens on
 * 127.0.0.1:9, so no verdict here depended on a request succeeding.
 */
import type {ExternalAccountConfig} from '../../src/lib/auth/credentials/stored.js';
import {SubjectTokenError} from '../../src/lib/auth/credentials/external-account.js';
import {TokenEndpointError} from '../../src/lib/auth/tokens/token-endpoint-error.js';
import {checkKeyAge} from '../../src/lib/doctor/key-age.js';
import {checkTokenLifetime, credConfigCommand, describeFederation, exchangeFix, type FederatedIdentity} from '../../src/lib/doctor/federation.js';
import {AuthError} from '../../src/lib/errors.js';
import {fakeContext} from '../helpers/context.js';

const AUDIENCE = '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh-prov';
const SA = 'ci@demo-project.iam.gserviceaccount.com';
const config = (overrides: Partial<ExternalAccountConfig> = {}): ExternalAccountConfig => ({
  type: 'external_account',
  audience: AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: 'http://127.0.0.1:9/v1/token',
  credential_source: {file: '/ci/oidc.txt'},
  ...overrides,
});
const identity = (overrides: Partial<ExternalAccountConfig> = {}): FederatedIdentity => ({config: config(overrides), file: '/ci/wif.json'});
const refusal = (oauthError: string, description: string) =>
  new AuthError('The STS refused it.', {cause: new TokenEndpointError(`${oauthError}: ${description}`, {status: 400, oauthError, description, transient: false})});
const DESCRIBE = 'gcauth iam workload-identity-pools providers describe gh-prov --workload-identity-pool=gh-pool --location=global --project=123456';

describe('exchangeFix: the fix for what refused the exchange', () => {
  test.each([
    ['the condition', refusal('unauthorized_client', 'The given credential is rejected by the attribute condition.'), `${DESCRIBE} --format="value(attributeCondition)"   (the attribute condition of provider gh-prov refused the token's claims: check it against them)`],
    [
      'a wrong audience',
      refusal('invalid_target', 'The target service indicated by the "audience" parameters is invalid.'),
      'gcauth iam workload-identity-pools create-cred-config projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/PROVIDER --credential-source-file=/ci/oidc.txt --output-file=/ci/wif.json && gcauth auth login --cred-file=/ci/wif.json   (PROVIDER: an active provider, from gcauth iam workload-identity-pools providers list --workload-identity-pool=gh-pool --location=global --project=123456)',
    ],
    ['the token\'s audience', refusal('invalid_grant', 'The audience in ID Token [x] does not match the expected audience.'), `request the CI token for the audience https:${AUDIENCE} (the provider's default), or allow the token's: ${DESCRIBE} --format="value(oidc.allowedAudiences)"`],
    ['the token\'s issuer', refusal('invalid_grant', 'The issuer in ID Token a does not match the expected one in config: b'), `${DESCRIBE} --format="value(oidc.issuerUri)"   (the provider must trust the token's issuer, or the configuration must name a provider that does)`],
    ['a missing source file', new SubjectTokenError('Cannot get a subject token.'), 'write the CI job\'s token to /ci/oidc.txt before this step (or fix credential_source.file in /ci/wif.json)'],
    ['an STS that does not answer', new AuthError('x', {cause: new TokenEndpointError('could not reach', {transient: true})}), 'check that the STS at http://127.0.0.1:9/v1/token (token_url in /ci/wif.json) answers'],
  ])('%s', async (_what, error, fix) => {
    const {ctx} = await fakeContext();
    expect(await exchangeFix(ctx, identity(), error)).toBe(fix);
  });

  test('an executable that may not run: the variable that allows it; allowed, the command to run by hand', async () => {
    const executable = identity({credential_source: {executable: {command: '/usr/bin/mint --x'}}});
    const error = new SubjectTokenError('Cannot run it.');
    expect(await exchangeFix((await fakeContext()).ctx, executable, error)).toBe(
      'export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1   (only if you trust the command in /ci/wif.json: /usr/bin/mint --x)',
    );
    const allowed = (await fakeContext({env: {GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1'}})).ctx;
    expect(await exchangeFix(allowed, executable, error)).toBe('run the command by hand to see what it prints: /usr/bin/mint --x');
  });
});

test('credConfigCommand names a url source\'s headers, never their values', () => {
  const url = config({credential_source: {url: 'http://ci/token?audience=x', headers: {Authorization: 'Bearer s3cret'}, format: {type: 'json', subject_token_field_name: 'value'}}, service_account_impersonation_url: `http://127.0.0.1:9/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`});
  const command = credConfigCommand(url, 'projects/1/locations/global/workloadIdentityPools/p/providers/x', 'wif.json');
  expect(command).toBe(
    `gcauth iam workload-identity-pools create-cred-config projects/1/locations/global/workloadIdentityPools/p/providers/x --credential-source-url="http://ci/token?audience=x" --credential-source-headers="Authorization=VALUE" --credential-source-type=json --credential-source-field-name=value --service-account=${SA} --output-file=wif.json`,
  );
  expect(command).not.toContain('s3cret');
});

test('the federation row: what it is and who it acts as; skipped without a token', () => {
  const principal = 'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/subject/repo:o/r';
  expect(describeFederation(identity(), {principal}, true)).toEqual({
    check: 'federation',
    status: 'ok',
    message: `external_account [/ci/wif.json]: workload identity pool gh-pool, provider gh-prov of project number 123456; subject tokens from the file [/ci/oidc.txt]; acts as the principal ${principal} (named by the STS's introspection)`,
    fix: null,
  });
  const impersonating = identity({service_account_impersonation_url: `http://127.0.0.1:9/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`});
  expect(describeFederation(impersonating, undefined, false)).toMatchObject({status: 'skip', message: expect.stringMatching(new RegExp(`; impersonates ${SA}, as the principal not known \\(no token: see account\\)$`))});
});

describe('token-lifetime', () => {
  const NOW = Date.UTC(2030, 0, 1);
  const ctx = async () => ({...(await fakeContext()).ctx, now: () => NOW});
  const token = (lifetimeMs: number) => ({account: 'a', scopes: [], token: 't', issued: NOW, expiry: NOW + lifetimeMs});

  test('an STS token shorter than docker/min_token_lifetime warns, with impersonation as the fix', async () => {
    const r = checkTokenLifetime(await ctx(), identity(), {member: 'principalSet://x'}, {proven: token(5 * 60_000)});
    expect(r.status).toBe('warn');
    expect(r.message).toBe(
      "a token minted now lasts 5m (bounded by the subject token from the file [/ci/oidc.txt], whose exp the STS's token does not outlive), less than docker/min_token_lifetime (30m): the helper hands Docker tokens with as little as 5m left, and a push that outlasts one fails halfway with 401",
    );
    expect(r.fix).toMatch(/ --service-account=EMAIL {3}\(a service account's token lasts an hour whatever the subject token's; grant roles\/iam\.workloadIdentityUser on it to principalSet:\/\/x\)$/);
  });

  test('a file\'s subject token that expires before the next exchange warns; one that outlives it, or a url source, is ok', async () => {
    const c = await ctx();
    const hour = token(3600_000);
    const early = checkTokenLifetime(c, identity(), {subjectExpiry: NOW + 10 * 60_000}, {proven: hour});
    expect(early).toMatchObject({status: 'warn', message: expect.stringContaining('expires at 2030-01-01T00:10:00Z, before the next exchange (2030-01-01T00:30:00Z, when the token now cached has less than 30m left)')});
    expect(early.fix).toMatch(/^write a fresh job token to \/ci\/oidc\.txt before each step that pulls or pushes/);
    expect(checkTokenLifetime(c, identity(), {subjectExpiry: NOW + 7200_000}, {proven: hour}).status).toBe('ok');
    expect(checkTokenLifetime(c, identity({credential_source: {url: 'http://ci/t'}}), {}, {proven: hour})).toMatchObject({
      status: 'ok',
      message: 'a token minted now lasts 60m, at least docker/min_token_lifetime (30m); the URL [http://ci/t] is read again at every exchange',
    });
    expect(checkTokenLifetime(c, undefined, undefined, {}).status).toBe('skip');
  });
});

test('key-age is not applicable to an external account', async () => {
  const {ctx} = await fakeContext();
  expect(await checkKeyAge(ctx, {tokenOk: true, identity: identity()})).toEqual({
    check: 'key-age',
    status: 'skip',
    message: 'not applicable: an external account (Workload Identity Federation) has no key',
    fix: null,
  });
});
