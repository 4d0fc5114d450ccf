import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';
import {readRegularFile} from '../fs/read-file.js';
import {checkBindingCondition, checkConditionSyntax, type IamCondition, parseConditionFlag, readConditionFile} from './condition.js';
import {addBinding, type BindingChange, CONDITIONAL_POLICY_VERSION, hasConditions, type Policy, type PolicyEdit, type PolicyResource, policyForDisplay, removeBinding, updatePolicy} from './policy.js';
import {quoteValue, validateMember, validateProjectId, validateRole} from './validate.js';

export interface BindingOptions {
  member: string;
  role: string;
  condition?: string;
  conditionFromFile?: string;
  /** remove only: every binding of member to role, whatever its condition. */
  all?: boolean;
  dryRun?: boolean;
}

/** The options of a binding command from its parsed flags (oclif's, or the fast path's). */
export function bindingOptions(flags: {
  member: string;
  role: string;
  condition?: string;
  'condition-from-file'?: string;
  all?: boolean;
  'dry-run'?: boolean;
}): BindingOptions {
  return {
    member: flags.member,
    role: flags.role,
    condition: flags.condition,
    conditionFromFile: flags['condition-from-file'],
    all: flags.all,
    dryRun: flags['dry-run'],
  };
}

export interface BindingResult {
  /** The policy written (or, with dryRun, the one that would be). */
  policy: Policy;
  changed: boolean;
  dryRun: boolean;
  /** With dryRun: whether the caller holds the permission to write the policy. */
  mayWrite?: boolean;
}

/**
 * Checks a binding's flags before any network call.
 * @throws UsageError with the accepted form of whatever is wrong.
 */
export async function parseBindingChange(options: BindingOptions): Promise<BindingChange> {
  validateMember(options.member);
  validateRole(options.role);
  let condition: IamCondition | null | undefined;
  if (options.conditionFromFile !== undefined) condition = await readConditionFile(options.conditionFromFile, readRegularFile);
  else if (options.condition !== undefined) condition = parseConditionFlag(options.condition);
  if (condition) {
    if (options.all) throw new UsageError('--all removes the binding under every condition: give it without --condition or --condition-from-file.');
    checkConditionSyntax(condition, options.conditionFromFile !== undefined ? '--condition-from-file' : '--condition');
    checkBindingCondition(options.role, condition);
  }
  return {member: options.member, role: options.role, condition};
}

/**
 * A member added without a condition to a policy that has conditions: gcloud's rule, so a script
 * never silently grants unconditional access where conditions are in use. On a terminal, ask.
 */
async function confirmUnconditional(policy: Policy, change: BindingChange, ctx: AppContext): Promise<boolean> {
  if (change.condition !== undefined || !hasConditions(policy)) return false;
  const granted = await ctx.prompter
    .confirm(`The policy has conditional bindings. Add [${change.member}] to [${change.role}] with no condition?`, {default: false, flag: '--condition=None'})
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        throw new UsageError(
          'Adding a binding without specifying a condition to a policy containing conditions is prohibited in non-interactive mode. Run the command again with `--condition=None`.',
        );
      }
      throw error;
    });
  if (!granted) throw new UsageError('Not added. Give --condition=EXPR... or --condition=None.');
  return true;
}

/**
 * Adds or removes one binding on a policy: flags checked first (no client is loaded and nothing is
 * sent for bad input), then read-modify-write, retried on lost races.
 */
export async function changeBinding(
  action: 'add' | 'remove',
  target: () => Promise<PolicyResource>,
  options: BindingOptions,
  ctx: AppContext,
  rules: ResourceRules = {},
): Promise<BindingResult> {
  const change = await parseBindingChange(options);
  rules.checkRole?.(change.role);
  const resource = await target();
  const where = `${resource.kind} [${resource.id}]`;
  let asked = false;
  const edit = async (policy: Policy): Promise<PolicyEdit> => {
    if (action === 'remove') return removeBinding(policy, {...change, all: options.all}, capitalize(where));
    // Ask once, however many times a lost race makes the edit run again; but check every policy read,
    // since a race may bring back one that has conditions where the first had none.
    if (!asked) asked = await confirmUnconditional(policy, change, ctx);
    return addBinding(policy, change);
  };
  const dryRun = options.dryRun ?? false;
  const update = await updatePolicy(resource, edit, {dryRun, log: ctx.log});
  const who = `[${change.member}] ${action === 'add' ? 'to' : 'from'} [${change.role}]`;
  if (!update.changed) {
    ctx.io.stderr.write(`[${change.member}] already has [${change.role}] on ${where}; the policy was not written.\n`);
    return {policy: update.policy, changed: false, dryRun};
  }
  if (dryRun) {
    const mayWrite = (await resource.test([resource.setPermission])).includes(resource.setPermission);
    ctx.io.stderr.write(`Dry run: would ${action} ${who} on ${where}; nothing was written.\n`);
    ctx.io.stderr.write(
      mayWrite
        ? `${ctx.api.account()} holds ${resource.setPermission} on ${where}, so the change would be allowed.\n`
        : `WARNING: ${ctx.api.account()} lacks ${resource.setPermission} on ${where}, so the change would be refused.\n`,
    );
    return {policy: update.policy, changed: true, dryRun, mayWrite};
  }
  if (update.conflicts > 0) ctx.log.debug(`the policy was written after ${update.conflicts} lost race(s)`);
  ctx.io.stderr.write(updatedPolicyLine(resource));
  return {policy: update.policy, changed: true, dryRun};
}

// gcloud's status line names the resource by its API kind (iam_util.LogSetIamPolicy): `serviceAccount`, not `service account`.
const API_KIND: Record<PolicyResource['kind'], string> = {project: 'project', 'service account': 'serviceAccount', repository: 'repository'};
const updatedPolicyLine = (resource: PolicyResource): string => `Updated IAM policy for ${API_KIND[resource.kind]} [${resource.id}].\n`;

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Rules a kind of resource adds to the member and role checks, run before any request. */
export interface ResourceRules {
  /** @throws UsageError for a role this kind of resource cannot be granted. */
  checkRole?(role: string): void;
}

/**
 * The one add/remove-iam-policy-binding core of every resource (project, service account, repository): changeBinding,
 * and the policy as gcloud prints it.
 */
export async function changePolicyBinding(
  action: 'add' | 'remove',
  target: () => Promise<PolicyResource>,
  options: BindingOptions,
  ctx: AppContext,
  rules: ResourceRules = {},
): Promise<Policy> {
  return policyForDisplay((await changeBinding(action, target, options, ctx, rules)).policy);
}

/** A resource's policy, read at version 3 so no condition is hidden, as gcloud prints it. */
export async function readPolicy(target: () => Promise<PolicyResource>): Promise<Policy> {
  return policyForDisplay(await (await target()).get(CONDITIONAL_POLICY_VERSION));
}

/**
 * set-iam-policy: the policy in POLICY_FILE (JSON or YAML, as get-iam-policy prints it) replaces the resource's,
 * every member and role checked first. With the file's etag the write fails if the policy changed since it was read
 * (gcloud's rule); without one it overwrites.
 * @throws UsageError for an unreadable file or a bad binding; the API's typed errors.
 */
export async function replacePolicy(target: () => Promise<PolicyResource>, file: string, ctx: AppContext, rules: ResourceRules = {}): Promise<Policy> {
  const where = `POLICY_FILE ${quoteValue(file)}`;
  let text: string;
  try {
    text = String(await readRegularFile(file));
  } catch (error) {
    throw new UsageError(`Cannot read ${where}: ${error instanceof Error ? error.message : String(error)}.`, {cause: error});
  }
  const {parse} = await import('yaml');
  let data: unknown;
  try {
    data = parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(`Invalid ${where}: it is not valid JSON or YAML.`);
  }
  // gcloud accepts the policy itself or {policy: ...}, as setIamPolicy's request body holds it.
  const body = data && typeof data === 'object' && !Array.isArray(data) && 'policy' in data ? (data as {policy: unknown}).policy : data;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UsageError(`Invalid ${where}: expected a policy object with bindings.`);
  const policy = body as Policy;
  if (policy.bindings !== undefined && !Array.isArray(policy.bindings)) throw new UsageError(`Invalid ${where}: bindings is not a list.`);
  for (const binding of policy.bindings ?? []) {
    if (!binding || typeof binding.role !== 'string' || !Array.isArray(binding.members)) throw new UsageError(`Invalid ${where}: each binding needs a role and a list of members.`);
    validateRole(binding.role);
    rules.checkRole?.(binding.role);
    for (const member of binding.members) validateMember(String(member));
    if (binding.condition) checkConditionSyntax(binding.condition, 'POLICY_FILE');
  }
  const resource = await target();
  const written = await resource.set(policy);
  ctx.io.stderr.write(updatedPolicyLine(resource));
  return policyForDisplay(written);
}

/** Adds or removes one binding on a project's policy; returns the policy as gcloud prints it. */
export async function changeProjectBinding(action: 'add' | 'remove', project: string, options: BindingOptions, ctx: AppContext): Promise<Policy> {
  validateProjectId(project);
  return changePolicyBinding(action, async () => (await ctx.api.resourceManager()).projectPolicy(project), options, ctx);
}

/** A project's policy, read at version 3 so no condition is hidden, as gcloud prints it. */
export async function readProjectPolicy(project: string, ctx: AppContext): Promise<Policy> {
  validateProjectId(project);
  return readPolicy(async () => (await ctx.api.resourceManager()).projectPolicy(project));
}
