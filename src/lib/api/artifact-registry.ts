import {withApiErrors} from './api-error.js';
import type {RequestAuth} from './session.js';

/**
 * The one Artifact Registry v1 method gcauth calls. No per-API googleapis package is installed for it, and one
 * method does not warrant one: the request goes through the same authenticated, retrying session as the others.
 */
export class ArtifactRegistryApi {
  constructor(
    /** Base URL ending in `/` (Google's, or `api_endpoint_overrides/artifactregistry`). */
    private readonly rootUrl: string,
    private readonly auth: RequestAuth,
    private readonly account: string,
  ) {}

  /**
   * The subset of `permissions` the account holds on a repository (`projects/P/locations/L/repositories/R`).
   * @throws PermissionDeniedError, NotFoundError, AuthError or ApiError as the API answers.
   */
  testRepositoryPermissions(repository: string, permissions: string[]): Promise<string[]> {
    return withApiErrors({account: this.account, resource: `repository [${repository}]`}, async () => {
      const response = await this.auth.request<{permissions?: string[]}>({
        url: `${this.rootUrl}v1/${repository}:testIamPermissions`,
        method: 'POST',
        data: {permissions},
        headers: {'content-type': 'application/json'},
        responseType: 'json',
      });
      return response.data.permissions ?? [];
    });
  }
}
