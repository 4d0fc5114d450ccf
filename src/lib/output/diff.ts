/**
 * A unified diff of two texts, line by line, for showing what a command will write before it writes it.
 * Common leading and trailing lines are set aside first, so the quadratic LCS only runs over the changed
 * middle (a few lines of a config file).
 */

type Op = {kind: ' ' | '-' | '+'; line: string};

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffOps(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  // lcs[i][j]: length of the longest common subsequence of midA[i..] and midB[j..].
  const lcs = Array.from({length: midA.length + 1}, () => new Array<number>(midB.length + 1).fill(0));
  for (let i = midA.length - 1; i >= 0; i--) {
    for (let j = midB.length - 1; j >= 0; j--) {
      lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({kind: ' ', line}));
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      ops.push({kind: ' ', line: midA[i]!});
      i++;
      j++;
    } else if (j < midB.length && (i === midA.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({kind: '+', line: midB[j++]!});
    } else {
      ops.push({kind: '-', line: midA[i++]!});
    }
  }
  // Within a run of changes, show removals before additions, as diff(1) does.
  for (let k = 0; k < ops.length; ) {
    if (ops[k]!.kind === ' ') {
      k++;
      continue;
    }
    let end = k;
    while (end < ops.length && ops[end]!.kind !== ' ') end++;
    const run = ops.slice(k, end);
    ops.splice(k, run.length, ...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
    k = end;
  }
  return [...ops, ...a.slice(endA).map((line) => ({kind: ' ' as const, line}))];
}

/**
 * The unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around each change) turning `before`
 * into `after`, or '' when they have the same lines.
 */
export function unifiedDiff(before: string, after: string, labels: {before: string; after: string}, context = 3): string {
  const ops = diffOps(splitLines(before), splitLines(after));
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return '';
  // Group changes whose context overlaps into hunks of op indexes [from, to).
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length, index + context + 1);
    const last = hunks.at(-1);
    if (last && from <= last[1]) last[1] = to;
    else hunks.push([from, to]);
  }
  let out = `--- ${labels.before}\n+++ ${labels.after}\n`;
  for (const [from, to] of hunks) {
    const before = ops.slice(0, from);
    const startA = before.filter((o) => o.kind !== '+').length;
    const startB = before.filter((o) => o.kind !== '-').length;
    const body = ops.slice(from, to);
    const lenA = body.filter((o) => o.kind !== '+').length;
    const lenB = body.filter((o) => o.kind !== '-').length;
    const range = (start: number, len: number) => `${len === 0 ? start : start + 1}${len === 1 ? '' : `,${len}`}`;
    out += `@@ -${range(startA, lenA)} +${range(startB, lenB)} @@\n`;
    out += body.map((o) => `${o.kind}${o.line}\n`).join('');
  }
  return out;
}
