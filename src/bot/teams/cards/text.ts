import { capitalize } from '../../../domain/hotfix/format.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { StepState } from '../../../domain/hotfix/state.ts';
import { visibleText } from '../../../domain/hotfix/visible-text.ts';
import type { Inline } from '../../common/text.ts';
import { truncate } from '../../common/text.ts';

/** An invisible character that breaks a token apart without changing what a reader sees. */
const JOINER = '\u2060';

/**
 * ASCII punctuation Adaptive Card Markdown (a CommonMark subset) or Teams could read as structure: emphasis,
 * links and images (their brackets: a parenthesis alone links nothing), code, strikethrough, HTML and `<at>`
 * mentions, entities (`&lt;at&gt;`), and the backslash itself. CommonMark shows a backslash-escaped
 * punctuation character as itself; some Teams clients show the backslash, so nothing else is escaped.
 */
const INLINE = /[\\*_[\]`~<>&]/g;

/**
 * What opens a block at a line's start, as CommonMark reads it: a heading (`#` then a space), a quote, a
 * bullet or an ordered item (`-`, `+`, `1.` or `1)` then a space or the end), a setext underline (a line of
 * `=` or `-`), a thematic break (`- - -`). A version such as `2.4.1` opens nothing and is left as typed.
 */
const LINE_START =
  /^(\s*)(#{1,6}(?=\s|$)|>|[+-](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[=-](?=[=-]*\s*$)|-(?=(?:\s*-){2,}\s*$))/;

const escapeLine = (line: string): string =>
  line
    .replace(INLINE, (c) => `\\${c}`)
    // An escaped `\<at>` is text to CommonMark, but Teams may look for mention tags before Markdown runs.
    .replace(/\\<(?=\/?[a-z])/gi, `\\<${JOINER}`)
    // No bare link from user text: linkifiers need `scheme://` or `www.` unbroken.
    .replace(/:\/\//g, `:${JOINER}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${JOINER}.`)
    // TextBlock evaluates `{{DATE(…)}}` and `{{TIME(…)}}` before Markdown.
    .replace(/\{\{/g, `{${JOINER}{`)
    // An ordered item's digits stay; the escape goes before the `.` or `)` that follows them.
    .replace(LINE_START, (_m, space: string, mark: string) =>
      /^\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
    );

/**
 * Escapes text for an Adaptive Card TextBlock, whose text is Markdown: every character that could start
 * emphasis, a link, code, HTML, an entity or a mention is backslash-escaped, bare links and `{{DATE()}}`
 * functions are broken by an invisible word joiner, and a line cannot open a heading, quote or list. Control
 * and bidi characters show as `�`. The text reads as typed and does nothing.
 */
export const escapeCardMarkdown = (text: string): string =>
  visibleText(text)
    .split('\n')
    .map((line) => escapeLine(line).replace(/^(\s+)/, (s) => '\u00a0'.repeat(s.length)))
    .join('\n');

/**
 * A Markdown link to one of Teams' own pages (a message's deep link); `label` is ours, not user text. A URL
 * that could break out of the link's markup (or is not https) leaves the label alone.
 */
export const link = (url: string, label: string): string =>
  /^https:\/\/[^\s()<>[\]]+$/.test(url) ? `[${label}](${url})` : label;

/** Lines of a TextBlock: CommonMark folds a single newline into a space, so lines are separate paragraphs. */
export const lines = (...items: readonly (string | null | undefined | false)[]): string =>
  items.filter((l): l is string => typeof l === 'string' && l !== '').join('\n\n');

/**
 * User text for a TextBlock: cut to `max` characters of what was typed (with a visible `…`), then escaped.
 * Line breaks are kept (as Markdown paragraphs) unless `oneLine`.
 */
export const userText = (text: string, max: number, oneLine = false): string => {
  const visible = visibleText(text);
  const source = oneLine ? visible.replace(/\s*\n+\s*/g, ' ').trim() : visible.trim();
  const cut = truncate(source, max);
  return oneLine ? escapeCardMarkdown(cut) : lines(...cut.split(/\n+/).map(escapeCardMarkdown));
};

/** Text for a field Teams shows as typed (action titles, input labels, choices): visible characters, cut. */
export const plainText = (text: string, max: number): string => {
  const visible = truncate(
    visibleText(text)
      .replace(/\s*\n+\s*/g, ' ')
      .trim(),
    max,
  );
  return visible === '' ? '—' : visible;
};

/** Bold, for the card's own labels (the label must already be escaped when it holds user or config text). */
export const bold = (markdown: string): string => `**${markdown}**`;

/** A person as a card shows them: their name (escaped), never a mention. */
export const personName = (p: Person, max = 60): string => userText(displayName(p), max, true);

/** `Technical`, for a role in a button or a heading (escaped: roles come from the config). */
export const roleLabel = (role: string): string => userText(capitalize(role), 60, true);

/** Shared sentences in card Markdown: people by name (never a mention), labels in bold. */
export const CARD_INLINE: Inline = {
  text: (text, max) => userText(text, max, true),
  person: (p) => personName(p),
  strong: bold,
  role: roleLabel,
};

/** A step as people read it: `execution · “Code deployment” (payments-api)`, escaped. */
export const stepLabel = (step: Pick<StepState, 'stage' | 'name' | 'service'>, max = 200): string =>
  `${step.stage} · “${userText(step.name, max, true)}” (${userText(step.service, 80, true)})`;
