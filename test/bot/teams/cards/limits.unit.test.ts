import { describe, expect, it } from 'vitest';
import { CARD_BUDGET_BYTES, cardBytes } from '../../../../src/bot/teams/cards/adaptive.ts';
import { renderHotfixCard } from '../../../../src/bot/teams/cards/card.ts';
import { renderRecord, SHOW_RECORD } from '../../../../src/bot/teams/cards/record.ts';
import { buildRecord, renderRecordMarkdown } from '../../../../src/domain/hotfix/record.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { buildLargeHotfix, largePolicy } from '../../common/large-hotfix.ts';
import { readable } from './helpers.ts';
import { MAX_CARD_BYTES, validateCard } from './validate-card.ts';

const large = buildLargeHotfix();
const planning = large.snapshots.find((s) => s.label === 'approved and ready');
if (!planning) throw new Error('no planning snapshot');

/** Far past what a team would configure: what the card must still survive. */
const absurd = (state: HotfixState): HotfixState => {
  const item = (i: number) => ({
    label: `Item ${i}: ${'a very long checklist label that goes on '.repeat(8)}`,
    ticked:
      i % 2
        ? null
        : { by: state.requester, at: state.startedAt, automatic: false, evidence: 'x'.repeat(500) },
  });
  return {
    ...state,
    plan: {
      ...state.plan,
      summary: 'A summary that never ends. '.repeat(2000),
      services: Array.from({ length: 300 }, (_, i) => `service-${i}-${'x'.repeat(60)}`),
    },
    checklists: {
      code_readiness: Array.from({ length: 300 }, (_, i) => item(i)),
      environment_readiness: Array.from({ length: 300 }, (_, i) => item(i)),
    },
    issues: Array.from({ length: 500 }, (_, i) => ({
      id: i + 1,
      text: `Issue ${i} ${'y'.repeat(2000)}`,
      loggedBy: state.requester,
      loggedAt: state.startedAt,
    })),
  };
};

describe('Teams size limits', () => {
  it('keeps even an absurd hotfix card under 80 KB, valid, and says what it left out', () => {
    const { card } = renderHotfixCard(absurd(planning.state), {
      policy: largePolicy,
      timezone: 'UTC',
      now: planning.now,
    });
    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(validateCard(card)).toEqual([]);
    const text = readable(card);
    expect(text).toMatch(/more items? not shown to fit Teams' size limit/);
    expect(text).toMatch(/A summary that never ends\. .*…/);
    expect(text).toMatch(/\+\d+ more/);
    // Level 0 would show the last 10 open issues: the card fell back to a terser level to fit.
    const issuesShown = (text.match(/• #\d+ Issue \d+/g) ?? []).length;
    expect(issuesShown).toBeGreaterThan(0);
    expect(issuesShown).toBeLessThanOrEqual(5);
  });

  const record = buildRecord(large.history, { timezone: 'UTC', signoffRoles: largePolicy.signoffs });
  const markdown = renderRecordMarkdown(record);

  it('cuts the Markdown record visibly, saying how many lines are left out and where to get them', () => {
    expect(markdown.length).toBeGreaterThan(200_000);
    const { card } = renderRecord({ record, markdown, broken: null });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(validateCard(card)).toEqual([]);
    const text = readable(card);
    const left = Number(/✂️ (\d+) more lines of the record not shown/.exec(text)?.[1]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(markdown.split('\n').length);
    expect(text).toMatch(/hotfix record HF-1042 prints it whole/);
    // The summary comes first, whole; the source after it, as far as it fits.
    expect(text).toMatch(/^📄 Deployment record · HF-1042\n/);
    expect(text).toContain('Lessons learned');
    expect(text.split('\n').length).toBeGreaterThan(100);
  });

  it('gives the Markdown record only what the summary leaves: a summary at its longest still fits', () => {
    // Every field the summary shows at its cap, in characters that cost most once escaped.
    const loud = (n: number) => '*<'.repeat(n);
    const longest = {
      ...record,
      summary: loud(3000),
      issue: loud(300),
      plan: { ...record.plan, services: Array.from({ length: 100 }, () => loud(30)) },
      lessons: Array.from({ length: 30 }, (_, i) => ({ ...record.lessons[0]!, text: `${i} ${loud(300)}` })),
    };
    const summaryOnly = renderRecord({ record: longest, markdown: '', broken: loud(400) });
    expect(cardBytes(summaryOnly.card)).toBeGreaterThan(10_000);
    const { card } = renderRecord({ record: longest, markdown, broken: loud(400) });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(validateCard(card)).toEqual([]);
    const shorter = Number(/✂️ (\d+) more lines/.exec(readable(card))?.[1]);
    const usual = Number(
      /✂️ (\d+) more lines/.exec(readable(renderRecord({ record, markdown, broken: null }).card))?.[1],
    );
    expect(shorter).toBeGreaterThan(usual);
  });

  it('sends a small record whole, line for line as the file reads, behind one button under the summary', () => {
    const small =
      '# Deployment Documentation\n\n- **Issue:** INC-42\n| a | b |\n|---|---|\n  indented `code`\n';
    const { card } = renderRecord({ record, markdown: small, broken: null });
    expect(validateCard(card)).toEqual([]);
    expect(card.actions).toEqual([expect.objectContaining({ type: 'Action.ShowCard', title: SHOW_RECORD })]);
    const [show] = card.actions ?? [];
    const hidden = show?.type === 'Action.ShowCard' ? readable(show.card) : '';
    expect(hidden).not.toMatch(/not shown/);
    expect(hidden).toContain(
      [
        '# Deployment Documentation',
        '\u00a0',
        '- **Issue:** INC-42',
        '| a | b |',
        '|---|---|',
        '\u00a0\u00a0indented `code`',
      ].join('\n'),
    );
    // Hidden until asked for: the message itself is the summary.
    expect(readable({ ...card, actions: [] })).not.toContain('Deployment Documentation');
  });
});
