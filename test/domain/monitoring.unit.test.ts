import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import { effectsOf } from '../../src/domain/hotfix/effects.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { deploymentHash, readVerificationPeriod } from '../../src/domain/hotfix/plan.ts';
import { holdsLock, outcome } from '../../src/domain/hotfix/queries.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { fold } from '../../src/domain/hotfix/state.ts';
import { given, play } from './given.ts';
import { minutes, people, plan, policy, worker } from './fixtures/policy.ts';
import { act, cmd, DEPLOY_STEPS, monitoring, observed, started } from './scenarios.ts';

const withPeriod = (verificationPeriod: string): Plan => ({
  ...plan,
  timeline: { ...plan.timeline, verificationPeriod },
});

/** A hotfix with plan `p` from its start to the monitoring window, the verification gate passed at minute 5. */
const monitoringOf = (p: Plan) => {
  const hash = deploymentHash(p);
  const items = [...policy.checklists.code_readiness, ...policy.checklists.environment_readiness];
  const steps: HotfixCommand[] = [
    cmd.start(people.requester, p),
    cmd.approve(people.tech1, 'technical', hash),
    cmd.approve(people.manager, 'management', hash),
    ...items.map((i) => cmd.tick(i)),
    cmd.deploy(),
    cmd.grant(),
    ...[DEPLOY_STEPS.backup, DEPLOY_STEPS.code, DEPLOY_STEPS.check].flatMap((s) => [
      cmd.startStep(s),
      cmd.succeed(s),
    ]),
    cmd.startStep(DEPLOY_STEPS.manual),
  ];
  return play([
    ...steps.map((c) => [c] as const),
    [cmd.confirm(DEPLOY_STEPS.manual, people.biz), minutes(5)],
  ]);
};

const startedEvent = (history: readonly HotfixEvent[]) => history.find((e) => e.type === 'MonitoringStarted');

describe("the plan's verification period", () => {
  it('sets the monitoring window when the plan gives one, and says so', () => {
    const { history, state } = monitoringOf(withPeriod('2h'));
    expect(startedEvent(history)).toMatchObject({
      until: minutes(5 + 120).toISOString(),
      periodFrom: 'plan',
    });
    expect(state.monitoring?.periodFrom).toBe('plan');
    const record = buildRecord(history, { timezone: 'UTC' });
    expect(record.implementation.verification.performance.period).toEqual({
      ms: 2 * 3_600_000,
      from: 'plan',
    });
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain(
      "- **Performance:** running, monitored 2026-11-26 03:05 to 2026-11-26 05:05 (2h, the plan's verification period)",
    );
    expect(markdown).toContain(
      "started monitoring for 2h, the plan's verification period (payments-api/Health)",
    );
  });

  it("falls back to the policy's period when the plan gives none", () => {
    const { history } = monitoring();
    expect(startedEvent(history)).toMatchObject({
      until: minutes(5 + 30).toISOString(),
      periodFrom: 'policy',
    });
    expect(buildRecord(history, { timezone: 'UTC' }).implementation.verification.performance.period).toEqual({
      ms: 30 * 60_000,
      from: 'policy',
    });
  });

  it.each([
    ['999d', /between 5m and 1d \(got "999d"\)/],
    ['forever', /a duration such as 30m, 2h or 1h30m, between 5m and 1d \(got "forever"\)/],
    ['-5m', /a duration such as 30m, 2h or 1h30m, between 5m and 1d \(got "-5m"\)/],
    ['1m', /between 5m and 1d \(got "1m"\)/],
    ['0m', /between 5m and 1d/],
  ])('refuses %s on start and on edit, naming the bounds', (period, message) => {
    given([])
      .when(cmd.start(people.requester, withPeriod(period)))
      .thenRefused('invalid_plan', message);
    given(started().history)
      .when({ type: 'EditPlan', plan: withPeriod(period), by: people.requester })
      .thenRefused('invalid_plan', message);
  });

  it('accepts a period at either bound, and the bounds come from the policy', () => {
    given([])
      .when(cmd.start(people.requester, withPeriod('5m')))
      .then([{ type: 'HotfixStarted' }]);
    given([])
      .when(cmd.start(people.requester, withPeriod('24h')))
      .then([{ type: 'HotfixStarted' }]);
    given([], { policy: { ...policy, verificationPeriodMaxMs: 60 * 60_000 } })
      .when(cmd.start(people.requester, withPeriod('2h')))
      .thenRefused('invalid_plan', /between 5m and 1h/);
    expect(readVerificationPeriod('  ', { minMs: 1, maxMs: 2 })).toEqual({ ok: true, ms: null });
  });

  it("reads a plan recorded before periods were checked within today's bounds, or uses the policy's", () => {
    const { history } = monitoringOf(plan);
    const beforeGate = history.slice(
      0,
      history.findIndex((e) => e.type === 'ManualStepConfirmed'),
    );
    for (const [period, until, from] of [
      ['999d', minutes(5 + 24 * 60), 'plan'],
      ['1m', minutes(5 + 5), 'plan'],
      ['forever', minutes(5 + 30), 'policy'],
    ] as const) {
      // The history as an older release would have let the plan through.
      const older = beforeGate.map((e) =>
        e.type === 'HotfixStarted' ? { ...e, plan: withPeriod(period) } : e,
      );
      const gate = play([[cmd.confirm(DEPLOY_STEPS.manual, people.biz), minutes(5)]], {}, older);
      expect(startedEvent(gate.history)).toMatchObject({ until: until.toISOString(), periodFrom: from });
    }
  });

  it('a monitoring window closes at its own end, whoever set it', () => {
    const { history } = play(
      [[act.monitor('payments-api/Health', 1, 'status 200', worker), minutes(10)]],
      {},
      monitoringOf(withPeriod('10m')).history,
    );
    given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(14) })
      .thenRefused('wrong_phase', /open until/);
    given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(15) })
      .then([{ type: 'MonitoringWindowClosed', clean: true }]);
  });
});

describe('a monitoring window with breaches needs a decision', () => {
  const breach: HotfixCommand = {
    type: 'RecordMonitorCheck',
    check: 'payments-api/Health',
    round: 1,
    passed: false,
    detail: 'expected status 200, got 503',
    by: worker,
  };
  const close: HotfixCommand = { type: 'CloseMonitoringWindow', by: worker };
  const accept = (by: Person, reason = 'error rate back to normal', role?: string): HotfixCommand => ({
    type: 'AcceptBreaches',
    reason,
    ...(role === undefined ? {} : { role }),
    by,
  });
  /** A breach at minute 10 opened vote #1, which expired at 25; the window closed at 35. */
  const inReview = () =>
    play(
      [
        [breach, minutes(10)],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
        [close, minutes(35)],
      ],
      {},
      monitoring().history,
    );

  it('a window that closes with breaches waits for a decision: no outcome, lock kept, sign-off and close refused', () => {
    const { history, state } = inReview();
    expect(history.at(-1)).toMatchObject({ type: 'MonitoringWindowClosed', clean: false });
    expect(state.phase).toBe('breach_review');
    expect(outcome(state)).toBeNull();
    expect(holdsLock(state)).toBe(true);
    const decision =
      /HF-1's monitoring window found 1 breach: a decision is needed first \(technical, business, support accept and keep the release, or roll back\)/;
    given(history).when(cmd.signOff(people.tech1, 'technical')).thenRefused('outcome_unknown', decision);
    given(history).when({ type: 'CloseHotfix', by: people.tech1 }).thenRefused('outcome_unknown', decision);
  });

  it('each sign-off role accepts once, with a reason; the last acceptance verifies the hotfix and frees the lock', () => {
    const { history } = inReview();
    given(history)
      .when(accept(people.tech1))
      .then([{ type: 'BreachAcceptanceGiven', role: 'technical', reason: 'error rate back to normal' }]);
    const two = play([[accept(people.tech1)], [accept(people.biz, 'no customer complaints')]], {}, history);
    expect(two.state.phase).toBe('breach_review');
    const events = given(two.history)
      .when(accept(people.support, 'support queue is quiet'))
      .then([
        { type: 'BreachAcceptanceGiven', role: 'support', by: people.support },
        { type: 'BreachesAccepted', breaches: 1, roles: ['technical', 'business', 'support'] },
      ]);
    const after = fold(events, two.state);
    expect(after.phase).toBe('verified');
    expect(outcome(after)).toBe('deployed');
    expect(effectsOf(two.state, events, after)).toEqual([
      { type: 'release-lock', hotfixId: 'HF-1', services: ['payments-api'] },
    ]);
    // Sign-off is open now.
    given([...two.history, ...events])
      .when(cmd.signOff(people.tech1, 'technical'))
      .then([{ type: 'SignedOff', role: 'technical' }]);
  });

  it('accepting is idempotent, one person per role, and only for the deciding roles', () => {
    const { history } = inReview();
    const once = play([[accept(people.tech1)]], {}, history);
    given(once.history).when(accept(people.tech1)).thenNothing();
    given(once.history).when(accept(people.tech1, 'another reason')).thenNothing();
    given(once.history)
      .when(accept(people.tech2))
      .thenRefused('wrong_phase', /technical already accepted the breaches \(Tara Tech\)/);
    given(history)
      .when(accept(people.manager))
      .thenRefused('not_in_role', /Only technical, business, support decide/);
    given(history).when(accept(people.stranger)).thenRefused('not_in_role');
    given(history)
      .when(accept(people.tech1, 'x', 'business'))
      .thenRefused('not_in_role', /Only business can accept the breaches as business/);
    given(history)
      .when(accept(people.tech1, '   '))
      .thenRefused('invalid_input', /a reason/);
    // After the decision, a late click changes nothing.
    const all = play([[accept(people.tech1)], [accept(people.biz)], [accept(people.support)]], {}, history);
    given(all.history).when(accept(people.biz)).thenNothing();
  });

  it('one person accepts for one role, even holding two deciding roles', () => {
    const twoRoles = { ...policy, signoffs: ['technical', 'management'] };
    const { history } = play(
      [
        [breach, minutes(10)],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
        [close, minutes(35)],
        [accept(people.lead)],
      ],
      { policy: twoRoles },
      monitoring().history,
    );
    expect(history.at(-1)).toMatchObject({ type: 'BreachAcceptanceGiven', role: 'technical' });
    given(history, { policy: twoRoles })
      .when(accept(people.lead, 'fine', 'management'))
      .thenRefused('one_role_per_person', /already accepted as technical/);
    given(history, { policy: twoRoles })
      .when(accept(people.manager))
      .then([{ type: 'BreachAcceptanceGiven', role: 'management' }, { type: 'BreachesAccepted' }]);
  });

  it('is refused outside a review of breaches', () => {
    given(monitoring().history)
      .when(accept(people.tech1))
      .thenRefused('wrong_phase', /after a monitoring window that found some/);
    const clean = play([[close, minutes(35)]], {}, observed().history);
    expect(clean.state.phase).toBe('verified');
    given(clean.history).when(accept(people.tech1)).thenRefused('wrong_phase');
  });

  it('rolling back instead is a rollback proposal, the usual vote', () => {
    const { history } = inReview();
    const proposed = given(history)
      .when({ type: 'ProposeRollback', trigger: 'failed_check', reason: 'keep it safe', by: people.tech1 })
      .then([
        { type: 'RollbackProposed', voteId: 2, trigger: 'failed_check', automatic: false },
        { type: 'VoteCast', voteId: 2, choice: 'for' },
      ]);
    const afterVote = play([[cmd.vote(people.manager, 'for', 2)]], {}, [...history, ...proposed]);
    expect(afterVote.history.map((e) => e.type).slice(-4)).toEqual([
      'VoteCast',
      'VotePassed',
      'RollbackStarted',
      'PipelineStarted',
    ]);
    expect(afterVote.state.phase).toBe('rolling_back');
  });

  it('while a vote is open it decides first; when it fails the hotfix is back waiting for acceptance', () => {
    // The window closes while the breach's vote is still open.
    const { history } = play(
      [
        [breach, minutes(10)],
        [close, minutes(35)],
      ],
      {},
      monitoring().history,
    );
    const open = play([[cmd.vote(people.tech1, 'for')]], {}, history);
    expect(open.state.phase).toBe('breach_review');
    given(open.history)
      .when(accept(people.tech1))
      .thenRefused('wrong_phase', /Rollback vote #1 is open on HF-1: it decides first/);
    // Management is required and both holders vote against: the vote fails.
    const failed = play(
      [[cmd.vote(people.manager, 'against')], [cmd.vote(people.lead, 'against')]],
      {},
      open.history,
    );
    expect(failed.history.at(-1)).toMatchObject({ type: 'VoteFailed', voteId: 1 });
    expect(failed.state.phase).toBe('breach_review');
    expect(outcome(failed.state)).toBeNull();
    given(failed.history)
      .when(accept(people.tech1))
      .then([{ type: 'BreachAcceptanceGiven', role: 'technical' }]);
  });

  it('without sign-off roles, the closers decide (technical by default)', () => {
    const noSignoffs = { ...policy, signoffs: [] };
    const { history } = play(
      [
        [breach, minutes(10)],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
        [close, minutes(35)],
      ],
      { policy: noSignoffs },
      monitoring().history,
    );
    given(history, { policy: noSignoffs })
      .when(accept(people.biz))
      .thenRefused('not_in_role', /Only technical decide/);
    given(history, { policy: noSignoffs })
      .when(accept(people.tech2))
      .then([
        { type: 'BreachAcceptanceGiven', role: 'technical' },
        { type: 'BreachesAccepted', breaches: 1, roles: ['technical'] },
      ]);
  });

  it('the record says who accepted the breaches and why', () => {
    const { history } = play(
      [
        [accept(people.tech1, 'error rate back to normal')],
        [accept(people.biz, 'no customer complaints')],
        [accept(people.support, 'support queue is quiet')],
      ],
      {},
      inReview().history,
    );
    const record = buildRecord(history, { timezone: 'UTC' });
    expect(record.outcome).toMatchObject({
      status: 'deployed',
      phase: 'verified',
      breachesAccepted: {
        breaches: 1,
        acceptances: [
          { role: 'technical', by: { name: 'Tara Tech' }, reason: 'error rate back to normal' },
          { role: 'business', by: { name: 'Bea Business' }, reason: 'no customer complaints' },
          { role: 'support', by: { name: 'Sam Support' }, reason: 'support queue is quiet' },
        ],
      },
    });
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain(
      '- **Status:** Deployed — verified with 1 breach, accepted by Tara Tech (technical), Bea Business (business), Sam Support (support)',
    );
    expect(markdown).toContain('  - Tara Tech (technical), 2026-11-26 03:00: error rate back to normal');
    expect(markdown).toContain(
      'verified with 1 breach, accepted by Tara Tech (technical), Bea Business (business), Sam Support (support)',
    );
    // While waiting, the record says a decision is pending.
    const waiting = renderRecordMarkdown(buildRecord(inReview().history, { timezone: 'UTC' }));
    expect(waiting).toContain('- **Phase:** breach review');
    expect(waiting).toContain(
      '- **Breaches:** 1 breach found by monitoring; waiting for a decision: accept and keep the release, or roll back',
    );
  });
});

describe('a monitoring window in which a check never reported is not clean', () => {
  const health = 'payments-api/Health';
  const latency = 'payments-api/Latency';
  const close: HotfixCommand = { type: 'CloseMonitoringWindow', by: worker };
  const accept = (by: Person, reason: string): HotfixCommand => ({ type: 'AcceptBreaches', reason, by });
  /** Monitoring two checks (Health and Latency), as if the policy had both when the window started. */
  const twoChecks = () =>
    monitoring().history.map((e) =>
      e.type === 'MonitoringStarted' ? { ...e, checks: [health, latency] } : e,
    );
  /** The window closed at minute 35 without a single round of its one check (the monitor was down). */
  const silent = () => play([[close, minutes(35)]], {}, monitoring().history);

  it('closes not clean, naming the check, and waits for the decision a breach gets', () => {
    const { history, state } = silent();
    expect(history.at(-1)).toMatchObject({
      type: 'MonitoringWindowClosed',
      clean: false,
      unobserved: [health],
    });
    expect(state.phase).toBe('breach_review');
    expect(outcome(state)).toBeNull();
    expect(holdsLock(state)).toBe(true);
    const decision =
      /HF-1's monitoring window closed with payments-api\/Health never reporting: a decision is needed first/;
    given(history).when(cmd.signOff(people.tech1, 'technical')).thenRefused('outcome_unknown', decision);
    given(history).when({ type: 'CloseHotfix', by: people.tech1 }).thenRefused('outcome_unknown', decision);
  });

  it('names only the checks that never reported, with the breaches of the others', () => {
    const reported = play([[act.monitor(health, 1, 'status 200', worker), minutes(10)]], {}, twoChecks());
    given(reported.history)
      .when(close, { now: minutes(35) })
      .then([{ type: 'MonitoringWindowClosed', clean: false, unobserved: [latency] }]);
    const breached = play(
      [
        [act.breach(health, 1, 'expected status 200, got 503', worker), minutes(10)],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
        [close, minutes(35)],
      ],
      {},
      twoChecks(),
    );
    given(breached.history)
      .when(cmd.signOff(people.tech1, 'technical'))
      .thenRefused(
        'outcome_unknown',
        /monitoring window closed with 1 breach and payments-api\/Latency never reporting: a decision/,
      );
  });

  it('every check reporting and passing closes clean, as before', () => {
    const both = play(
      [
        [act.monitor(health, 1, 'status 200', worker), minutes(10)],
        [act.monitor(latency, 1, '80 ms', worker), minutes(10)],
      ],
      {},
      twoChecks(),
    );
    const events = given(both.history)
      .when(close, { now: minutes(35) })
      .then([{ type: 'MonitoringWindowClosed', clean: true }]);
    expect(events[0]).not.toHaveProperty('unobserved');
    expect(fold(events, both.state).phase).toBe('verified');
  });

  it('the sign-off roles accept it (0 breaches) and the hotfix is verified; the record names the silent check', () => {
    const { history } = silent();
    const two = play(
      [[accept(people.tech1, 'the health page was up all along')], [accept(people.biz, 'no complaints')]],
      {},
      history,
    );
    const events = given(two.history)
      .when(accept(people.support, 'support queue is quiet'))
      .then([
        { type: 'BreachAcceptanceGiven', role: 'support' },
        { type: 'BreachesAccepted', breaches: 0, roles: ['technical', 'business', 'support'] },
      ]);
    const after = fold(events, two.state);
    expect(after.phase).toBe('verified');
    expect(outcome(after)).toBe('deployed');

    const record = buildRecord([...two.history, ...events], { timezone: 'UTC' });
    expect(record.implementation.verification.performance).toMatchObject({
      status: 'not_clean',
      unobserved: [health],
    });
    expect(record.outcome.breachesAccepted).toMatchObject({ breaches: 0, unobserved: [health] });
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain('  - Never reported: payments-api/Health (no round before the window closed)');
    expect(markdown).toContain('monitoring window closed with payments-api/Health never reporting');
    expect(markdown).toContain(
      '- **Status:** Deployed — verified with payments-api/Health never reporting, accepted by Tara Tech (technical), Bea Business (business), Sam Support (support)',
    );
    const waiting = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
    expect(waiting).toContain(
      '- **Breaches:** monitoring closed with payments-api/Health never reporting; waiting for a decision',
    );
  });

  it('rolling back instead stays allowed: a rollback proposal', () => {
    given(silent().history)
      .when({ type: 'ProposeRollback', trigger: 'failed_check', reason: 'no evidence', by: people.tech1 })
      .then([
        { type: 'RollbackProposed', voteId: 1, trigger: 'failed_check' },
        { type: 'VoteCast', voteId: 1, choice: 'for' },
      ]);
  });

  it('a round that reports after the close records nothing', () => {
    const { history } = silent();
    given(history)
      .when(act.monitor(health, 1, 'status 200', worker), { now: minutes(36) })
      .thenNothing();
    given(history)
      .when(act.breach(health, 1, 'status 503', worker), { now: minutes(36) })
      .thenNothing();
  });

  it('a window closed before unobserved checks were told apart reads as it was recorded', () => {
    const recorded = (clean: boolean): HotfixEvent[] => [
      ...monitoring().history,
      { type: 'MonitoringWindowClosed', clean, at: minutes(35).toISOString(), by: worker },
    ];
    // Clean without a round: verified, as the old release decided.
    const clean = fold(recorded(true));
    expect(clean.phase).toBe('verified');
    expect(outcome(clean)).toBe('deployed');
    // Not clean (a breach): the review, its words counting breaches only.
    const withBreach = play(
      [
        [act.breach(health, 1, 'expected status 200, got 503', worker), minutes(10)],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
      ],
      {},
      monitoring().history,
    ).history;
    const old = [
      ...withBreach,
      { type: 'MonitoringWindowClosed', clean: false, at: minutes(35).toISOString(), by: worker } as const,
    ];
    expect(fold(old).phase).toBe('breach_review');
    given(old)
      .when(cmd.signOff(people.tech1, 'technical'))
      .thenRefused('outcome_unknown', /HF-1's monitoring window found 1 breach: a decision is needed first/);
    expect(renderRecordMarkdown(buildRecord(old, { timezone: 'UTC' }))).toContain(
      'monitoring window found 1 breach',
    );
  });
});
