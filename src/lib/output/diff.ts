/**
 * A unified diff of two texts, line by line, for showing what a command will write before it writes it. The diff
 * is jsdiff's (the `diff` package, Myers' O(ND) algorithm), loaded only when a diff is asked for. What it is given
 * is bounded, in lines and in changed lines, so a huge or wholly rewritten file costs a few hundred milliseconds at
 * most; beyond the bounds there is no line diff, and the caller summarises the change instead.
 */

/** Lines of both texts together beyond which no line diff is computed. */
export const DIFF_MAX_LINES = 50_000;
/** Changed lines (removed plus added) beyond which the diff is abandoned: past this, nobody reads it either. */
export const DIFF_MAX_CHANGED_LINES = 1_000;

/** The text with `\n` line ends and a final newline, so line ends and a missing last newline never show as changes. */
function normalised(text: string): string {
  const lf = text.replace(/\r\n/g, '\n');
  return lf === '' || lf.endsWith('\n') ? lf : `${lf}\n`;
}

function lineCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * A hunk's range as diff(1) writes it from jsdiff's 1-based start: `start,length`, the length left out when it is 1,
 * and an empty range named by the line before it (`0,0` at the top).
 */
const range = (start: number, length: number) => (length === 1 ? `${start}` : `${length === 0 ? start - 1 : start},${length}`);

/**
 * The unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around each change, removals before
 * additions) turning `before` into `after`; '' when they have the same lines; undefined when the texts are too
 * large (over DIFF_MAX_LINES lines together) or too different (over DIFF_MAX_CHANGED_LINES changed lines) to show.
 */
export async function unifiedDiff(before: string, after: string, labels: {before: string; after: string}, context = 3): Promise<string | undefined> {
  const a = normalised(before);
  const b = normalised(after);
  if (a === b) return '';
  if (lineCount(a) + lineCount(b) > DIFF_MAX_LINES) return undefined;
  const {structuredPatch} = await import('diff');
  const patch = structuredPatch(labels.before, labels.after, a, b, undefined, undefined, {context, maxEditLength: DIFF_MAX_CHANGED_LINES});
  if (!patch) return undefined;
  if (patch.hunks.length === 0) return '';
  let out = `--- ${labels.before}\n+++ ${labels.after}\n`;
  for (const hunk of patch.hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n`;
    out += hunk.lines.map((line) => `${line}\n`).join('');
  }
  return out;
}
