/** The auth command classes through oclif's parser, against a fake context and a fake token endpoint. */
import {generateKeyPairSync} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ActivateServiceAccount from '../../src/commands/auth/activate-service-account.js';
import List from '../../src/commands/auth/list.js';
import PrintAccessToken from '../../src/commands/auth/print-access-token.js';
import Revoke from '../../src/commands/auth/revoke.js';
import {TokenEndpointError} from '../../src/lib/auth/tokens/token-endpoint-error.js';
import type {Minter} from '../../src/lib/auth/tokens/token-service.js';
import {snapshot} from '../helpers/fs.js';
import {runCommand} from '../helpers/run-command.js';

const EMAIL = 'ci@demo-project.iam.gserviceaccount.com';
const OTHER = 'other@demo-project.iam.gserviceaccount.com';
const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
const keyJson = (email: string) =>
  JSON.stringify({type: 'service_account', client_email: email, private_key: pem, private_key_id: 'k1', token_uri: 'http://127.0.0.1:9/token'});

let dir: string;
let configDir: string;
let minted: string[];
let mint: Minter;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-auth-cmd-'));
  configDir = path.join(dir, 'config');
  writeFileSync(path.join(dir, 'key.json'), keyJson(EMAIL));
  writeFileSync(path.join(dir, 'other.json'), keyJson(OTHER));
  minted = [];
  mint = async (credential) => {
    minted.push(credential.account);
    return {token: `ya29.t${minted.length}`, expiry: Date.UTC(2099, 0, 1)};
  };
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], options: {stdin?: string; mint?: Minter} = {}) =>
  runCommand(Cmd, argv, {configDir, mint, ...options});
const activate = (file = 'key.json') => run(ActivateServiceAccount, [`--key-file=${path.join(dir, file)}`]);

describe('auth activate-service-account', () => {
  test('stores the key, makes it active, and says so on stderr only', async () => {
    expect(await activate()).toEqual({stdout: '', stderr: `Activated service account credentials for: [${EMAIL}]\n`, code: 0});
    expect(minted).toEqual([EMAIL]);
    expect(JSON.parse(readFileSync(path.join(configDir, 'credentials.json'), 'utf8')).credentials[EMAIL].key.client_email).toBe(EMAIL);
    expect(readFileSync(path.join(configDir, 'configurations', 'config_default'), 'utf8')).toBe(`[core]\naccount = ${EMAIL}\n`);
  });

  test('reads the key from stdin with --key-file=-', async () => {
    expect((await run(ActivateServiceAccount, ['--key-file=-'], {stdin: keyJson(EMAIL)})).code).toBe(0);
  });

  test('a refused key: exit 4, one line naming key and account, nothing written', async () => {
    await activate('other.json');
    const before = snapshot(configDir);
    const refuse: Minter = async () => {
      throw new TokenEndpointError('invalid_grant: Invalid JWT Signature.', {status: 400, oauthError: 'invalid_grant', transient: false});
    };
    const result = await run(ActivateServiceAccount, [`--key-file=${path.join(dir, 'key.json')}`], {mint: refuse});
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ERROR: The token endpoint refused key [k1] of service account [${EMAIL}] (invalid_grant: Invalid JWT Signature.). ` +
        'The key may have been deleted or disabled, or the account disabled or deleted: create a new key and run gcauth auth activate-service-account --key-file=FILE.\n',
    );
    expect(snapshot(configDir)).toEqual(before);
  });
});

describe('auth print-access-token', () => {
  test('stdout is the token and a newline; the second call is served from the cache', async () => {
    await activate();
    expect(await run(PrintAccessToken, [])).toEqual({stdout: 'ya29.t1\n', stderr: '', code: 0});
    expect(await run(PrintAccessToken, ['--format=json'])).toEqual({
      stdout: '{\n  "expiry": "2099-01-01T00:00:00.000Z",\n  "token": "ya29.t1"\n}\n',
      stderr: '',
      code: 0,
    });
    expect((await run(PrintAccessToken, ['--format=value(expiry)'])).stdout).toBe('2099-01-01T00:00:00.000Z\n');
    expect(minted).toEqual([EMAIL]);
  });

  test('other scopes are a separate cache entry', async () => {
    await activate();
    expect((await run(PrintAccessToken, ['--scopes=devstorage.read_only'])).stdout).toBe('ya29.t2\n');
    expect((await run(PrintAccessToken, ['--scopes=https://www.googleapis.com/auth/devstorage.read_only'])).stdout).toBe('ya29.t2\n');
  });

  test('no active account and an unknown account: exit 4 and the command that fixes it', async () => {
    expect(await run(PrintAccessToken, [])).toEqual({
      stdout: '',
      stderr:
        'ERROR: You do not currently have an active account selected. Run gcauth auth login, or gcauth auth activate-service-account --key-file=FILE, or gcauth config set account ACCOUNT for one already logged in.\n',
      code: 4,
    });
    expect(await run(PrintAccessToken, [OTHER])).toEqual({
      stdout: '',
      stderr: `ERROR: Account [${OTHER}] has no credentials. Log in with: gcauth auth login ${OTHER}, or activate a key with: gcauth auth activate-service-account ${OTHER} --key-file=FILE\n`,
      code: 4,
    });
  });
});

describe('auth list and revoke', () => {
  test('list: nothing on stdout with no accounts; a table with the active one marked', async () => {
    expect(await run(List, [])).toEqual({
      stdout: '',
      stderr: '\nNo credentialed accounts.\n\nTo activate a service account, run:\n  $ gcauth auth activate-service-account --key-file=FILE\n\n',
      code: 0,
    });
    await activate('other.json');
    await activate();
    expect(await run(List, [])).toEqual({
      stdout: `              Credentialed Accounts\nACTIVE  ACCOUNT\n*       ${EMAIL}\n        ${OTHER}\n`,
      stderr: '\nTo set the active account, run:\n    $ gcauth config set account `ACCOUNT`\n\n',
      code: 0,
    });
    expect((await run(List, ['--format=value(account)', `--filter-account=${OTHER}`])).stdout).toBe(`${OTHER}\n`);
  });

  test('revoke: the active account by default, then it is unset; unknown and empty are errors', async () => {
    await activate('other.json');
    await activate();
    expect(await run(Revoke, ['ghost@x.iam.gserviceaccount.com'])).toEqual({
      stdout: '',
      stderr: 'ERROR: Unknown account [ghost@x.iam.gserviceaccount.com]: no credentials are stored for it. See gcauth auth list.\n',
      code: 1,
    });
    // gcloud 528 warns that a key's tokens cannot be revoked; gcauth adds the command that cuts the key off.
    expect(await run(Revoke, [])).toEqual({stdout: '', stderr: expect.stringMatching(new RegExp(`^WARNING: \\[${EMAIL}\\] is a service account: its tokens cannot be revoked, but they expire on their own within the hour\\. Its key is removed from this machine; to cut the key off earlier, disable it: gcauth iam service-accounts keys disable \\S+ --iam-account=${EMAIL}\\nRevoked credentials for: \\[${EMAIL}\\]\\n$`)), code: 0});
    expect(readFileSync(path.join(configDir, 'configurations', 'config_default'), 'utf8')).not.toContain('account');
    expect(await run(Revoke, [])).toEqual({stdout: '', stderr: 'ERROR: No credentials available to revoke.\n', code: 2});
    expect(await run(Revoke, ['--all', '--format=json'])).toEqual({stdout: `{\n  "revoked": [\n    "${OTHER}"\n  ]\n}\n`, stderr: expect.stringMatching(new RegExp(`^WARNING: \\[${OTHER}\\] is a service account: its tokens cannot be revoked, but they expire on their own within the hour\\. Its key is removed from this machine; to cut the key off earlier, disable it: gcauth iam service-accounts keys disable \\S+ --iam-account=${OTHER}\\nRevoked credentials for: \\[${OTHER}\\]\\n$`)), code: 0});
  });
});
