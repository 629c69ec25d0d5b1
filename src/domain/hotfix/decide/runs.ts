import type { CommandOf } from '../commands.ts';
import { refuse } from '../errors.ts';
import type { HotfixEvent } from '../events.ts';
import type { Person } from '../people.ts';
import { STAGES } from '../policy.ts';
import { approvalGate, isFinished, nextStep, openVote, readinessGate, runById } from '../queries.ts';
import type { HotfixState } from '../state.ts';
import { evolve } from '../state.ts';
import { monitoringStart } from './monitoring.ts';
import { applyFailurePolicy } from './rollback.ts';
import type { DecideContext, Decision, Draft, Handler, Scope } from './scope.ts';
import {
  findStep,
  nonEmpty,
  PHASES_BEFORE_DEPLOY,
  requireActingRole,
  requirePerson,
  requirePhase,
  requireReopenable,
  requireRunning,
  requireStepRole,
  requireSystem,
  stamp,
} from './scope.ts';
import { plannedSteps } from './steps.ts';

/** Pipeline runs: the deploy request and its lock, steps started, finished, skipped, retried, confirmed, aborted. */

export const requestDeploy: Handler<'RequestDeploy'> = (command, { state, ctx, h, emit }) => {
  requireActingRole(command.by, ctx, h, ctx.policy.deployers, 'deploy');
  if (state.phase === 'deploy_requested' || state.phase === 'deploying') return [];
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Deploy can be requested once, from the approved plan.');
  if (command.planHash !== undefined && command.planHash !== state.planHash)
    refuse('stale_plan', `The plan of ${h} changed since you looked at it; review the new plan first.`);
  const approvals = approvalGate(state, ctx.policy);
  if (!approvals.ok) {
    const missing = approvals.roles
      .filter((r) => r.have < r.need)
      .map((r) => `${r.role} ${r.have}/${r.need}`);
    const rejected = approvals.rejectedBy.map((r) => `rejected by ${r}`);
    refuse('gates_not_met', `${h} is not approved yet: ${[...missing, ...rejected].join(', ')}.`);
  }
  const readiness = readinessGate(state, ctx.policy);
  if (!readiness.ok)
    refuse(
      'gates_not_met',
      `${h} is not ready: ${readiness.missing.length} item(s) left (${readiness.missing.join(', ')}).`,
    );
  const runId = `deploy-${state.deployRequests + 1}`;
  return emit({ type: 'DeployRequested', runId, services: [...state.plan.services] });
};

export const grantLock: Handler<'GrantLock'> = (command, { state, ctx, h, emit }) => {
  requireSystem(command.by, h);
  if (state.runs.some((r) => r.id === command.runId)) return [];
  if (state.phase !== 'deploy_requested' || state.lock.runId !== command.runId)
    return refuse('unknown_run', `${h} is not waiting for a lock for ${command.runId}.`);
  const steps = plannedSteps(state.plan, ctx.policy, 'deploy');
  const first = steps[0];
  return emit(
    { type: 'LockGranted', runId: command.runId, services: [...state.lock.services] },
    { type: 'PipelineStarted', runId: command.runId, kind: 'deploy', steps },
    // The job that took the lock starts the first step in the same append: one round trip less to it.
    ...(command.owner !== undefined && first
      ? [
          {
            type: 'StepStarted' as const,
            runId: command.runId,
            step: first.key,
            attempt: 1,
            owner: command.owner,
          },
        ]
      : []),
  );
};

export const refuseLock: Handler<'RefuseLock'> = (command, { state, h, emit }) => {
  requireSystem(command.by, h);
  if (state.phase !== 'deploy_requested' || state.lock.runId !== command.runId) return [];
  return emit({
    type: 'LockRefused',
    runId: command.runId,
    service: command.service,
    heldBy: command.heldBy,
    since: command.since,
  });
};

export const startStep: Handler<'StartStep'> = (command, { state, h, emit }) => {
  requireSystem(command.by, h);
  const { run, step } = findStep(state, command.runId, command.step);
  if (isFinished(step) || (step.status === 'running' && step.attempt >= command.attempt)) return [];
  requireRunning(run, h);
  if (step.status === 'pending' && nextStep(run)?.key !== step.key)
    refuse('stale_step', `${step.name} is not the next step of ${run.id}.`);
  const started = {
    type: 'StepStarted' as const,
    runId: run.id,
    step: step.key,
    attempt: command.attempt,
    ...(command.owner === undefined ? {} : { owner: command.owner }),
  };
  if (step.status !== 'running') return emit(started);
  // The attempt still running never reported: its worker is gone. The record says so before the next one.
  return emit(
    {
      type: 'StepInterrupted',
      runId: run.id,
      step: step.key,
      attempt: step.attempt,
      ...(step.owner === undefined ? {} : { owner: step.owner }),
      reason: command.interruption ?? 'it never reported an outcome',
    },
    started,
  );
};

const finishStep = (
  command: CommandOf<'SucceedStep'> | CommandOf<'FailStep'>,
  { state, ctx, h, at }: Scope,
): Decision => {
  requireSystem(command.by, h);
  const { run, step } = findStep(state, command.runId, command.step);
  if (isFinished(step)) return [];
  requireRunning(run, h);
  if (step.status !== 'running' || step.attempt !== command.attempt)
    refuse('stale_step', `${step.name} attempt ${command.attempt} is not the one running.`);
  const base = {
    runId: run.id,
    step: step.key,
    attempt: command.attempt,
    durationMs: command.durationMs,
    output: command.output,
  };
  const first: Draft =
    command.type === 'SucceedStep'
      ? { type: 'StepSucceeded', ...base, ...(command.dryRun === true ? { dryRun: true } : {}) }
      : { type: 'StepFailed', ...base, error: command.error };
  return withFollowUps(state, ctx, at, command.by, [first]);
};
export const succeedStep: Handler<'SucceedStep'> = finishStep;
export const failStep: Handler<'FailStep'> = finishStep;

export const skipStep: Handler<'SkipStep'> = (command, { state, ctx, h, at }) => {
  requirePerson(command.by, ctx, h);
  const { run, step } = findStep(state, command.runId, command.step);
  if (step.status === 'skipped') return [];
  const reason = nonEmpty(command.reason, 'a reason');
  const skipped: Draft = { type: 'StepSkipped', runId: run.id, step: step.key, reason };
  if (step.status === 'failed') {
    // Skipping the step that failed the run carries the run on past it.
    requireReopenable(state, run, step);
    requireStepRole(step, command.by, ctx, 'skip');
    return withFollowUps(state, ctx, at, command.by, [
      { type: 'StepReopened', runId: run.id, step: step.key, reason },
      skipped,
    ]);
  }
  requireRunning(run, h);
  if (isFinished(step)) refuse('stale_step', `${step.name} has already finished.`);
  requireStepRole(step, command.by, ctx, 'skip');
  return withFollowUps(state, ctx, at, command.by, [skipped]);
};

export const retryStep: Handler<'RetryStep'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  const { run, step } = findStep(state, command.runId, command.step);
  if (step.status === 'pending' && run.status === 'running') return [];
  if (step.status !== 'failed')
    refuse('stale_step', `${step.name} did not fail; only a failed step is retried.`);
  requireReopenable(state, run, step);
  requireStepRole(step, command.by, ctx, 'retry');
  return emit({
    type: 'StepReopened',
    runId: run.id,
    step: step.key,
    reason: nonEmpty(command.reason, 'a reason'),
  });
};

export const confirmManualStep: Handler<'ConfirmManualStep'> = (command, { state, ctx, h, at, same }) => {
  requirePerson(command.by, ctx, h);
  const { run, step } = findStep(state, command.runId, command.step);
  if (step.kind !== 'manual') refuse('unknown_step', `${step.name} is not a manual step.`);
  if (isFinished(step)) {
    if (step.decidedBy && same(step.decidedBy, command.by)) return [];
    return refuse(
      'stale_step',
      `${step.name} was already ${step.status === 'failed' ? 'failed' : 'confirmed'}.`,
    );
  }
  requireRunning(run, h);
  if (step.status !== 'running') refuse('stale_step', `${step.name} is not waiting for confirmation yet.`);
  requireStepRole(step, command.by, ctx, 'confirm');
  return withFollowUps(state, ctx, at, command.by, [
    {
      type: 'ManualStepConfirmed',
      runId: run.id,
      step: step.key,
      outcome: command.outcome,
      ...(command.note === undefined ? {} : { note: command.note }),
    },
  ]);
};

export const abortPipeline: Handler<'AbortPipeline'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  const run = runById(state, command.runId) ?? refuse('unknown_run', `${h} has no run ${command.runId}.`);
  if (run.status === 'aborted') return [];
  requireRunning(run, h);
  return emit({ type: 'PipelineAborted', runId: run.id, reason: nonEmpty(command.reason, 'a reason') });
};

/** Appends the consequences of a step finishing: stage and gate results, the next phase, the rollback policy. */
function withFollowUps(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  drafts: Draft[],
): Decision {
  const events = stamp(drafts, at, by);
  const after = events.reduce(evolve, state);
  const stepEvent: HotfixEvent | undefined = events[0];
  if (stepEvent === undefined || !('runId' in stepEvent) || !('step' in stepEvent)) return events;
  const run = runById(after, stepEvent.runId);
  const step = run?.steps.find((s) => s.key === stepEvent.step);
  if (!run || !step) return events;
  const follow = (more: Draft[]) => stamp(more, at, by);

  if (step.status === 'failed') {
    const failure: Draft[] = [{ type: 'StageFailed', runId: run.id, stage: step.stage, step: step.key }];
    const reason = `${step.name} failed${step.error ? `: ${step.error}` : ''}`;
    if (run.kind === 'rollback') {
      const failed = follow([
        ...failure,
        { type: 'GateFailed', runId: run.id, gate: 'rollback_verification', reason },
        { type: 'RollbackFailed', runId: run.id, step: step.key },
      ]);
      return [...events, ...failed];
    }
    const gate = step.stage === 'verification' ? 'verification' : 'deployment';
    const failed = follow([...failure, { type: 'GateFailed', runId: run.id, gate, reason }]);
    const afterFailure = failed.reduce(evolve, after);
    // A failed preparation deployed nothing: there is nothing to roll back.
    const policyReaction =
      step.stage === 'preparation' || openVote(afterFailure)
        ? []
        : applyFailurePolicy(
            afterFailure,
            ctx,
            at,
            by,
            step.kind === 'check' ? 'failed_check' : 'failed_step',
            reason,
          );
    return [...events, ...failed, ...policyReaction];
  }

  // The step succeeded or was skipped: close every stage now complete, and the run if all is done.
  const out: Draft[] = [];
  for (const stage of STAGES) {
    const stageSteps = run.steps.filter((s) => s.stage === stage);
    if (stageSteps.length === 0 || run.stages[stage] !== undefined || !stageSteps.every(isFinished)) continue;
    out.push({ type: 'StagePassed', runId: run.id, stage });
    if (stage === 'execution' && run.kind === 'deploy')
      out.push({ type: 'GatePassed', runId: run.id, gate: 'deployment' });
  }
  if (nextStep(run) === undefined) {
    if (run.kind === 'rollback') {
      out.push(
        { type: 'GatePassed', runId: run.id, gate: 'rollback_verification' },
        { type: 'RollbackFinished', runId: run.id },
      );
    } else {
      out.push({ type: 'GatePassed', runId: run.id, gate: 'verification' });
      out.push(...monitoringStart(after, ctx));
    }
  }
  return [...events, ...follow(out)];
}
