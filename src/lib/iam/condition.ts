/**
 * IAM conditions from the command line (`--condition`, `--condition-from-file`) and the checks made
 * on them before any request. What gcloud accepts parses the same here, except a comma inside an
 * expression's string literal (gcloud cuts there) and a repeated key (gcloud keeps the last; here it
 * is an error). The additions are a smarter comma split (see parseConditionFlag) and a light CEL
 * check that points at the character at fault.
 */
import {UsageError} from '../errors.js';
import {fsErrorReason} from '../fs/read-file.js';
import {splitArgList} from './arg-dict.js';
import {invalidValue, isBasicRole, quoteValue} from './validate.js';

/** A binding's condition (google.type.Expr). */
export type IamCondition = {expression: string; title: string; description?: string};

const KEYS = ['expression', 'title', 'description'] as const;
type Key = (typeof KEYS)[number];
const FLAG_FORM = 'expression=EXPRESSION,title=TITLE[,description=DESCRIPTION] or None';
const FILE_FORM = 'a YAML or JSON mapping with keys expression and title, and optionally description';
const DELIMITER_HINT = 'a value containing commas can also be written with another delimiter, e.g. ^:^expression=EXPRESSION:title=TITLE';
/** Google's limit on && and || in one condition expression (IAM quotas: logical operators per condition). */
const MAX_LOGICAL_OPERATORS = 12;

/** What a scan of a CEL expression found: its shape outside string literals, and the first structural error. */
interface CelScan {
  /** The expression with every string literal's contents blanked, so operators can be searched for by offset. */
  code: string;
  /** Brackets still open at the end, innermost last. */
  open: {char: string; offset: number}[];
  /** Offset of the opening quote of a string literal that is not closed. */
  openString?: number;
  /** The first problem: a string broken by a line end, or a bracket that closes nothing or the wrong thing. */
  error?: {offset: number; message: string};
}

const CLOSERS: Record<string, string> = {')': '(', ']': '[', '}': '{'};

/** Scans CEL's lexical structure: "…", '…', triple-quoted and raw (r"…") strings, and (), [], {} nesting. */
function scanCel(text: string): CelScan {
  const code = text.split('');
  const open: {char: string; offset: number}[] = [];
  let error: CelScan['error'];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const raw = /(^|[^\w.])(?:[bB]?[rR]|[rR][bB])$/.test(text.slice(Math.max(0, i - 3), i));
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      let closed = false;
      while (j < text.length) {
        if (!raw && text[j] === '\\') {
          j += 2;
          continue;
        }
        if (text.startsWith(quote, j)) {
          closed = true;
          break;
        }
        if (quote.length === 1 && (text[j] === '\n' || text[j] === '\r')) break;
        j++;
      }
      for (let k = i + quote.length; k < Math.min(j, text.length); k++) code[k] = '_';
      if (!closed) {
        if (j < text.length) {
          error ??= {offset: i, message: `the string opened at character ${i + 1} is broken by a line end (use triple quotes for several lines)`};
        } else {
          error ??= {offset: i, message: `the string opened at character ${i + 1} is not closed`};
          return {code: code.join(''), open, openString: i, error};
        }
      }
      i = j + quote.length;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') open.push({char: c, offset: i});
    const opener = CLOSERS[c];
    if (opener !== undefined) {
      const top = open.at(-1);
      if (top?.char === opener) open.pop();
      else if (!top) error ??= {offset: i, message: `[${c}] at character ${i + 1} closes nothing`};
      else error ??= {offset: i, message: `[${c}] at character ${i + 1} does not close [${top.char}] from character ${top.offset + 1}`};
    }
    i++;
  }
  return {code: code.join(''), open, error};
}

/** True while a CEL expression cut short here is inside a string literal or brackets: a delimiter there belongs to it. */
export function celIsOpen(text: string): boolean {
  const scan = scanCel(text);
  return scan.openString !== undefined || scan.open.length > 0;
}

function findDuplicateKey(items: {key: string}[]): string | undefined {
  const seen = new Set<string>();
  for (const {key} of items) {
    if (seen.has(key)) return `${key} is given twice`;
    seen.add(key);
  }
  return undefined;
}

/**
 * Parses `--condition`, gcloud's `KEY=VALUE,...` dict with keys expression, title (both required) and
 * description, or the literal `None` (exactly so, as gcloud) for an explicit "no condition" (→ null).
 * `^DELIM^KEY=VALUE DELIM KEY=VALUE` changes the delimiter (`gcloud topic escaping`).
 *
 * The split is smarter than gcloud's so that expressions rarely need another delimiter: a piece
 * between delimiters starts a new KEY=VALUE only if it begins with a key and a lone `=`; any other
 * piece belongs to the value before it, delimiter included. While an expression is inside a string
 * literal, nothing starts a new key; inside brackets only the known keys (and None) do. So
 * `expression=a in [1,2] && b == "x,y=z",title=t` parses as meant. Throws UsageError.
 */
export function parseConditionFlag(value: string, label = '--condition'): IamCondition | null {
  if (value === 'None') return null;
  const fail = (reason: string, suggestion?: string) => invalidValue(label, value, FLAG_FORM, {reason, suggestion});
  if (/^(none|null)$/i.test(value.trim())) throw fail('no condition is written None', 'None');

  const split = splitArgList(value);
  if (!split) throw fail('^^ gives an empty delimiter; write ^DELIM^ with DELIM one or more characters found in no value');
  const {delimiter, pieces} = split;

  const items: {key: string; value?: string}[] = [];
  for (const piece of pieces) {
    const current = items.at(-1);
    const scan = current?.key === 'expression' && current.value !== undefined ? scanCel(current.value) : undefined;
    const inString = scan?.openString !== undefined;
    const inBrackets = inString || (scan?.open.length ?? 0) > 0;
    let startsItem: boolean;
    if (!current || current.value === undefined) startsItem = true;
    else if (/^\s*(expression|title|description)=/.test(piece) || piece.trim() === 'None') startsItem = !inString;
    else if (/^\s*[A-Za-z_][\w-]*=(?!=)/.test(piece)) startsItem = !inBrackets;
    else startsItem = false;
    if (!startsItem) {
      current!.value += delimiter + piece;
      continue;
    }
    const eq = piece.indexOf('=');
    items.push(eq < 0 ? {key: piece.trim()} : {key: piece.slice(0, eq).trim(), value: piece.slice(eq + 1)});
  }

  for (const [index, item] of items.entries()) {
    if (item.key === 'None') {
      if (item.value !== undefined) throw fail('None takes no value');
      continue;
    }
    if (!(KEYS as readonly string[]).includes(item.key)) {
      if (index === 0 && !/^[A-Za-z_][\w-]*$/.test(item.key)) throw fail('it does not start with a key; write expression=EXPRESSION,title=TITLE');
      const lower = item.key.toLowerCase();
      const known = KEYS.find((k) => k === lower || (lower.length >= 4 && k.startsWith(lower)));
      if (known) throw fail(`unknown key [${item.key}]; the keys are written ${KEYS.join(', ')}`);
      if (lower === 'none') throw fail(`unknown key [${item.key}]; no condition is written None`);
      throw fail(`unknown key [${item.key}]; the keys are ${KEYS.join(', ')}${index > 0 ? ` (${DELIMITER_HINT})` : ''}`);
    }
    if (item.value === undefined) throw fail(`${item.key} has no value (${item.key}=...)`);
    if (item.value.trim() === '') throw fail(`${item.key} is empty`);
  }
  const twice = findDuplicateKey(items);
  if (twice) throw fail(twice);
  if (items.some((i) => i.key === 'None')) {
    if (items.length > 1) throw fail('None cannot be combined with other keys');
    return null;
  }
  const get = (key: Key) => items.find((i) => i.key === key)?.value;
  const expression = get('expression');
  const title = get('title');
  const missing = [expression === undefined && 'expression', title === undefined && 'title'].filter(Boolean).join(' and ');
  if (missing) {
    const openString = expression === undefined ? undefined : scanCel(expression).openString;
    const why =
      openString === undefined
        ? ''
        : ` (the expression's string at character ${openString + 1} is not closed, so the rest was read as part of it)`;
    throw fail(`${missing} ${missing.includes(' and ') ? 'are' : 'is'} missing${why}`);
  }
  const description = get('description');
  return {expression: expression!, title: title!, ...(description === undefined ? {} : {description})};
}

/**
 * Reads `--condition-from-file`: a YAML or JSON mapping with keys expression, title and optional
 * description (numbers and booleans are taken as their text). `readFile` does the reading, so the
 * caller decides what `-` means. Throws UsageError naming the file when it is missing, unreadable,
 * not YAML/JSON or not such a mapping.
 */
export async function readConditionFile(
  path: string,
  readFile: (path: string) => Promise<string | Buffer> | string | Buffer,
  label = '--condition-from-file',
): Promise<IamCondition> {
  const where = `${label} ${quoteValue(path)}`;
  let text: string;
  try {
    text = String(await readFile(path));
  } catch (error) {
    const reason = fsErrorReason(error);
    throw new UsageError(`Cannot read ${where}: ${reason}.`, {cause: error});
  }
  const fail = (reason: string) => new UsageError(`Invalid ${where}: ${reason}; expected ${FILE_FORM}.`);

  const {parse} = await import('yaml');
  let data: unknown;
  try {
    data = parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw fail(`it is not valid YAML or JSON (${(error as Error).message.split('\n')[0]!.replace(/:$/, '')})`);
  }
  if (data === null || data === undefined) throw fail('it is empty');
  if (typeof data !== 'object' || Array.isArray(data)) {
    if (data === 'None') throw fail('None is not a condition (for no condition, use --condition=None)');
    throw fail(`it holds ${Array.isArray(data) ? 'a list' : `the ${typeof data} ${quoteValue(String(data))}`}`);
  }
  const map = data as Record<string, unknown>;
  const nested = map['condition'];
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    throw fail('the keys sit under condition:; put expression, title and description at the top level');
  }
  const unknown = Object.keys(map).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) throw fail(`unknown key [${unknown}]; the keys are ${KEYS.join(', ')}`);

  const condition: Partial<Record<Key, string>> = {};
  for (const key of KEYS) {
    const v = map[key];
    if (v === undefined) continue;
    if (v === null || (typeof v === 'string' && v.trim() === '')) throw fail(`${key} is empty`);
    if (typeof v === 'object') throw fail(`${key} is not text`);
    condition[key] = String(v);
  }
  const missing = KEYS.slice(0, 2).filter((k) => condition[k] === undefined);
  if (missing.length > 0) throw fail(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  return {
    expression: condition.expression!,
    title: condition.title!,
    ...(condition.description === undefined ? {} : {description: condition.description}),
  };
}

/** The operator a CEL expression may not end with, if it ends with one. */
const TRAILING_OPERATOR = /(&&|\|\||==|!=|<=|>=|[<>+\-*/%!?:.,]|(?<![\w.])in)\s*$/;
const LEADING_OPERATOR = /^\s*(&&|\|\||==|!=|<=|>=|[<>*/%?:,]|in(?!\w))/;

/**
 * Light CEL sanity before any request: a non-empty expression and title, closed string literals,
 * balanced (), [] and {}, && and || rather than &, |, and/or, == rather than =, no leading or
 * trailing operator, and at most 12 logical operators (Google's limit). Throws UsageError saying
 * what is wrong and at which character of the expression.
 */
export function checkConditionSyntax(condition: IamCondition, label = '--condition'): void {
  const fail = (reason: string) => new UsageError(`Invalid ${label}: ${reason}.`);
  const expression = condition.expression;
  if (expression.trim() === '') throw fail('the expression is empty');
  if (condition.title.trim() === '') throw fail('the title is empty');
  const near = (offset: number) => ` near ${quoteValue(expression.slice(Math.max(0, offset - 15), offset + 15))}`;
  const at = (offset: number, what: string) => fail(`in the expression, ${what}${near(offset)}`);

  const scan = scanCel(expression);
  if (scan.error) throw at(scan.error.offset, scan.error.message);
  const unclosed = scan.open.at(-1);
  if (unclosed) throw at(unclosed.offset, `[${unclosed.char}] at character ${unclosed.offset + 1} is not closed`);

  const {code} = scan;
  const checks: [RegExp, (found: string) => string][] = [
    [/(?<![=!<>])=(?!=)/, () => 'a single = (compare with ==)'],
    [/(?<!&)&(?!&)/, () => 'a single & (logical and is &&)'],
    [/(?<!\|)\|(?!\|)/, () => 'a single | (logical or is ||)'],
    [/(?<=\s)(and|or)(?=\s)/i, (w) => `[${w}] (logical ${w.toLowerCase()} is ${w.toLowerCase() === 'and' ? '&&' : '||'})`],
  ];
  for (const [pattern, describe] of checks) {
    const match = pattern.exec(code);
    if (match) throw at(match.index, `${describe(match[0])} at character ${match.index + 1}`);
  }
  const leading = LEADING_OPERATOR.exec(code);
  if (leading) throw at(leading.index + leading[0].length - leading[1]!.length, `it starts with the operator [${leading[1]}]`);
  const trailing = TRAILING_OPERATOR.exec(code);
  if (trailing) throw at(trailing.index, `it ends with the operator [${trailing[1]}] at character ${trailing.index + 1}`);
  const logical = code.match(/&&|\|\|/g)?.length ?? 0;
  if (logical > MAX_LOGICAL_OPERATORS) {
    throw fail(`the expression has ${logical} logical operators (&&, ||); IAM allows at most ${MAX_LOGICAL_OPERATORS}`);
  }
}

/**
 * Rejects a condition on a basic role, as gcloud and IAM do. A null/undefined condition (none, or
 * `--condition=None`) passes. Throws UsageError.
 */
export function checkBindingCondition(role: string, condition: IamCondition | null | undefined): void {
  if (condition && isBasicRole(role)) {
    throw new UsageError(
      'Binding with a condition and a basic role is not allowed. Basic roles are `roles/editor`, `roles/owner`, and `roles/viewer`.',
    );
  }
}
