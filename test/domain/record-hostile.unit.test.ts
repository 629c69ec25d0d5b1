import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { deployedHistory, rolledBackHistory } from './fixtures/record-histories.ts';

/** What people type to turn a record into a trap: links, images, HTML, terminal codes, reordered text. */
export const HOSTILE_MARKDOWN = [
  '[Open the runbook](javascript:alert(1))',
  '![](http://evil.example/pixel.png)',
  '[x]: javascript:alert(1)',
  '[ref][x]',
  '\\[escaped](javascript:alert(2))',
  '\\\\[two slashes](javascript:alert(3))',
  '<img src=x onerror=alert(1)>',
  '<!-- hide the rest',
  '<https://evil.example>',
  '<a href="https://evil.example">runbook</a>',
  '\u0000NUL',
  '\u001b[31mred\u001b[0m',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  'CR\roverwrite',
  '\u009bC1',
  '\u202Egnp.exe',
  '\u2066isolate\u2069',
  '\u200Fmark',
  '| pipe | cell |',
  '# heading',
  '```',
  '`tick`',
];

const hostile = fc
  .tuple(
    fc.constantFrom(...HOSTILE_MARKDOWN),
    fc.array(fc.oneof(fc.constantFrom(...HOSTILE_MARKDOWN), fc.string({ unit: 'binary', maxLength: 12 })), {
      maxLength: 4,
    }),
  )
  .map(([first, rest]) => [first, ...rest].join(''));

/** Keys whose string values are typed by people (or printed by steps) rather than made by the bot. */
const USER_TEXT = new Set([
  'issueId',
  'version',
  'previousVersion',
  'summary',
  'reason',
  'comment',
  'text',
  'note',
  'evidence',
  'output',
  'error',
  'detail',
  'durationEstimate',
  'name',
]);
const USER_LISTS = new Set(['code', 'database', 'config', 'systems', 'services', 'databases', 'external']);

/** The history with every piece of user text replaced by `text()` (lists of changes and dependencies too). */
const poisoned = (history: readonly HotfixEvent[], text: () => string): HotfixEvent[] => {
  const walk = (value: unknown, key = '', inPlan = false): unknown => {
    if (typeof value === 'string') return USER_TEXT.has(key) ? text() : value;
    if (Array.isArray(value))
      return inPlan && USER_LISTS.has(key) ? value.map(() => text()) : value.map((v) => walk(v, '', inPlan));
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, k, inPlan || k === 'plan')]),
      );
    return value;
  };
  return history.map((event) => walk(event) as HotfixEvent);
};

const CONTROL_OR_BIDI =
  // eslint-disable-next-line no-control-regex -- the characters a terminal would act on
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** The Markdown a renderer would act on: code fences and spans dropped (inert), escaped characters dropped. */
const liveMarkdown = (markdown: string): string =>
  markdown
    .split(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/m)
    .filter((_, i) => i % 2 === 0)
    .join('')
    .replace(/(`+)[^`]*?\1/g, '')
    .replace(/\\[\s\S]/g, '');

describe('the Markdown record with hostile user text', () => {
  it('keeps no live link, image or HTML from user text and no control or bidi character', () => {
    fc.assert(
      fc.property(fc.infiniteStream(hostile), fc.boolean(), (texts, rolledBack) => {
        const history = poisoned(rolledBack ? rolledBackHistory : deployedHistory, () => texts.next().value);
        const markdown = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
        expect(markdown).not.toMatch(CONTROL_OR_BIDI);
        const live = liveMarkdown(markdown);
        expect(live).not.toMatch(/\]\(|!\[|\]\s*:|\]\[/);
        expect(live.replace(/<br>/g, '')).not.toContain('<');
      }),
      { numRuns: 60 },
    );
  });

  it('shows what was typed, with the control and bidi characters as a visible placeholder', () => {
    const history = poisoned(deployedHistory, () => '[runbook](javascript:x) \u001b[31mred \u202Eevil');
    const markdown = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
    expect(markdown).toContain('\\[runbook\\](javascript:x) �\\[31mred �evil');
  });
});
