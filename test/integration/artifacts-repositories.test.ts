/**
 * `gcauth artifacts repositories` as the built CLI against the emulator: gcloud's status lines and exit codes, the
 * etag read-modify-write on a repository's policy under concurrency, bad input that sends nothing, and, where the
 * real gcloud 528 is on PATH, the same output from both on the same emulator.
 */
import {parse as parseYaml} from 'yaml';

import {runCli, type CliResult} from '../helpers/cli.js';
import {activatedEnv, startEmulatorProcess, type EmulatorProcess} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

interface Policy {
  bindings?: Array<{role: string; members: string[]}>;
  etag: string;
  version: number;
}

let emu: EmulatorProcess;
let owner: Record<string, string>;
let project: string;
let pusher: string;

const gcauth = (args: string[], env = owner): Promise<CliResult> => runCli(['artifacts', 'repositories', ...args], {env});
const apiCalls = async () => (await emu.stats()).total;
const membersOf = (policy: Policy, role: string) => (policy.bindings ?? []).filter((b) => b.role === role).flatMap((b) => b.members);

beforeAll(async () => {
  emu = await startEmulatorProcess();
  project = emu.project;
  owner = {...(await activatedEnv(emu.url, emu.ownerKeyFile)), GCAUTH_CORE_PROJECT: project};
  pusher = `serviceAccount:ci-pusher@${project}.iam.gserviceaccount.com`;
  expect((await runCli(['iam', 'service-accounts', 'create', 'ci-pusher'], {env: owner})).exitCode).toBe(0);
});
afterAll(() => emu.stop());

describe('repositories', () => {
  it('create prints gcloud\'s status lines and nothing on stdout; a second create is a conflict', async () => {
    const created = await gcauth(['create', 'images', '--repository-format=docker', '--location=us', '--description=CI images']);
    expect(created).toMatchObject({exitCode: 0, stdout: '', stderr: 'Create request issued for: [images]\nCreated repository [images].\n'});
    expect((await gcauth(['create', 'other', '--repository-format=docker', '--location=us'])).exitCode).toBe(0);
    const again = await gcauth(['create', 'images', '--repository-format=docker', '--location=us']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^ERROR: .*ALREADY_EXISTS.*\n$/);
  });

  it('describe prints the repository on stdout and its encryption and size on stderr', async () => {
    const described = await gcauth(['describe', 'images', '--location=us']);
    expect(described.exitCode).toBe(0);
    expect(described.stderr).toBe('Encryption: Google-managed key\nRepository Size: 0.000MB\n');
    expect(parseYaml(described.stdout)).toMatchObject({name: `projects/${project}/locations/us/repositories/images`, format: 'DOCKER', description: 'CI images'});
  });

  it('list in a location, and across locations', async () => {
    const listed = await gcauth(['list', '--location=us', '--format=value(name)']);
    expect(listed.stdout).toBe(`projects/${project}/locations/us/repositories/images\nprojects/${project}/locations/us/repositories/other\n`);
    expect(listed.stderr).toBe(`Listing items under project ${project}, location us.\n\n`);
    const all = await gcauth(['list', '--format=value(name)']);
    expect(all.exitCode).toBe(0);
    expect(all.stderr).toBe(`Listing items under project ${project}, across all locations.\n\n`);
  });

  it.each([
    [['describe', 'nope', '--location=us'], 1, /^ERROR: Repository \[projects\/.*\/repositories\/nope\] was not found/],
    [['describe', 'images', '--location=moon'], 2, /^ERROR: Invalid --location \[moon\]/],
    [['describe', 'images'], 2, /^ERROR: Failed to find attribute \[location\]/],
    [['create', 'Bad_Name', '--repository-format=docker', '--location=us'], 2, /^ERROR: Invalid REPOSITORY \[Bad_Name\]: Names may only contain/],
    [['create', 'eu.gcr.io', '--repository-format=docker', '--location=us'], 2, /^ERROR: GCR repository eu.gcr.io can only be created in the europe multi-region\.\n$/],
    [['add-iam-policy-binding', 'images', '--location=us', '--member=ci@x.iam.gserviceaccount.com', '--role=roles/artifactregistry.writer'], 2, /^ERROR: Invalid --member/],
    [['add-iam-policy-binding', 'images', '--location=us', '--member=user:a@example.com', '--role=roles/storage.admin'], 2, /^ERROR: Role roles\/storage\.admin is not supported for this resource\.\n/],
  ])('%j: one ERROR line, exit %d', async (args, code, message) => {
    await emu.resetStats();
    const result = await gcauth(args);
    expect(result.exitCode).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    // A usage error is found before any request.
    if (code === 2) expect(await apiCalls()).toBe(0);
  });
});

describe('repository IAM policy', () => {
  it('add-iam-policy-binding writes once, and a second identical call writes nothing', async () => {
    const args = ['add-iam-policy-binding', 'images', '--location=us', `--member=${pusher}`, '--role=roles/artifactregistry.writer'];
    await emu.resetStats();
    const first = await gcauth(args);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe('Updated IAM policy for repository [images].\n');
    expect(membersOf(parseYaml(first.stdout) as Policy, 'roles/artifactregistry.writer')).toEqual([pusher]);
    const second = await gcauth([...args, '--format=none']);
    expect(second.stderr).toBe(`[${pusher}] already has [roles/artifactregistry.writer] on repository [images]; the policy was not written.\n`);
    const byRoute = (await emu.stats()).byRoute;
    const sets = Object.entries(byRoute).filter(([r]) => r.endsWith(':setIamPolicy')).reduce((n, [, c]) => n + c, 0);
    expect(sets).toBe(1);
  });

  it('the grant is on that repository only: the other repository and the project do not have it', async () => {
    const other = await gcauth(['get-iam-policy', 'other', '--location=us', '--format=json']);
    expect(membersOf(JSON.parse(other.stdout) as Policy, 'roles/artifactregistry.writer')).toEqual([]);
    const projectPolicy = JSON.parse((await runCli(['projects', 'get-iam-policy', project, '--format=json'], {env: owner})).stdout) as Policy;
    expect(membersOf(projectPolicy, 'roles/artifactregistry.writer')).not.toContain(pusher);
  });

  it('--dry-run writes nothing and says whether the caller may write', async () => {
    await emu.resetStats();
    const dry = await gcauth(['add-iam-policy-binding', 'images', '--location=us', '--member=user:dry@example.com', '--role=roles/artifactregistry.reader', '--dry-run', '--format=none']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toContain('Dry run: would add [user:dry@example.com] to [roles/artifactregistry.reader] on repository [images]; nothing was written.');
    expect(dry.stderr).toContain('holds artifactregistry.repositories.setIamPolicy on repository [images], so the change would be allowed.');
    expect(Object.keys((await emu.stats()).byRoute).some((r) => r.endsWith(':setIamPolicy'))).toBe(false);
  });

  it('loses no binding when 8 processes add 8 members to one repository at once', async () => {
    const members = Array.from({length: 8}, (_, i) => `user:racer${i}@example.com`);
    const results = await Promise.all(members.map((m) => gcauth(['add-iam-policy-binding', 'other', '--location=us', `--member=${m}`, '--role=roles/artifactregistry.reader', '--format=none'])));
    expect(results.map((r) => r.exitCode)).toEqual(members.map(() => 0));
    const policy = JSON.parse((await gcauth(['get-iam-policy', 'other', '--location=us', '--format=json'])).stdout) as Policy;
    expect(membersOf(policy, 'roles/artifactregistry.reader').sort()).toEqual([...members].sort());
  });

  it('remove-iam-policy-binding takes it away again', async () => {
    const removed = await gcauth(['remove-iam-policy-binding', 'other', '--location=us', '--member=user:racer0@example.com', '--role=roles/artifactregistry.reader', '--format=json']);
    expect(removed.exitCode).toBe(0);
    expect(membersOf(JSON.parse(removed.stdout) as Policy, 'roles/artifactregistry.reader')).not.toContain('user:racer0@example.com');
  });

  it('delete needs --quiet without a terminal, and with it deletes', async () => {
    expect((await gcauth(['create', 'scratch', '--repository-format=docker', '--location=europe'])).exitCode).toBe(0);
    const unasked = await gcauth(['delete', 'scratch', '--location=europe']);
    expect(unasked.exitCode).toBe(2);
    const deleted = await gcauth(['delete', 'scratch', '--location=europe', '--quiet']);
    expect(deleted).toMatchObject({exitCode: 0, stdout: '', stderr: 'Delete request issued for: [scratch]\nDeleted repository [scratch].\n'});
    expect((await gcauth(['describe', 'scratch', '--location=europe'])).exitCode).toBe(1);
  });
});

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('artifacts repositories: gcloud comparison skipped: gcloud is not on PATH');
(gcloud ? describe : describe.skip)('the real gcloud on the same emulator', () => {
  let gc: Record<string, string>;
  beforeAll(async () => {
    gc = gcloudEnv(emu.url, project);
    expect((await runGcloud(gcloud!, ['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], gc)).exitCode).toBe(0);
  });

  it('create prints the same status lines', async () => {
    const theirs = await runGcloud(gcloud!, ['artifacts', 'repositories', 'create', 'from-gcloud', '--repository-format=docker', '--location=asia'], gc);
    const ours = await gcauth(['create', 'from-gcauth', '--repository-format=docker', '--location=asia']);
    // execa strips gcloud's last newline.
    expect(ours.stderr.replaceAll('from-gcauth', 'R')).toBe(`${theirs.stderr.replaceAll('from-gcloud', 'R')}\n`);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('list prints the same table, title and status line', async () => {
    const theirs = await runGcloud(gcloud!, ['artifacts', 'repositories', 'list', '--location=asia'], gc);
    const ours = await gcauth(['list', '--location=asia']);
    expect(theirs.exitCode).toBe(0);
    expect(ours.stdout).toBe(`${theirs.stdout}\n`);
    expect(ours.stderr).toBe(`${theirs.stderr}\n`);
  });

  it('a binding gcloud adds, gcauth reads, and the other way round', async () => {
    const theirs = await runGcloud(gcloud!, ['artifacts', 'repositories', 'add-iam-policy-binding', 'from-gcloud', '--location=asia', `--member=${pusher}`, '--role=roles/artifactregistry.reader'], gc);
    expect(theirs.exitCode).toBe(0);
    const read = JSON.parse((await gcauth(['get-iam-policy', 'from-gcloud', '--location=asia', '--format=json'])).stdout) as Policy;
    expect(membersOf(read, 'roles/artifactregistry.reader')).toEqual([pusher]);
    expect((await gcauth(['add-iam-policy-binding', 'from-gcauth', '--location=asia', `--member=${pusher}`, '--role=roles/artifactregistry.writer', '--format=none'])).exitCode).toBe(0);
    const back = await runGcloud(gcloud!, ['artifacts', 'repositories', 'get-iam-policy', 'from-gcauth', '--location=asia', '--format=json'], gc);
    expect(membersOf(JSON.parse(back.stdout) as Policy, 'roles/artifactregistry.writer')).toEqual([pusher]);
    const ourPolicy = await gcauth(['get-iam-policy', 'from-gcauth', '--location=asia']);
    const theirPolicy = await runGcloud(gcloud!, ['artifacts', 'repositories', 'get-iam-policy', 'from-gcauth', '--location=asia'], gc);
    // gcloud prints a bytes field (the etag) in base64's URL-safe alphabet, gcauth as the API sent it: the same bytes.
    const urlSafeEtag = (yaml: string) => yaml.replace(/^etag: (\S+)$/m, (_line, etag: string) => `etag: ${etag.replaceAll('+', '-').replaceAll('/', '_')}`);
    expect(urlSafeEtag(ourPolicy.stdout)).toBe(`${theirPolicy.stdout}\n`);
  });
});
