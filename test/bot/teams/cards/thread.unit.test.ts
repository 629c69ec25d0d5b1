import { describe, expect, it } from 'vitest';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
} from '../../../../src/bot/teams/cards/thread.ts';
import { VERBS } from '../../../../src/bot/teams/verbs.ts';
import { promptCallOf } from '../../../../src/bot/common/thread.ts';
import type { HotfixEvent } from '../../../../src/domain/hotfix/events.ts';
import { initialState } from '../../../../src/domain/hotfix/state.ts';
import { minutes, people, policy, worker } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import { cmd, DEPLOY_STEPS, failedVerification, monitoring, verifying } from '../../../domain/scenarios.ts';
import { statesBefore } from '../../common/large-hotfix.ts';
import { actionsOf, buttons, byVerb, readable } from './helpers.ts';
import { validateCard } from './validate-card.ts';

const linesOf = (history: readonly HotfixEvent[]) => {
  const befores = statesBefore(history);
  return history.map((event, i) =>
    renderThreadLine(
      { hotfixId: 'HF-1', position: i + 1, event, prevHash: '', hash: '' },
      befores[i] ?? initialState(),
      { timezone: 'UTC' },
    ),
  );
};

describe('Teams thread messages', () => {
  it('gives each milestone one line with its actor and time, and the failed step its output', () => {
    const { history } = failedVerification();
    const lines = linesOf(history);
    const text = lines.map((l) => (l ? readable(l.card) : '')).join('\n');
    expect(text).toMatch(/🔥 \*\*Dana Dev\*\* started hotfix HF-1/);
    expect(text).toMatch(/👍 \*\*Tara Tech\*\* approved the plan as technical · 03:0\d/);
    expect(text).toMatch(/▶️ Started verification step “System check” \(payments-api\)/);
    expect(text).toMatch(/HTTP 503/);
    for (const line of lines) if (line) expect(validateCard(line.card)).toEqual([]);
    const passed = play(
      [[{ type: 'RecordMonitorCheck', check: 'Health', round: 1, passed: true, by: worker }]],
      {},
      monitoring().history,
    ).history.at(-1);
    expect(passed?.type).toBe('MonitorCheckPassed');
    expect(linesOf(monitoring().history.concat(passed ? [passed] : [])).at(-1)).toBeNull();
  });

  it('asks for a manual step with Confirm and a guarded Fail, then says who answered and when', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    );
    const prompt = renderManualStepPrompt(waiting.state, 'deploy-1', DEPLOY_STEPS.manual, {
      instruction: 'Buy a thing',
      now: minutes(10),
    });
    expect(validateCard(prompt.card)).toEqual([]);
    const data = { hotfixId: 'HF-1', runId: 'deploy-1', step: DEPLOY_STEPS.manual };
    expect(byVerb(prompt.card, VERBS.confirmStep).map((b) => b.data)).toEqual([
      { verb: VERBS.confirmStep, ...data },
    ]);
    expect(prompt.card.actions?.[1]).toMatchObject({ type: 'Action.ShowCard', title: 'Fail…' });
    expect(byVerb(prompt.card, VERBS.failStep).map((b) => b.data)).toEqual([
      { verb: VERBS.failStep, ...data },
    ]);
    expect(readable(prompt.card)).toMatch(/waiting for Business or Technical to confirm[\s\S]*Buy a thing/);
    expect(prompt.card.msteams?.entities).toBeUndefined();

    // With who may confirm it (from its start), the prompt mentions them: the prompt is where they are called.
    const started = waiting.history.at(-1)!;
    const call = promptCallOf(
      { event: started, before: waiting.state, after: waiting.state, decided: waiting.state },
      policy,
    );
    expect(call?.ask).toBe('confirm');
    const calling = renderManualStepPrompt(waiting.state, 'deploy-1', DEPLOY_STEPS.manual, {
      now: minutes(10),
      call,
    });
    expect(validateCard(calling.card)).toEqual([]);
    // These people have no Teams id: named, not @mentioned (the e2e shows the mentions of Teams people).
    expect(readable(calling.card)).toMatch(/👋 Waiting for one of you to confirm: Bea Business, .*Tara Tech/);

    const answered = renderManualStepPrompt(monitoring().state, 'deploy-1', DEPLOY_STEPS.manual, {
      now: minutes(10),
    });
    expect(actionsOf(answered.card)).toEqual([]);
    expect(readable(answered.card)).toMatch(/✅ Confirmed by Bea Business at 03:05/);
  });

  it('shows a vote live with For and Against, and closed without them', () => {
    const { history, state } = failedVerification();
    const open = renderVoteMessage(state, 1, { policy, now: minutes(10) });
    expect(validateCard(open.card)).toEqual([]);
    expect(buttons(open.card).map((b) => b.data)).toEqual([
      { verb: VERBS.voteFor, hotfixId: 'HF-1', voteId: 1 },
      { verb: VERBS.voteAgainst, hotfixId: 'HF-1', voteId: 1 },
    ]);
    expect(readable(open.card)).toMatch(/For\*\* 0 of quorum 2 · \*\*Against\*\* 0[\s\S]*⏳ Management/);
    const voted = play(
      [[cmd.vote(people.tech1, 'for')], [cmd.vote(people.manager, 'for')]],
      {},
      history,
    ).state;
    const closed = renderVoteMessage(voted, 1, { policy, now: minutes(10) });
    expect(actionsOf(closed.card)).toEqual([]);
    expect(readable(closed.card)).toMatch(/✅ passed — rolling back/);
    expect(readable(closed.card)).toMatch(/✅ Tara Tech \(Technical\) · ✅ Mia Manager \(Management\)/);
    expect(renderVoteMessage(state, 1, { policy, now: minutes(60) }).card.actions).toBeUndefined();
  });
});
