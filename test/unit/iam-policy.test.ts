import {ConflictError, NotFoundError} from '../../src/lib/errors.js';
import {createLogger} from '../../src/lib/log.js';
import {addBinding, policyForDisplay, removeBinding, updatePolicy, type Policy, type PolicyResource} from '../../src/lib/iam/policy.js';

const cond = {expression: 'request.time < timestamp("2030-01-01T00:00:00Z")', title: 'until-2030'};
const base = (): Policy => ({version: 1, etag: 'BwYA', bindings: [{role: 'roles/viewer', members: ['user:a@example.com']}]});

describe('addBinding', () => {
  it('adds a member to the existing binding of the role', () => {
    const {policy, changed} = addBinding(base(), {member: 'user:b@example.com', role: 'roles/viewer'});
    expect(changed).toBe(true);
    expect(policy.bindings).toEqual([{role: 'roles/viewer', members: ['user:a@example.com', 'user:b@example.com']}]);
    expect(policy.version).toBe(1);
  });

  it('reports no change, and returns the policy untouched, when the member already has the role', () => {
    const before = base();
    const {policy, changed} = addBinding(before, {member: 'user:a@example.com', role: 'roles/viewer', condition: null});
    expect(changed).toBe(false);
    expect(policy).toBe(before);
  });

  it('adds a new binding for a new role and leaves the input unmodified', () => {
    const before = base();
    const {policy} = addBinding(before, {member: 'user:a@example.com', role: 'roles/editor'});
    expect(policy.bindings).toHaveLength(2);
    expect(before.bindings).toHaveLength(1);
  });

  it('keeps a conditional binding apart from the unconditional one and raises the version to 3', () => {
    const {policy} = addBinding(base(), {member: 'user:a@example.com', role: 'roles/viewer', condition: cond});
    expect(policy.bindings).toEqual([
      {role: 'roles/viewer', members: ['user:a@example.com']},
      {role: 'roles/viewer', members: ['user:a@example.com'], condition: cond},
    ]);
    expect(policy.version).toBe(3);
    expect(addBinding(policy, {member: 'user:a@example.com', role: 'roles/viewer', condition: {...cond}}).changed).toBe(false);
  });

  it('carries fields it does not know (auditConfigs) through', () => {
    const {policy} = addBinding({...base(), auditConfigs: [{service: 'allServices'}]}, {member: 'user:b@example.com', role: 'roles/viewer'});
    expect(policy.auditConfigs).toEqual([{service: 'allServices'}]);
  });
});

describe('removeBinding', () => {
  it('removes the member and drops a binding left empty', () => {
    const {policy} = removeBinding(base(), {member: 'user:a@example.com', role: 'roles/viewer'}, 'Project [p]');
    expect(policy.bindings).toEqual([]);
  });

  it('removes only the binding with the given condition, or every one with all', () => {
    const both = addBinding(base(), {member: 'user:a@example.com', role: 'roles/viewer', condition: cond}).policy;
    const one = removeBinding(both, {member: 'user:a@example.com', role: 'roles/viewer', condition: cond}, 'Project [p]').policy;
    expect(one.bindings).toEqual([{role: 'roles/viewer', members: ['user:a@example.com']}]);
    expect(one.version).toBe(3);
    expect(removeBinding(both, {member: 'user:a@example.com', role: 'roles/viewer', all: true}, 'Project [p]').policy.bindings).toEqual([]);
  });

  it('throws NotFoundError naming what is missing', () => {
    expect(() => removeBinding(base(), {member: 'user:z@example.com', role: 'roles/viewer'}, 'Project [p]')).toThrow(NotFoundError);
    expect(() => removeBinding(base(), {member: 'user:a@example.com', role: 'roles/viewer', condition: cond}, 'Project [p]')).toThrow(
      /Project \[p\] has no binding of \[user:a@example.com\] to \[roles\/viewer\] with condition \[until-2030\]/,
    );
  });
});

describe('policyForDisplay', () => {
  it('orders keys as gcloud prints them', () => {
    const shown = policyForDisplay({version: 3, etag: 'x', bindings: [{role: 'r', members: ['m'], condition: cond}]});
    expect(Object.keys(shown)).toEqual(['bindings', 'etag', 'version']);
    expect(Object.keys(shown.bindings![0]!)).toEqual(['condition', 'members', 'role']);
  });

  it("prints the etag in URL-safe base64, as gcloud (apitools) prints a bytes field, naming the same bytes", () => {
    const shown = policyForDisplay({version: 1, etag: 'B+b7/uSwj3Q=', bindings: []});
    expect(shown.etag).toBe('B-b7_uSwj3Q=');
    expect(Buffer.from(shown.etag!, 'base64url')).toEqual(Buffer.from('B+b7/uSwj3Q=', 'base64'));
    expect(policyForDisplay({version: 1, bindings: []})).toEqual({bindings: [], version: 1});
  });
});

/** A policy store that loses `races` writes to a concurrent writer before accepting one. */
function racyResource(races: number): PolicyResource & {writes: Policy[]; reads: number} {
  let stored: Policy = base();
  let etag = 1;
  const resource = {
    kind: 'project' as const,
    id: 'p',
    setPermission: 'resourcemanager.projects.setIamPolicy',
    writes: [] as Policy[],
    reads: 0,
    async get() {
      resource.reads++;
      return structuredClone(stored);
    },
    async set(policy: Policy) {
      if (races > 0) {
        races--;
        // Someone else got there first: their binding lands and the etag moves.
        stored = addBinding(stored, {member: `user:other${races}@example.com`, role: 'roles/viewer'}).policy;
        stored.etag = `e${++etag}`;
      }
      if (policy.etag !== stored.etag) throw new ConflictError('stale etag', {status: 409, reason: 'ABORTED'});
      resource.writes.push(policy);
      stored = {...policy, etag: `e${++etag}`};
      return structuredClone(stored);
    },
    async test(permissions: string[]) {
      return permissions;
    },
  };
  return resource;
}

const log = createLogger(() => undefined, 'warning');
const fast = {budgetMs: 5_000, baseDelayMs: 1, maxDelayMs: 2};

describe('updatePolicy', () => {
  it('writes with the etag it read', async () => {
    const resource = racyResource(0);
    const result = await updatePolicy(resource, (p) => addBinding(p, {member: 'user:b@example.com', role: 'roles/viewer'}), {log, retry: fast});
    expect(result).toMatchObject({changed: true, conflicts: 0});
    expect(resource.writes[0]!.etag).toBe('BwYA');
  });

  it('re-reads and retries after losing a race, keeping the other writer’s binding', async () => {
    const resource = racyResource(2);
    const result = await updatePolicy(resource, (p) => addBinding(p, {member: 'user:b@example.com', role: 'roles/viewer'}), {log, retry: fast});
    expect(result.conflicts).toBe(2);
    expect(resource.reads).toBe(3);
    expect(result.policy.bindings![0]!.members).toEqual(expect.arrayContaining(['user:b@example.com', 'user:other0@example.com', 'user:other1@example.com']));
  });

  it('writes nothing when nothing changes, nor under dryRun', async () => {
    const resource = racyResource(0);
    expect((await updatePolicy(resource, (p) => addBinding(p, {member: 'user:a@example.com', role: 'roles/viewer'}), {log})).changed).toBe(false);
    const dry = await updatePolicy(resource, (p) => addBinding(p, {member: 'user:b@example.com', role: 'roles/viewer'}), {log, dryRun: true});
    expect(dry.changed).toBe(true);
    expect(dry.policy.bindings![0]!.members).toContain('user:b@example.com');
    expect(resource.writes).toHaveLength(0);
  });

  it('gives up with the ConflictError once the budget is spent', async () => {
    const resource = racyResource(1_000);
    await expect(
      updatePolicy(resource, (p) => addBinding(p, {member: 'user:b@example.com', role: 'roles/viewer'}), {log, retry: {budgetMs: 30, baseDelayMs: 5, maxDelayMs: 5}}),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});
