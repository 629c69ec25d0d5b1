import { capitalize, clockface, formatDuration } from '../../../domain/hotfix/format.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { Severity } from '../../../domain/hotfix/plan.ts';
import type { Outcome, Phase, StepState } from '../../../domain/hotfix/state.ts';
import { visibleText } from '../../../domain/hotfix/visible-text.ts';
import { truncate } from '../../common/text.ts';

/** An invisible character that breaks a token apart without changing what a reader sees. */
const JOINER = '\u2060';

/**
 * ASCII punctuation Adaptive Card Markdown (a CommonMark subset) or Teams could read as structure: emphasis,
 * links and images, code, strikethrough, HTML and `<at>` mentions, entities (`&lt;at&gt;`), and the backslash
 * itself. CommonMark shows a backslash-escaped punctuation character as itself.
 */
const INLINE = /[\\*_[\]()`~<>&]/g;

/** What opens a block at a line's start: heading, quote, bullet, ordered item, setext underline. */
const LINE_START = /^(\s*)([#>+=-]|\d{1,9}(?=[.)]))/;

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

/** `1 step` / `3 steps`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  none: 'Not started',
  planned: 'Planning',
  deploy_requested: 'Deploy requested',
  deploying: 'Deploying',
  monitoring: 'Monitoring',
  verified: 'Verified',
  deploy_failed: 'Deploy failed',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
  rollback_failed: 'Rollback failed',
  cancelled: 'Cancelled',
  closed: 'Closed',
};

export const PHASE_EMOJI: Readonly<Record<Phase, string>> = {
  none: '⚪',
  planned: '📝',
  deploy_requested: '⏳',
  deploying: '🚀',
  monitoring: '👀',
  verified: '✅',
  deploy_failed: '❌',
  rolling_back: '⏪',
  rolled_back: '↩️',
  rollback_failed: '🆘',
  cancelled: '🚫',
  closed: '🏁',
};

export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🟢',
};

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  deployed: '✅ deployed',
  rolled_back: '↩️ rolled back',
  failed: '❌ failed',
};

export const STEP_EMOJI: Readonly<Record<StepState['status'], string>> = {
  pending: '◻️',
  running: '▶️',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
};

/** `Technical`, for a role in a button or a heading (escaped: roles come from the config). */
export const roleLabel = (role: string): string => userText(capitalize(role), 60, true);

/** A step as people read it: `execution · “Code deployment” (payments-api)`, escaped. */
export const stepLabel = (step: Pick<StepState, 'stage' | 'name' | 'service'>, max = 200): string =>
  `${step.stage} · “${userText(step.name, max, true)}” (${userText(step.service, 80, true)})`;
