import {InsufficientScopesError, KEY_CONSTRAINTS, ServiceDisabledError} from '../api/api-error.js';
import type {AppContext} from '../context.js';
import {PermissionDeniedError} from '../errors.js';
import {asClause, HINTS} from '../messages.js';
import type {AccountState} from './state.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'key-policy';

/**
 * Where key creation matters: the active account is a service-account key, which must one day be replaced by a new
 * one. Asks Org Policy for the key's project's effective `iam.disableServiceAccountKeyCreation` (the page's second
 * precondition) and `iam.disableServiceAccountKeyUpload`: with creation enforced it warns, naming the way left (an
 * uploaded key, unless that is enforced too) and the keyless ways. Any other account, or a caller who may not ask, skips.
 */
export async function checkKeyPolicy(ctx: Pick<AppContext, 'api'>, state: AccountState): Promise<CheckResult> {
  const credential = state.credential;
  if (state.identity || credential?.type !== 'service_account') return result(CHECK, 'skip', 'not a service-account key: no key to replace');
  if (!state.tokenOk) return result(CHECK, 'skip', 'no token to ask with');
  const email = credential.account;
  const project = /@([^.@]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
  if (!project) return result(CHECK, 'skip', `${email} is not a project's service account`);
  const {creation, upload} = KEY_CONSTRAINTS;
  try {
    const policy = await ctx.api.orgPolicy();
    const [noCreation, noUpload] = await Promise.all([policy.booleanEnforced(project, creation), policy.booleanEnforced(project, upload)]);
    if (!noCreation) return result(CHECK, 'ok', `project ${project} allows service-account keys to be created (constraints/${creation} is not enforced)`);
    const keyless = `act as ${email} without a key: ${HINTS.keyless(email)}`;
    if (noUpload) {
      return result(CHECK, 'warn', `constraints/${creation} and constraints/${upload} are enforced on project ${project}: no new key can replace this one when it must be rotated`, keyless);
    }
    return result(
      CHECK,
      'warn',
      `constraints/${creation} is enforced on project ${project}: Google can make no new key to replace this one when it must be rotated; one you make can still be uploaded (constraints/${upload} is not enforced)`,
      `upload the public half of a key pair you make (gcauth iam service-accounts keys upload public_key.pem --iam-account=${email}), or ${keyless}`,
    );
  } catch (error) {
    if (error instanceof ServiceDisabledError) return result(CHECK, 'skip', `could not ask: ${asClause(error)}`);
    if (error instanceof InsufficientScopesError || error instanceof PermissionDeniedError) {
      return result(CHECK, 'skip', `the account may not read project ${project}'s organization policy (orgpolicy.policy.get)`);
    }
    return result(CHECK, 'skip', `could not ask Org Policy: ${asClause(error)}`);
  }
}
