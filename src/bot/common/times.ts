import { differenceInMilliseconds } from 'date-fns';
import { clockface, formatDuration } from '../../domain/hotfix/format.ts';

export interface Times {
  readonly timezone: string;
  readonly now: Date;
  /** `09:05` on the day of `now`, `2025-03-14 09:05` otherwise; `—` for no date. */
  readonly at: (iso: string | null | undefined) => string;
  /** `in 12m` / `3m ago`. */
  readonly rel: (iso: string | null | undefined) => string;
  /** How long from `iso` to now. */
  readonly since: (iso: string | null | undefined) => string;
  /** `09:05 (12m ago)`: the wall-clock time and how far it is from now; `—` for no date. */
  readonly when: (iso: string | null | undefined) => string;
}

/** Milliseconds from `to` to `from`; NaN when either is missing or not a date. */
const between = (from: string | Date | null | undefined, to: string | Date | null | undefined): number =>
  from && to ? differenceInMilliseconds(from, to) : Number.NaN;

/**
 * Wall-clock helpers in the config's time zone, relative to a `now` passed in (renderers read no clock).
 * "The day of `now`" is its calendar date on the zone's clock, compared as the clockface writes it: the same
 * answer as date-fns' `isSameDay(…, { in: tz(zone) })` (a test holds them together), without its cost of
 * two zoned `startOfDay`s per date on a card that may show dozens.
 */
export const times = (timezone: string, now: Date): Times => {
  const face = clockface(timezone);
  const today = face.minute(now.toISOString()).split(' ')[0];
  const at = (iso: string | null | undefined) => {
    const full = face.minute(iso);
    const [day, time] = full.split(' ');
    return day === today && time !== undefined ? time : full;
  };
  const rel = (iso: string | null | undefined) => {
    const ms = between(iso, now);
    if (Number.isNaN(ms)) return '—';
    return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
  };
  return {
    timezone,
    now,
    at,
    rel,
    since: (iso) => formatDuration(between(now, iso)),
    when: (iso) => {
      const shown = at(iso);
      return shown === '—' ? shown : `${shown} (${rel(iso)})`;
    },
  };
};
