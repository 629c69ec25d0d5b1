import { describe, expect, it } from 'vitest';
import { planUpdatedText, refusalText, repeatText } from '../../../src/bot/common/wording.ts';
import { decide } from '../../../src/domain/hotfix/decide.ts';
import { people, plan, policy, T0 } from '../../domain/fixtures/policy.ts';
import { approvedAndReady } from '../../domain/scenarios.ts';
import { refusalText as slackRefusal } from '../../../src/bot/slack/replies.ts';

describe('what the bot answers, as plain text', () => {
  it('a refusal: how bad, the domain’s reason as typed, and that nothing changed', () => {
    expect(refusalText('self_approval', 'You wrote this plan <yours>.')).toBe(
      '🔒 You wrote this plan <yours>. Nothing was changed.',
    );
    expect(refusalText('stale_plan', 'The plan changed.')).toBe(
      '🔄 The plan changed. (the card you used was out of date; it shows the latest now) Nothing was changed.',
    );
  });

  it('Slack escapes the same words for mrkdwn', () => {
    expect(slackRefusal('not_in_role', 'Only <@U1> & co.')).toBe(
      '🔒 Only &lt;@U1&gt; &amp; co. Nothing was changed.',
    );
  });

  it('a repeat says what was already done', () => {
    const by = { platform: 'teams', id: 'aad-1' } as const;
    expect(repeatText('HF-3', { type: 'ApprovePlan', role: 'technical', planHash: 'h', by })).toBe(
      'You already approved HF-3 as technical.',
    );
    expect(repeatText('HF-3', { type: 'CastVote', voteId: 2, choice: 'for', by })).toBe(
      'Your for vote on rollback vote #2 is already counted.',
    );
  });

  it('a plan edit says whether the approvals given so far still count', () => {
    const { state } = approvedAndReady();
    const edit = (changed: typeof plan) =>
      decide({ type: 'EditPlan', plan: changed, by: people.tech2 }, state, { now: T0, policy });
    expect(planUpdatedText('HF-1', edit({ ...plan, version: '2.3.2' }))).toBe(
      '📝 Plan of HF-1 updated; its approvals were voided and must be given again.',
    );
    expect(planUpdatedText('HF-1', edit({ ...plan, platforms: ['slack', 'teams'] }))).toBe(
      '📝 Plan of HF-1 updated: only where it is shown changed, so its approvals stand.',
    );
  });
});
