import type {Hono} from 'hono';
import {jsonBody} from './admin.js';
import {apiError} from './google-errors.js';
import {KNOWN_CONSTRAINTS} from './orgpolicy.js';
import {SERVICE_TITLES} from './serviceusage.js';
import type {EmulatorState} from './state.js';

/** A refusal of an admin body, answered 400. */
class AdminInputError extends Error {}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminInputError('expected a JSON object');
  return body as Record<string, unknown>;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new AdminInputError(`${name} must be a list of strings`);
  return value;
}

function knownServices(services: string[]): string[] {
  const unknown = services.filter((s) => !Object.hasOwn(SERVICE_TITLES, s));
  if (unknown.length > 0) throw new AdminInputError(`unknown service(s): ${unknown.join(', ')}; known: ${Object.keys(SERVICE_TITLES).join(', ')}`);
  return services;
}

/**
 * Test control of projects: `POST /__admin/projects {projectId, services?}` makes a project (with `services` enabled,
 * none when given `[]`, the default set when absent); `POST /__admin/services {project, services, enabled}` sets
 * services without the API; `POST /__admin/org-policy {project, constraint, enforced}` enforces or lifts
 * `iam.disableServiceAccountKeyCreation` or `iam.disableServiceAccountKeyUpload`. Each answers the project's view.
 */
export function registerProjectAdminRoutes(app: Hono, state: EmulatorState): void {
  const view = (project: string) => state.publicView().projects[state.findProject(project)?.projectId ?? ''];
  const route = (path: string, apply: (body: Record<string, unknown>) => string) =>
    app.post(path, async (c) => {
      let project: string;
      try {
        project = apply(objectBody(await jsonBody(await c.req.text())));
      } catch (error) {
        if (error instanceof AdminInputError || error instanceof SyntaxError) return c.json(apiError(400, error.message), 400);
        throw error;
      }
      await state.save();
      return c.json(view(project));
    });
  const existing = (value: unknown): string => {
    if (typeof value !== 'string' || !state.findProject(value)) throw new AdminInputError(`no project ${String(value)}`);
    return value;
  };

  route('/__admin/projects', (body) => {
    const id = body.projectId;
    if (typeof id !== 'string' || !/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(id)) throw new AdminInputError('projectId must be a project id (6-30 of [-a-z0-9], starting with a letter)');
    state.createProject(id, body.services === undefined ? undefined : knownServices(stringList(body.services, 'services')));
    return id;
  });
  route('/__admin/services', (body) => {
    const project = existing(body.project);
    if (typeof body.enabled !== 'boolean') throw new AdminInputError('enabled must be true or false');
    state.setServicesEnabled(project, knownServices(stringList(body.services, 'services')), body.enabled);
    return project;
  });
  route('/__admin/org-policy', (body) => {
    const project = existing(body.project);
    const constraint = String(body.constraint ?? '').replace(/^constraints\//, '');
    if (!KNOWN_CONSTRAINTS.has(constraint)) throw new AdminInputError(`constraint must be one of ${[...KNOWN_CONSTRAINTS].join(', ')}`);
    if (typeof body.enforced !== 'boolean') throw new AdminInputError('enforced must be true or false');
    state.setConstraintEnforced(project, constraint, body.enforced);
    return project;
  });
}
