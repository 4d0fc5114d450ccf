import {ApiError} from '../errors.js';
import {withApiErrors, type CallSubject} from './api-error.js';
import type {RequestAuth} from './session.js';

/** Service Usage v1's Service, as far as gcauth reads it. */
export interface Service {
  /** `projects/NUMBER/services/NAME`. */
  name: string;
  config?: {name?: string; title?: string};
  state?: 'ENABLED' | 'DISABLED' | 'STATE_UNSPECIFIED';
}

/** A long-running operation of Service Usage. */
export interface Operation {
  name: string;
  done?: boolean;
  error?: {code?: number; message?: string; details?: unknown[]};
  response?: Record<string, unknown>;
}

/** Google's limit of one batchEnable call. */
const BATCH_LIMIT = 20;
/** How long `wait` polls an operation before giving up (gcloud waits up to 30 minutes; the API is quick). */
const WAIT_LIMIT_MS = 5 * 60_000;

/**
 * Service Usage v1 over the session's raw requests: five methods do not warrant a googleapis package (the
 * `@googleapis/serviceusage` client would add a module tree to load for them), and the session gives the same
 * authentication, retries and errors as the other clients.
 */
export class ServiceUsageApi {
  constructor(
    /** Base URL ending in `/` (Google's, or `api_endpoint_overrides/serviceusage`). */
    private readonly rootUrl: string,
    private readonly auth: RequestAuth,
    private readonly account: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  private subject(project: string): CallSubject {
    return {account: this.account, resource: `project [${project}]`, project};
  }

  private async call<T>(subject: CallSubject, method: 'GET' | 'POST', path: string, data?: unknown, params?: Record<string, string>): Promise<T> {
    return withApiErrors(subject, async () => {
      const response = await this.auth.request<T>({
        url: `${this.rootUrl}v1/${path}`,
        method,
        ...(params ? {params} : {}),
        ...(data === undefined ? {} : {data, headers: {'content-type': 'application/json'}}),
        responseType: 'json',
      });
      return response.data;
    });
  }

  /**
   * The project's services, every page: only the enabled ones with `enabledOnly` (gcloud's `filter=state:ENABLED`).
   * @throws PermissionDeniedError, AuthError or ApiError as the API answers.
   */
  async listServices(project: string, enabledOnly: boolean): Promise<Service[]> {
    const services: Service[] = [];
    let pageToken: string | undefined;
    do {
      const params: Record<string, string> = {pageSize: '200', ...(enabledOnly ? {filter: 'state:ENABLED'} : {}), ...(pageToken ? {pageToken} : {})};
      const page = await this.call<{services?: Service[]; nextPageToken?: string}>(this.subject(project), 'GET', `projects/${project}/services`, undefined, params);
      services.push(...(page.services ?? []));
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    return services;
  }

  /**
   * One service's state on the project. @throws PermissionDeniedError (also for a name Google does not know), AuthError or ApiError.
   */
  getService(project: string, service: string): Promise<Service> {
    return this.call<Service>(this.subject(project), 'GET', `projects/${project}/services/${service}`);
  }

  /**
   * Enables services: one through `services.enable`, several through `services.batchEnable` (20 a call), as gcloud
   * does. Returns the operations, each perhaps not yet done. @throws PermissionDeniedError, AuthError or ApiError.
   */
  async enable(project: string, services: readonly string[]): Promise<Operation[]> {
    if (services.length === 1) return [await this.call<Operation>(this.subject(project), 'POST', `projects/${project}/services/${services[0]}:enable`, {})];
    const operations: Operation[] = [];
    for (let i = 0; i < services.length; i += BATCH_LIMIT) {
      operations.push(await this.call<Operation>(this.subject(project), 'POST', `projects/${project}/services:batchEnable`, {serviceIds: services.slice(i, i + BATCH_LIMIT)}));
    }
    return operations;
  }

  /**
   * Disables one service; `force` also disables the services that depend on it and skips the recent-usage check
   * (gcloud's --force). @throws PermissionDeniedError, AuthError or ApiError.
   */
  disable(project: string, service: string, force: boolean): Promise<Operation> {
    return this.call<Operation>(this.subject(project), 'POST', `projects/${project}/services/${service}:disable`, {
      disableDependentServices: force,
      checkIfServiceHasUsage: force ? 'SKIP' : 'CHECK',
    });
  }

  /**
   * Polls an operation until it is done (at once, then backing off to 10 s), as gcloud's WaitOperation does.
   * @throws ApiError when it fails or does not finish in time; the API's typed errors.
   */
  async wait(project: string, operation: Operation): Promise<Operation> {
    let current = operation;
    let delay = 500;
    const started = Date.now();
    while (!current.done) {
      current = await this.call<Operation>(this.subject(project), 'GET', current.name);
      if (current.done) break;
      if (Date.now() - started > WAIT_LIMIT_MS) throw new ApiError(`Timed out while waiting for operation ${current.name}. Note that the operation is still pending.`);
      await this.sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
    if (current.error) throw new ApiError(`The operation "${current.name}" resulted in a failure "${current.error.message ?? 'unknown'}".`);
    return current;
  }
}
