import {AwsClient} from 'google-auth-library';
import {AWS_STS_MESSAGES} from '../../../src/emulator/aws.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {accessTokenFor, callApi, readKeyFile, tmpDir} from '../../helpers/emulator.js';

const AWS_ENV = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const POOLS = 'projects/demo-project/locations/global/workloadIdentityPools';

let emu: RunningEmulator;
let owner: string;
let number: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  // google-auth-library's AwsClient reads these from process.env itself; none may leak in from the machine.
  for (const name of AWS_ENV) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  emu = await startEmulator({dataDir: tmpDir()});
  owner = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  number = emu.state.project(emu.project)!.projectNumber;
  const iam = (path: string, body: unknown) => callApi(emu.url, owner, 'POST', `/iam/v1/${path}`, body);
  expect((await iam(`${POOLS}?workloadIdentityPoolId=aws-pool`, {})).status).toBe(200);
  expect((await iam(`${POOLS}/aws-pool/providers?workloadIdentityPoolProviderId=aws-prov`, {aws: {accountId: emu.aws.view().accountId}})).status).toBe(200);
  expect((await iam(`${POOLS}/aws-pool/providers?workloadIdentityPoolProviderId=other-acct`, {aws: {accountId: '000000000000'}})).status).toBe(200);
});
afterAll(async () => {
  for (const name of AWS_ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await emu.close();
});

const audienceOf = (provider: string) => `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/aws-pool/providers/${provider}`;

/** google-auth-library's AwsClient on the emulator's stand-in EC2 instance, exchanging at the emulator's STS. */
function awsClient(provider: string): AwsClient {
  return new AwsClient({
    type: 'external_account',
    audience: audienceOf(provider),
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    token_url: `${emu.url}/sts/v1/token`,
    credential_source: {
      environment_id: 'aws1',
      region_url: `${emu.url}/aws/latest/meta-data/placement/availability-zone`,
      url: `${emu.url}/aws/latest/meta-data/iam/security-credentials`,
      regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    },
  });
}

describe('STS with AWS providers (the stand-in AWS, the real google-auth-library AwsClient)', () => {
  it('exchanges the instance role\'s signed GetCallerIdentity; the default mapping makes the role a principalSet that policies can bind', async () => {
    const {token} = await awsClient('aws-prov').getAccessToken();
    expect(token).toMatch(/^ya29\./);
    const getProject = () => callApi(emu.url, token!, 'GET', '/cloudresourcemanager/v1/projects/demo-project');
    expect((await getProject()).status).toBe(403);
    const view = emu.aws.view();
    const role = view.roleArn.slice(0, view.roleArn.lastIndexOf('/'));
    emu.state.addBinding(emu.project, 'roles/browser', `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/aws-pool/attribute.aws_role/${role}`);
    expect((await getProject()).status).toBe(200);
    const introspected = (await (await fetch(`${emu.url}/sts/v1/introspect`, {method: 'POST', body: new URLSearchParams({token: token!})})).json()) as {username: string};
    expect(introspected.username).toBe(`principal://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/aws-pool/subject/${view.roleArn}`);
  });

  it('passes the AWS check\'s refusal on as invalid_grant (a provider of another account)', async () => {
    await expect(awsClient('other-acct').getAccessToken()).rejects.toThrow(/invalid_grant/);
    const subjectToken = await awsClient('other-acct').retrieveSubjectToken();
    const res = await fetch(`${emu.url}/sts/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
        subject_token: subjectToken,
        audience: audienceOf('other-acct'),
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      }),
    });
    expect({status: res.status, body: await res.json()}).toEqual({
      status: 400,
      body: {error: 'invalid_grant', error_description: AWS_STS_MESSAGES.account(emu.aws.view().accountId, '000000000000')},
    });
  });
});
