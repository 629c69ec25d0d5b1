import type { MrkdwnElement, PlainTextElement } from '@slack/types';
import type { Person } from '../../../domain/hotfix/people.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import { visibleText } from '../../../domain/hotfix/visible-text.ts';
import { truncate } from '../../common/text.ts';

export { truncate } from '../../common/text.ts';

/** `@channel`, `@here`, `@everyone` typed as words: Slack's automatic parsing may turn them into mentions. */
const SPECIAL_MENTION = /@(channel|here|everyone)\b/gi;

/** Control and bidi characters as `�`, `@channel`-style words broken by an invisible word joiner. */
const defused = (text: string): string => visibleText(text).replace(SPECIAL_MENTION, '@\u2060$1');

const escapeEntities = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Escapes the three characters Slack's mrkdwn treats as control (`<@U…>`, `<!channel>`, links), breaks
 * `@channel`-style words and shows control and bidi characters as `�`: the text reads as typed, inert.
 */
export const escapeMrkdwn = (text: string): string => escapeEntities(defused(text));

/**
 * User text for mrkdwn: escaped so it cannot mention `@channel` or fake a link, and cut to `max` characters
 * after escaping, never through an `&amp;` or through formatting the person typed (`code`, *bold*). Line
 * breaks are kept unless `oneLine`.
 */
export const userText = (text: string, max: number, oneLine = false): string => {
  const visible = visibleText(text);
  const source = defused(oneLine ? visible.replace(/\s*\n+\s*/g, ' ').trim() : visible.trim());
  return truncateMrkdwn(escapeEntities(source), max);
};

/**
 * A stretch of mrkdwn that means something only whole: a code block or span or emphasis (`closer` ends it),
 * or a link, mention or entity (no closer: it is kept whole or not at all).
 */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly closer: string | null;
}

const FENCE = /```[\s\S]*?```/g;

/**
 * Slack's pairs, approximately as it reads them: code blocks and code spans (nothing inside them formats),
 * `*bold*`, `_italic_`, `~strike~` (opened after a space or punctuation, closed before one), `<…>` links and
 * mentions, and `&…;` entities (also inside code).
 */
const PAIRS: readonly { readonly pattern: RegExp; readonly closer: (match: string) => string | null }[] = [
  { pattern: /`[^`\n]+`/g, closer: () => '`' },
  {
    pattern: /(?<=^|[\s([{"'“‘])([*_~])(?=\S)[^\n]*?(?<=\S)\1(?=$|[\s.,;:!?)\]}"'”’])/gm,
    closer: (match) => match.charAt(0),
  },
  { pattern: /<[^<>\n]*>/g, closer: () => null },
];
const ENTITY = /&(?:[a-z]+|#\d+);/g;

const spansOf = (text: string): Span[] => {
  const fences = [...text.matchAll(FENCE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    closer: '```',
  }));
  const inFence = (i: number) => fences.some((f) => f.start <= i && i < f.end);
  return [
    ...fences,
    ...PAIRS.flatMap(({ pattern, closer }) =>
      [...text.matchAll(pattern)]
        .filter((m) => !inFence(m.index))
        .map((m) => ({ start: m.index, end: m.index + m[0].length, closer: closer(m[0]) })),
    ),
    ...[...text.matchAll(ENTITY)].map((m) => ({ start: m.index, end: m.index + m[0].length, closer: null })),
  ];
};

/** Backs a cut off a surrogate pair's second half. */
const whole = (text: string, at: number): number => {
  const c = text.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff ? at - 1 : at;
};

/**
 * Cuts composed mrkdwn to at most `n` characters with a visible `…`, never through a pair: a code block,
 * code span or emphasis the cut falls in is closed after the `…` (so no stray backtick or asterisk shows),
 * and a link, mention or entity is dropped whole rather than cut in half.
 */
export const truncateMrkdwn = (text: string, n: number): string => {
  if (text.length <= n) return text;
  if (n <= 0) return '';
  const spans = spansOf(text);
  let keep = whole(text, n - 1);
  // Each pass moves the cut back, so this ends (at the latest with nothing kept and nothing open).
  for (;;) {
    const cutAt = keep;
    const across = spans.filter((s) => s.start < cutAt && cutAt < s.end).sort((a, b) => a.start - b.start);
    const unbreakable = across.find((s) => s.closer === null);
    const empty = across.find((s) => s.closer !== null && cutAt <= s.start + s.closer.length);
    const closers = across
      .map((s) => s.closer ?? '')
      .reverse()
      .join('');
    const room = whole(text, Math.max(0, n - 1 - closers.length));
    if (unbreakable !== undefined) keep = unbreakable.start;
    else if (empty !== undefined) keep = empty.start;
    else if (keep > room) keep = room;
    else return `${text.slice(0, keep).trimEnd()}…${closers}`;
  }
};

/** Slack requires text objects to hold at least one character. */
const nonEmpty = (text: string): string => (text.trim() === '' ? '—' : text);

/** Plain text is shown as typed (no mentions, no links); control and bidi characters still become `�`. */
export const plain = (text: string, max: number): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(nonEmpty(visibleText(text)), max),
  emoji: true,
});

export const md = (text: string, max = 3000): MrkdwnElement => ({
  type: 'mrkdwn',
  text: truncateMrkdwn(nonEmpty(text), max),
});

/** A person in mrkdwn: a live mention on Slack (Slack renders their current name), their name otherwise. */
export const mention = (p: Person): string =>
  p.platform === 'slack' && /^[UW][A-Z0-9]+$/.test(p.id) ? `<@${p.id}>` : escapeMrkdwn(displayName(p));

/**
 * A mrkdwn link to one of the platform's own pages (a permalink); `label` is ours, not user text. A URL that
 * could break out of the link's markup (or is not https) leaves the label alone.
 */
export const link = (url: string, label: string): string =>
  /^https:\/\/[^\s|<>]+$/.test(url) ? `<${url}|${label}>` : label;

/** A person in plain text (option descriptions, buttons): their name when known, else their id. */
export const nameOf = (p: Person): string => displayName(p);

/** User text as inline code: a backtick in it would close the span early, so it shows as `ˋ`. */
export const codeSpan = (text: string, max: number): string =>
  `\`${userText(text.replace(/`/g, 'ˋ'), max, true) || ' '}\``;

/** A Slack code block whose content cannot close it early. */
export const codeBlock = (text: string, max: number): string =>
  `\`\`\`${userText(text.replace(/```/g, '`\u200b``'), Math.max(1, max - 6)) || ' '}\`\`\``;
