import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import { effectsOf } from '../../src/domain/hotfix/effects.ts';
import type { ReminderAbout } from '../../src/domain/hotfix/events.ts';
import { deploymentHash } from '../../src/domain/hotfix/plan.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import { manualStepSubject } from '../../src/domain/hotfix/reminders.ts';
import { buildRecord } from '../../src/domain/hotfix/record.ts';
import { renderRecordMarkdown } from '../../src/domain/hotfix/record-markdown.ts';
import { fold } from '../../src/domain/hotfix/state.ts';
import { minutes, people, plan, policy } from './fixtures/policy.ts';
import { given, play } from './given.ts';
import {
  cmd,
  DEPLOY_STEPS,
  failedVerification,
  monitoring,
  started,
  verified,
  verifying,
} from './scenarios.ts';

const timer = { platform: 'system', id: 'timer' } as const;
const reminding: Policy = {
  ...policy,
  reminders: {
    approvalMs: 15 * 60_000,
    manualStepMs: 10 * 60_000,
    voteMs: 5 * 60_000,
    signoffMs: 60 * 60_000,
    escalateTo: 'management',
  },
};
const ctx = { policy: reminding };
const remind = (about: ReminderAbout, subject: string, round: 1 | 2 = 1): HotfixCommand => ({
  type: 'SendReminder',
  about,
  subject,
  round,
  by: timer,
});
const hash = deploymentHash(plan);

describe('SendReminder', () => {
  it('reminds the approvers still missing, once', () => {
    const events = given(started().history, ctx)
      .when(remind('approval', hash), { now: minutes(15) })
      .then([{ type: 'ReminderSent', about: 'approval', subject: hash, round: 1, by: timer }]);
    const sent = events[0];
    expect(sent?.type === 'ReminderSent' && sent.missing.map((p) => p.id)).toEqual([
      'U0TECH1',
      'U0TECH2',
      'U0LEAD',
      'U0MGR1',
    ]);
    expect(sent && 'escalatedTo' in sent).toBe(false);
    // Twice (a redelivered timer job): nothing more.
    given([...started().history, ...events], ctx)
      .when(remind('approval', hash))
      .thenNothing();
  });

  it('sends nothing once it is no longer needed: approved, or the plan changed', () => {
    const approved = play(
      [[cmd.approve(people.tech1, 'technical')], [cmd.approve(people.manager, 'management')]],
      ctx,
      started().history,
    );
    given(approved.history, ctx).when(remind('approval', hash)).thenNothing();
    const edited = play(
      [[{ type: 'EditPlan', plan: { ...plan, version: '2.3.2' }, by: people.tech2 }]],
      ctx,
      started().history,
    );
    given(edited.history, ctx).when(remind('approval', hash)).thenNothing();
    // Half approved: only the role still short is reminded.
    const half = play([[cmd.approve(people.tech1, 'technical')]], ctx, started().history);
    const [sent] = given(half.history, ctx)
      .when(remind('approval', hash))
      .then([{ type: 'ReminderSent' }]);
    expect(sent?.type === 'ReminderSent' && sent.missing.map((p) => p.id)).toEqual(['U0MGR1', 'U0LEAD']);
  });

  it('round 2 escalates to the configured role, and only after round 1', () => {
    given(started().history, ctx)
      .when(remind('approval', hash, 2))
      .thenNothing();
    const first = play([[remind('approval', hash), minutes(15)]], ctx, started().history);
    given(first.history, ctx)
      .when(remind('approval', hash, 2), { now: minutes(30) })
      .then([{ type: 'ReminderSent', round: 2, escalatedTo: 'management' }]);
  });

  it('is off for a kind the policy does not remind about', () => {
    given(started().history, ctx)
      .when(remind('approval', hash), { policy: { ...reminding, reminders: { signoffMs: 1000 } } })
      .thenNothing();
    given(started().history).when(remind('approval', hash)).thenNothing();
  });

  it('a waiting manual step: reminded while it waits, not once confirmed', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      ctx,
      verifying().history,
    );
    const subject = manualStepSubject('deploy-1', DEPLOY_STEPS.manual, 1);
    given(waiting.history, ctx)
      .when(remind('manual_step', subject))
      .then([{ type: 'ReminderSent', about: 'manual_step', subject }]);
    given(monitoring().history, ctx).when(remind('manual_step', subject)).thenNothing();
    given(waiting.history, ctx)
      .when(remind('manual_step', manualStepSubject('deploy-1', DEPLOY_STEPS.manual, 2)))
      .thenNothing();
  });

  it('a vote: reminded before expiry, not after it or once closed', () => {
    const { history } = failedVerification();
    given(history, ctx)
      .when(remind('vote', '1'))
      .then([{ type: 'ReminderSent', about: 'vote' }]);
    given(history, ctx)
      .when(remind('vote', '1'), { now: minutes(60) })
      .thenNothing();
    given(history, ctx).when(remind('vote', '2')).thenNothing();
  });

  it('sign-offs: reminded while the outcome stands and signatures are missing', () => {
    const { history } = verified();
    const [sent] = given(history, ctx)
      .when(remind('signoff', 'deployed'))
      .then([{ type: 'ReminderSent', about: 'signoff' }]);
    expect(sent?.type === 'ReminderSent' && sent.missing.map((p) => p.id)).toContain('U0BIZ1');
    given(history, ctx).when(remind('signoff', 'rolled_back')).thenNothing();
    const signed = play(
      [
        [cmd.signOff(people.tech1, 'technical')],
        [cmd.signOff(people.biz, 'business')],
        [cmd.signOff(people.support, 'support')],
      ],
      ctx,
      history,
    );
    given(signed.history, ctx).when(remind('signoff', 'deployed')).thenNothing();
  });

  it('only the system sends reminders', () => {
    given(started().history, ctx)
      .when({ ...remind('approval', hash), by: people.tech1 })
      .thenRefused('not_in_role');
  });
});

describe('reminders in the record', () => {
  it('the timeline lists each reminder sent, who was missing and the escalation', () => {
    const { history } = play(
      [
        [remind('signoff', 'deployed'), minutes(100)],
        [remind('signoff', 'deployed', 2), minutes(160)],
      ],
      ctx,
      verified().history,
    );
    const markdown = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
    expect(markdown).toMatch(
      /reminder: the deployment record still needs sign-off — waiting for [^\n]*Bea Business/,
    );
    expect(markdown).toMatch(
      /reminder \(again\): the deployment record still needs sign-off; escalated to management/,
    );
  });
});

describe('reminder timers', () => {
  const scheduled = (history: ReturnType<typeof play>['history'], from: number, p: Policy = reminding) =>
    effectsOf(fold(history.slice(0, from)), history.slice(from), fold(history), p).filter(
      (e) => e.type === 'schedule-reminder',
    );

  it('a started plan schedules its approval reminder; no policy, no timer', () => {
    const { history } = started();
    expect(scheduled(history, 0)).toEqual([
      {
        type: 'schedule-reminder',
        hotfixId: 'HF-1',
        about: 'approval',
        subject: hash,
        round: 1,
        at: minutes(15).toISOString(),
      },
    ]);
    expect(scheduled(history, 0, policy)).toEqual([]);
  });

  it('a vote is reminded before it expires; the outcome schedules sign-offs; round 1 schedules round 2', () => {
    const failed = failedVerification();
    const before = verifying().history.length;
    expect(scheduled(failed.history, before).map((e) => [e.about, e.at])).toEqual([
      ['vote', minutes(10).toISOString()],
    ]);
    const v = verified();
    const closedAt = monitoring().history.length;
    expect(scheduled(v.history, closedAt).map((e) => [e.about, e.subject, e.at])).toEqual([
      ['signoff', 'deployed', minutes(100).toISOString()],
    ]);
    const reminded = play([[remind('signoff', 'deployed'), minutes(100)]], ctx, v.history);
    expect(scheduled(reminded.history, v.history.length).map((e) => [e.round, e.at])).toEqual([
      [2, minutes(160).toISOString()],
    ]);
  });
});
