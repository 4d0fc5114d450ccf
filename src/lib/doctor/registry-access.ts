import {InsufficientScopesError, ServiceDisabledError} from '../api/api-error.js';
import {impersonatedEmail} from '../auth/credentials/external-account.js';
import {impersonationOf} from '../auth/credentials/impersonation.js';
import type {AppContext} from '../context.js';
import {NotFoundError, PermissionDeniedError} from '../errors.js';
import type {AccountState} from './state.js';
import type {DoctorTarget} from './target.js';
import {type CheckResult, result} from './types.js';
import {asClause} from '../messages.js';

const DOWNLOAD = 'artifactregistry.repositories.downloadArtifacts';
const UPLOAD = 'artifactregistry.repositories.uploadArtifacts';
/** Pushing to a gcr.io repository that does not exist yet creates it, for a caller that holds this on the project. */
const CREATE_ON_PUSH = 'artifactregistry.repositories.createOnPush';

/**
 * The account the API calls run as (the impersonation target, else the checked account or the ADC's) and the member a fix grants
 * roles to: a federated principal is its own member (`principal://...`), and a binding for the
 * principalSet of its repository covers every job of it, not this job's subject alone.
 */
function callerOf(ctx: Pick<AppContext, 'props'>, state: AccountState): {account: string; grantee: string} {
  // The Application Default Credentials are used as they are: the Docker helper impersonates nothing with them.
  const target = state.adc ? undefined : impersonationOf(ctx.props)?.target;
  const email = state.identity ? impersonatedEmail(state.identity.config) : undefined;
  if (!target && state.identity && !email) {
    const account = state.account || state.facts?.principal || '';
    return {account, grantee: state.facts?.member ?? account};
  }
  const account = target ?? state.account ?? email ?? '';
  const user = !target && state.credential?.type === 'authorized_user';
  return {account, grantee: `${user ? 'user' : 'serviceAccount'}:${account}`};
}

/**
 * Whether the account may pull from and push to the image's repository: Artifact Registry's `testIamPermissions` on
 * it (the project's and the repository's policies together), for `*-docker.pkg.dev` and for gcr.io, whose hosts are
 * repositories of the project. The fixes name a grant on that repository, or on the project only where the
 * repository does not exist yet and the first push must create it.
 */
export async function checkRegistryAccess(ctx: Pick<AppContext, 'api' | 'props'>, target: DoctorTarget, state: AccountState): Promise<CheckResult[]> {
  const registry = target.registry;
  if (!registry) {
    const why = 'name an image (gcr.io/PROJECT/IMAGE or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE) to check pull and push';
    return [result('registry-pull', 'skip', why), result('registry-push', 'skip', why)];
  }
  if (!state.tokenOk) return [result('registry-pull', 'skip', 'no token to ask with'), result('registry-push', 'skip', 'no token to ask with')];
  const {account, grantee} = callerOf(ctx, state);
  // gcr.io is served by Artifact Registry: each gcr.io host is a repository of the project (gcr.io in us, eu.gcr.io in europe...).
  const location = registry.location;
  const repository = registry.kind === 'gcr' ? registry.host : registry.repository;
  const name = `projects/${registry.project}/locations/${location}/repositories/${repository}`;
  const where = `repository ${location}/${repository} of project ${registry.project}`;
  let held: string[];
  let exists: boolean | undefined;
  try {
    const api = await ctx.api.artifactRegistry();
    // The union of the project's and the repository's policies; a repository that does not exist answers the project's.
    held = await api.testRepositoryPermissions(name, [DOWNLOAD, UPLOAD, CREATE_ON_PUSH]);
    exists = await api.getRepository(name).then(
      () => true,
      (error: unknown) => (error instanceof NotFoundError ? false : undefined),
    );
  } catch (error) {
    if (error instanceof ServiceDisabledError) {
      const why = `${error.service} is not enabled on project ${registry.project} (see registry-api)`;
      return [result('registry-pull', 'skip', why), result('registry-push', 'skip', why)];
    }
    if (error instanceof InsufficientScopesError) {
      const why = `the token's scopes do not let it ask Google which permissions ${account} holds (see vm-scopes)`;
      return [result('registry-pull', 'skip', why), result('registry-push', 'skip', why)];
    }
    const message =
      error instanceof PermissionDeniedError
        ? `${account} cannot see project ${registry.project}: it does not exist, or the account has no role there`
        : `could not ask: ${asClause(error)}`;
    const fix = `gcauth projects get-iam-policy ${registry.project}   (check the project id, then grant a role as below)`;
    return [result('registry-pull', 'fail', message, fix), result('registry-push', 'skip', 'see registry-pull')];
  }
  if (exists === false && registry.kind !== 'gcr') {
    return [
      result('registry-pull', 'fail', `${where} does not exist`, `gcauth artifacts repositories create ${repository} --repository-format=docker --location=${location} --project=${registry.project}`),
      result('registry-push', 'skip', 'see registry-pull'),
    ];
  }
  // Least privilege: a role on the repository, not on the whole project, wherever the repository exists to hold it.
  const grant = (role: string) =>
    `gcauth artifacts repositories add-iam-policy-binding ${repository} --location=${location} --project=${registry.project} --member=${grantee} --role=${role}   (as an account that may set the repository's policy)`;
  const pull = held.includes(DOWNLOAD)
    ? result('registry-pull', 'ok', `${account} may pull from ${where}`)
    : exists === false
      ? result('registry-pull', 'warn', `${where} does not exist yet: nothing to pull until the first push creates it`)
      : result('registry-pull', 'fail', `${account} may not pull from ${where}: it lacks ${DOWNLOAD}`, grant('roles/artifactregistry.reader'));
  let push;
  if (exists === false) {
    // No repository to hold a grant: the first push creates it, which only a project-level role allows.
    push =
      held.includes(UPLOAD) && held.includes(CREATE_ON_PUSH)
        ? result('registry-push', 'ok', `${account} may push to ${where}; its first push creates the repository`)
        : result(
            'registry-push',
            'warn',
            `${account} may not push to ${where}: it does not exist yet, and creating it on the first push needs ${CREATE_ON_PUSH} on the project`,
            `gcauth projects add-iam-policy-binding ${registry.project} --member=${grantee} --role=roles/artifactregistry.createOnPushWriter   (as an account that may set the project's policy)`,
          );
  } else {
    push = held.includes(UPLOAD)
      ? result('registry-push', 'ok', `${account} may push to ${where}`)
      : result('registry-push', 'warn', `${account} may not push to ${where}: it lacks ${UPLOAD}`, grant('roles/artifactregistry.writer'));
  }
  return [pull, push];
}
