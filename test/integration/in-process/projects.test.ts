/**
 * The `projects` policy command classes through oclif's parser, against an in-process emulator. The built
 * CLI answers the common lines of these commands on its fast path (test/integration/projects-iam.test.ts);
 * these tests keep the oclif path, which takes every line the fast path leaves to it, correct too.
 */
import {parse as parseYaml} from 'yaml';

import AddBinding from '../../../src/commands/projects/add-iam-policy-binding.js';
import GetPolicy from '../../../src/commands/projects/get-iam-policy.js';
import RemoveBinding from '../../../src/commands/projects/remove-iam-policy-binding.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import {startActivatedEmulator, type ActivatedEmulator} from '../../helpers/in-process-emulator.js';

let emu: RunningEmulator;
let setup: ActivatedEmulator;

beforeAll(async () => {
  setup = await startActivatedEmulator();
  emu = setup.emu;
});
afterAll(() => emu.close());

const run: ActivatedEmulator['run'] = (Cmd, argv) => setup.run(Cmd, argv);

test('add, get and remove a binding: stderr status, the policy as YAML on stdout', async () => {
  const project = emu.project;
  const added = await run(AddBinding, [project, '--member=user:ana@example.com', '--role=roles/viewer']);
  expect(added).toMatchObject({code: 0, stderr: `Updated IAM policy for project [${project}].\n`});
  expect(parseYaml(added.stdout)).toMatchObject({bindings: expect.arrayContaining([{members: ['user:ana@example.com'], role: 'roles/viewer'}]), version: 1});

  const again = await run(AddBinding, [project, '--member=user:ana@example.com', '--role=roles/viewer', '--format=value(version)']);
  expect(again).toEqual({code: 0, stdout: '1\n', stderr: `[user:ana@example.com] already has [roles/viewer] on project [${project}]; the policy was not written.\n`});

  const read = await run(GetPolicy, [project, '--format=json']);
  expect(read.code).toBe(0);
  expect(JSON.parse(read.stdout).bindings).toContainEqual({members: ['user:ana@example.com'], role: 'roles/viewer'});

  const removed = await run(RemoveBinding, [project, '--member=user:ana@example.com', '--role=roles/viewer', '--all']);
  expect(removed.code).toBe(0);
  expect(removed.stdout).not.toContain('ana@example.com');
  expect(emu.state.project(project)!.iamPolicy.bindings.flatMap((b) => b.members)).not.toContain('user:ana@example.com');
});

test('bad input: one ERROR line, exit 2, no request', async () => {
  const before = emu.stats().total;
  const result = await run(AddBinding, [emu.project, '--member=ana@example.com', '--role=roles/viewer']);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^ERROR: Invalid --member \[ana@example\.com\].*Did you mean user:ana@example\.com\?\n$/);
  expect(emu.stats().total).toBe(before);
});
