import type {AppContext} from '../context.js';
import {UsageError} from '../errors.js';

/**
 * The project a command works in: `--project`, else `core/project` (env, configuration).
 * @throws UsageError naming every way to set one (gcloud's wording).
 */
export function resolveProject(ctx: Pick<AppContext, 'props'>): string {
  const project = ctx.props.get('core/project');
  if (!project) {
    throw new UsageError(
      'The required property [project] is not currently set. Pass --project, run gcauth config set project PROJECT, or set GCAUTH_CORE_PROJECT.',
    );
  }
  return project;
}
