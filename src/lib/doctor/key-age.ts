import type {AppContext} from '../context.js';
import {PermissionDeniedError} from '../errors.js';
import type {AccountState} from './state.js';
import {type CheckResult, result} from './types.js';
import {asClause} from '../messages.js';

const CHECK = 'key-age';
/** Google's recommender flags user-managed keys older than this. */
export const KEY_AGE_WARN_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

/** The age of the checked service-account key: IAM's `validAfterTime`, else when gcauth stored it (an ADC key: when its file was written); warns past 90 days. */
export async function checkKeyAge(ctx: Pick<AppContext, 'api' | 'now'>, state: AccountState): Promise<CheckResult> {
  const credential = state.credential;
  if (state.identity) return result(CHECK, 'skip', 'not applicable: an external account (Workload Identity Federation) has no key');
  if (credential?.type !== 'service_account') {
    return result(CHECK, 'skip', credential ? `${credential.account} is a user login, not a key` : 'no active service-account key');
  }
  const keyId = credential.key.private_key_id;
  let created: string | undefined;
  // Without IAM's word the age counts from the activation here; `why` says, as the sentence's last clause, why.
  let why = '';
  if (keyId && state.tokenOk) {
    try {
      const keys = await (await ctx.api.iam()).listKeys(credential.account, 'user');
      created = keys.find((k) => k.name?.endsWith(`/keys/${keyId}`))?.validAfterTime ?? undefined;
      if (!created) why = ` because IAM lists no key ${keyId}`;
    } catch (error) {
      why =
        error instanceof PermissionDeniedError
          ? ' because IAM does not let the account list its keys'
          : ` because IAM did not list its keys: ${asClause(error)}`;
    }
  }
  const days = Math.floor((ctx.now() - Date.parse(created ?? credential.addedAt)) / DAY_MS);
  // An ADC key file was never activated here: its age counts from when the file was last written (see doctor/adc.ts).
  const since = state.adc ? `when [${state.adc.file}] was last written` : 'when it was activated here';
  const what = `key ${keyId ?? '(no id)'} of ${credential.account} is ${days} days old${created ? ` (created ${created})` : `, counted from ${since}${why}`}`;
  if (days <= KEY_AGE_WARN_DAYS) return result(CHECK, 'ok', what);
  const email = credential.account;
  return result(
    CHECK,
    'warn',
    `${what}; Google's recommender flags keys older than ${KEY_AGE_WARN_DAYS} days`,
    (state.adc
      ? `gcauth iam service-accounts keys create new-key.json --iam-account=${email} && mv new-key.json ${state.adc.file}`
      : `gcauth iam service-accounts keys create new-key.json --iam-account=${email} && gcauth auth activate-service-account --key-file=new-key.json`) +
      (keyId ? ` && gcauth iam service-accounts keys delete ${keyId} --iam-account=${email}` : ''),
  );
}
