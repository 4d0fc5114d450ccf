import {UsageError} from '../errors.js';
import {findProperty, keyOf, PROPERTIES, type PropertyDef, SECTIONS} from './properties.js';
import type {Properties} from './resolver.js';

/** section → name → value; null marks an unset property (listed with --all). */
export type PropertyListing = Record<string, Record<string, string | null>>;

export interface ListPropertiesOptions {
  /** `section/name`, `section/` for a whole section, a bare core name, or undefined for all. */
  filter?: string;
  /** Include unset properties (and those at their default). */
  all: boolean;
}

function selected(filter: string | undefined): readonly PropertyDef[] {
  if (filter === undefined) return PROPERTIES;
  if (filter.endsWith('/') && !filter.slice(0, -1).includes('/')) {
    const section = filter.slice(0, -1);
    if (!SECTIONS.includes(section)) throw new UsageError(`Section [${section}] does not exist. Valid sections: ${SECTIONS.join(', ')}.`);
    return PROPERTIES.filter((p) => p.section === section);
  }
  return [findProperty(filter)];
}

/**
 * Every property's effective value, merged from flags, environment and the active configuration, by section (gcloud's
 * `AllValues`: `config list` and `config config-helper` show it). Without `all`, only properties set somewhere other
 * than their default.
 * @throws UsageError for an unknown section or property, or an invalid value (naming where it came from).
 */
export async function listProperties(options: ListPropertiesOptions, ctx: {props: Pick<Properties, 'describe'>}): Promise<PropertyListing> {
  const listing: PropertyListing = {};
  const defs = [...selected(options.filter)].sort((a, b) => a.section.localeCompare(b.section) || a.name.localeCompare(b.name));
  for (const def of defs) {
    const resolved = ctx.props.describe(keyOf(def));
    if (!options.all && (!resolved || resolved.source === 'default')) continue;
    (listing[def.section] ??= {})[def.name] = resolved?.value ?? null;
  }
  return listing;
}
