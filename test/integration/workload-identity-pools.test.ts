/**
 * `gcauth iam workload-identity-pools` (pools and providers), the built CLI against the emulator: create, describe,
 * list and delete, with gcloud's output (status lines on stderr, YAML describe, `---` documents for list, `Listed 0
 * items.`); bad input refused before any request. Then the real gcloud 528 reads what gcauth created, and both print
 * the same describe and list.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {parseAllDocuments} from 'yaml';

import {runCli} from '../helpers/cli.js';
import {activatedEnv, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud reading gcauth-made pools skipped: gcloud is not on PATH');
const itIfGcloud = gcloud ? it : it.skip;

let emu: EmulatorProcess;
let env: Record<string, string>;
let number: string;
const WIP = ['iam', 'workload-identity-pools'];
const PROVIDERS = [...WIP, 'providers'];
const IN_POOL = ['--location=global', '--workload-identity-pool=ci-pool'];

beforeAll(async () => {
  emu = await startEmulatorProcess();
  env = {...(await activatedEnv(emu.url, emu.ownerKeyFile)), GCAUTH_CORE_PROJECT: emu.project};
});
afterAll(async () => {
  await emu?.stop();
});

const gcauth = (args: string[]) => runCli(args, {env});
const requests = async () => (await emu.stats()).total;

describe('pools', () => {
  it('creates pools: the status line on stderr, nothing on stdout unless --format asks for the operation', async () => {
    expect(await gcauth([...WIP, 'create', 'ci-pool', '--location=global', '--display-name=CI', '--description=CI pool'])).toEqual({
      stdout: '',
      stderr: 'Created workload identity pool [ci-pool].\n',
      exitCode: 0,
    });
    const json = await gcauth([...WIP, 'create', 'off-pool', '--location=global', '--disabled', '--format=json']);
    expect(json.exitCode).toBe(0);
    const operation = JSON.parse(json.stdout) as {response: {name: string}};
    // Google names a pool by its project's number.
    number = /^projects\/([0-9]+)\//.exec(operation.response.name)![1]!;
    expect(operation).toMatchObject({done: true, response: {name: `projects/${number}/locations/global/workloadIdentityPools/off-pool`, disabled: true}});
  });

  it('describes a pool as YAML, keys sorted', async () => {
    expect(await gcauth([...WIP, 'describe', 'ci-pool', '--location=global'])).toEqual({
      stdout: `description: CI pool\ndisplayName: CI\nname: projects/${number}/locations/global/workloadIdentityPools/ci-pool\nstate: ACTIVE\n`,
      stderr: '',
      exitCode: 0,
    });
    const full = await gcauth([...WIP, 'describe', `projects/${emu.project}/locations/global/workloadIdentityPools/ci-pool`, '--location=global', '--format=value(displayName)']);
    expect(full.stdout).toBe('CI\n');
  });

  it('lists pools as --- YAML documents; --format=value(name) one a line', async () => {
    const listed = await gcauth([...WIP, 'list', '--location=global']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout.startsWith('---\n')).toBe(true);
    expect(parseAllDocuments(listed.stdout).map((d) => (d.toJS() as {name: string}).name.split('/').pop())).toEqual(['ci-pool', 'off-pool']);
    expect((await gcauth([...WIP, 'list', '--location=global', '--format=value(name)'])).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('refuses a bad id, location or display name with one ERROR line and exit 2, before any request', async () => {
    const before = await requests();
    for (const [args, message] of [
      [['create', 'Bad_Pool', '--location=global'], 'ERROR: Invalid POOL [Bad_Pool]: it has upper-case letters; expected 4 to 32 lower-case letters, digits or hyphens, not starting with gcp- (reserved for Google). Did you mean bad-pool?\n'],
      [['create', 'gcp-pool', '--location=global'], 'ERROR: Invalid POOL [gcp-pool]: the prefix gcp- is reserved for Google; expected 4 to 32 lower-case letters, digits or hyphens, not starting with gcp- (reserved for Google).\n'],
      [['describe', 'ci-pool', '--location=us-east1'], 'ERROR: Invalid --location [us-east1]: workload identity pools exist only in location global; expected global.\n'],
      [['create', 'long-name', '--location=global', `--display-name=${'x'.repeat(33)}`], `ERROR: Invalid --display-name [${'x'.repeat(33)}]: it has 33 characters; expected at most 32.\n`],
    ] as const) {
      expect(await gcauth([...WIP, ...args])).toEqual({stdout: '', stderr: message, exitCode: 2});
    }
    const missing = await gcauth([...WIP, 'list']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^ERROR: .*--location/);
    expect(await requests()).toBe(before);
  });

  it("reports the API's refusals in one line: a pool that exists, one that does not", async () => {
    const again = await gcauth([...WIP, 'create', 'ci-pool', '--location=global']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: .*ci-pool.*already exists/i)]);
    const none = await gcauth([...WIP, 'describe', 'no-such-pool', '--location=global']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: .*no-such-pool.* not found/)]);
  });
});

describe('providers', () => {
  it('creates an OIDC provider and an AWS provider', async () => {
    const oidc = await gcauth([
      ...PROVIDERS,
      'create-oidc',
      'github',
      ...IN_POOL,
      '--issuer-uri=https://token.actions.githubusercontent.com',
      '--attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository',
      "--attribute-condition=assertion.repository_owner == 'my-org'",
      '--allowed-audiences=https://a.example,https://b.example',
      '--display-name=GitHub',
    ]);
    expect(oidc).toEqual({stdout: '', stderr: 'Created workload identity pool provider [github].\n', exitCode: 0});
    const jwks = path.join(tmpDir(), 'jwks.json');
    writeFileSync(jwks, JSON.stringify({keys: [{kty: 'RSA', kid: 'k1', n: 'sXch', e: 'AQAB', alg: 'RS256', use: 'sig'}]}));
    const local = await gcauth([...PROVIDERS, 'create-oidc', 'local-ci', ...IN_POOL, `--issuer-uri=${emu.url}/ci`, '--attribute-mapping=google.subject=assertion.sub', `--jwk-json-path=${jwks}`]);
    expect(local).toEqual({stdout: '', stderr: 'Created workload identity pool provider [local-ci].\n', exitCode: 0});
    const aws = await gcauth([...PROVIDERS, 'create-aws', 'prod-aws', ...IN_POOL, '--account-id=123456789012']);
    expect(aws).toEqual({stdout: '', stderr: 'Created workload identity pool provider [prod-aws].\n', exitCode: 0});
  });

  it('describes a provider as YAML, keys sorted at every level', async () => {
    expect(await gcauth([...PROVIDERS, 'describe', 'github', ...IN_POOL])).toEqual({
      stdout:
        "attributeCondition: assertion.repository_owner == 'my-org'\n" +
        'attributeMapping:\n  attribute.repository: assertion.repository\n  google.subject: assertion.sub\n' +
        'displayName: GitHub\n' +
        `name: projects/${number}/locations/global/workloadIdentityPools/ci-pool/providers/github\n` +
        'oidc:\n  allowedAudiences:\n  - https://a.example\n  - https://b.example\n  issuerUri: https://token.actions.githubusercontent.com\n' +
        'state: ACTIVE\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('lists providers, deletes one, and lists what is left', async () => {
    const ids = async () => (await gcauth([...PROVIDERS, 'list', ...IN_POOL, '--format=value(name)'])).stdout.trim().split('\n').map((n) => n.split('/').pop());
    expect((await ids()).sort()).toEqual(['github', 'local-ci', 'prod-aws']);
    expect(await gcauth([...PROVIDERS, 'delete', 'local-ci', ...IN_POOL])).toEqual({stdout: '', stderr: 'Deleted workload identity pool provider [local-ci].\n', exitCode: 0});
    expect((await ids()).sort()).toEqual(['github', 'prod-aws']);
    const deleted = await gcauth([...PROVIDERS, 'list', ...IN_POOL, '--show-deleted', '--format=value(name,state)']);
    expect(deleted.stdout).toContain(`providers/local-ci\tDELETED`);
  });

  it('an empty pool lists nothing, and says Listed 0 items. on stderr', async () => {
    expect(await gcauth([...PROVIDERS, 'list', '--location=global', '--workload-identity-pool=off-pool'])).toEqual({stdout: '', stderr: 'Listed 0 items.\n', exitCode: 0});
  });

  it('refuses bad mappings, issuers and ids before any request', async () => {
    const before = await requests();
    const oidc = (...flags: string[]) => gcauth([...PROVIDERS, 'create-oidc', 'new-prov', ...IN_POOL, ...flags]);
    const cases: Array<[Promise<{stdout: string; stderr: string; exitCode: number}>, string]> = [
      [oidc('--issuer-uri=https://x.example', '--attribute-mapping=attribute.repo=assertion.repository'), 'it must map google.subject'],
      [oidc('--issuer-uri=https://x.example', '--attribute-mapping=google.subject=assertion.sub,attribute.Repo=assertion.r'), 'the custom attribute [attribute.Repo] may use only [a-z0-9_] after attribute.'],
      [oidc('--issuer-uri=https://x.example', '--attribute-mapping=google.subject'), '[google.subject] is not KEY=VALUE'],
      [oidc('--issuer-uri=https://x.example', '--attribute-mapping=google.subject=assertion.sub,google.subject=assertion.aud'), 'google.subject is given twice'],
      [oidc('--issuer-uri=https://x.example'), '--attribute-mapping is required for an OIDC provider'],
      [oidc('--issuer-uri=http://issuer.example', '--attribute-mapping=google.subject=assertion.sub'), 'Invalid --issuer-uri [http://issuer.example]: Google fetches issuers over https only'],
      [oidc('--issuer-uri=https://x.example', '--attribute-mapping=google.subject=assertion.sub', '--jwk-json-path=/no/such/file'), 'Cannot read --jwk-json-path [/no/such/file]: no such file.'],
      [gcauth([...PROVIDERS, 'create-aws', 'aw2', ...IN_POOL, '--account-id=123456789012']), 'Invalid PROVIDER [aw2]'],
      [gcauth([...PROVIDERS, 'create-aws', 'aws-two', ...IN_POOL, '--account-id=1234']), 'Invalid --account-id [1234]: expected an AWS account ID, 12 digits such as 123456789012.'],
      [gcauth([...PROVIDERS, 'create-aws', 'aws-two', ...IN_POOL, '--account-id=arn:aws:iam::1']), 'Invalid --account-id [arn:aws:iam::1]'],
      [gcauth([...PROVIDERS, 'describe', 'github', '--location=global', '--workload-identity-pool=CI']), 'Invalid --workload-identity-pool [CI]'],
    ];
    for (const [result, message] of cases) {
      const r = await result;
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/^ERROR: [^\n]*\n$/);
      expect({stdout: r.stdout, exitCode: r.exitCode}).toEqual({stdout: '', exitCode: 2});
    }
    expect(await requests()).toBe(before);
  });

  it('a CEL mapping with commas in a string literal needs no other delimiter', async () => {
    const r = await gcauth([
      ...PROVIDERS,
      'create-oidc',
      'comma-ci',
      ...IN_POOL,
      '--issuer-uri=https://gitlab.example',
      "--attribute-mapping=google.subject=assertion.sub,attribute.env=assertion.ref in ['main', 'prod'] ? 'prod' : 'dev'",
      '--format=value(response.attributeMapping)',
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({'google.subject': 'assertion.sub', 'attribute.env': "assertion.ref in ['main', 'prod'] ? 'prod' : 'dev'"});
  });
});

describe('the real gcloud reads what gcauth created', () => {
  let gc: Record<string, string>;
  const g = (args: string[]) => runGcloud(gcloud!, args, gc);

  beforeAll(async () => {
    if (!gcloud) return;
    gc = gcloudEnv(emu.url, emu.project);
    expect((await g(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
  });

  itIfGcloud('gcloud lists and describes the pools and providers gcauth made, as gcauth prints them', async () => {
    const pools = await g([...WIP, 'list', '--location=global']);
    expect({exitCode: pools.exitCode, stderr: pools.stderr}).toEqual({exitCode: 0, stderr: ''});
    // execa drops gcloud's final newline.
    expect((await gcauth([...WIP, 'list', '--location=global'])).stdout).toBe(`${pools.stdout}\n`);
    expect((await gcauth([...WIP, 'describe', 'ci-pool', '--location=global'])).stdout).toBe(`${(await g([...WIP, 'describe', 'ci-pool', '--location=global'])).stdout}\n`);
    expect((await gcauth([...PROVIDERS, 'describe', 'github', ...IN_POOL])).stdout).toBe(`${(await g([...PROVIDERS, 'describe', 'github', ...IN_POOL])).stdout}\n`);

    // gcloud's YAML wraps long lines and quotes with ' where gcauth's does not: the same documents, parsed.
    const fromGcloud = await g([...PROVIDERS, 'list', ...IN_POOL]);
    const fromGcauth = await gcauth([...PROVIDERS, 'list', ...IN_POOL]);
    expect({exitCode: fromGcloud.exitCode, stderr: fromGcloud.stderr}).toEqual({exitCode: 0, stderr: ''});
    const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as {name: string});
    expect(docs(fromGcauth.stdout)).toEqual(docs(fromGcloud.stdout));
    expect(docs(fromGcloud.stdout).map((p) => p.name.split('/').pop())).toEqual(expect.arrayContaining(['github', 'prod-aws']));
  });

  itIfGcloud('gcloud deletes a pool gcauth made, and gcauth sees it deleted', async () => {
    const deleted = await g([...WIP, 'delete', 'off-pool', '--location=global']);
    expect(deleted.stderr).toContain('Deleted workload identity pool [off-pool].');
    expect((await gcauth([...WIP, 'describe', 'off-pool', '--location=global', '--format=value(state)'])).stdout).toBe('DELETED\n');
    expect((await gcauth([...WIP, 'delete', 'ci-pool', '--location=global'])).stderr).toBe('Deleted workload identity pool [ci-pool].\n');
    const left = await g([...WIP, 'list', '--location=global']);
    expect({stdout: left.stdout, stderr: left.stderr}).toEqual({stdout: '', stderr: 'Listed 0 items.'});
  });
});
