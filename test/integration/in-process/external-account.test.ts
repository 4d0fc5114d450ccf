/**
 * External account credentials end to end in process: the auth commands' classes with the real minter (google-auth-
 * library's external-account clients over gcauth's transporter) against a loopback stand-in for the STS, IAM
 * Credentials and the sources (a CI token URL, AWS metadata URLs), and fake executables. The stand-in is temporary:
 * these move to the emulator's STS once it has one.
 */
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ApplicationDefaultPrintAccessToken from '../../../src/commands/auth/application-default/print-access-token.js';
import List from '../../../src/commands/auth/list.js';
import Login from '../../../src/commands/auth/login.js';
import PrintAccessToken from '../../../src/commands/auth/print-access-token.js';
import PrintIdentityToken from '../../../src/commands/auth/print-identity-token.js';
import {gcauthHelperBackend} from '../../../src/lib/docker/helper.js';
import {fakeContext} from '../../helpers/context.js';
import {snapshot} from '../../helpers/fs.js';
import {runCommand} from '../../helpers/run-command.js';
import {STAND_IN, startStsStandIn, type StsStandIn} from '../../helpers/sts-stand-in.js';

const {sa: SA, audience: AUDIENCE, principal: PRINCIPAL, subject: SUBJECT, ciSecret: CI_SECRET, awsSecret: AWS_SECRET} = STAND_IN;

let stand: StsStandIn;
let url: string;
beforeAll(async () => {
  stand = await startStsStandIn();
  url = stand.url;
});
afterAll(() => stand.stop());

let dir: string;
let configDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-wif-'));
  configDir = path.join(dir, 'config');
  stand.reset();
  writeFileSync(path.join(dir, 'oidc.txt'), `${SUBJECT}\n`);
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const config = (overrides: Record<string, unknown> = {}) => ({
  universe_domain: 'googleapis.com',
  type: 'external_account',
  audience: AUDIENCE,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: `${url}/sts/v1/token`,
  credential_source: {file: path.join(dir, 'oidc.txt')},
  token_info_url: `${url}/sts/v1/introspect`,
  ...overrides,
});
const impersonating = (overrides: Record<string, unknown> = {}) =>
  config({token_info_url: undefined, service_account_impersonation_url: `${url}/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`, ...overrides});
const urlSource = (what = 'json') => ({url: `${url}/source/${what}`, headers: {Authorization: `Bearer ${CI_SECRET}`}, format: {type: 'json', subject_token_field_name: 'value'}});
const writeConfig = (value: unknown) => {
  const file = path.join(dir, 'wif.json');
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};
type RunOptions = {env?: Record<string, string>; now?: () => number};
const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], options: RunOptions = {}) => runCommand(Cmd, argv, {configDir, ...options});
const login = (value: unknown, options: RunOptions = {}) => run(Login, [`--cred-file=${writeConfig(value)}`], options);
const requests = (p: string) => stand.seen.filter((s) => s.path === p);
const stsForms = () => requests('/sts/v1/token').map((s) => new URLSearchParams(s.body));

describe('without impersonation: the account is the introspected principal', () => {
  test('login exchanges once and introspects, as gcloud; print-access-token prints an STS token; auth list shows the principal', async () => {
    expect(await login(config())).toEqual({stdout: '', stderr: `Authenticated with external account credentials for: [${PRINCIPAL}].\n`, code: 0});
    const [exchange] = stsForms();
    expect(Object.fromEntries(exchange!)).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: `${SUBJECT}\n`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
    expect(new URLSearchParams(requests('/sts/v1/introspect')[0]!.body).get('token')).toBe('sts.1');
    expect(await run(PrintAccessToken, [])).toEqual({stdout: 'sts.2\n', stderr: '', code: 0});
    expect((await run(List, [])).stdout).toBe(`Credentialed Accounts\nACTIVE  ACCOUNT\n*       ${PRINCIPAL}\n`);
  });

  test('the source is read again for every exchange: a rotated CI token is the one sent once the cached token is stale', async () => {
    await login(config());
    await run(PrintAccessToken, []);
    writeFileSync(path.join(dir, 'oidc.txt'), 'subject-rotated');
    expect((await run(PrintAccessToken, [])).stdout).toBe('sts.2\n');
    const later = Date.now() + 56 * 60_000;
    expect((await run(PrintAccessToken, [], {now: () => later})).stdout).toBe('sts.3\n');
    expect(stsForms().map((f) => f.get('subject_token'))).toEqual([`${SUBJECT}\n`, `${SUBJECT}\n`, 'subject-rotated']);
  });

  test('an STS refusal: one line naming the file and what the STS said; nothing stored', async () => {
    stand.refuse = `${SUBJECT}\n`;
    const file = writeConfig(config());
    const before = snapshot(dir);
    const result = await run(Login, [`--cred-file=${file}`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `ERROR: The STS at ${url}/sts/v1/token refused the subject token of the external account (configuration [${path.join(dir, 'wif.json')}]) from the file [${path.join(dir, 'oidc.txt')}] ` +
        `(invalid_grant: The audience in ID Token [x] does not match the expected audience.). Check that the provider of the audience [${AUDIENCE}] accepts it: its issuer, its allowed audiences and its attribute condition.\n`,
    );
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('with impersonation: the account is the service account', () => {
  test('login contacts nothing; print-access-token reads the URL with its headers, exchanges for iam scope and impersonates for the lifetime asked', async () => {
    expect(await login(impersonating({credential_source: urlSource(), service_account_impersonation: {token_lifetime_seconds: 1200}}))).toEqual({
      stdout: '',
      stderr: `Authenticated with external account credentials for: [${SA}].\n`,
      code: 0,
    });
    expect(stand.seen).toEqual([]);
    expect(await run(PrintAccessToken, [])).toEqual({stdout: 'ya29.imp.2\n', stderr: '', code: 0});
    expect(requests('/source/json')[0]!.headers.authorization).toBe(`Bearer ${CI_SECRET}`);
    expect(stsForms()[0]!.get('subject_token')).toBe(SUBJECT);
    const impersonation = requests(`/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`)[0]!;
    expect(impersonation.headers.authorization).toBe('Bearer sts.1');
    expect(JSON.parse(impersonation.body).lifetime).toBe('1200s');
  });

  test('print-identity-token: the STS token buys an id token at generateIdToken', async () => {
    await login(impersonating());
    const result = await run(PrintIdentityToken, ['--audiences=https://svc.example']);
    expect(result.code).toBe(0);
    const claims = JSON.parse(Buffer.from(result.stdout.trim().split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({aud: 'https://svc.example', email: SA});
    expect(requests(`/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateIdToken`)[0]!.headers.authorization).toBe('Bearer sts.1');
  });

  test('a refused impersonation names the grant that is missing', async () => {
    await login(impersonating());
    stand.denyImpersonation = true;
    const result = await run(PrintAccessToken, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ERROR: IAM Credentials refused to let the federated identity of [${SA}] (configuration [${path.join(dir, 'wif.json')}]) impersonate [${SA}] ` +
        "(Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).). Grant roles/iam.workloadIdentityUser on " +
        `[${SA}] to the pool's principal (principal://... or principalSet://...), or fix service_account_impersonation_url.\n`,
    );
  });

  test.each([
    ['500', `it answered HTTP 500`],
    ['html', 'its content is not JSON with a non-empty string field [value]'],
    ['nofield', 'its content is not JSON with a non-empty string field [value]'],
  ])('a URL source answering %s: one line naming the URL and what to fix', async (what, why) => {
    await login(impersonating({credential_source: urlSource(what)}));
    const result = await run(PrintAccessToken, []);
    expect(result.code).toBe(4);
    const reason = what === '500' ? `${url}/source/500 answered HTTP 500` : why;
    expect(result.stderr).toBe(
      `ERROR: Cannot get a subject token for [${SA}] (configuration [${path.join(dir, 'wif.json')}]) from the URL [${url}/source/${what}]: ${reason}. ` +
        'Check the URL and its headers in credential_source (a CI token URL and its bearer secret change with every job).\n',
    );
    expect(requests('/sts/v1/token')).toEqual([]);
  });

  test('debug output shows the exchange but no subject token, no URL header, no token', async () => {
    await login(impersonating({credential_source: urlSource()}));
    const result = await run(PrintAccessToken, ['--verbosity=debug']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`--> POST ${url}/sts/v1/token`);
    expect(result.stderr).toContain(`<-- 200 ${url}/source/json [REDACTED]`);
    for (const secret of [SUBJECT, CI_SECRET, 'sts.1', 'ya29.imp']) expect(result.stderr).not.toContain(secret);
  });
});

describe('everywhere a credential is used', () => {
  test('GOOGLE_APPLICATION_CREDENTIALS naming a configuration: application-default print-access-token, cached', async () => {
    const env = {GOOGLE_APPLICATION_CREDENTIALS: writeConfig(impersonating({credential_source: urlSource()}))};
    expect(await run(ApplicationDefaultPrintAccessToken, [], {env})).toEqual({stdout: 'ya29.imp.2\n', stderr: '', code: 0});
    expect(await run(ApplicationDefaultPrintAccessToken, [], {env})).toEqual({stdout: 'ya29.imp.2\n', stderr: '', code: 0});
    expect(requests('/sts/v1/token')).toHaveLength(1);
  });

  test("the Docker helper's gcauth and adc token sources", async () => {
    await login(impersonating());
    const gcauth = await fakeContext({configDir});
    expect(await gcauthHelperBackend(async () => gcauth.ctx).get('https://gcr.io')).toEqual({username: 'oauth2accesstoken', secret: 'ya29.imp.2'});
    const adcFile = path.join(dir, 'adc.json');
    writeFileSync(adcFile, JSON.stringify(config()));
    const adc = await fakeContext({configDir: path.join(dir, 'other'), env: {GOOGLE_APPLICATION_CREDENTIALS: adcFile, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'}});
    expect(await gcauthHelperBackend(async () => adc.ctx).get('us-docker.pkg.dev')).toEqual({username: 'oauth2accesstoken', secret: 'sts.3'});
  });
});

describe('executable sources', () => {
  const program = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const ALLOW = {GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1'};
  const executable = (command: string, timeout = 5000) => impersonating({credential_source: {executable: {command, timeout_millis: timeout}}});

  test('allowed through the context: its token is exchanged, and the variables Google documents are given to it', async () => {
    const log = path.join(dir, 'env.log');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const command = program(
      'mint',
      `env | grep GOOGLE_EXTERNAL_ACCOUNT_ | sort > ${log}\necho '{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"${SUBJECT}","expiration_time":${exp}}'`,
    );
    await login(executable(command));
    expect(await run(PrintAccessToken, ['--verbosity=debug'], {env: ALLOW})).toMatchObject({stdout: 'ya29.imp.2\n', code: 0});
    expect(stsForms()[0]!.get('subject_token')).toBe(SUBJECT);
    expect(readFileSync(log, 'utf8')).toContain(`GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=${AUDIENCE}\n`);
    expect(readFileSync(log, 'utf8')).toContain(`GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL=${SA}\n`);
  });

  test.each([
    ['fails', `echo "${SUBJECT} went wrong"; exit 3`, 'it failed with code [3]'],
    ['prints bad JSON', `echo "not json ${SUBJECT}"`, 'it printed no valid response (expected JSON {"version": 1, "success": true, "token_type": ..., "id_token": ..., "expiration_time": ...})'],
    ['answers success false', `echo '{"version":1,"success":false,"code":"401","message":"${SUBJECT}"}'`, 'it failed with code [401]'],
  ])('an executable that %s: one line, without its output', async (_what, body, why) => {
    await login(executable(program('mint', body)));
    const result = await run(PrintAccessToken, ['--verbosity=debug'], {env: ALLOW});
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`from the executable [${path.join(dir, 'mint')}]: ${why}. Run the command by hand`);
    expect(result.stderr).not.toContain(SUBJECT);
  });

  test('an executable that outlives timeout_millis is stopped and named', async () => {
    await login(executable(program('mint', 'exec sleep 30'), 5000));
    const result = await run(PrintAccessToken, [], {env: ALLOW});
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('it did not finish within 5000 ms (credential_source.executable.timeout_millis)');
  }, 20_000);
});

describe('aws sources', () => {
  const aws = (extra: Record<string, unknown> = {}) =>
    impersonating({
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      credential_source: {
        environment_id: 'aws1',
        region_url: `${url}/aws/latest/meta-data/placement/availability-zone`,
        url: `${url}/aws/latest/meta-data/iam/security-credentials`,
        regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        ...extra,
      },
    });
  const signed = () => JSON.parse(decodeURIComponent(stsForms()[0]!.get('subject_token')!)) as {url: string; method: string; headers: Array<{key: string; value: string}>};

  test("keys and region from the context's environment: a signed GetCallerIdentity for the audience", async () => {
    expect((await login(aws())).stderr).toBe(`Authenticated with external account credentials for: [${SA}].\n`);
    const env = {AWS_REGION: 'us-east-2', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE0000000002', AWS_SECRET_ACCESS_KEY: AWS_SECRET};
    const result = await run(PrintAccessToken, ['--verbosity=debug'], {env});
    expect(result.stderr.split('\n').filter((l) => l.startsWith('ERROR'))).toEqual([]);
    const request = signed();
    expect(request.url).toBe('https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15');
    expect(request.headers).toContainEqual({key: 'x-goog-cloud-target-resource', value: AUDIENCE});
    expect(request.headers.find((h) => h.key.toLowerCase() === 'authorization')?.value).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE0000000002\//);
    expect(requests('/aws/latest/meta-data/iam/security-credentials')).toEqual([]);
    expect(result.stderr).not.toContain(AWS_SECRET);
  });

  test('from the metadata URLs with an IMDSv2 session token', async () => {
    await login(aws({imdsv2_session_token_url: `${url}/aws/latest/api/token`}));
    const result = await run(PrintAccessToken, ['--verbosity=debug']);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('ERROR'))).toEqual([]);
    expect(signed().url).toBe('https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15');
    expect(requests('/aws/latest/meta-data/iam/security-credentials/ci-role')[0]!.headers['x-aws-ec2-metadata-token']).toBe('imds-session-token-1');
    for (const secret of [AWS_SECRET, 'aws-session-token-1', 'imds-session-token-1']) expect(result.stderr).not.toContain(secret);
  });
});
