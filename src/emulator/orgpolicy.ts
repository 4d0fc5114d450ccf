/**
 * Organization policy, as far as the emulator models it: boolean constraints enforced on a project (set through
 * `POST /__admin/org-policy`), and the refusal IAM answers when one forbids what a request asks.
 */
import type {ApiCall} from './api.js';
import {ApiFailure} from './google-errors.js';

/** The constraints the emulator enforces, by name without `constraints/`. */
export const CONSTRAINTS = {
  keyCreation: 'iam.disableServiceAccountKeyCreation',
  keyUpload: 'iam.disableServiceAccountKeyUpload',
} as const;

export const KNOWN_CONSTRAINTS: ReadonlySet<string> = new Set(Object.values(CONSTRAINTS));

/**
 * Google's wording: key creation from gcloud's output in google/create-service-account#21 and
 * GaloyMoney/galoy-infra#242; key upload from GAM-team/GAM#1678.
 */
export const ORG_POLICY_MESSAGES = {
  keyCreation: 'Key creation is not allowed on this service account.',
  keyUpload: (accountName: string) => `Constraint \`constraints/${CONSTRAINTS.keyUpload}\` violated for service account ${accountName} attempting to upload public key.`,
} as const;

/**
 * IAM's 400 FAILED_PRECONDITION for a key the project's policy forbids: the message, and a PreconditionFailure
 * naming the constraint and the account (`projects/P/serviceAccounts/EMAIL?configvalue=EMAIL`).
 */
export function constraintViolation(constraint: string, account: {projectId: string; email: string}): ApiFailure {
  const name = `projects/${account.projectId}/serviceAccounts/${account.email}`;
  const description = constraint === CONSTRAINTS.keyUpload ? ORG_POLICY_MESSAGES.keyUpload(name) : ORG_POLICY_MESSAGES.keyCreation;
  return new ApiFailure(400, description, {
    status: 'FAILED_PRECONDITION',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{type: `constraints/${constraint}`, subject: `${name}?configvalue=${encodeURIComponent(account.email)}`, description}],
      },
    ],
  });
}

/**
 * Org Policy v2 `GET v2/projects/{project}/policies/{policy}:getEffectivePolicy`: a boolean constraint's effective
 * spec on the project, `{rules: [{enforce}]}`; a constraint the emulator does not model is not enforced.
 */
export function getEffectivePolicy(call: ApiCall): unknown {
  const resource = `projects/${call.params.project}`;
  const project = call.state.findProject(call.params.project ?? '');
  if (!project || project.lifecycleState !== 'ACTIVE') throw call.denied('orgpolicy.policy.get', resource);
  call.require('orgpolicy.policy.get', resource, [project.iamPolicy]);
  const constraint = (call.params.policy ?? '').replace(/^constraints\//, '');
  return {name: `projects/${project.projectNumber}/policies/${constraint}`, spec: {rules: [{enforce: call.state.constraintEnforced(project.projectId, constraint)}]}};
}
