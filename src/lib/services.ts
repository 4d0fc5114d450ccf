/**
 * The cores of `gcauth services enable | disable | list` over Service Usage v1: gcloud's flags, output and
 * status lines (its `services` commands of release 528, read and run against the emulator).
 */
import type {Operation, Service} from './api/service-usage.js';
import {resolveProject} from './config/project.js';
import type {AppContext} from './context.js';
import {UsageError} from './errors.js';
import {invalidValue, validateProjectId} from './iam/validate.js';
import {renderTable} from './output/format.js';

/** A service name as Google writes one: lower-case DNS labels, e.g. `artifactregistry.googleapis.com`. */
const SERVICE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * The project and the checked service names of a command line. @throws UsageError for no service, a malformed name
 * or no valid project (nothing is sent).
 */
function target(services: readonly string[], ctx: Pick<AppContext, 'props'>): {project: string; services: string[]} {
  const project = validateProjectId(resolveProject(ctx), 'project');
  if (services.length === 0) throw new UsageError('Must specify at least one service, e.g. artifactregistry.googleapis.com.');
  for (const service of services) {
    if (!SERVICE_NAME.test(service)) throw invalidValue('service name', service, 'a service name such as artifactregistry.googleapis.com');
  }
  return {project, services: [...new Set(services)]};
}

/** What gcloud says after an operation it did not wait for. */
const asyncNote = (operation: Operation, project: string) =>
  `Asynchronous operation is in progress... Use the following command to see when it is done:\n gcauth services list --enabled --project=${project}\n` +
  `(operation ${operation.name})\n`;

/** Waits for (or, with `async`, reports) each operation as gcloud does: nothing for one already done. */
async function finish(operations: Operation[], project: string, async: boolean, ctx: AppContext): Promise<void> {
  const api = await ctx.api.serviceUsage();
  for (const operation of operations) {
    if (operation.done) continue;
    if (async) {
      ctx.io.stderr.write(asyncNote(operation, project));
      continue;
    }
    const done = await api.wait(project, operation);
    ctx.io.stderr.write(`Operation "${done.name}" finished successfully.\n`);
  }
}

export interface ServicesListOptions {
  /** `--available`: every service the project may enable, enabled or not; else only the enabled ones (the default). */
  available: boolean;
}

/**
 * The project's enabled (or, with `available`, enableable) services, sorted by name.
 * @throws UsageError without a valid project; the API's typed errors.
 */
export async function listServices(options: ServicesListOptions, ctx: AppContext): Promise<Service[]> {
  const project = validateProjectId(resolveProject(ctx), 'project');
  const services = await (await ctx.api.serviceUsage()).listServices(project, !options.available);
  return services.sort((a, b) => (a.config?.name ?? '').localeCompare(b.config?.name ?? ''));
}

/** gcloud's table: NAME, TITLE. */
export const renderServices = (services: Service[]): string =>
  renderTable(
    services.map((s) => ({name: s.config?.name ?? s.name, title: s.config?.title ?? ''})),
    ['name', 'title'],
    ['NAME', 'TITLE'],
  );

export interface ServicesChangeOptions {
  services: string[];
  async: boolean;
}

/**
 * Enables services on the project: one call for one, `batchEnable` for several; waits for the operation unless
 * `async`. @throws UsageError for bad input (nothing sent); the API's typed errors (an unknown name: PERMISSION_DENIED).
 */
export async function enableServices(options: ServicesChangeOptions, ctx: AppContext): Promise<void> {
  const {project, services} = target(options.services, ctx);
  const operations = await (await ctx.api.serviceUsage()).enable(project, services);
  await finish(operations, project, options.async, ctx);
}

/**
 * Disables services on the project, one call each, in order; `force` also disables dependants and skips the usage
 * check. @throws UsageError for bad input (nothing sent); the API's typed errors.
 */
export async function disableServices(options: ServicesChangeOptions & {force: boolean}, ctx: AppContext): Promise<void> {
  const {project, services} = target(options.services, ctx);
  const api = await ctx.api.serviceUsage();
  for (const service of services) {
    const operation = await api.disable(project, service, options.force);
    await finish([operation], project, options.async, ctx);
  }
}
