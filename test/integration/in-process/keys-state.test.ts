/**
 * `gcauth iam service-accounts keys disable | enable` against an in-process emulator: a disabled key mints no token
 * until it is enabled again; gcloud's lines on stderr; bad input sends nothing; the API's refusals are one line.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import ActivateServiceAccount from '../../../src/commands/auth/activate-service-account.js';
import KeysDisable from '../../../src/commands/iam/service-accounts/keys/disable.js';
import KeysEnable from '../../../src/commands/iam/service-accounts/keys/enable.js';
import KeysList from '../../../src/commands/iam/service-accounts/keys/list.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import {adminState, readKeyFile, tmpDir} from '../../helpers/emulator.js';
import {startActivatedEmulator} from '../../helpers/in-process-emulator.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let run: (Cmd: Parameters<typeof runCommand>[0], argv: string[]) => ReturnType<typeof runCommand>;
let email: string;
let keyId: string;
let keyFile: string;

beforeAll(async () => {
  const activated = await startActivatedEmulator();
  emu = activated.emu;
  run = activated.run;
  const account = emu.state.createServiceAccount(emu.project, 'rotated');
  email = account.email;
  const {key, privateKeyPem} = await emu.state.addServiceAccountKey(email);
  keyId = key.keyId;
  keyFile = path.join(tmpDir(), 'rotated.json');
  writeFileSync(keyFile, JSON.stringify({...readKeyFile(emu.ownerKeyFile), client_email: email, private_key_id: keyId, private_key: privateKeyPem, client_id: account.uniqueId}));
});
afterAll(() => emu.close());

/** Activates the key in a fresh config dir: the token endpoint's answer decides the exit code. */
const activate = () => runCommand(ActivateServiceAccount, [`--key-file=${keyFile}`], {configDir: tmpDir(), env: {GCAUTH_AUTH_TOKEN_HOST: `${emu.url}/token`}});

describe('keys disable and enable', () => {
  it('disables a key, which then mints no token and lists as disabled, and enables it again', async () => {
    expect((await activate()).code).toBe(0);
    expect(await run(KeysDisable, [keyId, `--iam-account=${email}`])).toEqual({code: 0, stdout: '', stderr: `Disabled key [${keyId}] for service account [${email}].\n`});
    expect((await activate()).code).not.toBe(0);
    const listed = await run(KeysList, [`--iam-account=${email}`, '--managed-by=user']);
    expect(listed.stdout.split('\n')[1]).toMatch(new RegExp(`^${keyId} +\\S+Z +\\S+Z +True +SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED$`));
    expect(await run(KeysEnable, [keyId, `--iam-account=${email}`])).toEqual({code: 0, stdout: '', stderr: `Enabled key [${keyId}] for service account [${email}].\n`});
    expect((await activate()).code).toBe(0);
  });

  it('refuses a malformed key id or account before sending anything', async () => {
    const before = await adminState(emu.url);
    emu.resetStats();
    const short = await run(KeysDisable, ['abc123', `--iam-account=${email}`]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^ERROR: Invalid KEY_ID \[abc123\]: it has 6 characters; expected 40 lower-case hexadecimal/);
    expect((await run(KeysEnable, [keyId, '--iam-account=x y'])).code).toBe(2);
    expect(emu.stats().total).toBe(0);
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('turns the API\'s refusals into one ERROR line: a key that does not exist, a system-managed key', async () => {
    const missing = await run(KeysDisable, ['0123456789abcdef0123456789abcdef01234567', `--iam-account=${email}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^ERROR: .*0123456789abcdef0123456789abcdef01234567/);
    const system = await emu.state.addSystemManagedKey(email);
    const r = await run(KeysDisable, [system.keyId, `--iam-account=${email}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: .*System-managed keys cannot be deleted, disabled or enabled\.\n$/);
  });
});
