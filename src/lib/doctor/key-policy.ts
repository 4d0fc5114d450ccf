import {InsufficientScopesError, ServiceDisabledError} from '../api/api-error.js';
import type {AppContext} from '../context.js';
import {PermissionDeniedError} from '../errors.js';
import {asClause, HINTS} from '../messages.js';
import type {AccountState} from './account.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'key-policy';
/** The organization policy constraint that forbids making service-account keys (the page's second precondition). */
export const KEY_CREATION_CONSTRAINT = 'iam.disableServiceAccountKeyCreation';

/**
 * Where key creation matters: the active account is a service-account key, which must one day be replaced by a new
 * one. Asks Org Policy for the key's project's effective `iam.disableServiceAccountKeyCreation`; enforced warns
 * with the keyless ways. Any other account, or a caller who may not ask, skips.
 */
export async function checkKeyPolicy(ctx: Pick<AppContext, 'api'>, state: AccountState): Promise<CheckResult> {
  const credential = state.credential;
  if (state.identity || credential?.type !== 'service_account') return result(CHECK, 'skip', 'not a service-account key: no key to replace');
  if (!state.tokenOk) return result(CHECK, 'skip', 'no token to ask with');
  const email = credential.account;
  const project = /@([^.@]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
  if (!project) return result(CHECK, 'skip', `${email} is not a project's service account`);
  try {
    const enforced = await (await ctx.api.orgPolicy()).booleanEnforced(project, KEY_CREATION_CONSTRAINT);
    if (!enforced) return result(CHECK, 'ok', `project ${project} allows service-account keys to be created (constraints/${KEY_CREATION_CONSTRAINT} is not enforced)`);
    return result(
      CHECK,
      'warn',
      `constraints/${KEY_CREATION_CONSTRAINT} is enforced on project ${project}: no new key can replace this one when it must be rotated`,
      `act as ${email} without a key: ${HINTS.keyless(email)}`,
    );
  } catch (error) {
    if (error instanceof ServiceDisabledError) return result(CHECK, 'skip', `could not ask: ${asClause(error)}`);
    if (error instanceof InsufficientScopesError || error instanceof PermissionDeniedError) {
      return result(CHECK, 'skip', `the account may not read project ${project}'s organization policy (orgpolicy.policy.get)`);
    }
    return result(CHECK, 'skip', `could not ask Org Policy: ${asClause(error)}`);
  }
}
