import {withApiErrors} from './api-error.js';
import type {RequestAuth} from './session.js';

/**
 * The one Organization Policy v2 method gcauth calls (doctor: may this project make service-account keys?), over
 * the session's raw requests like Artifact Registry's.
 */
export class OrgPolicyApi {
  constructor(
    /** Base URL ending in `/` (Google's, or `api_endpoint_overrides/orgpolicy`). */
    private readonly rootUrl: string,
    private readonly auth: RequestAuth,
    private readonly account: string,
  ) {}

  /**
   * Whether a boolean constraint (e.g. `iam.disableServiceAccountKeyCreation`) is enforced on a project, from its
   * effective policy. @throws PermissionDeniedError (ServiceDisabledError), AuthError or ApiError as the API answers.
   */
  booleanEnforced(project: string, constraint: string): Promise<boolean> {
    return withApiErrors({account: this.account, resource: `project [${project}]`, project}, async () => {
      const response = await this.auth.request<{spec?: {rules?: Array<{enforce?: boolean}>}}>({
        url: `${this.rootUrl}v2/projects/${project}/policies/${constraint}:getEffectivePolicy`,
        method: 'GET',
        responseType: 'json',
      });
      return (response.data.spec?.rules ?? []).some((rule) => rule.enforce === true);
    });
  }
}
