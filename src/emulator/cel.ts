/**
 * Workload Identity Federation's attribute mappings and conditions: Common Expression Language evaluated by
 * `@bufbuild/cel` (with its strings extension), plus Google's `extract()` template function that the documented
 * default AWS mapping uses. The emulator writes no CEL of its own: parsing and evaluation are the library's.
 */
import {CelScalar, celMethod, isCelError, isCelList, parse, run, type CelInput, type CelValue} from '@bufbuild/cel';
import {strings} from '@bufbuild/cel/ext';

/**
 * Google's `STRING.extract(TEMPLATE)`: TEMPLATE has one `{name}` placeholder; the answer is the text of STRING that
 * the placeholder covers, between the first match of the text before it and the next match of the text after it, or
 * `''` when the template does not match (IAM's documented behaviour, e.g. `'assumed-role/{role_name}/'`).
 */
export function extractTemplate(value: string, template: string): string {
  const match = /\{[^{}]*\}/.exec(template);
  if (!match) return '';
  const before = template.slice(0, match.index);
  const after = template.slice(match.index + match[0].length);
  const start = value.indexOf(before);
  if (start < 0) return '';
  const from = start + before.length;
  if (after === '') return value.slice(from);
  const end = value.indexOf(after, from);
  return end < 0 ? '' : value.slice(from, end);
}

const FUNCS = [...strings, celMethod('extract', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (template) {
  return extractTemplate(this, template);
})];

/** Why `expression` is not CEL, or undefined when it parses. */
export function celSyntaxProblem(expression: string): string | undefined {
  try {
    parse(expression);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'syntax error';
  }
}

/** Evaluates `expression` over `bindings`: its value, or the evaluation error's message. Never throws. */
export function evaluate(expression: string, bindings: Record<string, unknown>): {ok: true; value: CelValue} | {ok: false; message: string} {
  try {
    const value = run(expression, bindings as Record<string, CelInput>, {funcs: FUNCS});
    return isCelError(value) ? {ok: false, message: value.message} : {ok: true, value};
  } catch (error) {
    return {ok: false, message: (error as Error).message};
  }
}

/** A CEL value as the strings an attribute holds: a string is one, a list of strings is many; anything else none. */
export function celStrings(value: CelValue): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (isCelList(value)) {
    const out: string[] = [];
    for (const item of value) {
      if (typeof item !== 'string') return undefined;
      out.push(item);
    }
    return out;
  }
  return undefined;
}

