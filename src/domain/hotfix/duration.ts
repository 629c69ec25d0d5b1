/** Milliseconds, the unit every duration in the parsed config (and the domain) is expressed in. */
export type Milliseconds = number;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/**
 * `500ms`, `30s`, `10m`, `2h`, `1d`, or a combination from the largest unit down (`1h30m`, `1m30s`).
 * Also shipped in the JSON Schema, so editors flag `10x` before the CLI does.
 */
export const DURATION_PATTERN = /^(?=\d)(\d+d)?(\d+h)?(\d+m(?!s))?(\d+s)?(\d+ms)?$/;

export const DURATION_HINT = 'a duration such as 500ms, 30s, 10m, 2h, 1d or 1h30m';

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/**
 * Parses a duration to milliseconds. Zero is refused unless `allowZero` is set: almost every duration in
 * hotfix.yml (timeouts, periods, soaks) is meaningless at zero.
 */
export const parseDuration = (text: string, options: { allowZero?: boolean } = {}): Milliseconds => {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new DurationError(`expected ${DURATION_HINT}, got ${JSON.stringify(text)}`);
  // The pattern's groups follow UNIT_MS's order: d, h, m, s, ms.
  const sizes = Object.values(UNIT_MS);
  const total = match
    .slice(1)
    .reduce(
      (sum, part, i) => (part === undefined ? sum : sum + Number.parseInt(part, 10) * (sizes[i] ?? 0)),
      0,
    );
  if (total === 0 && !options.allowZero)
    throw new DurationError(`must be longer than 0, got ${JSON.stringify(text)}`);
  return total;
};

/** The shortest text `parseDuration` reads back as `ms`: 5400000 → `1h30m`. */
export const formatDuration = (ms: Milliseconds): string => {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
};
