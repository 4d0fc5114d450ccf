/**
 * `gcauth iam service-accounts keys upload` against an in-process emulator: the key it makes signs for the account (its
 * private half never left), its YAML is gcloud's, and bad input, a second upload of one certificate and the organization
 * policy constraints/iam.disableServiceAccountKeyUpload each end in one ERROR line with nothing changed.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import ActivateServiceAccount from '../../../src/commands/auth/activate-service-account.js';
import PrintAccessToken from '../../../src/commands/auth/print-access-token.js';
import KeysList from '../../../src/commands/iam/service-accounts/keys/list.js';
import Upload from '../../../src/commands/iam/service-accounts/keys/upload.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import {certifiedKeyPair, onDisk} from '../../helpers/certificates.js';
import {adminState, tmpDir} from '../../helpers/emulator.js';
import {startActivatedEmulator} from '../../helpers/in-process-emulator.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let run: (Cmd: Parameters<typeof runCommand>[0], argv: string[], stdin?: string) => ReturnType<typeof runCommand>;
let email: string;

beforeAll(async () => {
  const activated = await startActivatedEmulator();
  emu = activated.emu;
  run = (Cmd, argv, stdin) => runCommand(Cmd, argv, {configDir: activated.configDir, env: activated.env, stdin});
  email = emu.ownerEmail;
});
afterAll(() => emu.close());

const admin = (route: string, body: unknown) => fetch(`${emu.url}/__admin/${route}`, {method: 'POST', body: JSON.stringify(body)});

describe('keys upload', () => {
  const pair = certifiedKeyPair();
  const {certificateFile, privateKeyFile} = onDisk(pair);

  it('uploads a certificate and prints the key as gcloud does (YAML, keys sorted, timestamps quoted), nothing on stderr', async () => {
    const r = await run(Upload, [certificateFile, `--iam-account=${email}`]);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'keyAlgorithm: KEY_ALG_RSA_2048\nkeyOrigin: USER_PROVIDED\nkeyType: USER_MANAGED\n' +
        `name: projects/${emu.project}/serviceAccounts/${email}/keys/${pair.fingerprint}\n` +
        `validAfterTime: '${pair.validAfterTime}'\nvalidBeforeTime: '${pair.validBeforeTime}'\n`,
    });
    const listed = await run(KeysList, [`--iam-account=${email}`, '--managed-by=user', '--format=value(name)']);
    expect(listed.stdout.split('\n')).toContain(`projects/${emu.project}/serviceAccounts/${email}/keys/${pair.fingerprint}`);
  });

  it('makes a key that signs for the account: a key file around the private half the user kept activates and mints tokens', async () => {
    const keyFile = path.join(tmpDir(), 'uploaded-key.json');
    const owner = emu.state.serviceAccount(email)!;
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: emu.project,
        private_key_id: pair.fingerprint,
        private_key: pair.privateKeyPem,
        client_email: email,
        client_id: owner.uniqueId,
        token_uri: `${emu.url}/token`,
      }),
    );
    const configDir = tmpDir();
    const env = {GCAUTH_AUTH_TOKEN_HOST: `${emu.url}/token`};
    const activated = await runCommand(ActivateServiceAccount, [`--key-file=${keyFile}`], {configDir, env});
    expect(activated.code).toBe(0);
    const token = await runCommand(PrintAccessToken, [], {configDir, env});
    expect(token.stdout).toMatch(/^ya29\.\S+\n$/);
  });

  it('reads the certificate from standard input with -', async () => {
    const second = certifiedKeyPair();
    const r = await run(Upload, ['-', `--iam-account=${email}`], second.certificatePem);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`/keys/${second.fingerprint}\n`);
  });

  it('refuses a private key, a missing file and a file without a certificate before sending anything', async () => {
    const before = await adminState(emu.url);
    emu.resetStats();
    const priv = await run(Upload, [privateKeyFile, `--iam-account=${email}`]);
    expect(priv).toEqual({code: 2, stdout: '', stderr: expect.stringMatching(/^ERROR: \[[^\]]+private_key\.pem\] holds a private key, which gcauth never uploads: [^\n]+\n$/)});
    const missing = await run(Upload, [path.join(tmpDir(), 'nope.pem'), `--iam-account=${email}`]);
    expect(missing).toEqual({code: 2, stdout: '', stderr: expect.stringMatching(/^ERROR: Unable to read public key file \[[^\]]+nope\.pem\]: no such file\.\n$/)});
    const ssh = await run(Upload, ['-', `--iam-account=${email}`], 'ssh-rsa AAAAB3NzaC1yc2E me@host\n');
    expect(ssh.code).toBe(2);
    expect(ssh.stderr).toMatch(/^ERROR: \[standard input\] holds no PEM certificate/);
    expect((await run(Upload, [certificateFile, '--iam-account=not-an-email'])).code).toBe(2);
    expect(emu.stats().total).toBe(0);
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('refuses the same certificate twice with one ERROR line', async () => {
    const r = await run(Upload, [certificateFile, `--iam-account=${email}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('A key with this certificate already exists on the service account.');
  });

  it('under iam.disableServiceAccountKeyUpload fails with one ERROR line naming the constraint and the keyless ways, adding no key', async () => {
    await admin('org-policy', {project: emu.project, constraint: 'iam.disableServiceAccountKeyUpload', enforced: true});
    const keysBefore = Object.keys(emu.state.serviceAccount(email)!.keys).sort();
    const fresh = onDisk(certifiedKeyPair());
    const r = await run(Upload, [fresh.certificateFile, `--iam-account=${email}`]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `ERROR: Key upload is not allowed on service account [${email}]: the organization policy constraint constraints/iam.disableServiceAccountKeyUpload ` +
        'is enforced on its project. Act as the account without a key: impersonate it (grant roles/iam.serviceAccountTokenCreator, then pass ' +
        `--impersonate-service-account=${email}), federate an outside identity (gcauth iam workload-identity-pools create-cred-config POOL_PROVIDER ` +
        `--service-account=${email} --output-file=FILE), or, on Google Cloud, attach it to the VM or workload and let the metadata server serve its tokens.\n`,
    });
    expect(Object.keys(emu.state.serviceAccount(email)!.keys).sort()).toEqual(keysBefore);
    await admin('org-policy', {project: emu.project, constraint: 'iam.disableServiceAccountKeyUpload', enforced: false});
  });
});
