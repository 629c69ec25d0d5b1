import type { HotfixEvent } from '../events.ts';
import { displayName } from '../people.ts';
import { identify } from '../policy.ts';
import { breachCount, breachDeciders, openVote, reviewFindings } from '../queries.ts';
import type { HotfixState } from '../state.ts';
import { evolve } from '../state.ts';
import { DURATION_PATTERN, parseDuration } from '../duration.ts';
import { refuse } from '../errors.ts';
import { periodBounds } from '../plan.ts';
import { applyFailurePolicy } from './rollback.ts';
import type { DecideContext, Draft, Handler } from './scope.ts';
import { nonEmpty, requirePerson, requireSystem } from './scope.ts';

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
  // A check that never reported (worker down, probe slower than the window) is no evidence of health.
  const unobserved = Object.values(monitoring.checks)
    .filter((c) => c.rounds.length === 0)
    .map((c) => c.name);
  const clean = unobserved.length === 0 && Object.values(monitoring.checks).every((c) => c.breaches === 0);
  return emit({ type: 'MonitoringWindowClosed', clean, ...(unobserved.length === 0 ? {} : { unobserved }) });
};

/**
 * After a window with breaches or checks that never reported, each deciding role (the sign-off roles) keeps
 * the release once, one person per role as for sign-offs; when the last one has, the hotfix is verified (a
 * window with only unobserved checks too: `BreachesAccepted.breaches` is then 0). Rolling back instead is a
 * rollback proposal (the usual vote), which stays allowed meanwhile.
 */
export const acceptBreaches: Handler<'AcceptBreaches'> = (command, { state, ctx, h, emit, same }) => {
  const roles = requirePerson(command.by, ctx, h);
  const accepted = state.breachAcceptances ?? {};
  // A repeated click, a redelivery, or a click after the decision: nothing new.
  const mine = Object.entries(accepted).find(([, a]) => same(a.by, command.by));
  if (mine && (command.role === undefined || command.role === mine[0])) return [];
  if (state.phase !== 'breach_review')
    refuse(
      'wrong_phase',
      `${h} is ${state.phase.replace('_', ' ')}. Breaches are accepted after a monitoring window that found some or heard nothing from a check.`,
    );
  const vote = openVote(state);
  if (vote)
    refuse(
      'wrong_phase',
      `Rollback vote #${vote.id} is open on ${h}: it decides first, then accept or roll back.`,
    );
  const deciders = breachDeciders(ctx.policy);
  const role =
    command.role ??
    roles.find((r) => deciders.includes(r) && !(r in accepted)) ??
    roles.find((r) => deciders.includes(r));
  if (role === undefined || !deciders.includes(role))
    return refuse(
      'not_in_role',
      `Only ${deciders.join(', ')} decide whether to keep a release with breaches.`,
    );
  if (!roles.includes(role)) refuse('not_in_role', `Only ${role} can accept the breaches as ${role}.`);
  const existing = accepted[role];
  if (existing)
    refuse(
      'wrong_phase',
      `${role} already accepted the breaches (${displayName(identify(ctx.policy, existing.by))}).`,
    );
  if (mine)
    refuse('one_role_per_person', `You already accepted as ${mine[0]}; one person accepts for one role.`);
  const reason = nonEmpty(command.reason, 'a reason to keep the release despite the breaches');
  const missing = deciders.filter((r) => r !== role && !(r in accepted));
  return emit(
    { type: 'BreachAcceptanceGiven', role, reason },
    ...(missing.length === 0
      ? [{ type: 'BreachesAccepted' as const, breaches: breachCount(state), roles: [...deciders] }]
      : []),
  );
};

/** Why sign-off and close wait while breaches await a decision; null otherwise. */
export const breachDecisionPending = (state: HotfixState, ctx: DecideContext): string | null => {
  if (state.phase !== 'breach_review') return null;
  return `${state.id}'s monitoring window ${reviewFindings(state)}: a decision is needed first (${breachDeciders(ctx.policy).join(', ')} accept and keep the release, or roll back).`;
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
