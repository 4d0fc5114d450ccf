import type {gaxios} from 'google-auth-library';

import type {Policy, PolicyResource} from '../iam/policy.js';
import {withApiErrors} from './api-error.js';
import type {RequestAuth} from './session.js';

/** An Artifact Registry v1 repository, as the API sends it (fields gcauth does not read are carried through). */
export interface Repository {
  name?: string;
  format?: string;
  mode?: string;
  description?: string;
  labels?: Record<string, string>;
  kmsKeyName?: string;
  createTime?: string;
  updateTime?: string;
  sizeBytes?: string;
  registryUri?: string;
  [field: string]: unknown;
}

/** A long-running operation (`projects/P/locations/L/operations/ID`). */
export interface ArOperation {
  name?: string;
  done?: boolean;
  error?: {code?: number; message?: string; status?: string};
  response?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/**
 * Artifact Registry v1 over the same authenticated, retrying session as the other APIs. The per-API package
 * (`@googleapis/artifactregistry`) is not installed: gcauth calls seven methods of it, each one request.
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
    return this.call<{permissions?: string[]}>(repository, 'POST', `${repository}:testIamPermissions`, {permissions}).then((r) => r.permissions ?? []);
  }

  /** Starts creating repository `id` under `parent` (`projects/P/locations/L`); the answer is an operation. */
  createRepository(parent: string, id: string, repository: Repository): Promise<ArOperation> {
    return this.call(`${parent}/repositories/${id}`, 'POST', `${parent}/repositories?repositoryId=${encodeURIComponent(id)}`, repository);
  }

  getRepository(name: string): Promise<Repository> {
    return this.call(name, 'GET', name);
  }

  /** Every repository of `parent` (`projects/P/locations/L`), all pages. */
  async listRepositories(parent: string): Promise<Repository[]> {
    const all: Repository[] = [];
    let pageToken: string | undefined;
    do {
      const query = pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : '';
      const page: {repositories?: Repository[]; nextPageToken?: string} = await this.call(parent, 'GET', `${parent}/repositories${query}`);
      all.push(...(page.repositories ?? []));
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    return all;
  }

  /** The location ids of a project (`projects/P`), sorted, as gcloud lists them for a list across all locations. */
  async listLocations(project: string): Promise<string[]> {
    const page: {locations?: Array<{locationId?: string}>} = await this.call(project, 'GET', `${project}/locations`);
    return (page.locations ?? []).map((l) => l.locationId ?? '').filter(Boolean).sort();
  }

  /** Starts deleting a repository; the answer is an operation. */
  deleteRepository(name: string): Promise<ArOperation> {
    return this.call(name, 'DELETE', name);
  }

  getOperation(name: string): Promise<ArOperation> {
    return this.call(name, 'GET', name);
  }

  /** A repository's IAM policy as a read-modify-write target. */
  repositoryPolicy(name: string, id: string): PolicyResource {
    return {
      kind: 'repository',
      id,
      setPermission: 'artifactregistry.repositories.setIamPolicy',
      test: (permissions) => this.testRepositoryPermissions(name, permissions),
      get: (version) => this.call(name, 'GET', `${name}:getIamPolicy?options.requestedPolicyVersion=${version}`),
      set: (policy: Policy) => this.call(name, 'POST', `${name}:setIamPolicy`, {policy}),
    };
  }

  private call<T>(resource: string, method: gaxios.GaxiosOptions['method'], path: string, data?: unknown): Promise<T> {
    return withApiErrors({account: this.account, resource: `repository [${resource}]`}, async () => {
      const response = await this.auth.request<T>({
        url: `${this.rootUrl}v1/${path}`,
        method,
        ...(data === undefined ? {} : {data, headers: {'content-type': 'application/json'}}),
        responseType: 'json',
      });
      return response.data;
    });
  }
}
