/**
 * Artifact Registry v1, the one method `gcauth doctor` asks: `repositories.testIamPermissions`. The emulator
 * holds no repositories, so every repository of an existing project answers, and what the caller holds there
 * is what the project's policy gives (repository policies are not modelled; the registry front, registry.ts,
 * reads the same project policy, so the two agree).
 */
import type {ApiCall} from './api.js';
import {ApiFailure} from './google-errors.js';
import {readPermissions} from './policy.js';

/** Google refuses to test a permission of another service on a repository, naming it. */
const repositoryPermission = (permission: string) => permission.startsWith('artifactregistry.');
export const AR_MESSAGES = {
  permissionNotValid: (permission: string) => `Permission ${permission} is not valid for this resource.`,
} as const;

/** `POST v1/projects/{project}/locations/{location}/repositories/{repository}:testIamPermissions`: the subset held. */
export function testRepositoryIamPermissions(call: ApiCall): unknown {
  const permissions = readPermissions(call.body);
  const foreign = permissions.find((p) => !repositoryPermission(p));
  if (foreign !== undefined) throw new ApiFailure(400, AR_MESSAGES.permissionNotValid(foreign));
  const {project: projectId, location, repository} = call.params;
  const resource = `projects/${projectId}/locations/${location}/repositories/${repository}`;
  const project = call.state.findProject(projectId ?? '');
  if (!project || project.lifecycleState !== 'ACTIVE') throw call.denied('artifactregistry.repositories.get', resource);
  const held = permissions.filter((p) => call.holds(p, [project.iamPolicy]));
  return held.length > 0 ? {permissions: held} : {};
}
