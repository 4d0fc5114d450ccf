/**
 * The lean dispatcher (src/hot/gcauth.ts) serves the repository policy commands as it serves the project ones: the
 * built CLI answers them without loading oclif (a preloaded probe counts oclif's modules at exit), and prints the same
 * stdout, stderr and exit code as oclif's run of the same line (test/helpers/cli.ts `runOclif`), results and errors alike.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {runCli, runOclif, type CliResult} from '../helpers/cli.js';
import {activatedEnv, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';

let emu: EmulatorProcess;
let env: Record<string, string>;
let probed: Record<string, string>;

/** A preload that reports, at exit, how many of oclif's modules the process loaded. */
function oclifProbe(): string {
  const file = path.join(tmpDir('gcauth-probe-'), 'oclif-probe.cjs');
  writeFileSync(file, "process.on('exit', () => process.stderr.write('oclif:' + Object.keys(require.cache).filter((k) => /node_modules\\/@oclif\\//.test(k)).length + '\\n'));\n");
  return file;
}

/** The line run by the built CLI with the probe: its result without the probe's line, and how many oclif modules it loaded. */
async function viaCli(args: string[]): Promise<{result: CliResult; oclifModules: number}> {
  const result = await runCli(args, {env: probed});
  const match = /(?:^|\n)oclif:(\d+)\n$/.exec(result.stderr);
  expect(match).not.toBeNull();
  return {result: {...result, stderr: result.stderr.slice(0, match!.index + (match![0].startsWith('\n') ? 1 : 0))}, oclifModules: Number(match![1])};
}

/** Runs the line through the built CLI and through oclif alone: the CLI must load no oclif module and answer the same. */
async function expectFastAndSame(args: string[]): Promise<CliResult> {
  const fast = await viaCli(args);
  expect(fast.oclifModules).toBe(0);
  expect(fast.result).toEqual(await runOclif(args, {env}));
  return fast.result;
}

const repo = (command: string, ...rest: string[]) => ['artifacts', 'repositories', command, 'images', '--location=us', ...rest];

beforeAll(async () => {
  emu = await startEmulatorProcess();
  env = {...(await activatedEnv(emu.url, emu.ownerKeyFile)), GCAUTH_CORE_PROJECT: emu.project};
  probed = {...env, NODE_OPTIONS: `--require ${oclifProbe()}`};
  expect((await runCli(['artifacts', 'repositories', 'create', 'images', '--repository-format=docker', '--location=us'], {env})).exitCode).toBe(0);
});
afterAll(() => emu.stop());

describe('artifacts repositories policy commands: the lean dispatcher, with oclif\'s output', () => {
  it('add-iam-policy-binding: a grant, then the same grant again (nothing written), and --dry-run', async () => {
    const member = '--member=user:fast@example.com';
    const granted = await viaCli(repo('add-iam-policy-binding', member, '--role=roles/artifactregistry.reader'));
    expect(granted.oclifModules).toBe(0);
    expect(granted.result).toMatchObject({exitCode: 0, stderr: 'Updated IAM policy for repository [images].\n', stdout: expect.stringContaining('user:fast@example.com')});
    const again = await expectFastAndSame(repo('add-iam-policy-binding', member, '--role=roles/artifactregistry.reader'));
    expect(again.stderr).toBe('[user:fast@example.com] already has [roles/artifactregistry.reader] on repository [images]; the policy was not written.\n');
    expect((await expectFastAndSame(repo('add-iam-policy-binding', '--member=user:dry@example.com', '--role=roles/artifactregistry.writer', '--dry-run', '--format=json'))).exitCode).toBe(0);
  });

  it('get-iam-policy, in the default format and in json', async () => {
    expect((await expectFastAndSame(repo('get-iam-policy'))).stdout).toContain('user:fast@example.com');
    expect((await expectFastAndSame(repo('get-iam-policy', '--format=json'))).exitCode).toBe(0);
  });

  it('remove-iam-policy-binding: a binding that is not there, then one that is', async () => {
    const absent = await expectFastAndSame(repo('remove-iam-policy-binding', '--member=user:nobody@example.com', '--role=roles/artifactregistry.reader'));
    expect(absent.exitCode).not.toBe(0);
    const removed = await viaCli(repo('remove-iam-policy-binding', '--member=user:fast@example.com', '--role=roles/artifactregistry.reader', '--format=json'));
    expect(removed.oclifModules).toBe(0);
    expect(removed.result.exitCode).toBe(0);
    expect(removed.result.stdout).not.toContain('user:fast@example.com');
  });

  it('set-iam-policy: a policy file written, a stale etag refused, a missing file refused', async () => {
    const policy = JSON.parse((await runCli(repo('get-iam-policy', '--format=json'), {env})).stdout) as {etag: string; bindings?: unknown[]};
    const file = path.join(tmpDir(), 'policy.json');
    writeFileSync(file, JSON.stringify({...policy, bindings: [{role: 'roles/artifactregistry.reader', members: ['user:set@example.com']}]}));
    const set = await viaCli(['artifacts', 'repositories', 'set-iam-policy', 'images', file, '--location=us']);
    expect(set.oclifModules).toBe(0);
    expect(set.result).toMatchObject({exitCode: 0, stdout: expect.stringContaining('user:set@example.com')});
    // The file's etag is the one it was read with: the policy has changed since.
    expect((await expectFastAndSame(['artifacts', 'repositories', 'set-iam-policy', 'images', file, '--location=us'])).exitCode).not.toBe(0);
    expect((await expectFastAndSame(['artifacts', 'repositories', 'set-iam-policy', 'images', path.join(tmpDir(), 'absent.json'), '--location=us'])).exitCode).not.toBe(0);
  });

  it.each([
    ['a bad member', repo('add-iam-policy-binding', '--member=nobody', '--role=roles/artifactregistry.reader')],
    ['a role granted on projects only', repo('add-iam-policy-binding', '--member=user:a@example.com', '--role=roles/storage.admin')],
    ['an unknown location', ['artifacts', 'repositories', 'get-iam-policy', 'images', '--location=mars']],
    ['a bad repository id', ['artifacts', 'repositories', 'get-iam-policy', 'Images_1', '--location=us']],
    ['a repository that does not exist', ['artifacts', 'repositories', 'get-iam-policy', 'absent', '--location=us']],
  ])('%s: the same one-line error and exit code', async (_name, args) => {
    const failed = await expectFastAndSame(args);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(/^ERROR: /);
  });

  it('help and a line the dispatcher does not take still go to oclif', async () => {
    expect((await viaCli(['artifacts', 'repositories', 'add-iam-policy-binding', '--help'])).oclifModules).toBeGreaterThan(0);
    const missing = await viaCli(['artifacts', 'repositories', 'add-iam-policy-binding', 'images', '--location=us']);
    expect(missing.oclifModules).toBeGreaterThan(0);
    expect(missing.result.exitCode).toBe(2);
  });

  it('the project policy commands are served the same way', async () => {
    expect((await expectFastAndSame(['projects', 'get-iam-policy', emu.project, '--format=json'])).exitCode).toBe(0);
  });
});
