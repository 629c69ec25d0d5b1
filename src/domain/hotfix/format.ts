/** Pure text helpers for records and cards: dates in a given time zone, durations, Markdown escaping. */

import { tz } from '@date-fns/tz';
import { format, millisecondsToHours, millisecondsToMinutes, millisecondsToSeconds } from 'date-fns';

export interface Clockface {
  readonly timezone: string;
  /** `2025-03-14 09:05`, or `—` when the input is not a date. */
  readonly minute: (iso: string | null | undefined) => string;
  /** `2025-03-14 09:05:42`, or `—` when the input is not a date. */
  readonly second: (iso: string | null | undefined) => string;
}

/** One per zone: it checks the zone once and keeps what it has already formatted. */
const clockfaces = new Map<string, Clockface>();

/**
 * Formats instants as wall-clock time in one IANA time zone (`UTC`, `Europe/Paris`).
 * Throws a RangeError naming the zone when Intl does not know it.
 */
export const clockface = (timezone: string): Clockface => {
  let face = clockfaces.get(timezone);
  if (face === undefined) {
    face = createClockface(timezone);
    clockfaces.set(timezone, face);
  }
  return face;
};

/**
 * How many formatted seconds a clockface keeps (a few hundred KiB at most). A card is redrawn on every click
 * with the same few dozen dates, and date-fns in a zone costs two to three times the one Intl call it
 * replaced: a redraw finds them here instead.
 */
const REMEMBERED = 2048;

const createClockface = (timezone: string): Clockface => {
  // @date-fns/tz reads any unknown zone as an invalid date (and a malformed one such as `Foo+05` as an
  // offset): Intl's own check keeps the error naming the zone, as the config check does.
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timezone)}`);
  }
  const zone = { in: tz(timezone) };
  const remembered = new Map<number, string>();
  /** `2025-03-14 09:05:42` in the zone, by whole second (the text never shows milliseconds). */
  const wall = (iso: string | null | undefined): string | null => {
    if (!iso) return null;
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return null;
    const second = Math.floor(ms / 1000);
    let text = remembered.get(second);
    if (text === undefined) {
      text = format(ms, 'yyyy-MM-dd HH:mm:ss', zone);
      if (remembered.size >= REMEMBERED) remembered.clear();
      remembered.set(second, text);
    }
    return text;
  };
  return {
    timezone,
    minute: (iso) => wall(iso)?.slice(0, -3) ?? '—',
    second: (iso) => wall(iso) ?? '—',
  };
};

/** `350ms`, `4.2s`, `42s`, `3m 05s`, `30m`, `1h 02m`; `—` for a missing or negative duration. */
export const formatDuration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const seconds = millisecondsToSeconds(ms);
  if (seconds < 60) return `${seconds}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = millisecondsToMinutes(ms);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${pad(seconds % 60)}s`;
  const hours = millisecondsToHours(ms);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${pad(minutes % 60)}m`;
};

/**
 * What would open a block if it began a line: a heading, quote, bullet, ordered item, rule or setext
 * underline (a task box's `[` is escaped with every bracket). A leading `2.14.1` is text: an ordered item
 * needs a space after `2.`.
 */
const BLOCK_START = /^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|[-*_=](?=[-*_=\s]*$))/;

/**
 * What mdText backslash-escapes (with any backslashes in front, doubled): a pipe or bracket; a `<` that could
 * open HTML, a comment or an autolink; an `&` that could start an entity. A lone `a < b` or `R&D` stays as typed.
 */
const ESCAPED_MARK = /(\\*)([|[\]]|<(?=[A-Za-z/!?])|&(?=#?\w+;))/g;

/**
 * Escapes user text for one line of Markdown, table cells and list items included: pipes and brackets (and
 * any backslashes in front of them) are escaped, so no `[x](javascript:…)` link or `![](http://…)` image
 * comes alive; `<` cannot open HTML (an unclosed `<!--` would hide the rest of the record), and reads `\<b>`
 * in the source like the other escapes, not half an entity (`&lt;b>`); line breaks become `<br>` so a
 * multi-line note stays inside its cell or item, and a leading block marker (`#`, `>`, `-`, `1.`…) cannot
 * turn a list item into a heading, quote or sub-list.
 */
export const mdText = (text: string): string =>
  text
    .trim()
    .replace(ESCAPED_MARK, (_m, slashes: string, mark: string) => `${slashes}${slashes}\\${mark}`)
    .replace(/\r\n?|\n/g, '<br>')
    .replace(BLOCK_START, (m) => (/^\d/.test(m) ? `${m.slice(0, -1)}\\${m.slice(-1)}` : `\\${m}`));

/** Inline code that survives backticks and table pipes in its content. */
export const mdCode = (text: string): string => {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  const body = text.replace(/\r\n?|\n/g, ' ').replace(/\|/g, '\\|');
  const pad = longest > 0 || body.startsWith(' ') || body.endsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
};

/** A fenced code block whose fence is longer than any backtick run inside it. */
export const mdFence = (text: string, info = 'text'): string[] => {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...text.split(/\r\n?|\n/), fence];
};

/** A GitHub-flavoured table; cells must already be Markdown (see mdText). */
export const mdTable = (headers: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  `| ${headers.join(' | ')} |`,
  `| ${headers.map(() => '---').join(' | ')} |`,
  ...rows.map((cells) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`),
];

/** Keeps the tail of a step's output (where errors usually are), saying how much was dropped. */
export const trimOutput = (output: string, maxLines = 15, maxChars = 1500): string => {
  const lines = output.replace(/\s+$/, '').split(/\r\n?|\n/);
  let kept = lines.slice(-maxLines);
  while (kept.length > 1 && kept.join('\n').length > maxChars) kept = kept.slice(1);
  let text = kept.join('\n');
  if (text.length > maxChars) text = `…${text.slice(-(maxChars - 1))}`;
  const dropped = lines.length - kept.length;
  return dropped > 0 ? `… ${dropped} earlier line${dropped === 1 ? '' : 's'} trimmed\n${text}` : text;
};

/** `failed_check` → `failed check`. */
export const humanize = (code: string): string => code.replace(/[_.]+/g, ' ');

/** `technical` → `Technical`, `release_manager` → `Release manager`. */
export const capitalize = (text: string): string => {
  const h = humanize(text);
  return h.charAt(0).toUpperCase() + h.slice(1);
};
