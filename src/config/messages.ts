/** Edit distance (insert, delete, substitute, swap adjacent), small inputs only. */
const distance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
};

/** The candidate a typo most likely meant, if one is close enough to be worth suggesting. */
export const closest = (word: string, candidates: Iterable<string>): string | undefined => {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const dist = distance(word.toLowerCase(), candidate.toLowerCase());
    if (dist < bestDistance) [best, bestDistance] = [candidate, dist];
  }
  return best;
};

/** ` (did you mean "x"?)`, or nothing. */
export const didYouMean = (
  word: string,
  candidates: Iterable<string>,
  quote = (s: string) => `"${s}"`,
): string => {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean ${quote(match)}?)`;
};

/** A value as a person reads it in an error message: `"abc"`, `the number 30`, `a list`. */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
};
