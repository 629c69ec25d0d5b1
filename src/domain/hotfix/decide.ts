import type { CommandOf, HotfixCommand } from './commands.ts';
import { refuse } from './errors.ts';
import type { Checklist, HotfixEvent, PlannedStep, RollbackTrigger } from './events.ts';
import { CHECKLISTS } from './events.ts';
import type { Person, Role } from './people.ts';
import { displayName } from './people.ts';
import type { Plan } from './plan.ts';
import { planFieldProblems, planHash } from './plan.ts';
import type { Policy, RunKind, StepSpec } from './policy.ts';
import { identify, keyOf, resolveKey, rolesOf, STAGES } from './policy.ts';
import {
  approvalGate,
  ballotOf,
  currentAnswers,
  isFinished,
  nextStep,
  openVote,
  outcome,
  missingSignoffs,
  readinessGate,
  runById,
  tally,
} from './queries.ts';
import type { HotfixState, Run, StepState } from './state.ts';
import { evolve } from './state.ts';

/** What `decide` needs besides the command and the state: the clock and the rules, never defaulted. */
export interface DecideContext {
  readonly now: Date;
  readonly policy: Policy;
}

type Decision = HotfixEvent[];
/** An event without the fields every event gets from the command (`by`) and the clock (`at`). */
type Draft = HotfixEvent extends infer E ? (E extends HotfixEvent ? Omit<E, 'at' | 'by'> : never) : never;

const PHASES_BEFORE_DEPLOY = ['planned'] as const;

/**
 * Decides which events a command causes, or throws a RuleViolation. Repeating an action already taken
 * (a second click, a redelivered request, a re-run job) yields no events.
 *
 * The actor is taken as the config knows them (`identify`): a human named in hotfix.yml's persons form is one
 * person whichever platform they act from, and their events record the handle and configured name. Every
 * comparison with a person recorded earlier goes through the policy (`keyOf`), since events recorded before a
 * team switched to the persons form carry no handle.
 */
export const decide = (input: HotfixCommand, state: HotfixState, ctx: DecideContext): Decision => {
  const command: HotfixCommand = { ...input, by: identify(ctx.policy, input.by) };
  const same = (a: Person, b: Person): boolean => keyOf(ctx.policy, a) === keyOf(ctx.policy, b);
  const at = ctx.now.toISOString();
  const stampAll = (drafts: Draft[], by: Person = command.by): Decision =>
    drafts.map((d) => ({ ...d, at, by }) as HotfixEvent);
  const emit = (...drafts: Draft[]): Decision => stampAll(drafts);

  if (command.type === 'StartHotfix') return startHotfix(command, state, ctx, emit);
  if (state.phase === 'none') return refuse('not_found', `Hotfix ${hotfixLabel(command)} does not exist.`);

  const h = state.id;
  const closedOrCancelled = state.phase === 'closed' || state.phase === 'cancelled';
  if (closedOrCancelled) {
    if (command.type === 'CloseHotfix' && state.phase === 'closed') return [];
    if (command.type === 'CancelHotfix' && state.phase === 'cancelled') return [];
    return refuse('wrong_phase', `${h} is ${state.phase}; nothing more can change.`);
  }

  switch (command.type) {
    case 'EditPlan': {
      requirePerson(command.by, ctx, h);
      requirePhase(state, PHASES_BEFORE_DEPLOY, 'The plan can only be edited before deploy.');
      const plan = validPlan(command.plan, ctx.policy);
      const hash = planHash(plan);
      if (hash === state.planHash) return [];
      const current = state.approvals.filter((a) => a.planHash === state.planHash);
      return emit(
        { type: 'PlanEdited', plan, planHash: hash, previousHash: state.planHash },
        ...(current.length > 0
          ? [
              {
                type: 'ApprovalsVoided' as const,
                planHash: state.planHash,
                approvals: current.map((a) => ({ role: a.role, by: a.by })),
                reason: 'plan_edited' as const,
              },
            ]
          : []),
      );
    }

    case 'TickChecklistItem':
    case 'UntickChecklistItem': {
      const automatic = command.by.platform === 'system';
      if (!automatic) requirePerson(command.by, ctx, h);
      requirePhase(state, PHASES_BEFORE_DEPLOY, 'Readiness checklists are frozen once deploy is requested.');
      const item = findItem(state, command.checklist, command.item);
      if (command.type === 'TickChecklistItem') {
        if (item.ticked !== null) return [];
        return emit({
          type: 'ChecklistItemTicked',
          checklist: command.checklist,
          item: item.label,
          automatic,
          ...(command.evidence === undefined ? {} : { evidence: command.evidence }),
        });
      }
      if (item.ticked === null) return [];
      return emit({ type: 'ChecklistItemUnticked', checklist: command.checklist, item: item.label });
    }

    case 'ApprovePlan':
    case 'RejectPlan':
      return approveOrReject(command, state, ctx, emit);

    case 'CancelHotfix': {
      requirePerson(command.by, ctx, h);
      requirePhase(
        state,
        ['planned', 'deploy_requested'],
        'Deploy has started: abort the pipeline or propose a rollback instead.',
      );
      return emit({ type: 'HotfixCancelled', reason: nonEmpty(command.reason, 'a reason') });
    }

    case 'RequestDeploy': {
      requirePerson(command.by, ctx, h);
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
      const readiness = readinessGate(state);
      if (!readiness.ok)
        refuse(
          'gates_not_met',
          `${h} is not ready: ${readiness.missing.length} item(s) left (${readiness.missing.join(', ')}).`,
        );
      const runId = `deploy-${state.deployRequests + 1}`;
      return emit({ type: 'DeployRequested', runId, services: [...state.plan.services] });
    }

    case 'GrantLock': {
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
    }

    case 'RefuseLock': {
      requireSystem(command.by, h);
      if (state.phase !== 'deploy_requested' || state.lock.runId !== command.runId) return [];
      return emit({
        type: 'LockRefused',
        runId: command.runId,
        service: command.service,
        heldBy: command.heldBy,
        since: command.since,
      });
    }

    case 'StartStep': {
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
    }

    case 'SucceedStep':
    case 'FailStep': {
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
    }

    case 'SkipStep': {
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
    }

    case 'RetryStep': {
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
    }

    case 'ConfirmManualStep': {
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
      if (step.status !== 'running')
        refuse('stale_step', `${step.name} is not waiting for confirmation yet.`);
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
    }

    case 'AbortPipeline': {
      requirePerson(command.by, ctx, h);
      const run = runById(state, command.runId) ?? refuse('unknown_run', `${h} has no run ${command.runId}.`);
      if (run.status === 'aborted') return [];
      requireRunning(run, h);
      return emit({ type: 'PipelineAborted', runId: run.id, reason: nonEmpty(command.reason, 'a reason') });
    }

    case 'RecordMonitorCheck': {
      requireSystem(command.by, h);
      const monitoring = state.monitoring;
      if (monitoring === null || monitoring.closed) return [];
      if (monitoring.checks[command.check]?.rounds.includes(command.round)) return [];
      if (command.passed)
        return emit({
          type: 'MonitorCheckPassed',
          check: command.check,
          round: command.round,
          ...(command.detail === undefined ? {} : { detail: command.detail }),
        });
      const breach: Draft = {
        type: 'MonitorCheckBreached',
        check: command.check,
        round: command.round,
        detail: command.detail ?? 'check failed',
      };
      const reason = `Monitor check "${command.check}" breached: ${command.detail ?? 'check failed'}`;
      const afterBreach = evolve(state, { ...breach, at, by: command.by } as HotfixEvent);
      return [
        ...emit(breach),
        ...(openVote(state)
          ? []
          : applyFailurePolicy(afterBreach, ctx, at, command.by, 'failed_check', reason)),
      ];
    }

    case 'CloseMonitoringWindow': {
      requireSystem(command.by, h);
      const monitoring = state.monitoring;
      if (monitoring === null || monitoring.closed) return [];
      if (ctx.now.getTime() < Date.parse(monitoring.until))
        refuse('wrong_phase', `The monitoring window of ${h} is open until ${monitoring.until}.`);
      const clean = Object.values(monitoring.checks).every((c) => c.breaches === 0);
      return emit({ type: 'MonitoringWindowClosed', clean });
    }

    case 'ProposeRollback': {
      const automatic = command.by.platform === 'system';
      if (!automatic) requirePerson(command.by, ctx, h);
      requirePhase(
        state,
        ['deploying', 'monitoring', 'verified', 'deploy_failed'],
        'A rollback can be proposed once deploy has started and until the hotfix is rolled back or closed.',
      );
      const vote = openVote(state);
      if (vote)
        return refuse(
          'vote_closed',
          `Rollback vote #${vote.id} is already open on ${h}; cast your vote there.`,
        );
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
    }

    case 'CastVote': {
      requirePerson(command.by, ctx, h);
      const vote =
        state.votes.find((v) => v.id === command.voteId) ??
        refuse('unknown_vote', `${h} has no vote #${command.voteId}.`);
      if (vote.status !== 'open') return refuse('vote_closed', `Vote #${vote.id} is already ${vote.status}.`);
      const tallied = tally(vote, ctx.policy);
      // The vote ended when time ran out, whether or not the timer has said so yet.
      if (ctx.now.getTime() >= Date.parse(vote.expiresAt))
        return emit({ type: 'VoteExpired', voteId: vote.id, for: tallied.for, against: tallied.against });
      const roles = rolesOf(ctx.policy, command.by).filter((r) =>
        ctx.policy.rollback.vote.eligible.includes(r),
      );
      if (roles.length === 0)
        refuse(
          'not_eligible',
          `Only ${ctx.policy.rollback.vote.eligible.join(', ')} can vote on a rollback.`,
        );
      if (ballotOf(vote, ctx.policy, command.by)?.choice === command.choice) return [];
      return castVote(state, ctx, at, command.by, vote.id, command.choice, roles);
    }

    case 'ExpireVote': {
      requireSystem(command.by, h);
      const vote =
        state.votes.find((v) => v.id === command.voteId) ??
        refuse('unknown_vote', `${h} has no vote #${command.voteId}.`);
      if (vote.status !== 'open') return [];
      if (ctx.now.getTime() < Date.parse(vote.expiresAt))
        refuse('wrong_phase', `Vote #${vote.id} is open until ${vote.expiresAt}.`);
      const t = tally(vote, ctx.policy);
      return emit({ type: 'VoteExpired', voteId: vote.id, for: t.for, against: t.against });
    }

    case 'LogIssue': {
      requirePerson(command.by, ctx, h);
      const text = nonEmpty(command.text, 'a description');
      const duplicate = state.issues.some(
        (i) => i.text === text && same(i.loggedBy, command.by) && !i.resolved,
      );
      if (duplicate) return [];
      return emit({ type: 'IssueLogged', issueId: state.issues.length + 1, text });
    }

    case 'ResolveIssue': {
      requirePerson(command.by, ctx, h);
      const issue = findIssue(state, command.issueId);
      if (issue.resolved) return [];
      return emit({
        type: 'IssueResolved',
        issueId: issue.id,
        ...(command.note === undefined ? {} : { note: command.note }),
      });
    }

    case 'SetWorkaround': {
      requirePerson(command.by, ctx, h);
      const issue = findIssue(state, command.issueId);
      const text = nonEmpty(command.text, 'the workaround');
      if (issue.workaround?.text === text) return [];
      return emit({ type: 'WorkaroundSet', issueId: issue.id, text });
    }

    case 'NoteObservation': {
      requirePerson(command.by, ctx, h);
      const text = nonEmpty(command.text, 'the observation');
      if (state.observations.some((o) => o.text === text && same(o.by, command.by))) return [];
      return emit({ type: 'ObservationNoted', text });
    }

    case 'TickDocumentationUpdate': {
      requirePerson(command.by, ctx, h);
      if ((state.docs[command.item] !== null) === command.done) return [];
      return emit({ type: 'DocumentationUpdateTicked', item: command.item, done: command.done });
    }

    case 'NoteLessonsLearned': {
      requirePerson(command.by, ctx, h);
      const text = nonEmpty(command.text, 'the lesson');
      if (state.lessons.some((l) => l.text === text && same(l.by, command.by))) return [];
      return emit({ type: 'LessonsLearnedNoted', text });
    }

    case 'SignOff': {
      const roles = requirePerson(command.by, ctx, h);
      const { role } = command;
      if (!ctx.policy.signoffs.includes(role))
        refuse(
          'not_in_role',
          `${role} does not sign off hotfixes (sign-offs: ${ctx.policy.signoffs.join(', ')}).`,
        );
      const existing = state.signoffs[role];
      if (existing && same(existing.by, command.by)) return [];
      if (existing)
        return refuse(
          'wrong_phase',
          `${role} was already signed off by ${displayName(identify(ctx.policy, existing.by))}.`,
        );
      if (!roles.includes(role)) refuse('not_in_role', `Only ${role} can sign off as ${role}.`);
      const other = Object.entries(state.signoffs).find(([, s]) => same(s.by, command.by));
      if (other)
        refuse(
          'one_role_per_person',
          `You already signed off as ${other[0]}; one person signs for one role.`,
        );
      if (outcome(state) === null)
        refuse('outcome_unknown', `${h} can be signed off once its outcome is known.`);
      return emit({ type: 'SignedOff', role });
    }

    case 'CloseHotfix': {
      requirePerson(command.by, ctx, h);
      if (outcome(state) === null) refuse('outcome_unknown', `${h} can be closed once its outcome is known.`);
      const missing = missingSignoffs(state, ctx.policy);
      if (missing.length > 0)
        refuse('signoffs_missing', `${h} still needs sign-off from: ${missing.join(', ')}.`);
      return emit({ type: 'HotfixClosed' });
    }

    default: {
      const unknown: never = command;
      return unknown;
    }
  }
};

const hotfixLabel = (command: HotfixCommand): string => ('id' in command ? command.id : '');

function startHotfix(
  command: CommandOf<'StartHotfix'>,
  state: HotfixState,
  ctx: DecideContext,
  emit: (...drafts: Draft[]) => Decision,
): Decision {
  requirePerson(command.by, ctx, command.id);
  const plan = validPlan(command.plan, ctx.policy);
  if (state.phase !== 'none') {
    // A redelivered start of the same hotfix by the same person changes nothing.
    const same =
      state.id === command.id &&
      state.planHash === planHash(plan) &&
      keyOf(ctx.policy, state.requester) === keyOf(ctx.policy, command.by);
    return same ? [] : refuse('already_exists', `${state.id} already exists.`);
  }
  const checklists = Object.fromEntries(CHECKLISTS.map((c) => [c, [...ctx.policy.checklists[c]]])) as Record<
    Checklist,
    string[]
  >;
  return emit({ type: 'HotfixStarted', id: command.id, plan, planHash: planHash(plan), checklists });
}

function approveOrReject(
  command: CommandOf<'ApprovePlan'> | CommandOf<'RejectPlan'>,
  state: HotfixState,
  ctx: DecideContext,
  emit: (...drafts: Draft[]) => Decision,
): Decision {
  const h = state.id;
  const roles = requirePerson(command.by, ctx, h);
  const { role } = command;
  const verb = command.type === 'ApprovePlan' ? 'approve' : 'reject';
  if (!(role in ctx.policy.approvals))
    refuse(
      'not_in_role',
      `${role} does not approve plans (approvers: ${Object.keys(ctx.policy.approvals).join(', ')}).`,
    );
  if (!roles.includes(role)) refuse('not_in_role', `Only ${role} can ${verb} as ${role}.`);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Approvals are collected before deploy.');
  if (command.planHash !== state.planHash)
    refuse(
      'stale_plan',
      `The plan of ${h} changed since you looked at it; review revision ${state.planRevision} first.`,
    );
  const me = keyOf(ctx.policy, command.by);
  const answers = currentAnswers(state, ctx.policy);
  const mine = answers.approvals.find((a) => keyOf(ctx.policy, a.by) === me);
  const myRejection = answers.rejections.find((r) => keyOf(ctx.policy, r.by) === me);
  const other = [mine?.role, myRejection?.role].find((r) => r !== undefined && r !== role);
  if (other !== undefined)
    refuse('one_role_per_person', `You already answered as ${other}; one person counts for one role only.`);

  if (command.type === 'ApprovePlan') {
    if (mine) return [];
    if (!ctx.policy.selfApproval && state.authors.some((author) => resolveKey(ctx.policy, author) === me))
      refuse('self_approval', `You wrote this plan, so your approval cannot count; ask another ${role}.`);
    return emit({
      type: 'PlanApproved',
      role,
      planHash: state.planHash,
      ...(command.comment === undefined ? {} : { comment: command.comment }),
    });
  }
  const reason = nonEmpty(command.reason, 'a reason');
  if (myRejection?.reason === reason) return [];
  return emit({ type: 'PlanRejected', role, planHash: state.planHash, reason });
}

/** Appends the consequences of a step finishing: stage and gate results, the next phase, the rollback policy. */
function withFollowUps(
  state: HotfixState,
  ctx: DecideContext,
  at: string,
  by: Person,
  drafts: Draft[],
): Decision {
  const events = drafts.map((d) => ({ ...d, at, by }) as HotfixEvent);
  const after = events.reduce(evolve, state);
  const stepEvent = events[0];
  if (stepEvent === undefined || !('runId' in stepEvent) || !('step' in stepEvent)) return events;
  const run = runById(after, stepEvent.runId);
  const step = run?.steps.find((s) => s.key === stepEvent.step);
  if (!run || !step) return events;
  const follow = (drafts2: Draft[]) => drafts2.map((d) => ({ ...d, at, by }) as HotfixEvent);

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

function monitoringStart(state: HotfixState, ctx: DecideContext): Draft[] {
  const period = ctx.policy.verificationPeriodMs;
  if (period <= 0) return [{ type: 'MonitoringWindowClosed', clean: true }];
  const checks = state.plan.services.flatMap((service) =>
    (ctx.policy.services[service]?.monitor ?? []).map((m) => `${service}/${m.name}`),
  );
  return [{ type: 'MonitoringStarted', until: new Date(ctx.now.getTime() + period).toISOString(), checks }];
}

/** `policy.rollback.on_failure`: report only, open a vote, or roll back at once. */
function applyFailurePolicy(
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
  return drafts.map((d) => ({ ...d, at, by }) as HotfixEvent);
}

/** The steps of a run, fixed at its start: per stage, per service of the plan, the configured steps that apply. */
export function plannedSteps(plan: Plan, policy: Policy, kind: RunKind): PlannedStep[] {
  return STAGES.flatMap((stage) =>
    plan.services.flatMap((service) =>
      (policy.services[service]?.[kind][stage] ?? []).flatMap((spec, index) =>
        appliesTo(spec, plan)
          ? [
              {
                key: `${stage}.${service}.${index}`,
                stage,
                service,
                index,
                name: spec.name,
                kind: spec.kind,
                roles: [...spec.roles],
                spec,
              },
            ]
          : [],
      ),
    ),
  );
}

const appliesTo = (spec: StepSpec, plan: Plan): boolean => {
  switch (spec.when) {
    case undefined:
      return true;
    case 'database_changes':
      return plan.changes.database.length > 0;
    case 'config_changes':
      return plan.changes.config.length > 0;
    case 'code_changes':
      return plan.changes.code.length > 0;
  }
};

const hasRollbackSteps = (state: HotfixState, policy: Policy): boolean =>
  plannedSteps(state.plan, policy, 'rollback').length > 0;

function requireRollbackSteps(state: HotfixState, policy: Policy): void {
  if (!hasRollbackSteps(state, policy))
    refuse('wrong_phase', `No rollback steps are configured for ${state.plan.services.join(', ')}.`);
}

function validPlan(plan: Plan, policy: Policy): Plan {
  const missing = (['issueId', 'version', 'summary'] as const).filter((k) => plan[k].trim() === '');
  if (missing.length > 0) refuse('invalid_plan', `The plan needs: ${missing.join(', ')}.`);
  if (plan.services.length === 0) refuse('invalid_plan', 'The plan must name at least one service.');
  const unknown = plan.services.filter((s) => !(s in policy.services));
  if (unknown.length > 0)
    refuse(
      'invalid_plan',
      `Unknown service(s): ${unknown.join(', ')} (configured: ${Object.keys(policy.services).join(', ')}).`,
    );
  if (new Set(plan.services).size !== plan.services.length)
    refuse('invalid_plan', 'A service is listed twice.');
  // Every path that starts or edits a plan (Slack, CLI, playground) comes here: the form's check is not enough.
  const [problem] = Object.values(planFieldProblems(plan, policy.planFields));
  if (problem !== undefined) refuse('invalid_plan', problem);
  return withKnownPeople(plan, policy);
}

/**
 * The plan's people as the config knows them (handle and configured name), so a card on the other platform
 * names a person picked in this one's form. Start and edit both do it, so an unchanged plan keeps its hash.
 */
function withKnownPeople(plan: Plan, policy: Policy): Plan {
  const known = (people: readonly Person[]) => people.map((p) => identify(policy, p));
  const { technical, support, business, management } = plan.resources;
  return {
    ...plan,
    resources: {
      technical: known(technical),
      support: known(support),
      business: known(business),
      management: known(management),
    },
  };
}

/** A person with at least one role; returns their roles. */
function requirePerson(by: Person, ctx: DecideContext, hotfixId: string): Role[] {
  if (by.platform === 'system') return refuse('not_in_role', 'This action needs a person, not the system.');
  const roles = rolesOf(ctx.policy, by);
  if (roles.length === 0)
    refuse('not_in_role', `You hold no role in hotfix.yml, so you cannot act on ${hotfixId || 'hotfixes'}.`);
  return roles;
}

function requireSystem(by: Person, hotfixId: string): void {
  if (by.platform !== 'system')
    refuse('not_in_role', `Only the hotfix workers record pipeline results on ${hotfixId}.`);
}

function requirePhase(state: HotfixState, phases: readonly HotfixState['phase'][], why: string): void {
  if (!phases.includes(state.phase))
    refuse('wrong_phase', `${state.id} is ${state.phase.replace('_', ' ')}. ${why}`);
}

/** A failed run can be taken up again at its failed step while it is the hotfix's last run. */
function requireReopenable(state: HotfixState, run: Run, step: StepState): void {
  if (run.status !== 'failed' || state.runs.at(-1)?.id !== run.id)
    refuse('stale_step', `${run.id} is ${run.status}; ${step.name} can no longer be retried or skipped.`);
  const settled = run.kind === 'deploy' ? state.phase === 'deploy_failed' : state.phase === 'rollback_failed';
  if (!settled) refuse('wrong_phase', `${state.id} is ${state.phase.replace('_', ' ')}.`);
}

function requireRunning(run: Run, hotfixId: string): void {
  if (run.status !== 'running') refuse('stale_step', `${run.id} of ${hotfixId} is ${run.status}.`);
}

function requireStepRole(step: StepState, by: Person, ctx: DecideContext, verb: string): void {
  if (step.roles.length === 0) return;
  const roles = rolesOf(ctx.policy, by);
  if (!step.roles.some((r) => roles.includes(r)))
    refuse('not_in_role', `Only ${step.roles.join(' or ')} can ${verb} "${step.name}".`);
}

function findStep(state: HotfixState, runId: string, key: string): { run: Run; step: StepState } {
  const run = runById(state, runId) ?? refuse('unknown_run', `${state.id} has no run ${runId}.`);
  const step =
    run.steps.find((s) => s.key === key) ??
    refuse('unknown_step', `${runId} of ${state.id} has no step ${key}.`);
  return { run, step };
}

function findItem(state: HotfixState, checklist: Checklist, label: string) {
  return (
    state.checklists[checklist].find((i) => i.label === label) ??
    refuse(
      'unknown_item',
      `"${label}" is not on the ${checklist.replace('_', ' ')} checklist of ${state.id}.`,
    )
  );
}

function findIssue(state: HotfixState, issueId: number) {
  return (
    state.issues.find((i) => i.id === issueId) ??
    refuse('unknown_issue', `${state.id} has no issue #${issueId}.`)
  );
}

function nonEmpty(text: string, what: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? refuse('invalid_input', `Please give ${what}.`) : trimmed;
}
