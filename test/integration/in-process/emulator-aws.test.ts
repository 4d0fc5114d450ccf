import aws4 from 'aws4';
import {AwsClient} from 'google-auth-library';
import {AWS_STS_MESSAGES, awsSecretLookup, awsUserIdFor, verifyAwsSubjectToken} from '../../../src/emulator/aws.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {tmpDir} from '../../helpers/emulator.js';

const AUDIENCE = '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/p/providers/aws';
const AWS_ENV = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

let emu: RunningEmulator;
let account: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  account = emu.aws.view().accountId;
  // google-auth-library's AwsClient reads these from process.env itself; none may leak in from the machine.
  for (const name of AWS_ENV) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterAll(async () => {
  for (const name of AWS_ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await emu.close();
});
afterEach(async () => {
  for (const name of AWS_ENV) delete process.env[name];
  await admin('/__admin/aws', {imdsV2Required: false});
});

async function admin(path: string, body: unknown): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`${emu.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
  return {status: res.status, body: (await res.json()) as Record<string, unknown>};
}

async function imds(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{status: number; text: string}> {
  const res = await fetch(`${emu.url}/aws/latest${path}`, {method, headers});
  return {status: res.status, text: await res.text()};
}

/** An `aws1` credential source as gcloud's `create-cred-config --aws [--enable-imdsv2]` writes it, pointed at the stand-in. */
function awsClient(opts: {imdsv2?: boolean} = {}): AwsClient {
  return new AwsClient({
    type: 'external_account',
    audience: AUDIENCE,
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    token_url: `${emu.url}/v1/token`,
    credential_source: {
      environment_id: 'aws1',
      region_url: `${emu.url}/aws/latest/meta-data/placement/availability-zone`,
      url: `${emu.url}/aws/latest/meta-data/iam/security-credentials`,
      regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      ...(opts.imdsv2 ? {imdsv2_session_token_url: `${emu.url}/aws/latest/api/token`} : {}),
    },
  });
}

function verify(subjectToken: string, overrides: Partial<Parameters<typeof verifyAwsSubjectToken>[0]> = {}) {
  return verifyAwsSubjectToken({subjectToken, audience: AUDIENCE, accountId: account, now: Date.now(), lookupSecret: awsSecretLookup(emu.state), ...overrides});
}

/** The subject token's request, to tamper with. */
function decode(subjectToken: string): {url: string; method: string; headers: Array<{key: string; value: string}>} {
  return JSON.parse(decodeURIComponent(subjectToken)) as ReturnType<typeof decode>;
}
function encode(request: ReturnType<typeof decode>): string {
  return encodeURIComponent(JSON.stringify(request));
}
function withHeader(subjectToken: string, key: string, value: string | undefined): string {
  const request = decode(subjectToken);
  request.headers = request.headers.filter((h) => h.key !== key);
  if (value !== undefined) request.headers.push({key, value});
  return encode(request);
}
function header(subjectToken: string, key: string): string | undefined {
  return decode(subjectToken).headers.find((h) => h.key === key)?.value;
}

describe('the stand-in EC2 instance metadata', () => {
  it('answers the region, the role name and the role credentials in EC2\'s shapes, without trailing newlines', async () => {
    const view = emu.aws.view();
    expect(view).toMatchObject({availabilityZone: 'us-east-1b', region: 'us-east-1', roleName: 'gcauth-emulator-role', imdsV2Required: false});
    expect(view.accountId).toMatch(/^\d{12}$/);
    expect(view.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(await imds('/meta-data/placement/availability-zone')).toEqual({status: 200, text: 'us-east-1b'});
    expect(await imds('/meta-data/iam/security-credentials')).toEqual({status: 200, text: 'gcauth-emulator-role'});
    const creds = await imds('/meta-data/iam/security-credentials/gcauth-emulator-role');
    expect(creds.status).toBe(200);
    const body = JSON.parse(creds.text) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    expect(body).toMatchObject({Code: 'Success', Type: 'AWS-HMAC'});
    expect(body.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Date.parse(body.Expiration as string) - Date.now()).toBeGreaterThan(5 * 3600_000);
    // The same key until it nears its end, as EC2 rotates them.
    expect(JSON.parse((await imds('/meta-data/iam/security-credentials/gcauth-emulator-role')).text)).toEqual(body);
    expect(JSON.parse((await imds('/meta-data/iam/info')).text)).toMatchObject({Code: 'Success', InstanceProfileArn: `arn:aws:iam::${view.accountId}:instance-profile/gcauth-emulator-role`});
    expect((await imds('/meta-data/iam/security-credentials/other-role')).status).toBe(404);
    expect((await imds('/meta-data/no/such/thing')).status).toBe(404);
  });

  it('hands out IMDSv2 session tokens for a valid TTL, and refuses a bad session token whatever the setting', async () => {
    expect((await imds('/api/token', {}, 'PUT')).status).toBe(400);
    expect((await imds('/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '0'}, 'PUT')).status).toBe(400);
    expect((await imds('/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '21601'}, 'PUT')).status).toBe(400);
    expect((await imds('/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '300', 'X-Forwarded-For': '10.0.0.9'}, 'PUT')).status).toBe(403);
    const session = await imds('/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '300'}, 'PUT');
    expect(session.status).toBe(200);
    expect(await imds('/meta-data/placement/availability-zone', {'X-aws-ec2-metadata-token': session.text})).toEqual({status: 200, text: 'us-east-1b'});
    expect((await imds('/meta-data/placement/availability-zone', {'X-aws-ec2-metadata-token': `${session.text}x`})).status).toBe(401);
  });

  it('with IMDSv2 required, refuses requests without a session token (401) and serves those with one', async () => {
    expect((await admin('/__admin/aws', {imdsV2Required: true})).body).toMatchObject({imdsV2Required: true});
    expect((await imds('/meta-data/iam/security-credentials')).status).toBe(401);
    const token = (await imds('/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '60'}, 'PUT')).text;
    expect(await imds('/meta-data/iam/security-credentials', {'X-aws-ec2-metadata-token': token})).toEqual({status: 200, text: 'gcauth-emulator-role'});
    expect((await admin('/__admin/aws', {imdsV2Required: 'yes'})).status).toBe(400);
    expect((await admin('/__admin/aws', {region: 'x'})).status).toBe(400);
  });
});

describe('verifyAwsSubjectToken against subject tokens of the real google-auth-library AwsClient', () => {
  it('accepts the signed GetCallerIdentity request made from the instance role, with IMDSv2 required; the assertion is the assumed role', async () => {
    await admin('/__admin/aws', {imdsV2Required: true});
    const subjectToken = await awsClient({imdsv2: true}).retrieveSubjectToken();
    const request = decode(subjectToken);
    expect(request).toMatchObject({url: 'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST'});
    expect(header(subjectToken, 'x-goog-cloud-target-resource')).toBe(AUDIENCE);
    const view = emu.aws.view();
    const result = verify(subjectToken);
    expect(result).toEqual({ok: true, assertion: {arn: view.roleArn, account, userid: awsUserIdFor(view.roleArn)}});
    expect(view.roleArn).toBe(`arn:aws:sts::${account}:assumed-role/gcauth-emulator-role/${view.instanceId}`);
    expect(awsUserIdFor(view.roleArn)).toMatch(new RegExp(`^AROA[A-Z2-7]{17}:${view.instanceId}$`));
  });

  it('fails to make a subject token from the role when IMDSv2 is required and the file names no session-token URL', async () => {
    await admin('/__admin/aws', {imdsV2Required: true});
    await expect(awsClient().retrieveSubjectToken()).rejects.toThrow(/401/);
  });

  it('accepts a request signed with an IAM user\'s key from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; the assertion is the user', async () => {
    const user = (await admin('/__admin/aws/users', {name: 'ci-bot'})).body as {accessKeyId: string; secretAccessKey: string; arn: string; userId: string};
    expect(user.arn).toBe(`arn:aws:iam::${account}:user/ci-bot`);
    expect(user.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    process.env.AWS_REGION = 'eu-west-3';
    process.env.AWS_ACCESS_KEY_ID = user.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = user.secretAccessKey;
    const subjectToken = await awsClient().retrieveSubjectToken();
    expect(decode(subjectToken).url).toBe('https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15');
    expect(header(subjectToken, 'x-amz-security-token')).toBeUndefined();
    expect(verify(subjectToken)).toEqual({ok: true, assertion: {arn: user.arn, account, userid: user.userId}});
    expect(user.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect((await admin('/__admin/aws/users', {name: 'no spaces'})).status).toBe(400);
  });

  describe('refusals', () => {
    let subjectToken: string;
    beforeAll(async () => {
      subjectToken = await awsClient().retrieveSubjectToken();
      expect(verify(subjectToken).ok).toBe(true);
    });

    it('a tampered signature', () => {
      const authorization = header(subjectToken, 'authorization') as string;
      const flipped = authorization.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
      expect(verify(withHeader(subjectToken, 'authorization', flipped))).toEqual({ok: false, description: AWS_STS_MESSAGES.signature});
      expect(AWS_STS_MESSAGES.signature).toBe(
        'Received invalid AWS response of type SignatureDoesNotMatch with error message: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    });

    it('a signed header changed after signing (the date moved by a second)', () => {
      const date = header(subjectToken, 'x-amz-date') as string;
      const moved = date.replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`);
      expect(verify(withHeader(subjectToken, 'x-amz-date', moved))).toEqual({ok: false, description: AWS_STS_MESSAGES.signature});
    });

    it('another audience in x-goog-cloud-target-resource, or none; the https: form of the same audience is the same', () => {
      const other = `${AUDIENCE}-other`;
      expect(verify(subjectToken, {audience: other})).toEqual({ok: false, description: AWS_STS_MESSAGES.targetResource(AUDIENCE, other)});
      expect(verify(withHeader(subjectToken, 'x-goog-cloud-target-resource', undefined))).toEqual({ok: false, description: AWS_STS_MESSAGES.targetResource(undefined, AUDIENCE)});
      expect(verify(subjectToken, {audience: `https:${AUDIENCE}`}).ok).toBe(true);
    });

    it('a stale date (more than 15 minutes old) and one from the future, in AWS\'s words', () => {
      const result = verify(subjectToken, {now: Date.now() + 16 * 60_000});
      expect(result.ok).toBe(false);
      expect((result as {description: string}).description).toMatch(
        /^Received invalid AWS response of type SignatureDoesNotMatch with error message: Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      );
      expect((verify(subjectToken, {now: Date.now() - 16 * 60_000}) as {description: string}).description).toContain('Signature not yet current:');
      expect(verify(subjectToken, {now: Date.now() + 10 * 60_000}).ok).toBe(true);
    });

    it('an unknown access key, and a role key whose session token does not match', () => {
      expect(verify(subjectToken, {lookupSecret: () => undefined})).toEqual({ok: false, description: AWS_STS_MESSAGES.invalidToken});
      expect(AWS_STS_MESSAGES.invalidToken).toBe('Received invalid AWS response of type InvalidClientTokenId with error message: The security token included in the request is invalid.');
      const token = header(subjectToken, 'x-amz-security-token') as string;
      expect(token.length).toBeGreaterThan(100);
      expect(verify(withHeader(subjectToken, 'x-amz-security-token', `${token}x`))).toEqual({ok: false, description: AWS_STS_MESSAGES.invalidToken});
      expect(verify(withHeader(subjectToken, 'x-amz-security-token', undefined))).toEqual({ok: false, description: AWS_STS_MESSAGES.invalidToken});
    });

    it('a caller of another AWS account than the provider\'s', () => {
      expect(verify(subjectToken, {accountId: '999999999999'})).toEqual({ok: false, description: AWS_STS_MESSAGES.account(account, '999999999999')});
    });

    it('a request that is not a POST to a regional sts host with GetCallerIdentity, or not a serialized request at all', () => {
      const request = decode(subjectToken);
      expect(verify(encode({...request, method: 'GET'}))).toEqual({ok: false, description: AWS_STS_MESSAGES.method('GET')});
      for (const url of [
        'https://sts.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        'https://sts.us-east-1.amazonaws.com.evil.example?Action=GetCallerIdentity&Version=2011-06-15',
        'http://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        'https://sts.us-east-1.amazonaws.com?Action=AssumeRole&Version=2011-06-15',
      ]) {
        expect(verify(encode({...request, url}))).toEqual({ok: false, description: AWS_STS_MESSAGES.url(url)});
      }
      expect((verify('not-json') as {description: string}).description).toMatch(/^Invalid format of AWS credentials: /);
      expect((verify(encodeURIComponent('{"url":1}')) as {description: string}).description).toMatch(/^Invalid format of AWS credentials: /);
    });
  });

  it('refuses a request signed for another region than its host names, and takes the same request signed for its own', () => {
    // Signed correctly for us-west-2 but sent to us-east-1: the scope does not match the host's region.
    const key = emu.state.awsKey(emu.state.aws().roleAccessKeyId as string)!;
    const signed = aws4.sign(
      {host: 'sts.us-east-1.amazonaws.com', path: '/?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST', service: 'sts', region: 'us-west-2', headers: {}},
      {accessKeyId: emu.state.aws().roleAccessKeyId as string, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken as string},
    );
    const headers = Object.entries(signed.headers ?? {}).map(([k, v]) => ({key: k.toLowerCase(), value: String(v)}));
    headers.push({key: 'x-goog-cloud-target-resource', value: AUDIENCE});
    const token = encode({url: 'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST', headers});
    expect(verify(token)).toEqual({ok: false, description: AWS_STS_MESSAGES.signature});
    const right = aws4.sign(
      {host: 'sts.us-east-1.amazonaws.com', path: '/?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST', service: 'sts', region: 'us-east-1', headers: {}},
      {accessKeyId: emu.state.aws().roleAccessKeyId as string, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken as string},
    );
    const rightHeaders = Object.entries(right.headers ?? {}).map(([k, v]) => ({key: k.toLowerCase(), value: String(v)}));
    rightHeaders.push({key: 'x-goog-cloud-target-resource', value: AUDIENCE});
    expect(verify(encode({url: 'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST', headers: rightHeaders})).ok).toBe(true);
  });
});
