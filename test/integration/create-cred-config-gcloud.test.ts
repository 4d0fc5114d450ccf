/**
 * `gcauth iam workload-identity-pools create-cred-config` against the installed gcloud 528: for each set of flags both
 * write their file in a directory of their own, under the same relative name, and the bytes, the stderr line and the
 * exit status must be the same. The one difference on purpose is the mode: gcloud's file follows the umask (0644
 * here), gcauth's is 0600 (url headers may hold a bearer secret). gcloud needs no network for this command.
 */
import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('create-cred-config conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

const AUDIENCE = 'projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh-prov';
const SA = 'ci@demo-project.iam.gserviceaccount.com';
const FILE = 'wif.json';

/** Flag sets gcloud and gcauth must turn into the same bytes: every source kind, with and without impersonation. */
const CASES: Array<[string, string[]]> = [
  ['file source', ['--credential-source-file=/var/run/oidc/token']],
  ['file source, impersonated', ['--credential-source-file=/var/run/oidc/token', `--service-account=${SA}`]],
  ['file source, text format, impersonated with a 1h lifetime', ['--credential-source-file=/t', '--credential-source-type=text', `--service-account=${SA}`, '--service-account-token-lifetime-seconds=1h']],
  ['file source, JSON format (type in capitals)', ['--credential-source-file=/t.json', '--credential-source-type=JSON', '--credential-source-field-name=id_token']],
  ['file source, id_token subject type', ['--credential-source-file=/t', '--subject-token-type=urn:ietf:params:oauth:token-type:id_token']],
  ['file source, non-ASCII path', ['--credential-source-file=/tmp/jeton-é-€-😀.txt']],
  [
    'url source, headers, JSON format, impersonated (the reference file)',
    ['--credential-source-url=http://127.0.0.1:9/token?audience=x', '--credential-source-headers=Authorization=Bearer abc', '--credential-source-type=json', '--credential-source-field-name=value', `--service-account=${SA}`],
  ],
  ['url source, no headers', ['--credential-source-url=https://example.com/token']],
  ['url source, several headers in their order, a repeated one', ['--credential-source-url=http://x.test/t', '--credential-source-headers=Z=1,A=2,Metadata=True,Z=3,e=']],
  ['url source, headers with another delimiter and = in a value', ['--credential-source-url=http://x.test/t', '--credential-source-headers=^;^Authorization=Bearer a,b=c;X-Y=z']],
  ['url source, impersonated with 600 s', ['--credential-source-url=http://x.test/t', `--service-account=${SA}`, '--service-account-token-lifetime-seconds=600']],
  ['aws', ['--aws']],
  ['aws, impersonated', ['--aws', `--service-account=${SA}`]],
  ['aws with IMDSv2, impersonated with 12 h', ['--aws', '--enable-imdsv2', `--service-account=${SA}`, '--service-account-token-lifetime-seconds=43200']],
  ['executable, default timeout', ['--executable-command=/usr/bin/mint --x']],
  ['executable, timeout and output file, impersonated', ['--executable-command=/usr/bin/mint --x', '--executable-timeout-millis=5000', '--executable-output-file=/tmp/cache.json', `--service-account=${SA}`]],
  ['executable, timeout as a duration with a fraction', ['--executable-command=/bin/mint', '--executable-timeout-millis=7.5s', `--service-account=${SA}`, '--service-account-token-lifetime-seconds=1h30m']],
  ['azure', ['--azure']],
  ['azure with an app id URI, impersonated', ['--azure', '--app-id-uri=api://my-app', `--service-account=${SA}`]],
  ['another universe domain, impersonated', ['--credential-source-file=/t', '--universe-domain=example.com', `--service-account=${SA}`]],
  ['a service account by unique id', ['--credential-source-file=/t', '--service-account=112233445566778899001']],
];

describeIfGcloud('create-cred-config writes what gcloud 528 writes', () => {
  const env = gcloudEnv('http://127.0.0.1:9', 'demo-project');
  const work = tmpDir('cred-config-');

  const both = async (name: string, args: string[]) => {
    const dirs = {gcloud: path.join(work, name, 'gcloud'), gcauth: path.join(work, name, 'gcauth')};
    mkdirSync(dirs.gcloud, {recursive: true});
    mkdirSync(dirs.gcauth, {recursive: true});
    const line = ['iam', 'workload-identity-pools', 'create-cred-config', ...args];
    const [g, c] = await Promise.all([
      execa(gcloud!, line, {cwd: dirs.gcloud, env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, extendEnv: false, reject: false, stdin: 'ignore'}),
      runCli(line, {cwd: dirs.gcauth, env: {GCAUTH_CONFIG: path.join(work, name, 'config')}}),
    ]);
    return {gcloud: {...g, dir: dirs.gcloud}, gcauth: {...c, dir: dirs.gcauth}};
  };

  it.each(CASES.map(([name, flags], i) => [name, i, flags] as const))('%s', async (_name, i, flags) => {
    const {gcloud: g, gcauth: c} = await both(`case-${i}`, [AUDIENCE, ...flags, `--output-file=${FILE}`]);
    expect(g.stderr).toBe(`Created credential configuration file [${FILE}].`);
    expect(g.exitCode).toBe(0);
    expect({stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode}).toEqual({stdout: g.stdout, stderr: `${g.stderr}\n`, exitCode: 0});
    const expected = readFileSync(path.join(g.dir, FILE));
    expect(readFileSync(path.join(c.dir, FILE)).toString('latin1')).toBe(expected.toString('latin1'));
    expect(statSync(path.join(c.dir, FILE)).mode & 0o777).toBe(0o600);
  });

  it('writes into missing directories (0700 where gcloud follows the umask) and replaces an existing file', async () => {
    const {gcloud: g, gcauth: c} = await both('nested', [AUDIENCE, '--aws', '--output-file=a/b/wif.json']);
    expect(c.stderr).toBe(`${g.stderr}\n`);
    expect(readFileSync(path.join(c.dir, 'a/b/wif.json'))).toEqual(readFileSync(path.join(g.dir, 'a/b/wif.json')));
    expect(statSync(path.join(c.dir, 'a/b')).mode & 0o777).toBe(0o700);

    writeFileSync(path.join(c.dir, FILE), 'old content that is longer than nothing');
    writeFileSync(path.join(g.dir, FILE), 'old content that is longer than nothing');
    const again = await both('nested', [AUDIENCE, '--credential-source-file=/t', `--output-file=${FILE}`]);
    expect(readFileSync(path.join(again.gcauth.dir, FILE))).toEqual(readFileSync(path.join(again.gcloud.dir, FILE)));
  });

  it("refuses a JSON source without a field name in gcloud's words, but as an error that writes nothing", async () => {
    const {gcloud: g, gcauth: c} = await both('no-field', [AUDIENCE, '--credential-source-file=/t', '--credential-source-type=json', `--output-file=${FILE}`]);
    // gcloud prints the same line but exits 0.
    expect(g.stderr).toBe(`ERROR: Failed to create credential configuration file [${FILE}]: --credential-source-field-name required for JSON formatted tokens.`);
    expect(g.exitCode).toBe(0);
    expect(c.stderr).toBe(`${g.stderr}\n`);
    expect(c.exitCode).toBe(2);
    expect(() => statSync(path.join(c.dir, FILE))).toThrow(/ENOENT/);
  });
});
