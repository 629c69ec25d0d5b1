import { describe, expect, it } from 'vitest';
import { breachesNote } from '../../../src/bot/common/record.ts';
import { recordSummary } from '../../../src/bot/slack/record.ts';
import { renderRecord } from '../../../src/bot/teams/cards/record.ts';
import { buildRecord } from '../../../src/domain/hotfix/record.ts';
import { breachedHistory, deployedHistory } from '../../domain/fixtures/record-histories.ts';
import { unobserved } from '../../domain/scenarios.ts';

const plain = (text: string) => text;

describe("the record's summary in chat says a window's breaches were accepted, as the record does", () => {
  const breached = buildRecord(breachedHistory, { timezone: 'UTC' });

  it('names the breaches and who accepted them, on both platforms', () => {
    const note = breachesNote(breached, plain);
    expect(note).toMatch(/^⚠️ verified with 1 breach, accepted by Bob Chen \(technical\)/);
    const slack = JSON.stringify(recordSummary({ record: breached, markdown: '', broken: null }).blocks);
    expect(slack).toContain('verified with 1 breach, accepted by Bob Chen (technical)');
    const teams = JSON.stringify(renderRecord({ record: breached, markdown: '', broken: null }));
    expect(teams).toContain('verified with 1 breach, accepted by Bob Chen (technical)');
  });

  it('says nothing after a clean window', () => {
    expect(breachesNote(buildRecord(deployedHistory, { timezone: 'UTC' }), plain)).toBeNull();
  });

  it('says a decision is awaited while the breaches wait for one', () => {
    const at = breachedHistory.findIndex((e) => e.type === 'MonitoringWindowClosed');
    const pending = buildRecord(breachedHistory.slice(0, at + 1), { timezone: 'UTC' });
    expect(breachesNote(pending, plain)).toBe('⚠️ 1 breach found by monitoring: waiting for a decision');
  });

  it('names a check that never reported while the decision waits', () => {
    expect(breachesNote(buildRecord(unobserved().history, { timezone: 'UTC' }), plain)).toBe(
      '⚠️ monitoring closed with payments-api/Health never reporting: waiting for a decision',
    );
  });
});
