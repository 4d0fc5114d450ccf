/**
 * `iam workload-identity-pools create-cred-config` through oclif's parser on a fake context: bad or conflicting input
 * is one ERROR line, exit 2, and no file; a good line writes the file 0600 and says so on stderr, nothing on stdout.
 * (Its bytes are compared with gcloud's in test/integration/create-cred-config-gcloud.test.ts.)
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import CreateCredConfig from '../../src/commands/iam/workload-identity-pools/create-cred-config.js';
import {runCommand} from '../helpers/run-command.js';

const AUDIENCE = 'projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh-prov';
let dir: string;
let out: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-cred-config-'));
  out = path.join(dir, 'out', 'wif.json');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const run = (argv: string[]) => runCommand(CreateCredConfig, [...argv, `--output-file=${out}`], {configDir: path.join(dir, 'config')});

it('writes the file 0600 in a 0700 directory, says so on stderr, and prints nothing on stdout', async () => {
  const result = await run([AUDIENCE, '--credential-source-url=http://127.0.0.1:9/t', '--credential-source-headers=Authorization=Bearer s3cret']);
  expect(result).toEqual({stdout: '', stderr: `Created credential configuration file [${out}].\n`, code: 0});
  expect(statSync(out).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(out)).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({credential_source: {headers: {Authorization: 'Bearer s3cret'}}});
});

const SOURCES = '(--aws | --azure | --credential-source-file | --credential-source-url | --executable-command)';

test.each<[string, string[], string]>([
  ['no source', [AUDIENCE], `Exactly one of ${SOURCES} must be specified.`],
  ['two sources', [AUDIENCE, '--aws', '--credential-source-file=/t'], '--aws cannot be used with --credential-source-file.'],
  ['a url and an executable', [AUDIENCE, '--credential-source-url=http://x.test/', '--executable-command=/bin/x'], 'cannot be used with'],
  [
    'an audience with //iam.googleapis.com/',
    [`//iam.googleapis.com/${AUDIENCE}`, '--aws'],
    `Invalid AUDIENCE [//iam.googleapis.com/${AUDIENCE}]: it is written without //iam.googleapis.com/; expected projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID (or locations/global/workforcePools/POOL_ID/providers/PROVIDER_ID). Did you mean ${AUDIENCE}?`,
  ],
  ['an audience naming the project by id', ['projects/my-project/locations/global/workloadIdentityPools/p123/providers/x123', '--aws'], 'the project is named by its number, not [my-project]'],
  ['an audience that is a pool', ['projects/1/locations/global/workloadIdentityPools/pool', '--aws'], 'Invalid AUDIENCE [projects/1/locations/global/workloadIdentityPools/pool]: expected projects/PROJECT_NUMBER'],
  ['an audience in another location', ['projects/1/locations/us-east1/workloadIdentityPools/pool/providers/prov', '--aws'], 'Invalid AUDIENCE location [us-east1]: workload identity pools exist only in location global; expected global.'],
  ['an audience with a bad provider id', ['projects/1/locations/global/workloadIdentityPools/pool/providers/gcp-x', '--aws'], 'the prefix gcp- is reserved for Google'],
  ['a JSON source without a field name', [AUDIENCE, '--credential-source-file=/t', '--credential-source-type=json'], 'Failed to create credential configuration file [OUT]: --credential-source-field-name required for JSON formatted tokens.'],
  ['a field name without a JSON type', [AUDIENCE, '--credential-source-file=/t', '--credential-source-field-name=v'], '--credential-source-field-name can be used only with --credential-source-type=json.'],
  ['a field name with a text type', [AUDIENCE, '--credential-source-file=/t', '--credential-source-type=text', '--credential-source-field-name=v'], '--credential-source-field-name can be used only with --credential-source-type=json.'],
  ['an unknown source type', [AUDIENCE, '--credential-source-file=/t', '--credential-source-type=xml'], 'Failed to create credential configuration file [OUT]: --credential-source-type must be either "json" or "text".'],
  ['a source type with --aws', [AUDIENCE, '--aws', '--credential-source-type=text'], '--credential-source-type is not supported with --azure or --aws.'],
  ['a source type with an executable', [AUDIENCE, '--executable-command=/bin/x', '--credential-source-type=text'], '--credential-source-type can be used only with a --credential-source-file or --credential-source-url source.'],
  ['IMDSv2 without --aws', [AUDIENCE, '--credential-source-file=/t', '--enable-imdsv2'], '--enable-imdsv2 can be used only for AWS credential types.'],
  ['headers without a url', [AUDIENCE, '--credential-source-file=/t', '--credential-source-headers=a=b'], '--credential-source-headers can be used only with --credential-source-url.'],
  ['a header without =', [AUDIENCE, '--credential-source-url=http://x.test/', '--credential-source-headers=abc'], 'Invalid --credential-source-headers [abc]: [abc] is not KEY=VALUE'],
  ['an empty delimiter', [AUDIENCE, '--credential-source-url=http://x.test/', '--credential-source-headers=^^a=b'], '^^ gives an empty delimiter'],
  ['a url that is not http(s)', [AUDIENCE, '--credential-source-url=file:///etc/passwd'], 'Invalid --credential-source-url [file:///etc/passwd]: expected an http:// or https:// URL.'],
  ['executable options without an executable', [AUDIENCE, '--aws', '--executable-timeout-millis=5000'], '--executable-timeout-millis can be used only with --executable-command.'],
  ['an output file without an executable', [AUDIENCE, '--aws', '--executable-output-file=/tmp/x'], '--executable-output-file can be used only with --executable-command.'],
  ['a timeout under 5 s', [AUDIENCE, '--executable-command=/bin/x', '--executable-timeout-millis=4999'], 'Invalid --executable-timeout-millis [4999]: it is less than 5000ms'],
  ['a timeout over 120 s', [AUDIENCE, '--executable-command=/bin/x', '--executable-timeout-millis=2m1s'], 'it is more than 120000ms'],
  ['a timeout that is no duration', [AUDIENCE, '--executable-command=/bin/x', '--executable-timeout-millis=abc'], 'Invalid --executable-timeout-millis [abc]: expected a duration from 5000ms to 120000ms'],
  ['a lifetime without a service account', [AUDIENCE, '--aws', '--service-account-token-lifetime-seconds=600'], '--service-account-token-lifetime-seconds: --service-account must be specified.'],
  ['a lifetime under 600 s', [AUDIENCE, '--aws', '--service-account=a@b.iam.gserviceaccount.com', '--service-account-token-lifetime-seconds=599'], 'it is less than 600s'],
  ['a lifetime over 12 h', [AUDIENCE, '--aws', '--service-account=a@b.iam.gserviceaccount.com', '--service-account-token-lifetime-seconds=1d'], 'it is more than 43200s'],
  ['a service account that is a member', [AUDIENCE, '--aws', '--service-account=serviceAccount:a@b.iam.gserviceaccount.com'], 'Did you mean a@b.iam.gserviceaccount.com?'],
  ['an app id URI without --azure', [AUDIENCE, '--aws', '--app-id-uri=api://x'], '--app-id-uri can be used only with --azure.'],
  ['a subject token type with --aws', [AUDIENCE, '--aws', '--subject-token-type=urn:ietf:params:oauth:token-type:jwt'], '--subject-token-type cannot be used with --aws'],
  ['a subject token type that is no URN', [AUDIENCE, '--credential-source-file=/t', '--subject-token-type=jwt'], 'Invalid --subject-token-type [jwt]'],
  ['a bad universe domain', [AUDIENCE, '--aws', '--universe-domain=https://x'], 'Invalid --universe-domain [https://x]'],
])('%s: one ERROR line, exit 2, no file', async (_name, argv, message) => {
  const result = await run(argv);
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^ERROR: /)]);
  expect(result.stderr).toContain(message.replace('[OUT]', `[${out}]`));
  expect(result.code).toBe(2);
  expect(existsSync(path.dirname(out))).toBe(false);
});

it('a missing --output-file is a usage error', async () => {
  const result = await runCommand(CreateCredConfig, [AUDIENCE, '--aws'], {configDir: path.join(dir, 'config')});
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^ERROR: .*output-file/);
});

it('refuses a directory as the output file, in one line, leaving it as it was', async () => {
  const result = await runCommand(CreateCredConfig, [AUDIENCE, '--aws', `--output-file=${dir}`], {configDir: path.join(dir, 'config')});
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: Cannot write \[.*\]: .*directory/)]);
  expect(statSync(dir).isDirectory()).toBe(true);
});
