import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import type {AppContext} from '../../lib/context.js';
import {findProperty, keyOf, PROPERTIES, type PropertyDef, SECTIONS} from '../../lib/config/properties.js';
import {UsageError} from '../../lib/errors.js';

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
 * Every property's effective value, merged from flags, environment and the active configuration, by section.
 * Without `all`, only properties set somewhere other than their default.
 * @throws UsageError for an unknown section or property, or an invalid value (naming where it came from).
 */
export async function listProperties(options: ListPropertiesOptions, ctx: AppContext): Promise<PropertyListing> {
  const listing: PropertyListing = {};
  const defs = [...selected(options.filter)].sort((a, b) => a.section.localeCompare(b.section) || a.name.localeCompare(b.name));
  for (const def of defs) {
    const resolved = ctx.props.describe(keyOf(def));
    if (!options.all && (!resolved || resolved.source === 'default')) continue;
    (listing[def.section] ??= {})[def.name] = resolved?.value ?? null;
  }
  return listing;
}

/** gcloud's `config` layout: `[section]` then `name = value`, `name (unset)` for unset ones. */
export function renderListing(listing: PropertyListing): string {
  return Object.entries(listing)
    .map(([section, props]) => `[${section}]\n${Object.entries(props).map(([name, v]) => (v === null ? `${name} (unset)\n` : `${name} = ${v}\n`)).join('')}`)
    .join('');
}

export const spec = defineCommand({
  summary: 'List the properties in effect.',
  description:
    'Values are merged from flags, GCAUTH_<SECTION>_<NAME> variables and the active configuration. ' +
    'Give SECTION/NAME for one property or SECTION/ for a section; --all also lists unset properties.',
  examples: [
    '<%= config.bin %> config list',
    '<%= config.bin %> config list --all',
    '<%= config.bin %> config list api_endpoint_overrides/',
    '<%= config.bin %> config list --format=json',
  ],
  args: {
    property: {description: 'SECTION/NAME of one property, or SECTION/ for a section.'},
  },
  flags: {
    all: {type: 'boolean', description: 'Also list unset properties and those at their default.'},
  },
  options: ({args, flags}): ListPropertiesOptions => ({filter: args.property, all: flags.all ?? false}),
  run: listProperties,
  human: renderListing,
  epilog: (_listing, _format, ctx) => `\nYour active configuration is: [${ctx.props.configuration}]\n`,
});

export default class List extends specCommand(spec) {}
