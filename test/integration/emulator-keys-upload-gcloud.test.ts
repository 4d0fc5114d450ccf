import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {certifiedKeyPair, onDisk} from '../helpers/certificates.js';
import {emulatorEnv, runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud keys upload conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

// The emulator runs in this process; the real gcloud 528 and the built gcauth are the subprocesses under test, on one state.
describeIfGcloud('the real gcloud and gcauth upload keys to the emulator\'s IAM', () => {
  let emu: RunningEmulator;
  let gcloudVars: Record<string, string>;
  let gcauthVars: Record<string, string>;
  let theirs: string;
  let ours: string;

  beforeAll(async () => {
    const work = tmpDir('gcloud-keys-upload-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator')});
    gcloudVars = gcloudEnv(emu.url, emu.project);
    gcauthVars = {...emulatorEnv(emu.url, path.join(work, 'gcauth')), GCAUTH_CORE_PROJECT: emu.project};
    expect((await gc(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    expect((await ga(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    theirs = emu.state.createServiceAccount(emu.project, 'gcloud-uploads').email;
    ours = emu.state.createServiceAccount(emu.project, 'gcauth-uploads').email;
  });
  afterAll(async () => {
    await emu?.close();
  });

  const gc = (args: string[]) => execa(gcloud!, args, {env: gcloudVars, reject: false, stdin: 'ignore'});
  const ga = (args: string[]) => runCli(args, {env: gcauthVars});

  it('both upload one certificate and print the same YAML; each lists the other\'s key in the same table', async () => {
    const {certificateFile} = onDisk(certifiedKeyPair());
    const g = await gc(['iam', 'service-accounts', 'keys', 'upload', certificateFile, `--iam-account=${theirs}`]);
    expect({code: g.exitCode, stderr: g.stderr}).toEqual({code: 0, stderr: ''});
    const a = await ga(['iam', 'service-accounts', 'keys', 'upload', certificateFile, `--iam-account=${ours}`]);
    expect({code: a.exitCode, stderr: a.stderr}).toEqual({code: 0, stderr: ''});
    // execa strips the final newline of gcloud's output; runCli keeps it.
    expect(a.stdout).toBe(`${g.stdout.replace(theirs, ours)}\n`);

    const keyId = /\/keys\/([0-9a-f]{40})$/m.exec(g.stdout)![1]!;
    expect((await gc(['iam', 'service-accounts', 'keys', 'disable', keyId, `--iam-account=${theirs}`])).exitCode).toBe(0);
    for (const account of [theirs, ours]) {
      const table = await ga(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${account}`]);
      expect(table.stdout).toBe(`${(await gc(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${account}`])).stdout}\n`);
    }
  }, 120_000);

  it('both are refused under constraints/iam.disableServiceAccountKeyUpload: gcloud with Google\'s words, gcauth in one line', async () => {
    await fetch(`${emu.url}/__admin/org-policy`, {method: 'POST', body: JSON.stringify({project: emu.project, constraint: 'iam.disableServiceAccountKeyUpload', enforced: true})});
    const {certificateFile} = onDisk(certifiedKeyPair());
    const g = await gc(['iam', 'service-accounts', 'keys', 'upload', certificateFile, `--iam-account=${theirs}`]);
    expect(g.exitCode).toBe(1);
    expect(g.stderr).toContain(
      `FAILED_PRECONDITION: Constraint \`constraints/iam.disableServiceAccountKeyUpload\` violated for service account projects/${emu.project}/serviceAccounts/${theirs} attempting to upload public key.`,
    );
    const a = await ga(['iam', 'service-accounts', 'keys', 'upload', certificateFile, `--iam-account=${ours}`]);
    expect(a.exitCode).toBe(1);
    expect(a.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^ERROR: Key upload is not allowed on service account \[gcauth-uploads@.*constraints\/iam\.disableServiceAccountKeyUpload is enforced on its project\. Act as the account without a key: /)]);
  });

  it('describe prints the same YAML as gcloud (strings that YAML 1.1 would read as numbers quoted alike)', async () => {
    const a = await ga(['iam', 'service-accounts', 'describe', ours]);
    expect(a.stdout).toBe(`${(await gc(['iam', 'service-accounts', 'describe', ours])).stdout}\n`);
  });
});
