import {UsageError} from '../errors.js';
import {sortedKeys} from './sorted-keys.js';

/** A parsed `--format` value. */
export type FormatSpec =
  | {kind: 'default' | 'json' | 'yaml' | 'none'}
  | {kind: 'value' | 'table'; fields: string[]};

const FORMS = 'json, yaml, none, value(FIELD,...), table or table(FIELD,...)';

/**
 * Parses `--format`.
 * @throws UsageError showing the accepted forms.
 */
export function parseFormat(text: string | undefined): FormatSpec {
  if (text === undefined || text === '') return {kind: 'default'};
  const simple = /^(json|yaml|none|table)$/.exec(text);
  if (simple) return simple[1] === 'table' ? {kind: 'table', fields: []} : {kind: simple[1] as 'json' | 'yaml' | 'none'};
  const projected = /^(value|table)\[?\(([^()]*)\)$/.exec(text.replace(/\[[^\]]*\]/, ''));
  if (projected) {
    const fields = projected[2]!.split(',').map((f) => f.trim()).filter(Boolean);
    if (fields.length > 0) return {kind: projected[1] as 'value' | 'table', fields};
  }
  throw new UsageError(`Invalid --format [${text}]: expected ${FORMS}.`);
}

/** Reads a dotted field path (`a.b.c`) out of a value. */
export function pick(value: unknown, field: string): unknown {
  let current: unknown = value;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const cell = (v: unknown): string =>
  v === undefined || v === null ? '' : Array.isArray(v) ? v.map(cell).join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);

const rowsOf = (data: unknown): unknown[] => (Array.isArray(data) ? data : [data]);

/**
 * Renders a command's result for stdout. `human` renders the default format.
 * Every branch ends in a newline unless it renders nothing.
 */
export async function renderOutput(data: unknown, spec: FormatSpec, human: (data: unknown) => string): Promise<string> {
  switch (spec.kind) {
    case 'none':
      return '';
    case 'json':
      // gcloud's JSON printer sorts the keys at every level (json.dumps sort_keys=True).
      return `${JSON.stringify(sortedKeys(data), null, 2)}\n`;
    case 'yaml': {
      const {stringify} = await import('yaml');
      // As gcloud prints YAML (ruamel's safe dumper: keys sorted; PyYAML's rules): strings a YAML 1.1 reader would take for something else (timestamps,
      // numbers, yes/no/on/off) in single quotes, e.g. `validAfterTime: '2026-12-06T10:10:03Z'`, `uniqueId: '1057...'`.
      const yaml = (item: unknown) => stringify(sortedKeys(item), {lineWidth: 0, indentSeq: false, version: '1.1', singleQuote: true});
      // A list is printed as gcloud streams one: every record a document opened by `---`; one resource bare.
      return Array.isArray(data) ? data.map((item) => `---\n${yaml(item)}`).join('') : yaml(data);
    }
    case 'value':
      return rowsOf(data)
        .map((row) => `${spec.fields.map((f) => cell(pick(row, f))).join('\t')}\n`)
        .join('');
    case 'table':
      return renderTable(rowsOf(data), spec.fields);
    default:
      return human(data);
  }
}

/** How a command renders its result by default: a function, or `yaml` (gcloud's describe and policy commands). */
export type HumanRenderer<D> = ((data: D) => string) | 'yaml';

/** Renders a result in the user's --format, or by default with `human`. */
export function renderResult<D>(data: D, spec: FormatSpec, human: HumanRenderer<D>): Promise<string> {
  if (human === 'yaml') return renderOutput(data, spec.kind === 'default' ? {kind: 'yaml'} : spec, String);
  return renderOutput(data, spec, human as (d: unknown) => string);
}

/** gcloud's epilog of a list command: `Listed 0 items.` on stderr where its default table printed nothing. */
export const listedNothing = (rows: readonly unknown[], spec: FormatSpec): string => (rows.length === 0 && spec.kind === 'default' ? 'Listed 0 items.\n' : '');

/** Python's `str.center`, which gcloud's table titles use: an odd margin puts the extra space left when `width` is odd. */
function center(text: string, width: number): string {
  const margin = width - text.length;
  if (margin <= 0) return text;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return `${' '.repeat(left)}${text}${' '.repeat(margin - left)}`;
}

/**
 * A plain text table: upper-case headings, columns padded to the widest cell. A `title` is centred over the table on
 * a line of its own, as gcloud's `table[title=...]` prints it (its columns widen when the title is wider than them).
 */
export function renderTable(rows: unknown[], fields: string[], headings?: string[], title?: string): string {
  if (rows.length === 0) return '';
  const columns = fields.length > 0 ? fields : Object.keys((rows[0] ?? {}) as object);
  const header = headings ?? columns.map((c) => c.split('.').pop()!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
  const body = rows.map((row) => columns.map((c) => cell(pick(row, c))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  let titleLine = '';
  if (title !== undefined) {
    const total = widths.reduce((a, b) => a + b, 0);
    if (total < title.length) {
      const pad = Math.floor((title.length + widths.length - 1) / widths.length);
      widths.forEach((w, i) => (widths[i] = w + pad));
    }
    titleLine = `${center(title, widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1)).trimEnd()}\n`;
  }
  // gcloud's tables end each line at its last non-blank cell.
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  return titleLine + [line(header), ...body.map(line)].join('');
}
