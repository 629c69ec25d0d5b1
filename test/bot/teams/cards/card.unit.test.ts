import { describe, expect, it } from 'vitest';
import { renderHotfixCard } from '../../../../src/bot/teams/cards/card.ts';
import { FORMS, VERBS } from '../../../../src/bot/teams/verbs.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { derivedPolicy } from '../../../domain/fixtures/derived.ts';
import { minutes, people, plan, policy, T0 } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import {
  approvedAndReady,
  cmd,
  deploying,
  failedVerification,
  monitoring,
  started,
  unobserved,
  verified,
  verifying,
  DEPLOY_STEPS,
} from '../../../domain/scenarios.ts';
import { stepMessageKey, voteMessageKey } from '../../../../src/bot/common/thread.ts';
import { renderVoteMessage } from '../../../../src/bot/teams/cards/thread.ts';
import { actionsOf, buttons, byVerb, readable, textsOf } from './helpers.ts';
import { validateCard } from './validate-card.ts';

const render = (state: HotfixState, extra: Partial<Parameters<typeof renderHotfixCard>[1]> = {}) => {
  const { card } = renderHotfixCard(state, { policy, timezone: 'UTC', now: minutes(10), ...extra });
  expect(validateCard(card)).toEqual([]);
  return card;
};

describe('the Teams hotfix card', () => {
  it('is an Adaptive Card 1.5 at full width', () => {
    const card = render(started().state);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', msteams: { width: 'Full' } });
    expect(readable(card)).toMatch(/📝 HF-1 · INC-42 · Planning/);
  });

  it('shows "Approvals received" ticked by the approvals, with no Tick button of its own', () => {
    const ctx = { policy: derivedPolicy };
    const before = play([[cmd.start()]], ctx);
    const card = (state: HotfixState) => render(state, ctx);
    expect(readable(card(before.state))).toMatch(
      /⬜ Approvals received — ticks itself when the approvals are in/,
    );
    const after = play(
      [[cmd.approve(people.tech1, 'technical')], [cmd.approve(people.manager, 'management'), minutes(4)]],
      ctx,
      before.history,
    );
    expect(readable(card(after.state))).toMatch(
      /☑️ Approvals received — ✓ by approvals · 03:04 · technical 1\/1, management 1\/1/,
    );
    // Tick buttons for the four items people tick, none for the derived one.
    const toggles = byVerb(card(after.state), VERBS.toggleItem).map((b) => b.data);
    expect(toggles).toHaveLength(4);
    expect(toggles).not.toContainEqual(expect.objectContaining({ checklist: 'code_readiness', index: 2 }));
  });

  it('shows the risk assessment and the communication plan when the plan has them', () => {
    expect(readable(render(started().state))).not.toMatch(/Risk|Communication plan/);
    const risky = {
      ...plan,
      risk: { level: 'high' as const, assessment: 'Touches the ledger' },
      communicationPlan: 'Status page at start; support lead on call',
    };
    const shown = readable(render(play([[cmd.start(people.requester, risky)]]).state));
    expect(shown).toMatch(/\*\*Risk\*\* 🟠 \*\*high\*\* — Touches the ledger/);
    expect(shown).toMatch(/\*\*Communication plan\*\*\nStatus page at start; support lead on call/);
  });

  it('offers Deploy only when the plan is approved, readiness complete and no other hotfix holds a lock', () => {
    expect(byVerb(render(started().state), VERBS.deploy)).toEqual([]);
    const ready = approvedAndReady().state;
    const deploy = byVerb(render(ready), VERBS.deploy);
    expect(deploy.map((b) => b.data)).toEqual([
      { verb: VERBS.deploy, hotfixId: 'HF-1', planHash: ready.planHash },
    ]);
    // Teams has no confirmation on a button: Deploy sits behind a ShowCard that says what it will do.
    const top = render(ready).actions ?? [];
    expect(top[0]).toMatchObject({ type: 'Action.ShowCard', title: '🚀 Deploy…' });
    const locked = render(ready, {
      lockHolders: { 'payments-api': { hotfixId: 'HF-7', since: T0.toISOString() } },
    });
    expect(byVerb(locked, VERBS.deploy)).toEqual([]);
    expect(readable(locked)).toMatch(/payments-api is locked by HF-7 since 03:00/);
    const running = render(deploying().state);
    expect(byVerb(running, VERBS.deploy)).toEqual([]);
    expect(byVerb(running, VERBS.approve)).toEqual([]);
    expect(readable(running)).toMatch(/Holds the deploy lock on payments-api/);
  });

  it('drops Approve and Reject once the approval gate is complete; an edit that voids it brings them back', () => {
    const approved = approvedAndReady();
    expect(byVerb(render(approved.state), VERBS.approve)).toEqual([]);
    expect(readable(render(approved.state))).not.toMatch(/Reject as/);
    const edited = play(
      [[{ type: 'EditPlan', plan: { ...approved.state.plan, version: '2.3.2' }, by: people.requester }]],
      {},
      approved.history,
    ).state;
    expect(byVerb(render(edited), VERBS.approve)).toHaveLength(2);
  });

  it('says an incomplete readiness stopped with the cancel, not with a deploy that never came', () => {
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'duplicate', by: people.tech1 }]],
      {},
      started().history,
    ).state;
    expect(readable(render(cancelled))).toContain(
      'Readiness** 0/4 (not completed: the hotfix was cancelled)',
    );
  });

  it('carries the plan hash and role in Approve, and opens the reject dialog with them', () => {
    const { state } = started();
    const card = render(state);
    expect(byVerb(card, VERBS.approve).map((b) => b.data)).toEqual(
      ['technical', 'management'].map((role) => ({
        verb: VERBS.approve,
        hotfixId: 'HF-1',
        planHash: state.planHash,
        role,
      })),
    );
    const reject = buttons(card).filter(
      (b) => b.data.verb === VERBS.openForm && b.data.form === FORMS.reject,
    );
    expect(reject.map((b) => b.action.data)).toEqual(
      ['technical', 'management'].map((role) => ({
        verb: VERBS.openForm,
        form: FORMS.reject,
        hotfixId: 'HF-1',
        planHash: state.planHash,
        role,
        msteams: { type: 'task/fetch' },
      })),
    );
    expect(reject.every((b) => b.action.type === 'Action.Submit')).toBe(true);
  });

  it('gives every Execute button an Action.Submit fallback with the same data', () => {
    const card = render(approvedAndReady().state);
    const executes = actionsOf(card).filter((a) => a.type === 'Action.Execute');
    expect(executes.length).toBeGreaterThan(0);
    for (const a of executes)
      expect(a.fallback).toEqual({ type: 'Action.Submit', title: a.title, data: a.data });
  });

  it('cuts an automatic check’s evidence in its middle, so the verdict stays readable', () => {
    const evidence = `./scripts/check-access.sh ${'--service payments-api '.repeat(12)}exited 0`;
    const state = play(
      [
        [
          {
            type: 'TickChecklistItem',
            checklist: 'code_readiness',
            item: 'Tests passed',
            evidence,
            by: { platform: 'system', id: 'checker' },
          },
        ],
      ],
      {},
      started().history,
    ).state;
    const shown = readable(render(state));
    expect(shown).toMatch(/automatic check · 03:00 · \.\/scripts\/check-access\.sh --service .*….* exited 0/);
  });

  it('has one Tick/Untick button per checklist item, saying who ticked it and when', () => {
    const state = play([[cmd.tick('Tests passed', people.tech2)]], {}, started().history).state;
    const card = render(state);
    const toggles = byVerb(card, VERBS.toggleItem);
    expect(toggles.map((b) => [b.action.title, b.data])).toEqual([
      [
        'Tick',
        { verb: VERBS.toggleItem, hotfixId: 'HF-1', checklist: 'code_readiness', index: 0, ticked: false },
      ],
      [
        'Untick',
        { verb: VERBS.toggleItem, hotfixId: 'HF-1', checklist: 'code_readiness', index: 1, ticked: true },
      ],
      [
        'Tick',
        {
          verb: VERBS.toggleItem,
          hotfixId: 'HF-1',
          checklist: 'environment_readiness',
          index: 0,
          ticked: false,
        },
      ],
      [
        'Tick',
        {
          verb: VERBS.toggleItem,
          hotfixId: 'HF-1',
          checklist: 'environment_readiness',
          index: 1,
          ticked: false,
        },
      ],
    ]);
    expect(readable(card)).toContain('☑️ Tests passed — ✓ Theo Tech · 03:00');
    expect(byVerb(render(deploying().state), VERBS.toggleItem)).toEqual([]);
  });

  it('shows the running step with its attempt, the failed step with Retry and Skip, and the vote', () => {
    const failed = failedVerification().state;
    const card = render(failed, { now: minutes(20) });
    const text = readable(card);
    expect(text).toMatch(/❌ verification · “System check” \(payments-api\)/);
    expect(text).toMatch(/Rollback vote #1/);
    expect(text).toMatch(/vote in the thread/);
  });

  it('links a waiting manual step and an open vote once known, with their buttons marked as on the card', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).state;
    const before = render(waiting);
    expect(readable(before)).toMatch(/to confirm in the thread/);
    const step = { hotfixId: 'HF-1', runId: 'deploy-1', step: DEPLOY_STEPS.manual, onCard: true };
    expect(byVerb(before, VERBS.confirmStep).map((b) => b.data)).toEqual([
      { verb: VERBS.confirmStep, ...step },
    ]);
    expect(byVerb(before, VERBS.failStep).map((b) => b.data)).toEqual([{ verb: VERBS.failStep, ...step }]);

    const deepLink = 'https://teams.microsoft.com/l/message/19%3Aabc/171?parentMessageId=170';
    const linked = render(waiting, {
      links: { [stepMessageKey('deploy-1', DEPLOY_STEPS.manual)]: deepLink },
    });
    expect(textsOf(linked).join('\n')).toContain(`to confirm — [open the prompt](${deepLink})`);

    const vote = failedVerification().state;
    const ballots = render(vote, { links: { [voteMessageKey(1)]: deepLink } });
    expect(textsOf(ballots).join('\n')).toContain(`— [vote in the thread](${deepLink})`);
    expect(byVerb(ballots, VERBS.voteFor).map((b) => b.data)).toEqual([
      { verb: VERBS.voteFor, hotfixId: 'HF-1', voteId: 1, onCard: true },
    ]);
    expect(byVerb(ballots, VERBS.voteAgainst)).toHaveLength(1);
    // The vote's own message keeps plain data: a click there redraws that message, not the card.
    const message = renderVoteMessage(vote, 1, { policy, now: minutes(10) }).card;
    expect(byVerb(message, VERBS.voteFor).map((b) => b.data)).toEqual([
      { verb: VERBS.voteFor, hotfixId: 'HF-1', voteId: 1 },
    ]);
  });

  it('shows the monitoring countdown, then sign-offs with buttons for the missing ones and the doc toggles', () => {
    expect(readable(render(monitoring().state, { now: minutes(20) }))).toMatch(/Monitoring.* until .*left/);
    const done = verified().state;
    const card = render(done, { now: minutes(60) });
    expect(byVerb(card, VERBS.signOff).map((b) => (b.data as { role: string }).role)).toEqual([
      'technical',
      'business',
      'support',
    ]);
    expect(byVerb(card, VERBS.toggleDoc)).toHaveLength(8);
    expect(byVerb(card, VERBS.close)).toEqual([]);
    // Signed off by every role: Close, behind a ShowCard that asks first (Teams has no confirmation).
    const signed = play(
      [
        [cmd.signOff(people.tech1, 'technical')],
        [cmd.signOff(people.biz, 'business')],
        [cmd.signOff(people.support, 'support')],
      ],
      {},
      verified().history,
    ).state;
    const closing = render(signed, { now: minutes(60) });
    expect(byVerb(closing, VERBS.close).map((b) => b.data)).toEqual([
      { verb: VERBS.close, hotfixId: 'HF-1' },
    ]);
    const ask = (closing.actions ?? []).find(
      (a) => a.type === 'Action.ShowCard' && a.title === '🏁 Close hotfix…',
    );
    expect(readable(ask)).toMatch(/HF-1 ends as deployed\. Nothing about it can change after that/);
  });

  it('never puts more than 6 actions in a row', () => {
    for (const state of [started(), approvedAndReady(), deploying(), failedVerification(), verified()].map(
      (s) => s.state,
    )) {
      const card = render(state, { now: minutes(60) });
      expect((card.actions ?? []).length).toBeLessThanOrEqual(6);
    }
  });

  it('asks for the breach decision when a check never reported, and names the check', () => {
    const card = render(unobserved().state, { now: minutes(36) });
    const text = readable(card);
    expect(text).toContain('**Monitoring** closed 03:35 ⚠️ with 1 check never reporting');
    expect(text).toContain('❔ payments-api/Health: never reported before the window closed');
    expect(text).toContain(
      '⚠️ **Monitoring closed with payments-api/Health never reporting**: accept and keep, or roll back',
    );
    const accept = buttons(card).filter(
      (b) => b.data.verb === VERBS.openForm && b.data.form === FORMS.acceptBreaches,
    );
    expect(accept.map((b) => b.action.data)).toEqual(
      ['technical', 'business', 'support'].map((role) => ({
        verb: VERBS.openForm,
        form: FORMS.acceptBreaches,
        hotfixId: 'HF-1',
        role,
        msteams: { type: 'task/fetch' },
      })),
    );
    expect(byVerb(card, VERBS.rollBackBreaches)).toHaveLength(1);
  });
});
