import type {cloudresourcemanager_v1} from '@googleapis/cloudresourcemanager';

import type {Policy, PolicyResource} from '../iam/policy.js';
import {withApiErrors} from './api-error.js';
import type {RequestAuth} from './session.js';

export type Project = cloudresourcemanager_v1.Schema$Project;

/** Cloud Resource Manager v1 projects over @googleapis/cloudresourcemanager, as one account. */
export class ResourceManagerApi {
  private constructor(
    private readonly client: cloudresourcemanager_v1.Cloudresourcemanager,
    private readonly account: string,
  ) {}

  /** Loads @googleapis/cloudresourcemanager (lazily: only commands that call it pay for it). */
  static async create(rootUrl: string, auth: RequestAuth, account: string): Promise<ResourceManagerApi> {
    const {cloudresourcemanager_v1: v1} = await import('@googleapis/cloudresourcemanager');
    return new ResourceManagerApi(new v1.Cloudresourcemanager({rootUrl, auth: auth as never}), account);
  }

  getProject(projectId: string): Promise<Project> {
    return this.onProject(projectId, async () => (await this.client.projects.get({projectId})).data);
  }

  /** The project's IAM policy as a read-modify-write target. */
  projectPolicy(projectId: string): PolicyResource {
    const projects = this.client.projects;
    return {
      kind: 'project',
      id: projectId,
      setPermission: 'resourcemanager.projects.setIamPolicy',
      test: (permissions) =>
        this.onProject(projectId, async () => (await projects.testIamPermissions({resource: projectId, requestBody: {permissions}})).data.permissions ?? []),
      get: (requestedPolicyVersion) =>
        this.onProject(projectId, async () => (await projects.getIamPolicy({resource: projectId, requestBody: {options: {requestedPolicyVersion}}})).data as Policy),
      set: (policy) => this.onProject(projectId, async () => (await projects.setIamPolicy({resource: projectId, requestBody: {policy}})).data as Policy),
    };
  }

  private onProject<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    return withApiErrors({account: this.account, resource: `project [${projectId}]`, project: projectId}, fn);
  }
}
