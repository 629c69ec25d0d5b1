import { emojify } from 'node-emoji';
import type { Html } from './html.ts';
import { escapeHtml, raw } from './html.ts';

/** Who and what `<@U…>` and `<#C…>` name: the workspace the page shows. */
export interface Names {
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
}

/** Slack escapes `&`, `<` and `>` in message text; these are the only entities it uses. */
const decodeSlack = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Slack text → HTML text: its entities decoded, then escaped for HTML. */
const textOf = (text: string): string => escapeHtml(decodeSlack(text));

/** `:white_check_mark:` → ✅ for the shortcodes the emoji data knows; others stay as typed. */
export const emojiText = (text: string): string => emojify(text);

const SAFE_URL = /^(https?:|mailto:)/i;

/** A Slack message permalink (`…slack.com/archives/C…/p1700000000000100?thread_ts=…`), as chat.getPermalink gives. */
const PERMALINK = /^https:\/\/[a-z0-9-]+\.slack\.com\/archives\/([A-Z0-9]+)\/p(\d{7,})(\d{6})(?:\?(.*))?$/;

/**
 * A link to a message of this workspace stays on the page: the script opens its thread and shows the
 * message (Slack's client does the same) rather than leaving for a workspace that does not exist.
 */
const permalink = (href: string, label: string): string | null => {
  const found = PERMALINK.exec(href);
  if (!found) return null;
  const [, channel = '', seconds = '', micros = '', query = ''] = found;
  const thread = new URLSearchParams(query).get('thread_ts');
  const data = [
    `data-permalink-channel="${escapeHtml(channel)}"`,
    `data-permalink-ts="${escapeHtml(`${seconds}.${micros}`)}"`,
    ...(thread && /^\d+\.\d+$/.test(thread) ? [`data-permalink-thread="${escapeHtml(thread)}"`] : []),
  ];
  return `<a href="${escapeHtml(href)}" ${data.join(' ')}>${label}</a>`;
};

const link = (url: string, label: string): string => {
  const href = decodeSlack(url);
  if (!SAFE_URL.test(href)) return label;
  return (
    permalink(href, label) ??
    `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`
  );
};

/** One `<…>` control sequence: a mention, a channel, a special mention, a date or a link. */
const angle = (inner: string, names: Names): string => {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : inner.slice(bar + 1);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = names.userName(id) ?? label ?? id;
    return `<span class="mention" data-user="${escapeHtml(id)}">@${textOf(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = names.channelName(id) ?? label ?? id;
    return `<span class="mention channel">#${textOf(name)}</span>`;
  }
  if (target.startsWith('!')) {
    const command = target.slice(1);
    if (command.startsWith('date^') || command.startsWith('subteam^'))
      return `<span class="mention">${textOf(label ?? command)}</span>`;
    return `<span class="mention">@${textOf(label ?? command)}</span>`;
  }
  return link(target, textOf(label ?? target));
};

/**
 * Emphasis as Slack applies it: the marker must open at a word boundary, hug non-space text and close
 * before a non-word character, so `snake_case_name` and `2*3*4` stay as they are.
 */
const emphasis = (text: string): string =>
  [
    ['*', 'b'],
    ['_', 'i'],
    ['~', 's'],
  ].reduce((out, [mark, tag]) => {
    const m = `\\${mark}`;
    const pattern = new RegExp(`(^|[^\\w${m}])${m}(?=\\S)([^${m}\\n]*?\\S)${m}(?![\\w${m}])`, 'g');
    return out.replace(pattern, `$1<${tag}>$2</${tag}>`);
  }, text);

// Placeholders for parts rendered ahead of emphasis, marked by a private-use character removed from the input.
const HOLE = '\uE000';
const HOLE_PATTERN = /\uE000(\d+)\uE000/g;

/** One line (or line run) of text outside code blocks. */
const inline = (text: string, names: Names): string => {
  const holes: string[] = [];
  const hold = (markup: string) => `${HOLE}${holes.push(markup) - 1}${HOLE}`;
  const held = text
    .replace(/`([^`\n]+)`/g, (_, code: string) => hold(`<code>${textOf(code)}</code>`))
    .replace(/<([^<>\n]+)>/g, (_, inner: string) => hold(angle(inner, names)));
  const formatted = emphasis(emojiText(textOf(held)));
  return formatted.replace(HOLE_PATTERN, (_, i: string) => holes[Number(i)] ?? '');
};

/** Lines outside code blocks: runs of `>` lines become quotes, the rest keep their breaks. */
const lines = (text: string, names: Names): string => {
  const out: string[] = [];
  let quote: string[] = [];
  let plain: string[] = [];
  const flushQuote = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  const flushPlain = () => {
    if (plain.length > 0) out.push(plain.join('<br>'));
    plain = [];
  };
  for (const line of text.split('\n')) {
    const quoted = /^(?:>|&gt;)\s?(.*)$/.exec(line);
    if (quoted) {
      flushPlain();
      quote.push(inline(quoted[1] ?? '', names));
    } else {
      flushQuote();
      plain.push(inline(line, names));
    }
  }
  flushQuote();
  flushPlain();
  return out
    .join('<br>')
    .replace(/<br><blockquote>/g, '<blockquote>')
    .replace(/<\/blockquote><br>/g, '</blockquote>');
};

/**
 * Slack mrkdwn → HTML: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes, line breaks,
 * <@U…> as the person's name, <#C…|name>, <!here>, <url|text> (http, https and mailto only), :emoji:.
 * The text is escaped as Slack escapes it (&amp; &lt; &gt;); anything else that looks like markup stays text.
 */
export const mrkdwnToHtml = (text: string, names: Names): Html => {
  const source = text.replace(/\uE000/g, '').replace(/\r\n?/g, '\n');
  const parts = source.split(/```/);
  // An odd count of fences leaves the last one open: Slack shows it as typed.
  const closed =
    parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts.at(-2)}\`\`\`${parts.at(-1)}`];
  const out = closed.map((part, i) =>
    i % 2 === 1 ? `<pre>${textOf(part.replace(/^\n/, ''))}</pre>` : lines(part, names),
  );
  return raw(out.join(''));
};

/** A plain_text object's text: escaped, with emoji shortcodes shown when `emoji` is not false. */
export const plainToHtml = (text: string, emoji = true): Html =>
  raw(escapeHtml(emoji ? emojiText(text) : text).replace(/\n/g, '<br>'));
