import type { HotfixEvent } from '../events.ts';
import { openVote } from '../queries.ts';
import type { HotfixState } from '../state.ts';
import { evolve } from '../state.ts';
import { DURATION_PATTERN, parseDuration } from '../duration.ts';
import { refuse } from '../errors.ts';
import { periodBounds } from '../plan.ts';
import { applyFailurePolicy } from './rollback.ts';
import type { DecideContext, Draft, Handler } from './scope.ts';
import { requireSystem } from './scope.ts';

/** The monitoring window after verification: check rounds, breaches, and the window's end. */

export const recordMonitorCheck: Handler<'RecordMonitorCheck'> = (command, { state, ctx, at, emit }) => {
  requireSystem(command.by, state.id);
  const monitoring = state.monitoring;
  if (monitoring === null || monitoring.closed) return [];
  if (monitoring.checks[command.check]?.rounds.includes(command.round)) return [];
  const measured = command.measurement === undefined ? {} : { measurement: command.measurement };
  if (command.passed)
    return emit({
      type: 'MonitorCheckPassed',
      check: command.check,
      round: command.round,
      ...(command.detail === undefined ? {} : { detail: command.detail }),
      ...measured,
    });
  const breach: Draft = {
    type: 'MonitorCheckBreached',
    check: command.check,
    round: command.round,
    detail: command.detail ?? 'check failed',
    ...measured,
  };
  const reason = `Monitor check "${command.check}" breached: ${command.detail ?? 'check failed'}`;
  const afterBreach = evolve(state, { ...breach, at, by: command.by } as HotfixEvent);
  return [
    ...emit(breach),
    ...(openVote(state) ? [] : applyFailurePolicy(afterBreach, ctx, at, command.by, 'failed_check', reason)),
  ];
};

export const closeMonitoringWindow: Handler<'CloseMonitoringWindow'> = (command, { state, ctx, h, emit }) => {
  requireSystem(command.by, h);
  const monitoring = state.monitoring;
  if (monitoring === null || monitoring.closed) return [];
  if (ctx.now.getTime() < Date.parse(monitoring.until))
    refuse('wrong_phase', `The monitoring window of ${h} is open until ${monitoring.until}.`);
  const clean = Object.values(monitoring.checks).every((c) => c.breaches === 0);
  return emit({ type: 'MonitoringWindowClosed', clean });
};

/**
 * How long to monitor: the plan's verification period when it gives one, else the policy's. A plan recorded
 * before periods were checked may hold one that does not read or lies outside today's bounds: it is read
 * within the bounds, or the policy's applies.
 */
export function verificationPeriod(
  state: HotfixState,
  ctx: DecideContext,
): { readonly ms: number; readonly from: 'plan' | 'policy' } {
  const bounds = periodBounds(ctx.policy);
  const text = state.plan.timeline.verificationPeriod?.trim() ?? '';
  if (text !== '' && DURATION_PATTERN.test(text)) {
    const ms = parseDuration(text, { allowZero: true });
    if (ms > 0) return { ms: Math.min(Math.max(ms, bounds.minMs), bounds.maxMs), from: 'plan' };
  }
  return { ms: ctx.policy.verificationPeriodMs, from: 'policy' };
}

/** What follows a passed verification gate: the monitoring window, or at once a clean close when there is none. */
export function monitoringStart(state: HotfixState, ctx: DecideContext): Draft[] {
  const period = verificationPeriod(state, ctx);
  if (period.ms <= 0) return [{ type: 'MonitoringWindowClosed', clean: true }];
  const checks = state.plan.services.flatMap((service) =>
    (ctx.policy.services[service]?.monitor ?? []).map((m) => `${service}/${m.name}`),
  );
  return [
    {
      type: 'MonitoringStarted',
      until: new Date(ctx.now.getTime() + period.ms).toISOString(),
      checks,
      periodFrom: period.from,
    },
  ];
}
