/**
 * gcloud's rule (an unconditional grant on a policy with conditions needs --condition=None without a
 * terminal) holds even when a lost race brings back a policy that gained conditions after the first read.
 */
import {changeBinding} from '../../src/lib/iam/bindings.js';
import {ConflictError, UsageError} from '../../src/lib/errors.js';
import type {Policy, PolicyResource} from '../../src/lib/iam/policy.js';
import {fakeContext} from '../helpers/context.js';

test('a policy that gained conditions during a lost race is not written unconditionally', async () => {
  const plain: Policy = {version: 1, etag: 'e1', bindings: [{role: 'roles/viewer', members: ['user:a@example.com']}]};
  const conditional: Policy = {
    version: 3,
    etag: 'e2',
    bindings: [...plain.bindings!, {role: 'roles/viewer', members: ['user:b@example.com'], condition: {expression: 'true', title: 't'}}],
  };
  const reads = [plain, conditional];
  const writes: Policy[] = [];
  const resource: PolicyResource = {
    kind: 'project',
    id: 'p',
    setPermission: 'resourcemanager.projects.setIamPolicy',
    get: async () => structuredClone(reads.shift() ?? conditional),
    // The first write loses the race: someone added a conditional binding meanwhile.
    set: async (policy) => {
      if (writes.push(policy) === 1) throw new ConflictError('stale etag', {status: 409, reason: 'ABORTED'});
      return policy;
    },
    test: async (permissions) => permissions,
  };
  const {ctx} = await fakeContext();
  await expect(changeBinding('add', async () => resource, {member: 'user:c@example.com', role: 'roles/viewer'}, ctx)).rejects.toThrow(UsageError);
  expect(writes).toHaveLength(1);
});
