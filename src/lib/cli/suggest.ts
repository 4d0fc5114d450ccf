/**
 * "Did you mean" for typed commands and flags: the closest candidate by Damerau-Levenshtein
 * distance (optimal string alignment, so `atuh` → `auth` is one edit), when it is close enough
 * to be a typo rather than another word.
 */

/** Edits (insert, delete, substitute, swap two neighbours) between a and b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to word, if within a third of its length (at least one edit, at most three); ties go to the first. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    // A prefix of a longer name (`--form` for `--format`) is a typo too, however short.
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * The command line a user most likely meant by the unknown command `words` (command ids in oclif's
 * `a:b:c` form, topics likewise): the known words kept, the first unknown one replaced by its closest
 * sibling and the rest kept when that makes a command. Returns the unknown word and the suggestion.
 */
export function suggestCommand(words: string[], commandIds: string[], topics: string[]): {unknown: string; suggestion?: string} {
  const known = new Set([...commandIds, ...topics]);
  let depth = 0;
  while (depth < words.length && known.has(words.slice(0, depth + 1).join(':'))) depth++;
  const unknown = words[depth] ?? words.at(-1) ?? '';
  const prefix = words.slice(0, depth);
  const siblings = [...known]
    .map((id) => id.split(':'))
    .filter((parts) => parts.length === depth + 1 && prefix.every((w, i) => parts[i] === w))
    .map((parts) => parts[depth]!);
  const match = closest(unknown, siblings);
  if (match === undefined) return {unknown};
  const whole = [...prefix, match, ...words.slice(depth + 1)];
  const line = commandIds.includes(whole.join(':')) ? whole : [...prefix, match];
  return {unknown, suggestion: line.join(' ')};
}

/**
 * gcloud's one-line message for the unknown command `words`: words after a whole command are
 * `unrecognized arguments`; otherwise `Invalid choice` with the likely command, or where to look.
 * `prefix` is put before a suggested line (`help ` for `gcauth help nope`).
 */
export function unknownCommandMessage(words: string[], commandIds: string[], topics: string[], bin: string, prefix = ''): string {
  for (let depth = words.length - 1; depth > 0; depth--) {
    if (commandIds.includes(words.slice(0, depth).join(':'))) return `unrecognized arguments: ${words.slice(depth).join(' ')}`;
  }
  const {unknown, suggestion} = suggestCommand(words, commandIds, topics);
  if (suggestion) return `Invalid choice: '${unknown}'. Maybe you meant: ${bin} ${prefix}${suggestion}`;
  const topic = words.slice(0, words.indexOf(unknown)).join(' ');
  return `Invalid choice: '${unknown}'. See: ${bin} help${topic ? ` ${topic}` : ''}`;
}
