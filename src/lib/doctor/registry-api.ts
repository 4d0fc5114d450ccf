import {InsufficientScopesError} from '../api/api-error.js';
import type {AppContext} from '../context.js';
import {PermissionDeniedError} from '../errors.js';
import {asClause, FIX} from '../messages.js';
import type {AccountState} from './state.js';
import type {DoctorTarget} from './target.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'registry-api';
/** The API that serves a project's images: Artifact Registry, which also serves gcr.io hosts (Container Registry's successor). */
export const REGISTRY_API = 'artifactregistry.googleapis.com';

/**
 * Whether the image's project has enabled the registry API (Service Usage `services.get`): the page's first
 * precondition. Disabled fails with the command that enables it; a caller who may not ask skips.
 */
export async function checkRegistryApi(ctx: Pick<AppContext, 'api'>, target: DoctorTarget, state: AccountState): Promise<CheckResult> {
  const project = target.registry?.project;
  if (!project) return result(CHECK, 'skip', 'name an image to check that its project has enabled the registry API');
  if (!state.tokenOk) return result(CHECK, 'skip', 'no token of the checked account to ask with');
  try {
    const service = await (await ctx.api.serviceUsage()).getService(project, REGISTRY_API);
    const title = service.config?.title ?? 'Artifact Registry API';
    if (service.state === 'ENABLED') return result(CHECK, 'ok', `${title} (${REGISTRY_API}) is enabled on project ${project}`);
    return result(CHECK, 'fail', `${title} (${REGISTRY_API}) is not enabled on project ${project}: the registry refuses every pull and push of its images`, FIX.enableService(REGISTRY_API, project));
  } catch (error) {
    if (error instanceof InsufficientScopesError) return result(CHECK, 'skip', "the token's scopes do not let it ask Service Usage (see vm-scopes)");
    if (error instanceof PermissionDeniedError) {
      return result(CHECK, 'skip', `the account may not ask Service Usage about project ${project} (it needs serviceusage.services.get), or the project does not exist`);
    }
    return result(CHECK, 'warn', `could not ask Service Usage: ${asClause(error)}`, `gcauth services list --project=${project}`);
  }
}
