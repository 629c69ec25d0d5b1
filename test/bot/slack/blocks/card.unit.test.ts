import type { Checkboxes } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { readChecklistChange, readDocsChange, renderCard } from '../../../../src/bot/slack/blocks/card.ts';
import { checkBlockKit } from '../../../../src/bot/slack/blocks/limits.ts';
import { ACTIONS, BLOCKS, parseChecklistBlockId } from '../../../../src/bot/slack/ids.ts';
import { decide } from '../../../../src/domain/hotfix/decide.ts';
import { RuleViolation } from '../../../../src/domain/hotfix/errors.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { derivedPolicy } from '../../../domain/fixtures/derived.ts';
import { minutes, people, plan, policy, T0 } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import {
  approvedAndReady,
  cmd,
  DEPLOY_STEPS,
  deploying,
  failedVerification,
  monitoring,
  started,
  unobserved,
  verified,
  verifying,
} from '../../../domain/scenarios.ts';
import { stepMessageKey, voteMessageKey } from '../../../../src/bot/common/thread.ts';
import { buttons, elementsOf, textOf } from './helpers.ts';

const render = (state: HotfixState, extra: Partial<Parameters<typeof renderCard>[1]> = {}) => {
  const card = renderCard(state, { policy, timezone: 'UTC', now: minutes(10), ...extra });
  expect(checkBlockKit({ kind: 'message', ...card })).toEqual([]);
  return card;
};

describe('the hotfix card', () => {
  it('offers Deploy only when the plan is approved, readiness complete and no other hotfix holds a lock', () => {
    expect(buttons(render(started().state).blocks, ACTIONS.deploy)).toEqual([]);

    const ready = approvedAndReady().state;
    const deploy = buttons(render(ready).blocks, ACTIONS.deploy);
    expect(deploy).toHaveLength(1);
    expect(deploy[0]?.value).toEqual({ h: 'HF-1', v: ready.planHash });
    expect(deploy[0]?.button.confirm).toBeDefined();

    const locked = render(ready, {
      lockHolders: { 'payments-api': { hotfixId: 'HF-7', since: T0.toISOString() } },
    });
    expect(buttons(locked.blocks, ACTIONS.deploy)).toEqual([]);
    expect(textOf(locked.blocks)).toMatch(/payments-api is locked by HF-7 since 03:00/);
    const own = render(ready, {
      lockHolders: { 'payments-api': { hotfixId: 'HF-1', since: T0.toISOString() } },
    });
    expect(buttons(own.blocks, ACTIONS.deploy)).toHaveLength(1);

    const halfApproved = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history).state;
    expect(buttons(render(halfApproved).blocks, ACTIONS.deploy)).toEqual([]);
    const unticked = play(
      [
        [
          {
            type: 'UntickChecklistItem',
            checklist: 'code_readiness',
            item: 'Tests passed',
            by: people.tech1,
          },
        ],
      ],
      {},
      approvedAndReady().history,
    ).state;
    expect(buttons(render(unticked).blocks, ACTIONS.deploy)).toEqual([]);

    const running = render(deploying().state);
    expect(buttons(running.blocks, ACTIONS.deploy)).toEqual([]);
    expect(buttons(running.blocks, ACTIONS.approve)).toEqual([]);
    expect(textOf(running.blocks)).toMatch(/Holds the deploy lock on payments-api/);
  });

  it('encodes the plan hash in Approve/Reject buttons, so a click on an old card is refused as stale', () => {
    const { history, state } = started();
    const before = buttons(render(state).blocks, ACTIONS.approve);
    expect(before.map((b) => b.value.r)).toEqual(['technical', 'management']);
    expect(before.every((b) => b.value.v === state.planHash)).toBe(true);
    expect(buttons(render(state).blocks, ACTIONS.reject).map((b) => b.button.action_id)).toEqual([
      'hotfix_reject',
      'hotfix_reject:1',
    ]);

    const edited = play(
      [
        [
          {
            type: 'EditPlan',
            plan: { ...plan, summary: 'Fix double charge on retry, take 2' },
            by: people.requester,
          },
        ],
      ],
      {},
      history,
    ).state;
    const after = buttons(render(edited).blocks, ACTIONS.approve);
    expect(after[0]?.value.v).toBe(edited.planHash);
    expect(after[0]?.value.v).not.toBe(before[0]?.value.v);

    const stale = before[0]!.value;
    const click = () =>
      decide({ type: 'ApprovePlan', role: stale.r!, planHash: stale.v!, by: people.tech1 }, edited, {
        now: minutes(2),
        policy,
      });
    expect(click).toThrow(RuleViolation);
    expect(() => click()).toThrow(/changed since you looked/);
  });

  it('drops Approve and Reject once the approval gate is complete; an edit that voids it brings them back', () => {
    const approved = approvedAndReady();
    expect(buttons(render(approved.state).blocks, ACTIONS.approve)).toEqual([]);
    expect(buttons(render(approved.state).blocks, ACTIONS.reject)).toEqual([]);
    expect(textOf(render(approved.state).blocks)).toMatch(/Approvals\* ✅ approved/);
    const edited = play(
      [[{ type: 'EditPlan', plan: { ...plan, version: '2.3.2' }, by: people.requester }]],
      {},
      approved.history,
    ).state;
    expect(buttons(render(edited).blocks, ACTIONS.approve)).toHaveLength(2);
    expect(buttons(render(edited).blocks, ACTIONS.reject)).toHaveLength(2);
  });

  it('says an incomplete readiness stopped with the cancel, not with a deploy that never came', () => {
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'duplicate', by: people.tech1 }]],
      {},
      started().history,
    ).state;
    const text = textOf(render(cancelled).blocks);
    expect(text).toContain('*Readiness* 0/4 (not completed: the hotfix was cancelled)');
    expect(text).not.toContain('deploy was requested');
  });

  it('cuts an automatic check’s evidence in its middle, so the verdict stays readable', () => {
    const evidence = `GET https://status.internal.example/health/payments-api/v2?region=eu-west-1&full=true → 200`;
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
    const boxes = elementsOf(render(state).blocks).filter((e): e is Checkboxes => e.type === 'checkboxes');
    const description = boxes[0]?.initial_options?.[0]?.description?.text ?? '';
    expect(description.length).toBeLessThanOrEqual(75);
    expect(description).toMatch(/^✓ automatic check · 03:00 · GET https:\/\/status\..*…/);
    expect(description).toMatch(/ → 200$/);
  });

  it('shows both checklists as checkboxes with ticked items pre-selected and who ticked them', () => {
    const state = play([[cmd.tick('Tests passed', people.tech2)]], {}, started().history).state;
    const card = render(state);
    const boxes = elementsOf(card.blocks).filter((e): e is Checkboxes => e.type === 'checkboxes');
    expect(boxes).toHaveLength(2);
    expect(boxes[0]?.initial_options?.map((o) => o.text.text)).toEqual(['Tests passed']);
    expect(boxes[0]?.initial_options?.[0]?.description?.text).toBe('✓ Theo Tech · 03:00');
    const blockIds = card.blocks.map((b) => b.block_id).filter((id) => id?.startsWith('hotfix_checklist:'));
    expect(blockIds.map((id) => parseChecklistBlockId(id!))).toEqual([
      { hotfixId: 'HF-1', checklist: 'code_readiness', page: 0 },
      { hotfixId: 'HF-1', checklist: 'environment_readiness', page: 0 },
    ]);
    // A click now selecting items 0 and nothing else: tick item 0, untick item 1.
    expect(readChecklistChange(state, policy, 'code_readiness', 0, ['0'])).toEqual({
      tick: ['Code review complete'],
      untick: ['Tests passed'],
    });
    expect(readChecklistChange(state, policy, 'code_readiness', 0, ['1', 'garbage', '99'])).toEqual({
      tick: [],
      untick: [],
    });
    // The same click on a card drawn before "Tests passed" was ticked (it showed nothing ticked): only the box
    // the person changed counts, so the tick recorded since is kept.
    expect(readChecklistChange(state, policy, 'code_readiness', 0, ['0'], [])).toEqual({
      tick: ['Code review complete'],
      untick: [],
    });
    // Unticking what the card showed ticked still unticks it.
    expect(readChecklistChange(state, policy, 'code_readiness', 0, [], ['1'])).toEqual({
      tick: [],
      untick: ['Tests passed'],
    });
  });

  it('shows the run, and the monitoring window counting down', () => {
    const m = monitoring().state;
    const card = render(m, { now: minutes(15) });
    const text = textOf(card.blocks);
    expect(text).toMatch(/\*Deploy run\* `deploy-1` · succeeded · 4\/4 steps done/);
    expect(text).toMatch(/\*Monitoring\* until 03:35 \(20m left\)/);
    expect(buttons(card.blocks, ACTIONS.proposeRollback)).toHaveLength(1);
    expect(buttons(card.blocks, ACTIONS.signOff)).toEqual([]);
  });

  it('says a running step is a new attempt after an interrupted one', () => {
    const resumed = play(
      [
        [cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 1, { owner: 'job-1' })],
        [cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2, { owner: 'job-1', interruption: 'worker died' })],
      ],
      {},
      deploying().history,
    );
    expect(textOf(render(resumed.state).blocks)).toContain('(attempt 2; attempt 1 interrupted)');
  });

  it('summarises an open rollback vote and offers no second proposal', () => {
    const card = render(failedVerification().state);
    const text = textOf(card.blocks);
    expect(text).toMatch(/Rollback vote #1\* \(failed check, automatic\)/);
    expect(text).toMatch(/For 0 · Against 0 · quorum 2 · needs management/);
    expect(buttons(card.blocks, ACTIONS.proposeRollback)).toEqual([]);
    expect(text).toMatch(
      /❌ verification · “System check” \(payments-api\) 900ms: expected status 200, got 503/,
    );
  });

  it('links a waiting manual step to its prompt once known, and carries its Confirm / Fail', () => {
    const state = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).state;
    const value = { h: 'HF-1', run: 'deploy-1', v: DEPLOY_STEPS.manual };
    // Before the prompt is posted: the old wording, and the buttons already (they need no message).
    const before = render(state);
    expect(textOf(before.blocks)).toMatch(/waiting for business or technical to confirm in the thread/);
    expect(buttons(before.blocks, ACTIONS.confirmStep).map((b) => b.value)).toEqual([value]);
    expect(buttons(before.blocks, ACTIONS.failStep).map((b) => b.value)).toEqual([value]);
    expect(buttons(before.blocks, ACTIONS.failStep)[0]?.button.confirm).toBeDefined();

    const permalink = 'https://acme.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100';
    const linked = render(state, { links: { [stepMessageKey('deploy-1', DEPLOY_STEPS.manual)]: permalink } });
    expect(textOf(linked.blocks)).toContain(
      `waiting for business or technical to confirm — <${permalink}|open the prompt>`,
    );
    expect(textOf(linked.blocks)).not.toContain('in the thread');
    // A link that could break out of the markup is not drawn as one.
    const odd = render(state, {
      links: { [stepMessageKey('deploy-1', DEPLOY_STEPS.manual)]: 'https://x|y>' },
    });
    expect(textOf(odd.blocks)).toContain('to confirm — open the prompt');

    // Answered: neither link nor buttons.
    const answered = render(monitoring().state, {
      links: { [stepMessageKey('deploy-1', DEPLOY_STEPS.manual)]: permalink },
    });
    expect(textOf(answered.blocks)).not.toContain(permalink);
    expect(buttons(answered.blocks, ACTIONS.confirmStep)).toEqual([]);
  });

  it('links an open vote to its message once known, and carries For / Against until it closes', () => {
    const open = failedVerification().state;
    const before = render(open);
    expect(textOf(before.blocks)).toMatch(/ — vote in the thread/);
    expect(buttons(before.blocks, ACTIONS.voteFor).map((b) => b.value)).toEqual([{ h: 'HF-1', v: '1' }]);
    expect(buttons(before.blocks, ACTIONS.voteAgainst).map((b) => b.value)).toEqual([{ h: 'HF-1', v: '1' }]);

    const permalink = 'https://acme.slack.com/archives/C1/p1700000000000300?thread_ts=1700000000.000100';
    const linked = render(open, { links: { [voteMessageKey(1)]: permalink } });
    expect(textOf(linked.blocks)).toContain(`— <${permalink}|vote in the thread>`);

    // Past its expiry the ballot buttons go, as on the vote's message.
    expect(buttons(render(open, { now: minutes(60 * 24) }).blocks, ACTIONS.voteFor)).toEqual([]);
    const passed = play(
      [
        [cmd.vote(people.tech1, 'for'), minutes(1)],
        [cmd.vote(people.manager, 'for'), minutes(2)],
      ],
      {},
      failedVerification().history,
    ).state;
    const closed = render(passed, { links: { [voteMessageKey(1)]: permalink } });
    expect(buttons(closed.blocks, ACTIONS.voteFor)).toEqual([]);
    expect(textOf(closed.blocks)).not.toContain(permalink);
  });

  it('offers sign-offs per missing role once the outcome is known, then Record when closed', () => {
    const v = verified();
    const signed = play([[cmd.signOff(people.tech1, 'technical')]], {}, v.history);
    const card = render(signed.state);
    expect(buttons(card.blocks, ACTIONS.signOff).map((b) => b.value)).toEqual([
      { h: 'HF-1', r: 'business' },
      { h: 'HF-1', r: 'support' },
    ]);
    expect(textOf(card.blocks)).toMatch(/✅ \*Technical\* <@U0TECH1>/);
    expect(buttons(card.blocks, ACTIONS.lessons)).toHaveLength(1);
    expect(elementsOf(card.blocks).some((e) => e.type === 'checkboxes' && e.action_id === ACTIONS.docs)).toBe(
      true,
    );

    expect(buttons(card.blocks, ACTIONS.close)).toEqual([]);
    const allSigned = play(
      [[cmd.signOff(people.biz, 'business')], [cmd.signOff(people.support, 'support')]],
      {},
      signed.history,
    );
    // Close asks first, as Deploy does: it cannot be taken back.
    const close = buttons(render(allSigned.state).blocks, ACTIONS.close);
    expect(close.map((b) => b.button.confirm)).toMatchObject([
      {
        title: { type: 'plain_text', text: 'Close HF-1?' },
        text: {
          type: 'plain_text',
          text: 'HF-1 ends as deployed. Nothing about it can change after that, and its deployment record goes to the thread.',
        },
        confirm: { type: 'plain_text', text: 'Close' },
        deny: { type: 'plain_text', text: 'Not now' },
      },
    ]);
    const closed = play([[{ type: 'CloseHotfix', by: people.tech1 }]], {}, allSigned.history).state;
    const final = render(closed);
    expect(buttons(final.blocks, ACTIONS.record)).toHaveLength(1);
    expect(buttons(final.blocks, ACTIONS.signOff)).toEqual([]);
    expect(buttons(final.blocks, ACTIONS.logIssue)).toEqual([]);
    expect(final.blocks[0]).toMatchObject({ type: 'header', text: { text: '🏁 HF-1 · INC-42 · Closed' } });
  });

  it('reads documentation-update clicks', () => {
    const state = verified().state;
    expect(readDocsChange(state, ['process.lessons_learned', 'nonsense'])).toEqual([
      { item: 'process.lessons_learned', done: true },
    ]);
  });

  it('shows "Approvals received" ticked by the approvals, and reads a click on it as a tick the domain refuses', () => {
    const ctx = { policy: derivedPolicy };
    const before = play([[cmd.start()]], ctx);
    const boxes = (state: HotfixState) =>
      elementsOf(render(state, ctx).blocks).filter((e): e is Checkboxes => e.type === 'checkboxes');
    const waiting = boxes(before.state)[0]?.options.find((o) => o.text.text === 'Approvals received');
    expect(waiting?.description?.text).toBe('Ticks itself when the approvals are in');
    expect(boxes(before.state)[0]?.initial_options).toBeUndefined();
    const after = play(
      [[cmd.approve(people.tech1, 'technical')], [cmd.approve(people.manager, 'management'), minutes(4)]],
      ctx,
      before.history,
    );
    const shown = boxes(after.state)[0]?.initial_options;
    expect(shown?.map((o) => [o.text.text, o.description?.text])).toEqual([
      ['Approvals received', '✓ by approvals · 03:04 · technical 1/1, management 1/1'],
    ]);
    // Unticking the box the card showed ticked: an untick, which the domain refuses with its reason.
    expect(readChecklistChange(after.state, derivedPolicy, 'code_readiness', 0, [], ['2'])).toEqual({
      tick: [],
      untick: ['Approvals received'],
    });
  });

  it('shows the risk assessment and the communication plan when the plan has them', () => {
    expect(render(started().state).blocks.some((b) => b.block_id === BLOCKS.risk)).toBe(false);
    const risky = {
      ...plan,
      risk: { level: 'critical' as const, assessment: 'Rewrites *all* balances' },
      communicationPlan: 'Status page at start; support lead on call',
    };
    const card = render(play([[cmd.start(people.requester, risky)]]).state);
    const risk = card.blocks.find((b) => b.block_id === BLOCKS.risk);
    expect(textOf(risk ? [risk] : [])).toBe(
      '*Risk* 🔴 *critical* — Rewrites *all* balances\n*Communication plan*\nStatus page at start; support lead on call',
    );
  });

  it('prints times in the configured time zone', () => {
    const card = render(started().state, { timezone: 'Europe/Paris', now: T0 });
    expect(textOf(card.blocks)).toMatch(/started 04:00 .* times in Europe\/Paris/);
  });

  it('changes interactive block ids with the revision, so a refused tick is dropped on redraw', () => {
    const state = started().state;
    const a = render(state).blocks.map((b) => b.block_id);
    const b = render(state, { revision: `${state.version}.1` }).blocks.map((b) => b.block_id);
    expect(a).not.toEqual(b);
  });

  it('asks for the breach decision when a check never reported, and names the check', () => {
    const card = render(unobserved().state, { now: minutes(36) });
    const text = textOf(card.blocks);
    expect(text).toContain('*Monitoring* closed 03:35 ⚠️ with 1 check never reporting');
    expect(text).toContain('❔ payments-api/Health: never reported before the window closed');
    expect(text).toContain(
      '⚠️ *Monitoring closed with payments-api/Health never reporting*: accept and keep, or roll back',
    );
    expect(buttons(card.blocks, ACTIONS.acceptBreaches).map((b) => b.value.r)).toEqual([
      'technical',
      'business',
      'support',
    ]);
    const rollBack = buttons(card.blocks, ACTIONS.rollBackBreaches);
    expect(rollBack[0]?.button.confirm?.text.text).toBe(
      'Opens a rollback vote on HF-1 because monitoring closed with payments-api/Health never reporting; your proposal counts for it.',
    );
  });
});
