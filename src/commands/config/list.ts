import {specCommand} from '../../lib/cli/base-command.js';
import {defineCommand} from '../../lib/cli/command-spec.js';
import {listProperties, type ListPropertiesOptions, type PropertyListing} from '../../lib/config/listing.js';

/** gcloud's `config` layout: `[section]` then `name = value`, `name (unset)` for unset ones. */
export function renderListing(listing: PropertyListing): string {
  return Object.entries(listing)
    .map(([section, props]) => `[${section}]\n${Object.entries(props).map(([name, v]) => (v === null ? `${name} (unset)\n` : `${name} = ${v}\n`)).join('')}`)
    .join('');
}

export const spec = defineCommand({
  summary: 'List the properties in effect.',
  description:
    'Values are merged from flags, GCAUTH_<SECTION>_<NAME> then CLOUDSDK_<SECTION>_<NAME> variables and the active configuration. ' +
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
