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
}

/** Wall-clock helpers in the config's time zone, relative to a `now` passed in (renderers read no clock). */
export const times = (timezone: string, now: Date): Times => {
  const face = clockface(timezone);
  const today = face.minute(now.toISOString()).slice(0, 10);
  return {
    timezone,
    now,
    at: (iso) => {
      const full = face.minute(iso);
      return full.startsWith(today) ? full.slice(11) : full;
    },
    rel: (iso) => {
      const ms = iso ? Date.parse(iso) - now.getTime() : Number.NaN;
      if (Number.isNaN(ms)) return '—';
      return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
    },
    since: (iso) => formatDuration(iso ? now.getTime() - Date.parse(iso) : Number.NaN),
  };
};
