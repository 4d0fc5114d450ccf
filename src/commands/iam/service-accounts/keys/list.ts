import {KEY_MANAGERS, type KeyManager, type ServiceAccountKey} from '../../../../lib/api/iam.js';
import {specCommand} from '../../../../lib/cli/base-command.js';
import {defineCommand} from '../../../../lib/cli/command-spec.js';
import {listedNothing, renderTable} from '../../../../lib/output/format.js';
import {checkServiceAccountRef, IAM_ACCOUNT_FLAG, keyIdOf} from '../../../../lib/iam/service-accounts.js';

/**
 * gcloud 528's table: KEY_ID, CREATED_AT, EXPIRES_AT, DISABLED (`True`, or blank: the API omits `disabled` when false and
 * gcloud prints what it is given), DISABLE_REASON, EXTENDED_STATUS.
 */
export const renderKeys = (keys: ServiceAccountKey[]): string =>
  renderTable(
    keys.map((k) => ({
      keyId: keyIdOf(k.name),
      createdAt: k.validAfterTime ?? '',
      expiresAt: k.validBeforeTime ?? '',
      disabled: k.disabled ? 'True' : '',
      disableReason: k.disableReason ?? '',
      extendedStatus: k.extendedStatus ?? '',
    })),
    ['keyId', 'createdAt', 'expiresAt', 'disabled', 'disableReason', 'extendedStatus'],
    ['KEY_ID', 'CREATED_AT', 'EXPIRES_AT', 'DISABLED', 'DISABLE_REASON', 'EXTENDED_STATUS'],
  );

export const spec = defineCommand({
  summary: "List a service account's keys.",
  description:
    'User-managed keys are the ones created with keys create; system-managed keys are held by Google. Without --managed-by, both.',
  examples: [
    '<%= config.bin %> iam service-accounts keys list --iam-account=ci-pusher@my-project.iam.gserviceaccount.com',
    '<%= config.bin %> iam service-accounts keys list --iam-account=ci-pusher@my-project.iam.gserviceaccount.com --managed-by=user --format=json',
  ],
  args: {},
  flags: {
    'iam-account': IAM_ACCOUNT_FLAG,
    'managed-by': {type: 'option', description: 'List only keys managed by the user or by the system.', options: Object.keys(KEY_MANAGERS)},
  },
  options: ({flags}) => ({iamAccount: flags['iam-account'], managedBy: flags['managed-by'] as KeyManager | undefined}),
  run: async ({iamAccount, managedBy}, ctx) => {
    const email = checkServiceAccountRef(iamAccount, '--iam-account', ctx);
    return (await ctx.api.iam()).listKeys(email, managedBy);
  },
  human: renderKeys,
  epilog: listedNothing,
});

export default class List extends specCommand(spec) {}
