import type {AppContext} from '../context.js';
import {validateKeyId, validateServiceAccountRef} from './validate.js';

/**
 * Checks a service account reference (an email or unique id) before any request; a bare account id
 * gets a suggestion completed with the current project.
 * @throws UsageError showing the accepted form.
 */
/** How every `iam service-accounts` command names the account it acts on, as EMAIL or as --iam-account. */
const ACCOUNT_REF_HELP = 'Email or numeric unique id of the service account.';

/** The EMAIL argument of the `iam service-accounts` commands on one account. */
export const ACCOUNT_ARGS = {email: {required: true, description: ACCOUNT_REF_HELP}} as const;

/** The --iam-account flag of the `iam service-accounts keys` commands. */
export const IAM_ACCOUNT_FLAG = {type: 'option', required: true, description: ACCOUNT_REF_HELP} as const;

/** The KEY_ID argument of the keys commands that act on one key (delete, disable, enable). */
export const keyIdArgs = (verb: string) => ({key_id: {required: true, description: `The key to ${verb} (the private_key_id of its key file).`}}) as const;

/**
 * The key a `KEY_ID --iam-account=EMAIL` line names, both checked before anything is sent.
 * @throws UsageError for a malformed key id or account.
 */
export function checkKeyRef(keyId: string, account: string, ctx: Pick<AppContext, 'props'>): {keyId: string; email: string} {
  return {keyId: validateKeyId(keyId), email: checkServiceAccountRef(account, '--iam-account', ctx)};
}

export function checkServiceAccountRef(value: string, label: string, ctx: Pick<AppContext, 'props'>): string {
  let project: string | undefined;
  try {
    project = ctx.props.get('core/project');
  } catch {
    // An invalid project only costs the suggestion its project; the command reports it where it matters.
  }
  return validateServiceAccountRef(value, label, {project});
}

/** The KEY_ID of a key's resource name (`projects/P/serviceAccounts/E/keys/KEY_ID`). */
export const keyIdOf = (name: string | null | undefined): string => (name ?? '').split('/').pop() ?? '';

/** A boolean cell as gcloud's tables print it. */
export const boolCell = (value: boolean | null | undefined): string => (value ? 'True' : 'False');
