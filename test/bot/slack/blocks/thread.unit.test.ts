import { describe, expect, it } from 'vitest';
import { checkBlockKit } from '../../../../src/bot/slack/blocks/limits.ts';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
} from '../../../../src/bot/slack/blocks/thread.ts';
import { ACTIONS } from '../../../../src/bot/slack/ids.ts';
import type { HotfixEvent } from '../../../../src/domain/hotfix/events.ts';
import { evolve, initialState } from '../../../../src/domain/hotfix/state.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import type { StoredEvent } from '../../../../src/service/ports.ts';
import { minutes, people, policy } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import {
  cmd,
  DEPLOY_STEPS,
  deploying,
  failedVerification,
  monitoring,
  verifying,
} from '../../../domain/scenarios.ts';
import { buttons, textOf } from './helpers.ts';

const stored = (event: HotfixEvent, position = 1): StoredEvent => ({
  hotfixId: 'HF-1',
  position,
  event,
  prevHash: '',
  hash: '',
});

/** Thread lines of `history[from..]`, each read against the state before it. */
const lines = (history: readonly HotfixEvent[], from = 0) => {
  let state: HotfixState = initialState();
  const out: { type: string; line: ReturnType<typeof renderThreadLine> }[] = [];
  history.forEach((event, i) => {
    if (i >= from) {
      const line = renderThreadLine(stored(event, i + 1), state, { timezone: 'UTC' });
      if (line) expect(checkBlockKit({ kind: 'message', ...line })).toEqual([]);
      out.push({ type: event.type, line });
    }
    state = evolve(state, event);
  });
  return out;
};

describe('thread lines', () => {
  it('one line per milestone, with an emoji, the actor and the time', () => {
    const out = lines(failedVerification().history);
    const approved = out.find((l) => l.type === 'PlanApproved')?.line;
    expect(approved?.blocks?.[0]).toMatchObject({
      type: 'section',
      text: { text: '👍 <@U0TECH1> approved the plan as technical · _03:00_' },
    });
    expect(approved?.text).toBe('👍 Tara Tech approved the plan as technical');
    const outcome = out.find((l) => l.type === 'GateFailed')?.line;
    expect(outcome?.text).toMatch(/^🛑 Verification gate failed/);
  });

  it('includes step starts, suppresses passed monitor checks', () => {
    const out = lines(verifying().history);
    const starts = out.filter((l) => l.type === 'StepStarted');
    expect(starts.length).toBeGreaterThan(0);
    expect(starts[0]?.line?.text).toBe('▶️ Started preparation step “System backup” (payments-api)');
    const m = monitoring();
    const event: HotfixEvent = {
      type: 'MonitorCheckPassed',
      check: 'payments-api/Health',
      round: 1,
      at: minutes(6).toISOString(),
      by: { platform: 'system', id: 'monitor' },
    };
    expect(renderThreadLine(stored(event), m.state, { timezone: 'UTC' })).toBeNull();
  });

  it('a resumed step says its earlier attempt was interrupted before the new attempt starts', () => {
    const resumed = play(
      [
        [cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 1, { owner: 'job-1' })],
        [
          cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2, {
            owner: 'job-1',
            interruption: 'its worker stopped mid-step (owner job-1)',
          }),
        ],
      ],
      {},
      deploying().history,
    );
    const out = lines(resumed.history, resumed.history.length - 2).map((l) => l.line?.text);
    expect(out).toEqual([
      '💥 Attempt 1 of preparation step “System backup” (payments-api) was interrupted: its worker stopped mid-step (owner job-1)',
      '▶️ Started preparation step “System backup” (payments-api) (attempt 2)',
    ]);
  });

  it('a failed step carries its trimmed output in a code block that cannot be broken out of', () => {
    const base = verifying();
    const output = [...Array.from({ length: 40 }, (_, i) => `line ${i}`), '``` <!channel> done'].join('\n');
    const failed = play(
      [
        [
          {
            type: 'FailStep',
            runId: 'deploy-1',
            step: DEPLOY_STEPS.check,
            attempt: 1,
            durationMs: 900,
            output,
            error: 'expected 200, got 503',
            by: { platform: 'system', id: 'worker' },
          },
        ],
      ],
      {},
      base.history,
    );
    const event = failed.history[base.history.length]!;
    const line = renderThreadLine(stored(event), base.state, { timezone: 'UTC' });
    expect(line?.blocks).toHaveLength(2);
    const code = textOf(line!.blocks!.slice(1));
    expect(code.startsWith('```')).toBe(true);
    expect(code.endsWith('```')).toBe(true);
    expect(code).toMatch(/earlier lines trimmed/);
    expect(code).not.toMatch(/line 0\n/);
    expect(code).toMatch(/&lt;!channel&gt; done/);
    expect(code.slice(3, -3)).not.toMatch(/```/);
    expect(textOf(line!.blocks!.slice(0, 1))).toMatch(
      /^❌ Verification step “System check” \(payments-api\) failed after 900ms \(attempt 1\): expected 200, got 503/,
    );
  });

  it('escapes user text so it cannot ping the channel', () => {
    const state = monitoring().state;
    const event: HotfixEvent = {
      type: 'IssueLogged',
      issueId: 1,
      text: 'checkout broken <!channel> <@U0MGR1>',
      at: minutes(7).toISOString(),
      by: people.support,
    };
    const line = renderThreadLine(stored(event), state, { timezone: 'UTC' });
    expect(JSON.stringify(line)).not.toMatch(/<!channel>|<@U0MGR1>/);
    expect(textOf(line!.blocks!)).toMatch(/^🐞 <@U0SUP1> logged issue #1: checkout broken &lt;!channel&gt;/);
  });
});

describe('manual step prompt', () => {
  it('asks the step roles with Confirm / Fail buttons carrying run and step', () => {
    const state = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).state;
    const prompt = renderManualStepPrompt(state, 'deploy-1', DEPLOY_STEPS.manual, {
      policy,
      instruction: 'Confirm a test payment succeeds',
    });
    expect(checkBlockKit({ kind: 'message', ...prompt })).toEqual([]);
    const text = textOf(prompt.blocks);
    expect(text).toMatch(/waiting for Business or Technical/);
    expect(text).toMatch(/<@U0BIZ1>/);
    expect(text).toMatch(/>Confirm a test payment succeeds/);
    const value = { h: 'HF-1', run: 'deploy-1', v: DEPLOY_STEPS.manual };
    expect(buttons(prompt.blocks, ACTIONS.confirmStep).map((b) => b.value)).toEqual([value]);
    expect(buttons(prompt.blocks, ACTIONS.failStep).map((b) => b.value)).toEqual([value]);
  });

  it('once answered, says who and drops the buttons', () => {
    const state = monitoring().state;
    const prompt = renderManualStepPrompt(state, 'deploy-1', DEPLOY_STEPS.manual, { timezone: 'UTC' });
    expect(textOf(prompt.blocks)).toMatch(/✅ Confirmed by <@U0BIZ1> at 03:05/);
    expect(buttons(prompt.blocks, ACTIONS.confirmStep)).toEqual([]);
    expect(textOf(renderManualStepPrompt(state, 'deploy-9', 'nope').blocks)).toMatch(/has no step nope/);
  });
});

describe('vote message', () => {
  it('shows the live tally against quorum, the required roles still missing and the expiry', () => {
    const voted = play([[cmd.vote(people.tech1, 'for'), minutes(2)]], {}, failedVerification().history).state;
    const message = renderVoteMessage(voted, 1, { policy, now: minutes(5) });
    expect(checkBlockKit({ kind: 'message', ...message })).toEqual([]);
    const text = textOf(message.blocks);
    expect(text).toMatch(/\*For\*\n1 of quorum 2/);
    expect(text).toMatch(/\*Against\*\n0/);
    expect(text).toMatch(/\*Required roles\*\n⏳ Management/);
    expect(text).toMatch(/expires 03:15 \(in 10m\)/);
    expect(text).toMatch(/✅ <@U0TECH1> \(technical\)/);
    expect(message.text).toBe(
      'Rollback vote #1 on HF-1: 1 for, 0 against (quorum 2, needs management) — open',
    );
    expect(buttons(message.blocks, ACTIONS.voteFor).map((b) => b.value)).toEqual([{ h: 'HF-1', v: '1' }]);
    expect(buttons(message.blocks, ACTIONS.voteAgainst)).toHaveLength(1);
  });

  it('has no buttons once expired or decided', () => {
    const state = failedVerification().state;
    const late = renderVoteMessage(state, 1, { policy, now: minutes(20) });
    expect(buttons(late.blocks, ACTIONS.voteFor)).toEqual([]);
    expect(textOf(late.blocks)).toMatch(/expired at 03:15/);
    const passed = play(
      [
        [cmd.vote(people.tech1, 'for'), minutes(1)],
        [cmd.vote(people.manager, 'for'), minutes(2)],
      ],
      {},
      failedVerification().history,
    ).state;
    const done = renderVoteMessage(passed, 1, { policy, now: minutes(3) });
    expect(buttons(done.blocks, ACTIONS.voteFor)).toEqual([]);
    expect(textOf(done.blocks)).toMatch(/✅ passed — rolling back at 03:02/);
    expect(textOf(done.blocks)).toMatch(/\*Required roles\*\n✅ Management/);
  });
});
