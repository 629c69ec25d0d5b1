import { describe, expect, it } from 'vitest';
import { cardBytes } from '../../../../src/bot/teams/cards/adaptive.ts';
import { renderHotfixCard } from '../../../../src/bot/teams/cards/card.ts';
import { renderRecordDocument } from '../../../../src/bot/teams/cards/record.ts';
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

  it('cuts the Markdown record visibly, saying how many lines are left out and where to get them', () => {
    const record = buildRecord(large.history, { timezone: 'UTC', signoffRoles: largePolicy.signoffs });
    const markdown = renderRecordMarkdown(record);
    expect(markdown.length).toBeGreaterThan(200_000);
    const { card, summary } = renderRecordDocument('HF-1042', markdown);
    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(validateCard(card)).toEqual([]);
    const text = readable(card);
    const left = Number(/✂️ (\d+) more lines of the record not shown/.exec(text)?.[1]);
    const shownLines = text.split('\n').length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(markdown.split('\n').length);
    expect(text).toMatch(/hotfix record HF-1042 prints it whole/);
    expect(summary).toMatch(/cut to fit/);
    expect(shownLines).toBeGreaterThan(10);
  });

  it('sends a small record whole, line for line as the file reads', () => {
    const markdown =
      '# Deployment Documentation\n\n- **Issue:** INC-42\n| a | b |\n|---|---|\n  indented `code`\n';
    const { card } = renderRecordDocument('HF-1', markdown);
    expect(validateCard(card)).toEqual([]);
    const text = readable(card);
    expect(text).not.toMatch(/not shown/);
    expect(text).toContain(
      [
        '# Deployment Documentation',
        '\u00a0',
        '- **Issue:** INC-42',
        '| a | b |',
        '|---|---|',
        '\u00a0\u00a0indented `code`',
      ].join('\n'),
    );
  });
});
