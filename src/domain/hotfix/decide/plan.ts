import type { CommandOf } from '../commands.ts';
import type { RuleViolation } from '../errors.ts';
import { refuse, refusalOf } from '../errors.ts';
import type { Checklist } from '../events.ts';
import { CHECKLISTS } from '../events.ts';
import type { Person } from '../people.ts';
import type { Plan } from '../plan.ts';
import {
  deploymentHash,
  periodBounds,
  planFieldLengthProblem,
  planFieldProblems,
  planFingerprint,
  planNoteProblem,
  readVerificationPeriod,
} from '../plan.ts';
import type { Policy } from '../policy.ts';
import type { HotfixState } from '../state.ts';
import { identify, keyOf, resolveKey } from '../policy.ts';
import { currentAnswers } from '../queries.ts';
import type { Handler, Scope } from './scope.ts';
import { nonEmpty, PHASES_BEFORE_DEPLOY, refuseSettled, requirePerson, requirePhase } from './scope.ts';

/** The plan and its approvals: start, edit, approve, reject, cancel. */

export const startHotfix: Handler<'StartHotfix'> = (command, { state, ctx, emit }) => {
  requirePerson(command.by, ctx, command.id);
  const plan = validPlan(command.plan, ctx.policy);
  if (state.phase !== 'none') {
    // A redelivered start of the same hotfix by the same person changes nothing.
    const same =
      state.id === command.id &&
      planFingerprint(state.plan) === planFingerprint(plan) &&
      keyOf(ctx.policy, state.requester) === keyOf(ctx.policy, command.by);
    return same ? [] : refuse('already_exists', `${state.id} already exists.`);
  }
  const checklists = Object.fromEntries(CHECKLISTS.map((c) => [c, [...ctx.policy.checklists[c]]])) as Record<
    Checklist,
    string[]
  >;
  return emit({ type: 'HotfixStarted', id: command.id, plan, planHash: deploymentHash(plan), checklists });
};

export const editPlan: Handler<'EditPlan'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'The plan can only be edited before deploy.');
  const plan = validPlan(command.plan, ctx.policy);
  if (planFingerprint(plan) === planFingerprint(state.plan)) return [];
  // Nothing deployed changed (only where it is shown): the stored hash stays, with the approvals, buttons and
  // reminders bound to it. Both plans are hashed anew: a stream recorded when the hash covered `platforms`
  // stored one that no plan hashes to now.
  const hash = deploymentHash(plan);
  if (hash === deploymentHash(state.plan))
    return emit({ type: 'PlanEdited', plan, planHash: state.planHash, previousHash: state.planHash });
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
};

/** Approve and reject share their checks: the role, the phase, the plan seen, one role per person. */
const answerPlan = (
  command: CommandOf<'ApprovePlan'> | CommandOf<'RejectPlan'>,
  { state, ctx, h }: Scope,
) => {
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
  return { me, mine, myRejection };
};

export const approvePlan: Handler<'ApprovePlan'> = (command, scope) => {
  const { state, ctx, emit } = scope;
  const { me, mine } = answerPlan(command, scope);
  if (mine) return [];
  if (!ctx.policy.selfApproval && state.authors.some((author) => resolveKey(ctx.policy, author) === me))
    refuse(
      'self_approval',
      `You wrote this plan, so your approval cannot count; ask another person with the ${command.role} role to approve it.`,
    );
  return emit({
    type: 'PlanApproved',
    role: command.role,
    planHash: state.planHash,
    ...(command.comment === undefined ? {} : { comment: command.comment }),
  });
};

export const rejectPlan: Handler<'RejectPlan'> = (command, scope) => {
  const { myRejection } = answerPlan(command, scope);
  const reason = nonEmpty(command.reason, 'a reason');
  if (myRejection?.reason === reason) return [];
  return scope.emit({ type: 'PlanRejected', role: command.role, planHash: scope.state.planHash, reason });
};

export const cancelHotfix: Handler<'CancelHotfix'> = (command, { state, ctx, emit }) => {
  const refusal = cancelRefusal(state, command.by, ctx.policy);
  if (refusal !== null) throw refusal;
  return emit({ type: 'HotfixCancelled', reason: nonEmpty(command.reason, 'a reason') });
};

/** A hotfix can be cancelled until its deploy starts. */
const CANCELLABLE = ['planned', 'deploy_requested'] as const;

/**
 * May this person cancel the hotfix now? Null when they may, else the refusal `decide` gives. The edges ask
 * before opening the cancel form, so nobody writes a reason only to be told no, in the same words.
 * Cancelling a cancelled hotfix again is a repeat (no events), not a refusal: the edges tell it themselves.
 */
export const cancelRefusal = (state: HotfixState, by: Person, policy: Policy): RuleViolation | null =>
  refusalOf(() => {
    if (state.phase === 'cancelled') return;
    if (state.phase === 'closed') refuseSettled(state);
    requirePerson(identify(policy, by), { policy }, state.id);
    requirePhase(state, CANCELLABLE, 'Deploy has started: abort the pipeline or propose a rollback instead.');
  });

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
  const period = readVerificationPeriod(plan.timeline.verificationPeriod, periodBounds(policy));
  if (!period.ok) refuse('invalid_plan', period.problem);
  const note = planNoteProblem(plan);
  if (note !== null) refuse('invalid_plan', note);
  for (const field of ['issueId', 'version', 'previousVersion'] as const) {
    const tooLong = planFieldLengthProblem(field, plan[field]);
    if (tooLong !== null) refuse('invalid_plan', tooLong);
  }
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
