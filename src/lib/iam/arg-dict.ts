/**
 * gcloud's dict flags (calliope's ArgDict: `--condition`, `--credential-source-headers`, `--attribute-mapping`):
 * `KEY=VALUE` items split on commas, or on DELIM after a `^DELIM^` prefix (`gcloud topic escaping`), one trailing
 * delimiter ignored, each item split at its first `=`. The one home of that syntax.
 */
import {invalidValue} from './validate.js';

/** The items of a list flag and the delimiter they were split on, or undefined for the empty delimiter of `^^...`. */
export function splitArgList(value: string): {delimiter: string; pieces: string[]} | undefined {
  let delimiter = ',';
  let body = value;
  const close = value.startsWith('^') ? value.indexOf('^', 1) : -1;
  if (close === 1) return undefined;
  if (close > 1) {
    delimiter = value.slice(1, close);
    body = value.slice(close + 1);
  }
  const pieces = body === '' ? [] : (body.endsWith(delimiter) ? body.slice(0, -delimiter.length) : body).split(delimiter);
  return {delimiter, pieces};
}

export interface ArgDictOptions {
  /** The accepted form, for messages. */
  form: string;
  /** True when `piece` continues the value before it (delimiter included) rather than starting a new item. */
  continues?(previousValue: string, piece: string): boolean;
  /** gcloud keeps the last value of a repeated key (in the first one's place); `error` refuses it. */
  repeated?: 'last' | 'error';
}

/**
 * Parses a dict flag into its entries, in order.
 * @throws UsageError naming `label` for an empty delimiter, an item without `KEY=` or (with repeated: 'error') a key given twice.
 */
export function parseArgDict(value: string, label: string, options: ArgDictOptions): Map<string, string> {
  const fail = (reason: string) => invalidValue(label, value, options.form, {reason});
  const split = splitArgList(value);
  if (!split) throw fail('^^ gives an empty delimiter; write ^DELIM^ with DELIM one or more characters found in no value');
  const items: {key: string; value: string}[] = [];
  for (const piece of split.pieces) {
    const current = items.at(-1);
    if (current && options.continues?.(current.value, piece)) {
      current.value += split.delimiter + piece;
      continue;
    }
    const eq = piece.indexOf('=');
    if (eq <= 0) throw fail(`[${piece}] is not KEY=VALUE${split.delimiter === ',' ? ' (a value containing commas can be written with another delimiter, e.g. ^;^KEY=VALUE;KEY=VALUE)' : ''}`);
    items.push({key: piece.slice(0, eq), value: piece.slice(eq + 1)});
  }
  const entries = new Map<string, string>();
  for (const {key, value: v} of items) {
    if (entries.has(key) && options.repeated === 'error') throw fail(`${key} is given twice`);
    entries.set(key, v);
  }
  return entries;
}
