import path from 'node:path';
import {execa} from 'execa';
import {startEmulator, type RunningEmulator} from '../../src/emulator/server.js';
import {emulatorEnv, runCli} from '../helpers/cli.js';
import {tmpDir} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud services conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

// The emulator runs in this process; the real gcloud 528 and the built gcauth are the subprocesses under test, on one state.
describeIfGcloud('the real gcloud and gcauth on the emulator\'s Service Usage', () => {
  let emu: RunningEmulator;
  let gcloudVars: Record<string, string>;
  let gcauthVars: Record<string, string>;
  let number: string;

  beforeAll(async () => {
    const work = tmpDir('gcloud-services-');
    emu = await startEmulator({dataDir: path.join(work, 'emulator'), services: []});
    number = emu.state.project(emu.project)!.projectNumber;
    gcloudVars = gcloudEnv(emu.url, emu.project);
    gcauthVars = {...emulatorEnv(emu.url, path.join(work, 'gcauth')), GCAUTH_CORE_PROJECT: emu.project};
    expect((await gc(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    expect((await ga(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await emu?.close();
  });

  const gc = (args: string[]) => execa(gcloud!, args, {env: gcloudVars, reject: false, stdin: 'ignore'});
  const ga = (args: string[]) => runCli(args, {env: gcauthVars});
  const names = (r: {stdout: string}) => r.stdout.split('\n').filter(Boolean);

  it('gcloud enables one service, waiting for its operation, and gcauth lists it; both print the same table', async () => {
    const enabled = await gc(['services', 'enable', 'artifactregistry.googleapis.com']);
    expect(enabled.exitCode).toBe(0);
    expect(enabled.stderr).toMatch(new RegExp(`Operation "operations/acf\\.p2-${number}-[0-9a-f-]{36}" finished successfully\\.`));
    expect(names(await ga(['services', 'list', '--format=value(config.name)']))).toEqual(['artifactregistry.googleapis.com']);
    const ours = await ga(['services', 'list']);
    const theirs = await gc(['services', 'list']);
    // execa strips the final newline of gcloud's output; runCli keeps it.
    expect(ours.stdout).toBe(`${theirs.stdout}\n`);
  });

  it('gcauth enables several in one batch and disables one; gcloud sees the same state', async () => {
    expect((await ga(['services', 'enable', 'iam.googleapis.com', 'run.googleapis.com'])).exitCode).toBe(0);
    expect((await ga(['services', 'disable', 'artifactregistry.googleapis.com'])).exitCode).toBe(0);
    expect(names(await gc(['services', 'list', '--format=value(config.name)']))).toEqual(['iam.googleapis.com', 'run.googleapis.com']);
    const available = await gc(['services', 'list', '--available', '--format=value(config.name)']);
    expect(names(available)).toEqual(names(await ga(['services', 'list', '--available', '--format=value(config.name)'])));
  });

  it('gcloud disables, and an already-enabled service is a silent no-op for both', async () => {
    expect((await gc(['services', 'disable', 'run.googleapis.com'])).exitCode).toBe(0);
    expect(emu.state.enabledServices(emu.project)).toEqual(['iam.googleapis.com']);
    const again = await gc(['services', 'enable', 'iam.googleapis.com']);
    expect({code: again.exitCode, stderr: again.stderr}).toEqual({code: 0, stderr: ''});
    const ours = await ga(['services', 'enable', 'iam.googleapis.com']);
    expect({code: ours.exitCode, stderr: ours.stderr}).toEqual({code: 0, stderr: ''});
  });

  it('both refuse an unknown service with Google\'s words, changing nothing', async () => {
    const theirs = await gc(['services', 'enable', 'nope.googleapis.com']);
    expect(theirs.exitCode).toBe(1);
    expect(theirs.stderr).toContain('PERMISSION_DENIED: Not found or permission denied for service(s): nope.googleapis.com.');
    const ours = await ga(['services', 'enable', 'nope.googleapis.com']);
    expect(ours.exitCode).toBe(1);
    expect(ours.stderr.split('\n')[0]).toBe('ERROR: PERMISSION_DENIED: Not found or permission denied for service(s): nope.googleapis.com.');
    expect(emu.state.enabledServices(emu.project)).toEqual(['iam.googleapis.com']);
  });

  it('gcloud meets SERVICE_DISABLED from Resource Manager as Google sends it', async () => {
    const r = await gc(['projects', 'get-iam-policy', emu.project]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Cloud Resource Manager API has not been used in project ${number} before or it is disabled.`);
    expect(r.stderr).toContain('reason: SERVICE_DISABLED');
  });
});
