import { describe, expect, it } from 'vitest';
import { noticeOf } from '../../../src/bot/common/notices.ts';
import { noticeText } from '../../../src/bot/slack/surface.ts';
import { noticeCard, threadLink } from '../../../src/bot/teams/surface.ts';
import { lastOfCommand } from '../../../src/domain/hotfix/attention.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../../src/domain/hotfix/state.ts';
import { people } from '../../domain/fixtures/policy.ts';
import { play } from '../../domain/given.ts';
import { failedVerification, started, verified } from '../../domain/scenarios.ts';
import { validateCard } from '../teams/cards/validate-card.ts';

/** The notices a history calls for, in order, as the notifier works them out event by event. */
const notices = (history: readonly HotfixEvent[]) => {
  const states: HotfixState[] = [initialState()];
  for (const event of history) states.push(evolve(states.at(-1)!, event));
  return history.flatMap((event, i) => {
    const notice = noticeOf(event, {
      before: states[i]!,
      after: states[i + 1]!,
      decided: states[lastOfCommand(history, i) + 1]!,
    });
    return notice ? [notice] : [];
  });
};

describe('stakeholder notices', () => {
  it('a hotfix that deploys and is verified: start, deploy, outcome — nothing else', () => {
    const found = notices(verified().history);
    expect(found.map((n) => n.key)).toEqual(['start', 'deploy', 'outcome-deployed']);
    expect(found[0]?.details).toEqual([
      'Severity: critical',
      'Services: payments-api',
      'Issue INC-42, version 2.3.1',
      'Led by Dana Dev',
    ]);
    expect(found.map((n) => n.linkThread)).toEqual([false, false, true]);
  });

  it('a failure that opens a vote is not an outcome yet; a cancel is one', () => {
    expect(notices(failedVerification().history).map((n) => n.key)).toEqual(['start', 'deploy']);
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'duplicate of HF-0', by: people.tech1 }]],
      {},
      started().history,
    );
    expect(notices(cancelled.history).map((n) => [n.key, n.details])).toEqual([
      ['start', expect.any(Array)],
      ['outcome-cancelled', ['duplicate of HF-0']],
    ]);
  });

  it('renders safely on both platforms: plan text cannot ping or link, the thread link is ours', () => {
    const [start] = notices(started().history);
    if (!start) throw new Error('no notice');
    const hostile = { ...start, headline: 'Hotfix HF-1 started: <!channel> *boom* <https://evil|x>' };
    const text = noticeText(hostile, 'https://example.slack.com/archives/C1/p1');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('<https://example.slack.com/archives/C1/p1|Open the incident thread>');
    const link = threadLink('19:abc@thread.tacv2', '1700000000000');
    const card = noticeCard(hostile, link);
    expect(validateCard(card.card)).toEqual([]);
    expect(JSON.stringify(card.card)).toContain(`(${link})`);
    expect(JSON.stringify(card.card)).not.toContain('<https://evil');
  });
});
