import {findProperty, keyOf, type PropertyDef} from './properties.js';
import type {ResolvedProperty} from './resolver.js';

// gcloud names core properties without their section in messages.
const shortName = (def: PropertyDef) => (def.section === 'core' ? def.name : keyOf(def));
const FLAG_OF: Record<string, string> = {'core/disable_prompts': '--quiet'};

/** gcloud's warning when a flag or environment variable hides the value just written or unset. */
export function overrideWarning(override: ResolvedProperty): string {
  const def = findProperty(override.key);
  const where =
    override.source === 'env'
      ? `environment setting [${override.origin}=${override.value}]`
      : FLAG_OF[override.key]
        ? `flag [${FLAG_OF[override.key]}]`
        : `flag [--${def.name}=${override.value}]`;
  return `WARNING: Property [${shortName(def)}] is overridden by ${where}`;
}
