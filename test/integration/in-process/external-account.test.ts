/**
 * External account credentials end to end in process: the auth and projects command classes with the real minter
 * (google-auth-library's external-account clients over gcauth's transporter) against an in-process emulator's STS,
 * IAM Credentials, CI token issuer and stand-in AWS, and fake executables. One small loopback server stands for
 * broken token URLs (500, HTML, JSON without the field), which no emulator route answers.
 */
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ApplicationDefaultPrintAccessToken from '../../../src/commands/auth/application-default/print-access-token.js';
import List from '../../../src/commands/auth/list.js';
import Login from '../../../src/commands/auth/login.js';
import PrintAccessToken from '../../../src/commands/auth/print-access-token.js';
import PrintIdentityToken from '../../../src/commands/auth/print-identity-token.js';
import GetIamPolicy from '../../../src/commands/projects/get-iam-policy.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {gcauthHelperBackend} from '../../../src/lib/docker/helper.js';
import {fakeContext} from '../../helpers/context.js';
import {emulatorEnv} from '../../helpers/cli.js';
import {admin, callApi, tmpDir} from '../../helpers/emulator.js';
import {FEDERATION, type Federation, setUpFederation} from '../../helpers/federation.js';
import {snapshot} from '../../helpers/fs.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let fed: Federation;
let broken: Server;
let brokenUrl: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  fed = await setUpFederation(emu.url, emu.ownerKeyFile);
  broken = createServer((req, res) => {
    if (req.url === '/500') return res.writeHead(500, {'content-type': 'application/json'}).end('{"message":"down"}');
    if (req.url === '/html') return res.writeHead(200, {'content-type': 'text/html'}).end('<html><body>Sign in</body></html>');
    return res.writeHead(200, {'content-type': 'application/json'}).end('{"other":1}');
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
});
afterAll(async () => {
  broken.closeAllConnections();
  await new Promise((resolve) => broken.close(resolve));
  await emu.close();
});

let dir: string;
let configDir: string;
let jobToken: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-wif-'));
  configDir = path.join(dir, 'config');
  jobToken = await fed.jobToken();
  writeFileSync(path.join(dir, 'oidc.txt'), `${jobToken}\n`);
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const fileSource = () => ({file: path.join(dir, 'oidc.txt')});
const writeConfig = (value: unknown) => {
  const file = path.join(dir, 'wif.json');
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};
type RunOptions = {env?: Record<string, string>; now?: () => number};
const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], options: RunOptions = {}) =>
  runCommand(Cmd, argv, {configDir, ...options, env: {...emulatorEnv(emu.url, configDir), ...options.env}});
const login = (value: unknown, options: RunOptions = {}) => run(Login, [`--cred-file=${writeConfig(value)}`], options);
const stats = async () => (await admin(emu.url, 'stats')) as {total: number; byRoute: Record<string, number>};
const stsCalls = async () => (await stats()).byRoute['POST /sts/v1/token'] ?? 0;
const introspect = async (token: string) =>
  ((await (await fetch(`${emu.url}/sts/v1/introspect`, {method: 'POST', body: new URLSearchParams({token})})).json()) as {username?: string}).username;
/** Whose access token this is, by the emulator's tokeninfo: a service account's unique id (its `azp`). */
const tokenOf = async (token: string) => ((await (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json()) as {azp?: string}).azp;

describe('without impersonation: the account is the introspected principal', () => {
  test('login exchanges once and introspects, as gcloud; print-access-token prints an STS token of that principal; auth list shows it', async () => {
    expect(await login(fed.config({credential_source: fileSource()}))).toEqual({stdout: '', stderr: `Authenticated with external account credentials for: [${fed.principal}].\n`, code: 0});
    const printed = await run(PrintAccessToken, []);
    expect(printed.code).toBe(0);
    expect(await introspect(printed.stdout.trim())).toBe(fed.principal);
    // The title is centred over the table (test/unit/output.test.ts); here only what follows its leading blanks.
    expect((await run(List, [])).stdout.trimStart()).toBe(`Credentialed Accounts\nACTIVE  ACCOUNT\n*       ${fed.principal}\n`);
  });

  test('--impersonate-service-account on top of it: the principal\'s STS token pays for the service account\'s', async () => {
    await login(fed.config({credential_source: fileSource()}));
    const result = await run(PrintAccessToken, [`--impersonate-service-account=${fed.sa}`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`WARNING: This command is using service account impersonation. All API calls will be executed as [${fed.sa}].\n`);
    expect(await tokenOf(result.stdout.trim())).toBe(fed.saUniqueId);
  });

  test('Resource Manager commands run as the principal (roles/viewer is bound to it)', async () => {
    await login(fed.config({credential_source: fileSource()}));
    const result = await run(GetIamPolicy, ['demo-project', '--format=json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).bindings).toContainEqual({role: 'roles/viewer', members: [fed.principal]});
  });

  test('the source is read again for every exchange: the cached token serves until stale, then the file as it is now is sent', async () => {
    await login(fed.config({credential_source: fileSource()}));
    expect((await run(PrintAccessToken, [])).code).toBe(0);
    const exchanges = await stsCalls();
    writeFileSync(path.join(dir, 'oidc.txt'), 'not-a-job-token');
    expect((await run(PrintAccessToken, [])).code).toBe(0);
    expect(await stsCalls()).toBe(exchanges);
    const later = Date.now() + 56 * 60_000;
    const stale = await run(PrintAccessToken, [], {now: () => later});
    expect(stale.code).toBe(4);
    expect(stale.stderr).toMatch(/^ERROR: The STS at .* refused the subject token of \[principal:\/\/.*\] \(configuration \[.*wif\.json\]\) from the file \[.*oidc\.txt\] \(invalid_grant: /);
    expect(await stsCalls()).toBe(exchanges + 1);
  });

  test('a refused exchange (a repository outside the attribute condition): one line naming the file and what the STS said; nothing stored', async () => {
    const other = (await admin(emu.url, 'ci/jobs', {repository: 'evil/app', ref: 'refs/heads/main'})) as {requestUrl: string; requestToken: string};
    const res = await fetch(`${other.requestUrl}&audience=${encodeURIComponent(`https:${fed.audience}`)}`, {headers: {Authorization: `Bearer ${other.requestToken}`}});
    writeFileSync(path.join(dir, 'oidc.txt'), ((await res.json()) as {value: string}).value);
    const file = writeConfig(fed.config({credential_source: fileSource()}));
    const before = snapshot(dir);
    const result = await run(Login, [`--cred-file=${file}`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(
        `^ERROR: The STS at ${emu.url}/sts/v1/token refused the subject token of the external account \\(configuration \\[${file}\\]\\) from the file \\[.*oidc\\.txt\\] \\(unauthorized_client: The given credential is rejected by the attribute condition\\.\\)\\. ` +
          'Check that the provider of the audience \\[.*gh-prov\\] accepts it: its issuer, its allowed audiences and its attribute condition\\.\\n$',
      ),
    );
    expect(snapshot(dir)).toEqual(before);
  });

  test.each([
    ['an audience the provider does not allow', async () => {
      const res = await fetch(`${fed.job.requestUrl}&audience=other`, {headers: {Authorization: `Bearer ${fed.job.requestToken}`}});
      return {token: ((await res.json()) as {value: string}).value, audience: fed.audience};
    }],
    ['an issuer the provider does not trust', async () => ({token: jobToken, audience: fed.audience.replace(/gh-prov$/, 'other-issuer')})],
  ])('a refused exchange for %s says what the STS answered', async (_what, make) => {
    const {token, audience} = await make();
    writeFileSync(path.join(dir, 'oidc.txt'), token);
    const result = await login(fed.config({audience, credential_source: fileSource()}));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: The STS at .* refused the subject token of the external account \(configuration \[.*wif\.json\]\) from the file \[.*oidc\.txt\] \(invalid_grant: .+\)\. Check that the provider/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('with impersonation: the account is the service account', () => {
  test('login contacts nothing; print-access-token reads the CI URL with its bearer, exchanges and impersonates for the lifetime asked', async () => {
    const before = (await stats()).total;
    expect(await login(fed.impersonating({credential_source: fed.urlSource(), service_account_impersonation: {token_lifetime_seconds: 1200}}))).toEqual({
      stdout: '',
      stderr: `Authenticated with external account credentials for: [${fed.sa}].\n`,
      code: 0,
    });
    expect((await stats()).total).toBe(before);
    const printed = await run(PrintAccessToken, ['--format=json']);
    expect(printed.code).toBe(0);
    const {token, expiry} = JSON.parse(printed.stdout) as {token: string; expiry: string};
    expect(await tokenOf(token)).toBe(fed.saUniqueId);
    expect(Date.parse(expiry) - Date.now()).toBeLessThanOrEqual(1200_000);
    expect(Date.parse(expiry) - Date.now()).toBeGreaterThan(1100_000);
  });

  test('print-identity-token: the STS token buys the service account an id token at generateIdToken', async () => {
    await login(fed.impersonating({credential_source: fileSource()}));
    const result = await run(PrintIdentityToken, ['--audiences=https://svc.example']);
    expect(result.code).toBe(0);
    const claims = JSON.parse(Buffer.from(result.stdout.trim().split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({aud: 'https://svc.example', email: fed.sa});
  });

  test('a refused impersonation (a repository the binding does not name) names the grant that is missing', async () => {
    const other = (await admin(emu.url, 'ci/jobs', {repository: 'octo/other', ref: 'refs/heads/main'})) as {requestUrl: string; requestToken: string};
    const res = await fetch(`${other.requestUrl}&audience=${encodeURIComponent(`https:${fed.audience}`)}`, {headers: {Authorization: `Bearer ${other.requestToken}`}});
    writeFileSync(path.join(dir, 'oidc.txt'), ((await res.json()) as {value: string}).value);
    await login(fed.impersonating({credential_source: fileSource()}));
    const result = await run(PrintAccessToken, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^ERROR: IAM Credentials refused to let the federated identity of \\[${fed.sa}\\] \\(configuration \\[.*wif\\.json\\]\\) impersonate \\[${fed.sa}\\] \\(.*iam\\.serviceAccounts\\.getAccessToken.*\\)\\. ` +
          `Grant roles/iam\\.workloadIdentityUser on \\[${fed.sa}\\] to the pool's principal`,
      ),
    );
  });

  test.each([
    ['500', (url: string) => `${url}/500 answered HTTP 500`],
    ['html', () => 'its content is not JSON with a non-empty string field [value]'],
    ['nofield', () => 'its content is not JSON with a non-empty string field [value]'],
  ])('a URL source answering %s: one line naming the URL and what to fix; nothing sent to the STS', async (what, why) => {
    await login(fed.impersonating({credential_source: {url: `${brokenUrl}/${what}`, format: {type: 'json', subject_token_field_name: 'value'}}}));
    const exchanges = await stsCalls();
    const result = await run(PrintAccessToken, []);
    expect(result).toEqual({
      stdout: '',
      stderr:
        `ERROR: Cannot get a subject token for [${fed.sa}] (configuration [${path.join(dir, 'wif.json')}]) from the URL [${brokenUrl}/${what}]: ${why(brokenUrl)}. ` +
        'Check the URL and its headers in credential_source (a CI token URL and its bearer secret change with every job).\n',
      code: 4,
    });
    expect(await stsCalls()).toBe(exchanges);
  });

  test('debug output shows the exchange but not the job token, the bearer secret of the URL or any Google token', async () => {
    await login(fed.impersonating({credential_source: fed.urlSource()}));
    const result = await run(PrintAccessToken, ['--verbosity=debug']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`--> POST ${emu.url}/sts/v1/token`);
    expect(result.stderr).toMatch(/<-- 200 .*\/ci\/token.* \[REDACTED\]/);
    for (const secret of [fed.job.requestToken, result.stdout.trim(), 'ya29.']) expect(result.stderr).not.toContain(secret);
  });
});

describe('everywhere a credential is used', () => {
  test('GOOGLE_APPLICATION_CREDENTIALS naming a configuration: application-default print-access-token, then from the cache', async () => {
    const env = {GOOGLE_APPLICATION_CREDENTIALS: writeConfig(fed.impersonating({credential_source: fed.urlSource()}))};
    const first = await run(ApplicationDefaultPrintAccessToken, [], {env});
    expect(first.code).toBe(0);
    expect(await tokenOf(first.stdout.trim())).toBe(fed.saUniqueId);
    const exchanges = await stsCalls();
    expect(await run(ApplicationDefaultPrintAccessToken, [], {env})).toEqual(first);
    expect(await stsCalls()).toBe(exchanges);
  });

  test("the Docker helper's gcauth and adc token sources", async () => {
    await login(fed.impersonating({credential_source: fileSource()}));
    const gcauth = await fakeContext({configDir, env: emulatorEnv(emu.url, configDir)});
    const viaAccount = await gcauthHelperBackend(async () => gcauth.ctx).get('https://gcr.io');
    expect(await tokenOf(viaAccount.secret)).toBe(fed.saUniqueId);
    const adcFile = path.join(dir, 'adc.json');
    writeFileSync(adcFile, JSON.stringify(fed.config({credential_source: fileSource()})));
    const adc = await fakeContext({configDir: path.join(dir, 'other'), env: {GOOGLE_APPLICATION_CREDENTIALS: adcFile, GCAUTH_DOCKER_TOKEN_SOURCE: 'adc'}});
    const viaAdc = await gcauthHelperBackend(async () => adc.ctx).get('us-docker.pkg.dev');
    expect(await introspect(viaAdc.secret)).toBe(fed.principal);
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
  const executable = (command: string, timeout = 5000) => fed.impersonating({credential_source: {executable: {command, timeout_millis: timeout}}});

  test('allowed through the context: its token is exchanged, and it is given the variables Google documents', async () => {
    const log = path.join(dir, 'env.log');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const command = program(
      'mint',
      `env | grep GOOGLE_EXTERNAL_ACCOUNT_ | sort > ${log}\necho '{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"${jobToken}","expiration_time":${exp}}'`,
    );
    await login(executable(command));
    const result = await run(PrintAccessToken, ['--verbosity=debug'], {env: ALLOW});
    expect(result.code).toBe(0);
    expect(await tokenOf(result.stdout.trim())).toBe(fed.saUniqueId);
    expect(result.stderr).not.toContain(jobToken);
    expect(readFileSync(log, 'utf8')).toContain(`GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=${fed.audience}\n`);
    expect(readFileSync(log, 'utf8')).toContain(`GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL=${fed.sa}\n`);
  });

  test.each([
    ['fails', (t: string) => `echo "${t} went wrong"; exit 3`, 'it failed with code [3]'],
    ['prints bad JSON', (t: string) => `echo "not json ${t}"`, 'it printed no valid response (expected JSON {"version": 1, "success": true, "token_type": ..., "id_token": ..., "expiration_time": ...})'],
    ['answers success false', (t: string) => `echo '{"version":1,"success":false,"code":"401","message":"${t}"}'`, 'it failed with code [401]'],
  ])('an executable that %s: one line, without its output', async (_what, body, why) => {
    await login(executable(program('mint', body(jobToken))));
    const result = await run(PrintAccessToken, ['--verbosity=debug'], {env: ALLOW});
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`from the executable [${path.join(dir, 'mint')}]: ${why}. Run the command by hand`);
    expect(result.stderr).not.toContain(jobToken);
  });

  test('output_file: a saved, unexpired response is used without running the executable (the library reads it)', async () => {
    const output = path.join(dir, 'out.json');
    const exp = Math.floor(Date.now() / 1000) + 300;
    writeFileSync(output, JSON.stringify({version: 1, success: true, token_type: 'urn:ietf:params:oauth:token-type:jwt', id_token: jobToken, expiration_time: exp}));
    await login(fed.impersonating({credential_source: {executable: {command: program('mint', 'exit 9'), timeout_millis: 5000, output_file: output}}}));
    const result = await run(PrintAccessToken, [], {env: ALLOW});
    expect(result.code).toBe(0);
    expect(await tokenOf(result.stdout.trim())).toBe(fed.saUniqueId);
  });

  test('an executable that outlives timeout_millis is stopped and named', async () => {
    await login(executable(program('mint', 'exec sleep 30'), 5000));
    const result = await run(PrintAccessToken, [], {env: ALLOW});
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('it did not finish within 5000 ms (credential_source.executable.timeout_millis)');
  }, 20_000);
});

describe("aws sources, against the emulator's stand-in AWS", () => {
  const aws = (extra: Record<string, unknown> = {}) =>
    fed.config({
      audience: fed.awsAudience,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      credential_source: {
        environment_id: 'aws1',
        region_url: `${emu.url}/aws/latest/meta-data/placement/availability-zone`,
        url: `${emu.url}/aws/latest/meta-data/iam/security-credentials`,
        regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        ...extra,
      },
    });

  test("an IAM user's keys and the region from the context's environment; the principal is the user's ARN", async () => {
    const key = (await admin(emu.url, 'aws/users', {name: 'ci-user'})) as {accessKeyId: string; secretAccessKey: string; arn: string};
    const env = {AWS_REGION: 'us-east-2', AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey};
    const result = await login(aws(), {env: {...env, GCAUTH_CORE_VERBOSITY: 'debug'}});
    expect(result.stderr).toContain(`Authenticated with external account credentials for: [principal://iam.googleapis.com/projects/${fed.number}/locations/global/workloadIdentityPools/${FEDERATION.pool}/subject/${key.arn}].`);
    expect(result.stderr).not.toContain(key.secretAccessKey);
  });

  test('the instance role from the metadata URLs, with an IMDSv2 session token', async () => {
    const view = (await admin(emu.url, 'aws')) as {roleArn: string};
    const result = await login(aws({imdsv2_session_token_url: `${emu.url}/aws/latest/api/token`}), {env: {GCAUTH_CORE_VERBOSITY: 'debug'}});
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`/subject/${view.roleArn}].`);
    expect(result.stderr).toMatch(/<-- 200 .*\/aws\/latest\/api\/token \[REDACTED\]/);
    expect(result.stderr).toMatch(/<-- 200 .*\/security-credentials\/.* \[REDACTED\]/);
  });
});

test('a federated token works against the emulator APIs directly (sanity of the setup)', async () => {
  const res = await fetch(`${emu.url}/sts/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: jobToken,
      audience: fed.audience,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    }),
  });
  const token = ((await res.json()) as {access_token: string}).access_token;
  expect((await callApi(emu.url, token, 'GET', '/cloudresourcemanager/v1/projects/demo-project')).status).toBe(200);
});
