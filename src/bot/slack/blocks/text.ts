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
 * after escaping (without leaving half an `&amp;`). Line breaks are kept unless `oneLine`.
 */
export const userText = (text: string, max: number, oneLine = false): string => {
  const visible = visibleText(text);
  const source = defused(oneLine ? visible.replace(/\s*\n+\s*/g, ' ').trim() : visible.trim());
  const escaped = escapeEntities(source);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of source) {
    const piece = escapeEntities(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out.trimEnd()}…`;
};

/** Truncates composed mrkdwn, backing off so a `<@U…>` or `<url|label>` is never cut in half. */
export const truncateMrkdwn = (text: string, n: number): string => {
  if (text.length <= n) return text;
  let cut = truncate(text, n);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = `${cut.slice(0, open).trimEnd()}…`;
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && /^&[a-z]*…$/.test(cut.slice(amp))) cut = `${cut.slice(0, amp).trimEnd()}…`;
  return cut;
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

/** A person in plain text (option descriptions, buttons): their name when known, else their id. */
export const nameOf = (p: Person): string => displayName(p);

/** User text as inline code: a backtick in it would close the span early, so it shows as `ˋ`. */
export const codeSpan = (text: string, max: number): string =>
  `\`${userText(text.replace(/`/g, 'ˋ'), max, true) || ' '}\``;

/** A Slack code block whose content cannot close it early. */
export const codeBlock = (text: string, max: number): string =>
  `\`\`\`${userText(text.replace(/```/g, '`\u200b``'), Math.max(1, max - 6)) || ' '}\`\`\``;
