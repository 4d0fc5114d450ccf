import {InsufficientScopesError, ServiceDisabledError} from '../api/api-error.js';
import {impersonatedEmail} from '../auth/credentials/external-account.js';
import {impersonationOf} from '../auth/credentials/impersonation.js';
import type {AppContext} from '../context.js';
import {PermissionDeniedError} from '../errors.js';
import type {AccountState} from './account.js';
import type {DoctorTarget} from './target.js';
import {type CheckResult, result} from './types.js';
import {asClause} from '../messages.js';

const DOWNLOAD = 'artifactregistry.repositories.downloadArtifacts';
const UPLOAD = 'artifactregistry.repositories.uploadArtifacts';
/** Container Registry's images are objects in the project's bucket; gcr.io served by Artifact Registry checks the AR ones. */
const GCR_PULL = ['storage.objects.get', DOWNLOAD];
const GCR_PUSH = ['storage.objects.create', UPLOAD];

/**
 * The account the API calls run as (the impersonation target, else the checked account) and the member a fix grants
 * roles to: a federated principal is its own member (`principal://...`), and a binding for the
 * principalSet of its repository covers every job of it, not this job's subject alone.
 */
function callerOf(ctx: Pick<AppContext, 'props'>, state: AccountState): {account: string; grantee: string} {
  const target = impersonationOf(ctx.props)?.target;
  if (!target && state.identity && !impersonatedEmail(state.identity.config)) {
    const account = state.account || state.facts?.principal || '';
    return {account, grantee: state.facts?.member ?? account};
  }
  const account = target ?? state.account ?? '';
  const user = !target && state.credential?.type === 'authorized_user';
  return {account, grantee: `${user ? 'user' : 'serviceAccount'}:${account}`};
}

/**
 * Whether the account may pull from and push to the image's place: Resource Manager `testIamPermissions` on the
 * project (gcr.io) or Artifact Registry's on the repository (`*-docker.pkg.dev`).
 */
export async function checkRegistryAccess(ctx: Pick<AppContext, 'api' | 'props'>, target: DoctorTarget, state: AccountState): Promise<CheckResult[]> {
  const registry = target.registry;
  if (!registry) {
    const why = 'name an image (gcr.io/PROJECT/IMAGE or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE) to check pull and push';
    return [result('registry-pull', 'skip', why), result('registry-push', 'skip', why)];
  }
  if (state.adc) {
    const why = `not asked as the Application Default Credentials: ${state.identity?.file ? `gcauth auth login --cred-file=${state.identity.file}` : 'gcauth auth login --cred-file=FILE'} makes them the account doctor asks as`;
    return [result('registry-pull', 'skip', why), result('registry-push', 'skip', why)];
  }
  if (!state.tokenOk) return [result('registry-pull', 'skip', 'no token to ask with'), result('registry-push', 'skip', 'no token to ask with')];
  const {account, grantee} = callerOf(ctx, state);
  let held: string[];
  let where: string;
  try {
    if (registry.kind === 'gcr') {
      where = `project ${registry.project}`;
      held = await (await ctx.api.resourceManager()).projectPolicy(registry.project).test([...GCR_PULL, ...GCR_PUSH]);
    } else {
      where = `repository ${registry.location}/${registry.repository} of project ${registry.project}`;
      const name = `projects/${registry.project}/locations/${registry.location}/repositories/${registry.repository}`;
      held = await (await ctx.api.artifactRegistry()).testRepositoryPermissions(name, [DOWNLOAD, UPLOAD]);
    }
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
  const pull = (registry.kind === 'gcr' ? GCR_PULL : [DOWNLOAD]).some((p) => held.includes(p));
  const push = (registry.kind === 'gcr' ? GCR_PUSH : [UPLOAD]).some((p) => held.includes(p));
  const grant = (role: string) => `gcauth projects add-iam-policy-binding ${registry.project} --member=${grantee} --role=${role}   (as an account that may set the project's policy)`;
  const pullNeeds = registry.kind === 'gcr' ? `${DOWNLOAD} or storage.objects.get` : DOWNLOAD;
  const pushNeeds = registry.kind === 'gcr' ? `${UPLOAD} or storage.objects.create` : UPLOAD;
  return [
    pull
      ? result('registry-pull', 'ok', `${account} may pull from ${where}`)
      : result('registry-pull', 'fail', `${account} may not pull from ${where}: it lacks ${pullNeeds}`, grant('roles/artifactregistry.reader')),
    push
      ? result('registry-push', 'ok', `${account} may push to ${where}`)
      : result('registry-push', 'warn', `${account} may not push to ${where}: it lacks ${pushNeeds}`, grant('roles/artifactregistry.writer')),
  ];
}
