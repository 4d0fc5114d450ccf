import type {ApiCall} from './api.js';
import {applySetIamPolicy, readPermissions, renderPolicy, requestedVersion} from './policy.js';
import type {ProjectRecord} from './records.js';

/**
 * The project named by `{project}` (id or number). One that does not exist, or is being deleted, answers
 * the same 403 for `permission` as one the caller may not see: Google does not tell them apart.
 */
function projectAt(call: ApiCall, permission: string): {project: ProjectRecord; resource: string} {
  const resource = `projects/${call.params.project}`;
  const project = call.state.findProject(call.params.project ?? '');
  if (!project || project.lifecycleState !== 'ACTIVE') throw call.denied(permission, resource);
  return {project, resource};
}

/** The project named by the path, once the caller is shown to hold `permission` on it. Throws 403. */
export function authorizedProject(call: ApiCall, permission: string): ProjectRecord {
  const {project, resource} = projectAt(call, permission);
  call.require(permission, resource, [project.iamPolicy]);
  return project;
}

/** `GET v1/projects/{project}`: Resource Manager v1's Project. */
export function getProjectV1(call: ApiCall): unknown {
  const p = authorizedProject(call, 'resourcemanager.projects.get');
  return {projectNumber: p.projectNumber, projectId: p.projectId, lifecycleState: p.lifecycleState, name: p.name, createTime: p.createTime};
}

/** `GET v3/projects/{project}`: Resource Manager v3's Project, named by number. */
export function getProjectV3(call: ApiCall): unknown {
  const p = authorizedProject(call, 'resourcemanager.projects.get');
  return {
    name: `projects/${p.projectNumber}`,
    projectId: p.projectId,
    state: p.lifecycleState,
    displayName: p.name,
    createTime: p.createTime,
    updateTime: p.createTime,
  };
}

/** `POST v1|v3/projects/{project}:getIamPolicy`: body `{options: {requestedPolicyVersion}}`. */
export function getProjectIamPolicy(call: ApiCall): unknown {
  const version = requestedVersion(call.body, call.query);
  return renderPolicy(authorizedProject(call, 'resourcemanager.projects.getIamPolicy').iamPolicy, version);
}

/** `POST v1|v3/projects/{project}:setIamPolicy`: body `{policy, updateMask?}`; answers the policy as stored. */
export async function setProjectIamPolicy(call: ApiCall): Promise<unknown> {
  const project = authorizedProject(call, 'resourcemanager.projects.setIamPolicy');
  project.iamPolicy = applySetIamPolicy(project.iamPolicy, call.body, {resource: 'project', accountExists: (email) => call.state.accountExists(email)});
  await call.state.save();
  return renderPolicy(project.iamPolicy, 3);
}

/** `POST v1|v3/projects/{project}:testIamPermissions`: the subset of `permissions` the caller holds; no permission needed. */
export function testProjectIamPermissions(call: ApiCall): unknown {
  const permissions = readPermissions(call.body);
  const {project} = projectAt(call, 'resourcemanager.projects.get');
  const held = permissions.filter((p) => call.holds(p, [project.iamPolicy]));
  return held.length > 0 ? {permissions: held} : {};
}
