import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { planHash, readVerificationPeriod } from '../../src/domain/hotfix/plan.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { given, play } from './given.ts';
import { minutes, people, plan, policy, worker } from './fixtures/policy.ts';
import { cmd, DEPLOY_STEPS, monitoring, started } from './scenarios.ts';

const withPeriod = (verificationPeriod: string): Plan => ({
  ...plan,
  timeline: { ...plan.timeline, verificationPeriod },
});

/** A hotfix with plan `p` from its start to the monitoring window, the verification gate passed at minute 5. */
const monitoringOf = (p: Plan) => {
  const hash = planHash(p);
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
    expect(markdown).toContain("started monitoring for 2h, the plan's verification period,");
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
    const { history } = monitoringOf(withPeriod('10m'));
    given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(14) })
      .thenRefused('wrong_phase', /open until/);
    given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(15) })
      .then([{ type: 'MonitoringWindowClosed', clean: true }]);
  });
});
