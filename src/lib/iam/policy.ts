import {withRetry, type RetryPolicy} from '../auth/tokens/retry.js';
import {ConflictError, NotFoundError} from '../errors.js';
import type {Logger} from '../log.js';
import {sortedKeys} from '../output/sorted-keys.js';
import type {IamCondition} from './condition.js';

/** One role granted to members, possibly under a condition. */
export interface Binding {
  role: string;
  members: string[];
  condition?: IamCondition;
}

/** An IAM policy as the APIs send it; fields other than these (auditConfigs) are carried through untouched. */
export interface Policy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
  [field: string]: unknown;
}

/** Anything with an IAM policy: a project, a service account, an Artifact Registry repository. */
export interface PolicyResource {
  kind: 'project' | 'service account' | 'repository';
  id: string;
  /** The permission setIamPolicy needs, for --dry-run's check. */
  setPermission: string;
  get(requestedPolicyVersion: number): Promise<Policy>;
  set(policy: Policy): Promise<Policy>;
  /** The subset of permissions the caller holds on the resource. */
  test(permissions: string[]): Promise<string[]>;
}

/** The version that can carry conditions; policies are always read at it so no condition is hidden. */
export const CONDITIONAL_POLICY_VERSION = 3;

/**
 * A binding to add or remove. `condition` undefined means the flag was not given; null means
 * `--condition=None`, an explicitly unconditional binding.
 */
export interface BindingChange {
  member: string;
  role: string;
  condition?: IamCondition | null;
}

/** The result of a pure edit: the new policy, and whether it differs from the old. */
export interface PolicyEdit {
  policy: Policy;
  changed: boolean;
}

const sameCondition = (a: IamCondition | undefined, b: IamCondition | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.expression === b.expression && a.title === b.title && (a.description ?? '') === (b.description ?? ''));

/** Whether any binding of the policy has a condition. */
export const hasConditions = (policy: Policy): boolean => (policy.bindings ?? []).some((b) => b.condition !== undefined);

/** The lowest version that can express the policy, never lower than the one it had. */
function versionFor(policy: Policy): number {
  return hasConditions(policy) ? CONDITIONAL_POLICY_VERSION : (policy.version ?? 1);
}

/**
 * Adds member to role (under the change's condition): into the binding with the same role and
 * condition if there is one, else as a new binding. Unchanged when the member already has it.
 */
export function addBinding(policy: Policy, change: BindingChange): PolicyEdit {
  const condition = change.condition ?? undefined;
  const next = structuredClone(policy);
  const bindings = (next.bindings ??= []);
  const binding = bindings.find((b) => b.role === change.role && sameCondition(b.condition, condition));
  if (binding?.members.includes(change.member)) return {policy, changed: false};
  if (binding) binding.members.push(change.member);
  else bindings.push(condition ? {role: change.role, members: [change.member], condition} : {role: change.role, members: [change.member]});
  next.version = versionFor(next);
  return {policy: next, changed: true};
}

/**
 * Removes member from role: from the binding with the change's condition, or with `all` from every
 * binding of the role whatever its condition. Bindings left empty are dropped.
 * @throws NotFoundError when no such binding holds the member (nothing to remove).
 */
export function removeBinding(policy: Policy, change: BindingChange & {all?: boolean}, resource: string): PolicyEdit {
  const condition = change.condition ?? undefined;
  const next = structuredClone(policy);
  let removed = 0;
  for (const binding of next.bindings ?? []) {
    if (binding.role !== change.role || !binding.members.includes(change.member)) continue;
    if (!change.all && !sameCondition(binding.condition, condition)) continue;
    binding.members = binding.members.filter((m) => m !== change.member);
    removed++;
  }
  if (removed === 0) {
    const which = change.all ? '' : condition ? ` with condition [${condition.title}]` : ' without a condition';
    throw new NotFoundError(`${resource} has no binding of [${change.member}] to [${change.role}]${which}; nothing to remove.`);
  }
  next.bindings = (next.bindings ?? []).filter((b) => b.members.length > 0);
  next.version = versionFor(next);
  return {policy: next, changed: true};
}

/** Conflicts are retried for up to a minute: 20 writers on one policy settle in a few rounds. */
export const CONTENTION_RETRY: RetryPolicy = {budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 2_000};

export interface PolicyUpdate extends PolicyEdit {
  /** setIamPolicy calls that lost a race and were redone. */
  conflicts: number;
}

/**
 * Read-modify-write of an IAM policy: read at version 3, apply `edit`, and write with the etag that
 * was read, only when something changed (and not under dryRun). A write that lost a race (409
 * ABORTED: the etag is stale) is redone from a fresh read, with jittered backoff, so concurrent
 * writers never lose each other's bindings.
 * @throws whatever edit throws; the typed API errors of get and set; ConflictError when the race outlasts the budget.
 */
export async function updatePolicy(
  resource: PolicyResource,
  edit: (policy: Policy) => PolicyEdit | Promise<PolicyEdit>,
  options: {dryRun?: boolean; log: Logger; retry?: RetryPolicy},
): Promise<PolicyUpdate> {
  let conflicts = 0;
  return withRetry(
    async (attempt) => {
      if (attempt > 0) {
        conflicts++;
        options.log.debug(`the policy of ${resource.kind} [${resource.id}] changed since it was read; reading it again (attempt ${attempt + 1})`);
      }
      const current = await resource.get(CONDITIONAL_POLICY_VERSION);
      const {policy, changed} = await edit(current);
      if (!changed || options.dryRun) return {policy, changed, conflicts};
      const written = await resource.set({...policy, etag: current.etag});
      return {policy: written, changed, conflicts};
    },
    (error) => error instanceof ConflictError && error.reason !== 'ALREADY_EXISTS',
    options.retry ?? CONTENTION_RETRY,
  );
}

/**
 * The policy as gcloud prints it: keys in alphabetical order at every level (bindings, etag,
 * version; condition, members, role), so output diffs cleanly against gcloud's, and the etag in URL-safe
 * base64 (apitools prints a bytes field so; Google reads either alphabet back, so a printed policy still sets).
 */
export function policyForDisplay(policy: Policy): Policy {
  const etag = typeof policy.etag === 'string' ? {etag: policy.etag.replace(/\+/g, '-').replace(/\//g, '_')} : {};
  return sortedKeys({...policy, ...etag});
}
