import { plannedSteps } from '../../domain/hotfix/decide.ts';
import { capitalize } from '../../domain/hotfix/format.ts';
import type { Role } from '../../domain/hotfix/people.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import {
  approvalGate,
  canRequestDeploy,
  currentRun,
  missingBreachAcceptances,
  missingSignoffs,
  openVote,
  outcome,
  reviewFindings,
} from '../../domain/hotfix/queries.ts';
import type { HotfixState, IssueState, Outcome, Run, StepState, Vote } from '../../domain/hotfix/state.ts';
import { truncate } from './text.ts';

/**
 * Which buttons apply to a hotfix now, for every chat edge: the rules live here once ("Deploy only when the
 * gates hold", Retry/Skip on a settled failed step, Close once every sign-off is in), the renderers only draw
 * them. Checklist and documentation boxes are not actions here: each surface draws them its own way.
 */

export type HotfixActionKind =
  | 'approve'
  | 'reject'
  | 'deploy'
  | 'edit'
  | 'rollback'
  | 'issue'
  | 'lessons'
  | 'cancel'
  | 'sign-off'
  | 'close'
  | 'record'
  | 'retry'
  | 'skip'
  | 'confirm-step'
  | 'fail-step'
  | 'vote-for'
  | 'vote-against'
  | 'resolve-issue'
  | 'workaround-issue'
  | 'reopen-issue'
  | 'accept-breaches'
  | 'roll-back-breaches';

/**
 * Where the action belongs: on the card next to the approvals, the failed step or the sign-offs, or at its
 * foot; in the thread on a manual step's prompt, on the vote's message or on a logged issue's message.
 */
export type ActionPlace =
  | 'approvals'
  | 'failed-step'
  | 'signoffs'
  | 'card'
  | 'manual-step'
  | 'vote'
  | 'issue'
  /** Next to a monitoring window's breaches that wait for a decision. */
  | 'breaches';

/** What the click must carry back, so a stale card is refused by the domain instead of applied to something newer. */
export interface ActionData {
  readonly hotfixId: string;
  /** The plan hash the card showed (approve, reject, deploy, edit, cancel). */
  readonly planHash?: string;
  /** The role acted as (approve, reject, sign-off, accept-breaches). */
  readonly role?: Role;
  /** The run and step (retry, skip, confirm-step, fail-step). */
  readonly runId?: string;
  readonly stepKey?: string;
  /** The vote (vote-for, vote-against). */
  readonly voteId?: number;
  /** The issue's number (resolve-issue, workaround-issue, reopen-issue). */
  readonly issueId?: number;
}

export interface ActionConfirm {
  readonly title: string;
  readonly text: string;
  readonly ok: string;
}

export interface HotfixAction {
  readonly kind: HotfixActionKind;
  readonly place: ActionPlace;
  /** Plain text (emoji allowed); a renderer cuts it to its platform's limit. */
  readonly label: string;
  readonly style?: 'primary' | 'danger';
  /** Ask before doing it. */
  readonly confirm?: ActionConfirm;
  readonly data: ActionData;
  /** Lower matters more now: a surface that shows few actions (Teams: 6 per card) shows these first. */
  readonly priority: number;
}

/** Another hotfix holding the deploy lock on one of this plan's services (from the lock store). */
export interface LockHolder {
  readonly hotfixId: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

export interface ActionOptions {
  readonly policy: Policy;
  /** Locks on this plan's services, by service; entries held by this hotfix itself are ignored. */
  readonly lockHolders?: Readonly<Record<string, LockHolder>>;
}

/**
 * Priority tiers: the move that takes the hotfix forward first, then the decisions people owe, then the
 * ways out, then the rest. Ties keep the card's order.
 */
const PRIORITY: Readonly<Record<HotfixActionKind, number>> = {
  deploy: 0,
  retry: 0,
  close: 0,
  'confirm-step': 0,
  'vote-for': 0,
  'vote-against': 0,
  'resolve-issue': 0,
  'reopen-issue': 0,
  'workaround-issue': 1,
  approve: 1,
  'sign-off': 1,
  'accept-breaches': 1,
  'roll-back-breaches': 1,
  skip: 2,
  rollback: 2,
  'fail-step': 2,
  reject: 3,
  edit: 4,
  record: 4,
  issue: 5,
  lessons: 5,
  cancel: 6,
};

const action = (
  kind: HotfixActionKind,
  place: ActionPlace,
  label: string,
  data: ActionData,
  extra: { style?: 'primary' | 'danger'; confirm?: ActionConfirm } = {},
): HotfixAction => ({ kind, place, label, data, ...extra, priority: PRIORITY[kind] });

/** `Technical`, for a role on a button. */
const roleLabel = (role: string): string => capitalize(role);

/** Services locked by other hotfixes. */
export const foreignLocks = (
  state: HotfixState,
  holders: ActionOptions['lockHolders'],
): [string, LockHolder][] =>
  Object.entries(holders ?? {}).filter(
    ([service, h]) => h.hotfixId !== state.id && state.plan.services.includes(service),
  );

/** Whether Deploy is offered: the gates hold and no other hotfix holds a lock on the plan's services. */
export const deployOffered = (state: HotfixState, options: ActionOptions): boolean =>
  canRequestDeploy(state, options.policy) && foreignLocks(state, options.lockHolders).length === 0;

const canProposeRollback = (state: HotfixState, policy: Policy): boolean =>
  ['deploying', 'monitoring', 'verified', 'deploy_failed'].includes(state.phase) &&
  openVote(state) === undefined &&
  plannedSteps(state.plan, policy, 'rollback').length > 0;

const isOpenPhase = (state: HotfixState) => state.phase !== 'closed' && state.phase !== 'cancelled';

/**
 * Approve and Reject per role while planning and until the gate is complete (an edit that voids approvals
 * brings them back): every Approve first, then every Reject, in policy order.
 */
const approvalActions = (state: HotfixState, policy: Policy): HotfixAction[] => {
  if (state.phase !== 'planned' || approvalGate(state, policy).ok) return [];
  const roles = Object.keys(policy.approvals);
  const data = (role: string): ActionData => ({ hotfixId: state.id, planHash: state.planHash, role });
  return [
    ...roles.map((role) => action('approve', 'approvals', `Approve as ${roleLabel(role)}`, data(role))),
    ...roles.map((role) => action('reject', 'approvals', `Reject as ${roleLabel(role)}`, data(role))),
  ];
};

/** Retry or skip the failed step of the latest run, once that run has settled as failed. */
const failedStepActions = (state: HotfixState): HotfixAction[] => {
  const run = state.runs.at(-1);
  if (!run) return [];
  const failed = run.steps.find((s) => s.status === 'failed');
  const settled = run.kind === 'deploy' ? state.phase === 'deploy_failed' : state.phase === 'rollback_failed';
  if (!failed || run.status !== 'failed' || !settled) return [];
  const data: ActionData = { hotfixId: state.id, runId: run.id, stepKey: failed.key };
  const name = truncate(failed.name, 60);
  return [
    action('retry', 'failed-step', `🔁 Retry “${name}”`, data, { style: 'primary' }),
    action('skip', 'failed-step', `⏭️ Skip “${name}”`, data, {
      confirm: {
        title: 'Skip the failed step?',
        text: `The run carries on after “${name}” as if it had passed. The record shows who skipped it.`,
        ok: 'Skip it',
      },
    }),
  ];
};

/** Sign off per missing role, once the hotfix has an outcome and until it is closed. */
const signoffActions = (state: HotfixState, policy: Policy): HotfixAction[] => {
  if (state.cancelled || outcome(state) === null || state.closed || policy.signoffs.length === 0) return [];
  return missingSignoffs(state, policy).map((role) =>
    action('sign-off', 'signoffs', `Sign off as ${roleLabel(role)}`, { hotfixId: state.id, role }),
  );
};

/** The reason a Roll back click on a window's breaches gives its rollback proposal. */
export const breachRollbackReason = (state: HotfixState): string => {
  return `Monitoring ${reviewFindings(state)}: rolling back instead of keeping the release`;
};

/**
 * After a monitoring window with breaches or checks that never reported, while no vote is open: Accept per
 * deciding role still to accept, and Roll back (a rollback proposal). Shown to everyone; the domain decides
 * who may.
 */
export const breachActions = (state: HotfixState, policy: Policy): HotfixAction[] => {
  if (state.phase !== 'breach_review' || openVote(state) !== undefined) return [];
  const hotfixId = state.id;
  return [
    ...missingBreachAcceptances(state, policy).map((role) =>
      action('accept-breaches', 'breaches', `Accept and keep as ${roleLabel(role)}`, { hotfixId, role }),
    ),
    ...(plannedSteps(state.plan, policy, 'rollback').length > 0
      ? [
          action(
            'roll-back-breaches',
            'breaches',
            '⏪ Roll back',
            { hotfixId },
            {
              style: 'danger',
              confirm: {
                title: 'Roll back instead?',
                text: `Opens a rollback vote on ${truncate(hotfixId, 40)} because monitoring ${reviewFindings(
                  state,
                  (check) => truncate(check, 40),
                )}; your proposal counts for it.`,
                ok: 'Propose rollback',
              },
            },
          ),
        ]
      : []),
  ];
};

const OUTCOME_WORDS: Readonly<Record<Outcome, string>> = {
  deployed: 'deployed',
  rolled_back: 'rolled back',
  failed: 'failed',
};

/** The actions at the foot of the card. */
const footActions = (state: HotfixState, options: ActionOptions): HotfixAction[] => {
  const hotfixId = state.id;
  const onPlan: ActionData = { hotfixId, planHash: state.planHash };
  const out: HotfixAction[] = [];
  if (deployOffered(state, options))
    out.push(
      action('deploy', 'card', '🚀 Deploy', onPlan, {
        style: 'primary',
        confirm: {
          title: `Deploy ${truncate(hotfixId, 40)}?`,
          text: `Deploy ${state.plan.version} to ${state.plan.services.join(', ')}.`,
          ok: 'Deploy',
        },
      }),
    );
  if (state.phase === 'planned') out.push(action('edit', 'card', 'Edit plan', onPlan));
  // While breaches wait for a decision, Roll back sits next to them instead.
  if (canProposeRollback(state, options.policy) && state.phase !== 'breach_review')
    out.push(action('rollback', 'card', '⏪ Propose rollback', { hotfixId }, { style: 'danger' }));
  if (isOpenPhase(state)) out.push(action('issue', 'card', 'Log issue', { hotfixId }));
  if (outcome(state) !== null && isOpenPhase(state))
    out.push(action('lessons', 'card', 'Lessons learned', { hotfixId }));
  if (state.phase === 'planned')
    out.push(action('cancel', 'card', 'Cancel hotfix', onPlan, { style: 'danger' }));
  const ended = outcome(state);
  if (ended !== null && isOpenPhase(state) && missingSignoffs(state, options.policy).length === 0)
    out.push(
      action(
        'close',
        'card',
        '🏁 Close hotfix',
        { hotfixId },
        {
          style: 'primary',
          // Like Deploy, closing cannot be taken back: it asks first.
          confirm: {
            title: `Close ${truncate(hotfixId, 40)}?`,
            text: `${hotfixId} ends as ${OUTCOME_WORDS[ended]}. Nothing about it can change after that, and its deployment record goes to the thread.`,
            ok: 'Close',
          },
        },
      ),
    );
  if (state.phase === 'closed') out.push(action('record', 'card', '📄 Deployment record', { hotfixId }));
  return out;
};

/**
 * Every action the hotfix card offers now, in the card's order: approvals, the failed step, sign-offs, the
 * breaches to decide, then the foot. A renderer that shows them all groups them by `place`; one that shows few takes `byPriority`.
 */
export const cardActions = (state: HotfixState, options: ActionOptions): HotfixAction[] => [
  ...approvalActions(state, options.policy),
  ...failedStepActions(state),
  ...signoffActions(state, options.policy),
  ...breachActions(state, options.policy),
  ...footActions(state, options),
];

/** Confirm or fail a manual step, on its prompt in the thread, while it waits. */
export const manualStepActions = (hotfixId: string, run: Run, step: StepState): HotfixAction[] => {
  if (step.status !== 'running') return [];
  const data: ActionData = { hotfixId, runId: run.id, stepKey: step.key };
  return [
    action('confirm-step', 'manual-step', 'Confirm', data, { style: 'primary' }),
    action('fail-step', 'manual-step', 'Fail', data, {
      style: 'danger',
      confirm: {
        title: 'Mark the step failed?',
        text: `${step.name} will fail and stop ${run.id}; the rollback policy applies.`,
        ok: 'Mark failed',
      },
    }),
  ];
};

/** For and Against on a rollback vote's message, while it is open and not past its expiry at `now`. */
export const voteActions = (hotfixId: string, vote: Vote, now: Date): HotfixAction[] => {
  if (vote.status !== 'open' || now.getTime() >= Date.parse(vote.expiresAt)) return [];
  const data: ActionData = { hotfixId, voteId: vote.id };
  return [
    action('vote-for', 'vote', 'For rollback', data, { style: 'danger' }),
    action('vote-against', 'vote', 'Against', data),
  ];
};

/**
 * The buttons of the thread prompts that wait now, for the card, where people look first: Confirm / Fail of
 * the current run's waiting manual step and For / Against of the open vote. Same kinds, labels and data as
 * on the prompts, so a click on either is the same command.
 */
export const promptActions = (state: HotfixState, now: Date): HotfixAction[] => {
  const run = currentRun(state);
  const step = run?.steps.find((s) => s.kind === 'manual' && s.status === 'running');
  const vote = openVote(state);
  return [
    ...(run && step ? manualStepActions(state.id, run, step) : []),
    ...(vote ? voteActions(state.id, vote, now) : []),
  ];
};

/**
 * On a logged issue's message, until the hotfix is closed or cancelled: Resolve and Workaround while it is
 * open, Reopen once resolved. Resolve and Reopen take an optional note, Workaround its text: each opens a form.
 */
export const issueActions = (state: HotfixState, issue: IssueState): HotfixAction[] => {
  if (!isOpenPhase(state)) return [];
  const data: ActionData = { hotfixId: state.id, issueId: issue.id };
  if (issue.resolved) return [action('reopen-issue', 'issue', '🔄 Reopen', data)];
  return [
    action('resolve-issue', 'issue', '✔️ Resolve', data, { style: 'primary' }),
    action('workaround-issue', 'issue', issue.workaround ? '🩹 Change workaround' : '🩹 Workaround', data),
  ];
};

/**
 * The `max` actions that matter most now, in their original order, and the rest (for an overflow menu or a
 * "more" dialog), also in order.
 */
export const byPriority = (
  actions: readonly HotfixAction[],
  max: number,
): { shown: HotfixAction[]; overflow: HotfixAction[] } => {
  const keep = new Set(
    actions
      .map((a, i) => ({ a, i }))
      .sort((x, y) => x.a.priority - y.a.priority || x.i - y.i)
      .slice(0, Math.max(0, max))
      .map(({ i }) => i),
  );
  return {
    shown: actions.filter((_, i) => keep.has(i)),
    overflow: actions.filter((_, i) => !keep.has(i)),
  };
};
