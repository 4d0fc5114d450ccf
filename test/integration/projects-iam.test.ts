import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {parse as parseYaml} from 'yaml';

import {emulatorEnv, runCli, type CliResult} from '../helpers/cli.js';
import {activatedEnv, startEmulatorProcess, tmpDir, type EmulatorProcess, type EmulatorStats} from '../helpers/emulator.js';

interface Binding {
  role: string;
  members: string[];
  condition?: {expression: string; title: string; description?: string};
}
interface Policy {
  bindings?: Binding[];
  etag: string;
  version: number;
}

let emu: EmulatorProcess;
let owner: Record<string, string>;
let project: string;

const gcauth = (args: string[], env = owner, input?: string): Promise<CliResult> => runCli(args, {env, input});
const policyOf = async (env = owner): Promise<Policy> => {
  const result = await gcauth(['projects', 'get-iam-policy', project, '--format=json'], env);
  expect(result).toMatchObject({exitCode: 0, stderr: ''});
  return JSON.parse(result.stdout) as Policy;
};
const membersOf = (policy: Policy, role: string, title?: string): string[] =>
  (policy.bindings ?? []).filter((b) => b.role === role && b.condition?.title === title).flatMap((b) => b.members);
/** Requests whose route names the method, e.g. `:setIamPolicy`. */
const calls = (stats: EmulatorStats, method: string): number =>
  Object.entries(stats.byRoute)
    .filter(([route]) => route.includes(method))
    .reduce((sum, [, n]) => sum + n, 0);

/** Makes a service account, grants it `role` on the project, and returns a config dir with its key active. */
async function accountWithRole(id: string, role: string): Promise<Record<string, string>> {
  const email = `${id}@${project}.iam.gserviceaccount.com`;
  expect((await gcauth(['iam', 'service-accounts', 'create', id, `--project=${project}`])).exitCode).toBe(0);
  expect((await gcauth(['projects', 'add-iam-policy-binding', project, `--member=serviceAccount:${email}`, `--role=${role}`, '--condition=None', '--format=none'])).exitCode).toBe(0);
  const keyFile = path.join(tmpDir(), 'key.json');
  expect((await gcauth(['iam', 'service-accounts', 'keys', 'create', keyFile, `--iam-account=${email}`])).exitCode).toBe(0);
  const env = await activatedEnv(emu.url, keyFile);
  return env;
}

beforeAll(async () => {
  emu = await startEmulatorProcess();
  project = emu.project;
  owner = await activatedEnv(emu.url, emu.ownerKeyFile);
});
afterAll(() => emu.stop());

describe('projects add-iam-policy-binding', () => {
  it('adds the binding, says so on stderr and prints the new policy as YAML on stdout', async () => {
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:ana@example.com', '--role=roles/viewer']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(`Updated IAM policy for project [${project}].\n`);
    const printed = parseYaml(result.stdout) as Policy;
    expect(Object.keys(printed)).toEqual(['bindings', 'etag', 'version']);
    expect(membersOf(printed, 'roles/viewer')).toContain('user:ana@example.com');
    expect(membersOf(await policyOf(), 'roles/viewer')).toContain('user:ana@example.com');
  });

  it('writes nothing when the binding is already there, and says so', async () => {
    const args = ['projects', 'add-iam-policy-binding', project, '--member=user:twice@example.com', '--role=roles/viewer', '--format=none'];
    await emu.resetStats();
    expect((await gcauth(args)).exitCode).toBe(0);
    const second = await gcauth(args);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toMatch(/^\[user:twice@example.com\] already has \[roles\/viewer\] on project \[.*\]; the policy was not written\.\n$/);
    const stats = await emu.stats();
    expect(calls(stats, ':setIamPolicy')).toBe(1);
    expect(calls(stats, ':getIamPolicy')).toBe(2);
  });

  it('loses no binding when 20 processes add 20 members at once', async () => {
    await emu.resetStats();
    const members = Array.from({length: 20}, (_, i) => `user:writer-${i}@example.com`);
    const results = await Promise.all(
      members.map((m) => gcauth(['projects', 'add-iam-policy-binding', project, `--member=${m}`, '--role=roles/browser', '--format=none'])),
    );
    expect(results.filter((r) => r.exitCode !== 0).map((r) => r.stderr)).toEqual([]);
    expect(membersOf(await policyOf(), 'roles/browser').sort()).toEqual([...members].sort());
    const stats = await emu.stats();
    // Every writer wrote exactly once successfully; the losers of each round got 409 and tried again.
    expect(stats.byStatus['409'] ?? 0).toBe(calls(stats, ':setIamPolicy') - 20);
  });

  it('keeps a conditional binding apart, at policy version 3, and then demands --condition for unconditional adds', async () => {
    const condition = 'expression=request.time < timestamp("2030-01-01T00:00:00Z"),title=until-2030,description=Temporary access';
    const added = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:temp@example.com', '--role=roles/storage.objectViewer', `--condition=${condition}`, '--format=json']);
    expect(added.exitCode).toBe(0);
    const policy = JSON.parse(added.stdout) as Policy;
    expect(policy.version).toBe(3);
    expect(policy.bindings).toContainEqual({
      condition: {description: 'Temporary access', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")', title: 'until-2030'},
      members: ['user:temp@example.com'],
      role: 'roles/storage.objectViewer',
    });

    await emu.resetStats();
    const refused = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:plain@example.com', '--role=roles/viewer']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^ERROR: .*--condition=None/);
    expect(calls(await emu.stats(), ':setIamPolicy')).toBe(0);

    const explicit = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:plain@example.com', '--role=roles/viewer', '--condition=None', '--format=none']);
    expect(explicit.exitCode).toBe(0);
    expect(membersOf(await policyOf(), 'roles/viewer')).toContain('user:plain@example.com');
  });

  it('reads a condition from a YAML file', async () => {
    const file = path.join(tmpDir(), 'condition.yaml');
    writeFileSync(file, 'title: weekdays\nexpression: request.time.getDayOfWeek("Europe/Berlin") < 5\n');
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=group:ops@example.com', '--role=roles/logging.viewer', `--condition-from-file=${file}`, '--format=none']);
    expect(result.exitCode).toBe(0);
    expect(membersOf(await policyOf(), 'roles/logging.viewer', 'weekdays')).toEqual(['group:ops@example.com']);
  });

  it('with --dry-run prints the policy it would write and writes nothing', async () => {
    const before = await policyOf();
    await emu.resetStats();
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:dry@example.com', '--role=roles/viewer', '--condition=None', '--dry-run', '--format=json']);
    expect(result.exitCode).toBe(0);
    expect(membersOf(JSON.parse(result.stdout) as Policy, 'roles/viewer')).toContain('user:dry@example.com');
    expect(result.stderr).toMatch(/Dry run: would add \[user:dry@example.com\] to \[roles\/viewer\] on project \[.*\]; nothing was written\./);
    expect(result.stderr).toMatch(/holds resourcemanager\.projects\.setIamPolicy .* would be allowed/);
    expect(calls(await emu.stats(), ':setIamPolicy')).toBe(0);
    expect(await policyOf()).toEqual(before);
  });

  it('retries a 503 from the API and succeeds', async () => {
    await emu.setFaults({failNext: 2, failNextStatus: 503, paths: ['/cloudresourcemanager/']});
    try {
      const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:flaky@example.com', '--role=roles/viewer', '--condition=None', '--format=none']);
      expect(result).toMatchObject({exitCode: 0, stderr: `Updated IAM policy for project [${project}].\n`});
    } finally {
      await emu.setFaults({});
    }
    expect(membersOf(await policyOf(), 'roles/viewer')).toContain('user:flaky@example.com');
  });
});

describe('projects remove-iam-policy-binding', () => {
  it('removes a member, and fails clearly when the binding is not there', async () => {
    await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:gone@example.com', '--role=roles/viewer', '--condition=None', '--format=none']);
    const removed = await gcauth(['projects', 'remove-iam-policy-binding', project, '--member=user:gone@example.com', '--role=roles/viewer', '--format=json']);
    expect(removed.exitCode).toBe(0);
    expect(membersOf(JSON.parse(removed.stdout) as Policy, 'roles/viewer')).not.toContain('user:gone@example.com');
    const again = await gcauth(['projects', 'remove-iam-policy-binding', project, '--member=user:gone@example.com', '--role=roles/viewer']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe(`ERROR: Project [${project}] has no binding of [user:gone@example.com] to [roles/viewer] without a condition; nothing to remove.\n`);
  });

  it('with --all removes the member under every condition', async () => {
    for (const condition of ['None', 'expression=true,title=a', 'expression=true,title=b']) {
      await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:multi@example.com', '--role=roles/pubsub.viewer', `--condition=${condition}`, '--format=none']);
    }
    expect((await policyOf()).bindings!.filter((b) => b.members.includes('user:multi@example.com'))).toHaveLength(3);
    const result = await gcauth(['projects', 'remove-iam-policy-binding', project, '--member=user:multi@example.com', '--role=roles/pubsub.viewer', '--all', '--format=none']);
    expect(result.exitCode).toBe(0);
    expect((await policyOf()).bindings!.filter((b) => b.members.includes('user:multi@example.com'))).toEqual([]);
  });
});

describe('permissions', () => {
  it('a viewer cannot add a binding: a clear message, exit 1, the policy unchanged', async () => {
    const viewer = await accountWithRole('policy-viewer', 'roles/viewer');
    const before = await policyOf();
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:mallory@example.com', '--role=roles/owner', '--condition=None'], viewer);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      `ERROR: policy-viewer@${project}.iam.gserviceaccount.com lacks permission resourcemanager.projects.setIamPolicy on project [${project}].`,
    );
    expect(await policyOf()).toEqual(before);
    // What a viewer may do, it can: read the policy.
    expect(membersOf(await policyOf(viewer), 'roles/viewer')).toContain(`serviceAccount:policy-viewer@${project}.iam.gserviceaccount.com`);
  });

  it('--dry-run warns a viewer that the change would be refused', async () => {
    const viewer = emulatorEnv(emu.url, tmpDir());
    const keyFile = path.join(tmpDir(), 'key.json');
    await gcauth(['iam', 'service-accounts', 'keys', 'create', keyFile, `--iam-account=policy-viewer@${project}.iam.gserviceaccount.com`]);
    await gcauth(['auth', 'activate-service-account', `--key-file=${keyFile}`], viewer);
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, '--member=user:x@example.com', '--role=roles/viewer', '--condition=None', '--dry-run'], viewer);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/WARNING: policy-viewer@.* lacks resourcemanager\.projects\.setIamPolicy .* would be refused/);
  });
});

describe('what Google refuses, the emulator refuses: one ERROR line, exit 1, the policy unchanged', () => {
  it.each([
    ['a predefined role that does not exist', ['--member=user:ana@example.com', '--role=roles/doesNotExist'],
      `ERROR: Project [PROJECT]: INVALID_ARGUMENT: Role roles/doesNotExist is not supported for this resource.\n`],
    ['a custom role that does not exist', ['--member=user:ana@example.com', '--role=projects/PROJECT/roles/x'],
      `ERROR: Project [PROJECT]: INVALID_ARGUMENT: Role (projects/PROJECT/roles/x) does not exist in the resource's hierarchy.\n`],
    ['allUsers as owner', ['--member=allUsers', '--role=roles/owner'],
      `ERROR: Project [PROJECT]: INVALID_ARGUMENT: Request contains an invalid argument. Refused: allUsers in roles/owner.\nA project's policy cannot grant roles to allUsers or allAuthenticatedUsers.\n`],
    ['allAuthenticatedUsers as viewer', ['--member=allAuthenticatedUsers', '--role=roles/viewer'],
      `ERROR: Project [PROJECT]: INVALID_ARGUMENT: Request contains an invalid argument. Refused: allAuthenticatedUsers in roles/viewer.\nA project's policy cannot grant roles to allUsers or allAuthenticatedUsers.\n`],
  ])('%s', async (_name, flags, stderr) => {
    const before = await policyOf();
    const result = await gcauth(['projects', 'add-iam-policy-binding', project, ...flags.map((f) => f.replace('PROJECT', project)), '--condition=None']);
    expect(result).toMatchObject({exitCode: 1, stdout: '', stderr: stderr.replaceAll('PROJECT', project)});
    expect(await policyOf()).toEqual(before);
  });
});

describe('bad input is refused before any request', () => {
  const member = '--member=user:ana@example.com';
  const role = '--role=roles/viewer';
  it.each([
    ['a bare email as member', ['--member=ana@example.com', role], /Invalid --member \[ana@example\.com\].*user:ana@example\.com/],
    ['an unknown member kind', ['--member=robot:r2@example.com', role], /Invalid --member/],
    ['a role without roles/', [member, '--role=storage.admin'], /Invalid --role \[storage\.admin\].*roles\/storage\.admin/],
    ['a condition without a title', [member, role, '--condition=expression=true'], /title/],
    ['a condition with an unknown key', [member, role, '--condition=expression=true,title=t,colour=red'], /colour/],
    ['an unbalanced expression', [member, role, '--condition=expression=(request.time,title=t'], /expression/i],
    ['a basic role with a condition', [member, '--role=roles/editor', '--condition=expression=true,title=t'], /basic role is not allowed/],
    ['a missing condition file', [member, role, '--condition-from-file=/nonexistent/c.yaml'], /c\.yaml/],
    ['--all with a condition', [member, role, '--condition=expression=true,title=t', '--all'], /--all/],
    ['--condition with --condition-from-file', [member, role, '--condition=None', '--condition-from-file=c.yaml'], /condition/],
    ['no --role', [member], /role/],
  ])('%s', async (_name, flags, message) => {
    const verb = flags.includes('--all') ? 'remove-iam-policy-binding' : 'add-iam-policy-binding';
    await emu.resetStats();
    const result = await gcauth(['projects', verb, project, ...flags]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ERROR: /);
    expect(result.stderr).toMatch(message);
    expect((await emu.stats()).total).toBe(0);
  });

  it('an invalid project id', async () => {
    await emu.resetStats();
    const result = await gcauth(['projects', 'get-iam-policy', 'Not_A_Project']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: Invalid .*\[Not_A_Project\]/);
    expect((await emu.stats()).total).toBe(0);
  });
});

describe('projects get-iam-policy', () => {
  it('prints YAML by default and honours --format', async () => {
    const yaml = await gcauth(['projects', 'get-iam-policy', project]);
    expect(yaml.exitCode).toBe(0);
    expect(membersOf(parseYaml(yaml.stdout) as Policy, 'roles/owner')).toContain(`serviceAccount:emulator-owner@${project}.iam.gserviceaccount.com`);
    const value = await gcauth(['projects', 'get-iam-policy', project, '--format=value(version)']);
    expect(value.stdout).toBe('3\n');
  });

  it('an unknown project is an error naming it', async () => {
    const result = await gcauth(['projects', 'get-iam-policy', 'no-such-project']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/no-such-project/);
  });
});
