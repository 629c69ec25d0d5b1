import { refuse } from '../errors.ts';
import type { HotfixEvent, RollbackTrigger } from '../events.ts';
import type { Person, Role } from '../people.ts';
import type { Policy } from '../policy.ts';
import { rolesOf } from '../policy.ts';
import { ballotOf, openVote, tally } from '../queries.ts';
import type { HotfixState } from '../state.ts';
import { evolve } from '../state.ts';
import type { DecideContext, Decision, Draft, Handler } from './scope.ts';
import { nonEmpty, requirePerson, requirePhase, requireSystem, stamp } from './scope.ts';
import { plannedSteps } from './steps.ts';

/** Rollback: proposals, votes on them, and the rollback run a passed vote (or the failure policy) starts. */

export const proposeRollbackCommand: Handler<'ProposeRollback'> = (command, { state, ctx, h, at }) => {
  const automatic = command.by.platform === 'system';
  if (!automatic) requirePerson(command.by, ctx, h);
  requirePhase(
    state,
    ['deploying', 'monitoring', 'breach_review', 'verified', 'deploy_failed'],
    'A rollback can be proposed once deploy has started and until the hotfix is rolled back or closed.',
  );
  const vote = openVote(state);
  if (vote)
    return refuse('vote_closed', `Rollback vote #${vote.id} is already open on ${h}; cast your vote there.`);
  requireRollbackSteps(state, ctx.policy);
  return proposeRollback(
    state,
    ctx,
    at,
    command.by,
    command.trigger,
    nonEmpty(command.reason, 'a reason'),
    automatic,
  );
};

export const castVoteCommand: Handler<'CastVote'> = (command, { state, ctx, h, at, emit }) => {
  requirePerson(command.by, ctx, h);
  const vote =
    state.votes.find((v) => v.id === command.voteId) ??
    refuse('unknown_vote', `${h} has no vote #${command.voteId}.`);
  if (vote.status !== 'open') return refuse('vote_closed', `Vote #${vote.id} is already ${vote.status}.`);
  const tallied = tally(vote, ctx.policy);
  // The vote ended when time ran out, whether or not the timer has said so yet.
  if (ctx.now.getTime() >= Date.parse(vote.expiresAt))
    return emit({ type: 'VoteExpired', voteId: vote.id, for: tallied.for, against: tallied.against });
  const roles = rolesOf(ctx.policy, command.by).filter((r) => ctx.policy.rollback.vote.eligible.includes(r));
  if (roles.length === 0)
    refuse('not_eligible', `Only ${ctx.policy.rollback.vote.eligible.join(', ')} can vote on a rollback.`);
  if (ballotOf(vote, ctx.policy, command.by)?.choice === command.choice) return [];
  return castVote(state, ctx, at, command.by, vote.id, command.choice, roles);
};

export const expireVote: Handler<'ExpireVote'> = (command, { state, ctx, h, emit }) => {
  requireSystem(command.by, h);
  const vote =
    state.votes.find((v) => v.id === command.voteId) ??
    refuse('unknown_vote', `${h} has no vote #${command.voteId}.`);
  if (vote.status !== 'open') return [];
  if (ctx.now.getTime() < Date.parse(vote.expiresAt))
    refuse('wrong_phase', `Vote #${vote.id} is open until ${vote.expiresAt}.`);
  const t = tally(vote, ctx.policy);
  return emit({ type: 'VoteExpired', voteId: vote.id, for: t.for, against: t.against });
};

/** `policy.rollback.on_failure`: report only, open a vote, or roll back at once. */
export function applyFailurePolicy(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  trigger: RollbackTrigger,
  reason: string,
): Decision {
  if (!hasRollbackSteps(state, ctx.policy)) return [];
  switch (ctx.policy.rollback.onFailure) {
    case 'off':
      return [];
    case 'propose':
      return proposeRollback(state, ctx, at, by, trigger, reason, true);
    case 'execute':
      return startRollback(state, ctx, at, by, reason, true, undefined);
  }
}

function proposeRollback(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  trigger: RollbackTrigger,
  reason: string,
  automatic: boolean,
): Decision {
  const voteId = state.votes.length + 1;
  const expiresAt = new Date(ctx.now.getTime() + ctx.policy.rollback.vote.expiresAfterMs).toISOString();
  const proposed = {
    type: 'RollbackProposed',
    voteId,
    trigger,
    reason,
    automatic,
    expiresAt,
    at,
    by,
  } as const;
  const after = evolve(state, proposed);
  // Whoever proposes a rollback is for it: their ballot is cast with the proposal when they may vote.
  const roles = automatic
    ? []
    : rolesOf(ctx.policy, by).filter((r) => ctx.policy.rollback.vote.eligible.includes(r));
  return [proposed, ...(roles.length > 0 ? castVote(after, ctx, at, by, voteId, 'for', roles) : [])];
}

function castVote(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  voteId: number,
  choice: 'for' | 'against',
  roles: Role[],
): Decision {
  const cast: HotfixEvent = { type: 'VoteCast', voteId, choice, roles, at, by };
  const after = evolve(state, cast);
  const vote = after.votes.find((v) => v.id === voteId);
  if (!vote) return [cast];
  const t = tally(vote, ctx.policy);
  if (t.passed) {
    const passed: HotfixEvent = { type: 'VotePassed', voteId, for: t.for, against: t.against, at, by };
    return [cast, passed, ...startRollback(evolve(after, passed), ctx, at, by, vote.reason, false, voteId)];
  }
  if (t.hopeless) return [cast, { type: 'VoteFailed', voteId, for: t.for, against: t.against, at, by }];
  return [cast];
}

function startRollback(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  reason: string,
  automatic: boolean,
  voteId: number | undefined,
): Decision {
  const running = state.runs.filter((r) => r.status === 'running');
  const runId = `rollback-${state.runs.filter((r) => r.kind === 'rollback').length + 1}`;
  const drafts: Draft[] = [
    ...running.map((r) => ({ type: 'PipelineAborted' as const, runId: r.id, reason: 'rollback started' })),
    { type: 'RollbackStarted', runId, automatic, reason, ...(voteId === undefined ? {} : { voteId }) },
    {
      type: 'PipelineStarted',
      runId,
      kind: 'rollback',
      steps: plannedSteps(state.plan, ctx.policy, 'rollback'),
    },
  ];
  return stamp(drafts, at, by);
}

const hasRollbackSteps = (state: HotfixState, policy: Policy): boolean =>
  plannedSteps(state.plan, policy, 'rollback').length > 0;

function requireRollbackSteps(state: HotfixState, policy: Policy): void {
  if (!hasRollbackSteps(state, policy))
    refuse('wrong_phase', `No rollback steps are configured for ${state.plan.services.join(', ')}.`);
}
