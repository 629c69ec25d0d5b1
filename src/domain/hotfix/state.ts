import type {
  Checklist,
  DocItem,
  Gate,
  HotfixEvent,
  PlannedStep,
  ReminderAbout,
  RollbackTrigger,
  VoteChoice,
} from './events.ts';
import { DOC_ITEMS, shownOnlyEdit } from './events.ts';
import type { Person, PersonKey, Role } from './people.ts';
import { personKey } from './people.ts';
import type { Plan } from './plan.ts';
import type { RunKind, Stage } from './policy.ts';

export type Phase =
  | 'none'
  | 'planned'
  | 'deploy_requested'
  | 'deploying'
  | 'monitoring'
  /** The monitoring window closed with breaches: the sign-off roles accept them, or roll back. */
  | 'breach_review'
  | 'verified'
  | 'deploy_failed'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'cancelled'
  | 'closed';

export interface Stamp {
  readonly by: Person;
  readonly at: string;
}

export interface ChecklistItemState {
  readonly label: string;
  readonly ticked: (Stamp & { readonly automatic: boolean; readonly evidence?: string }) | null;
}

export interface Approval extends Stamp {
  readonly role: Role;
  readonly planHash: string;
  readonly comment?: string;
}

export interface Rejection extends Stamp {
  readonly role: Role;
  readonly planHash: string;
  readonly reason: string;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepState extends PlannedStep {
  readonly status: StepStatus;
  readonly attempt: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly output?: string;
  readonly error?: string;
  /** It succeeded without running: a dry run (the playground rehearsing a team's config). */
  readonly dryRun?: true;
  /** Who confirmed/failed a manual step or skipped a step. */
  readonly decidedBy?: Person;
  /** The job executing the step: a re-run of that job after a crash resumes it; any other job keeps off. */
  readonly owner?: string;
  readonly note?: string;
  /** Earlier attempts that never finished (their worker died), oldest first. */
  readonly interruptions?: readonly StepInterruption[];
}

export interface StepInterruption {
  readonly attempt: number;
  readonly owner?: string;
  readonly reason: string;
  /** When it was found interrupted, just before the next attempt started. */
  readonly at: string;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface Run {
  readonly id: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly steps: readonly StepState[];
  readonly stages: Readonly<Partial<Record<Stage, 'passed' | 'failed'>>>;
  readonly gates: Readonly<Partial<Record<Gate, { passed: boolean; reason?: string; at: string }>>>;
}

export interface Ballot {
  readonly by: Person;
  readonly choice: VoteChoice;
  readonly roles: readonly Role[];
  readonly at: string;
}

export interface Vote {
  readonly id: number;
  readonly trigger: RollbackTrigger;
  readonly reason: string;
  readonly automatic: boolean;
  readonly proposedBy: Person;
  readonly proposedAt: string;
  readonly expiresAt: string;
  readonly status: 'open' | 'passed' | 'failed' | 'expired';
  readonly closedAt?: string;
  /** One ballot per person; a changed vote replaces the earlier one. */
  readonly ballots: Readonly<Record<PersonKey, Ballot>>;
}

export interface MonitorCheckState {
  readonly name: string;
  readonly passes: number;
  readonly breaches: number;
  /** Rounds already recorded, so a re-delivered check job records nothing twice. */
  readonly rounds: readonly number[];
  readonly last?: { readonly passed: boolean; readonly at: string; readonly detail?: string };
}

export interface Monitoring {
  readonly startedAt: string;
  readonly until: string;
  /** Whose verification period set `until`: the plan's or the policy's (unknown for older windows). */
  readonly periodFrom?: 'plan' | 'policy';
  readonly checks: Readonly<Record<string, MonitorCheckState>>;
  /** unobserved: the checks that never reported a round while the window was open. */
  readonly closed?: { readonly at: string; readonly clean: boolean; readonly unobserved?: readonly string[] };
}

export interface IssueState {
  readonly id: number;
  readonly text: string;
  readonly loggedBy: Person;
  readonly loggedAt: string;
  readonly resolved?: Stamp & { readonly note?: string };
  readonly workaround?: Stamp & { readonly text: string };
  /** Each time it was reopened, oldest first: by whom, when, why, and the resolution that was undone. */
  readonly reopenings?: readonly IssueReopening[];
}

export interface IssueReopening extends Stamp {
  readonly reason?: string;
  readonly resolution: Stamp & { readonly note?: string };
}

export interface LockState {
  /** What the hotfix asked for and got; whether it still holds the lock is `holdsLock` (queries.ts). */
  readonly status: 'none' | 'requested' | 'granted' | 'refused';
  readonly runId?: string;
  readonly services: readonly string[];
  readonly since?: string;
  readonly refusal?: { readonly service: string; readonly heldBy: string; readonly since: string };
}

export type Outcome = 'deployed' | 'rolled_back' | 'failed';

/** A reminder sent: about what, which round, who was still missing. */
export interface ReminderState extends Stamp {
  readonly about: ReminderAbout;
  readonly subject: string;
  readonly round: 1 | 2;
  readonly missing: readonly Person[];
  readonly escalatedTo?: Role;
}

export interface HotfixState {
  readonly phase: Phase;
  readonly id: string;
  readonly requester: Person;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly plan: Plan;
  readonly planHash: string;
  /** 1 for the plan as started, +1 per edit. */
  readonly planRevision: number;
  /**
   * Everyone who wrote the plan (requester and editors, but not one who changed only where it is shown): none
   * of them may approve it.
   */
  readonly authors: readonly PersonKey[];
  readonly checklists: Readonly<Record<Checklist, readonly ChecklistItemState[]>>;
  /** Approvals and rejections for the current plan hash only; older ones were voided. */
  readonly approvals: readonly Approval[];
  readonly rejections: readonly Rejection[];
  readonly voidedApprovals: number;
  readonly lock: LockState;
  /** Deploy requests so far, refused ones included: each gets its own run id (and so its own job id). */
  readonly deployRequests: number;
  readonly runs: readonly Run[];
  readonly monitoring: Monitoring | null;
  readonly votes: readonly Vote[];
  readonly issues: readonly IssueState[];
  readonly observations: readonly (Stamp & { readonly text: string })[];
  readonly docs: Readonly<Record<DocItem, Stamp | null>>;
  readonly lessons: readonly (Stamp & { readonly text: string })[];
  readonly signoffs: Readonly<Record<Role, Stamp>>;
  /** After a window with breaches: each deciding role's acceptance, with its reason. */
  readonly breachAcceptances?: Readonly<Record<Role, Stamp & { readonly reason: string }>>;
  /** When every deciding role had accepted the breaches (the hotfix is then verified). */
  readonly breachesAccepted?: Stamp & { readonly breaches: number };
  /** Reminders sent, oldest first. */
  readonly reminders: readonly ReminderState[];
  readonly cancelled?: Stamp & { readonly reason: string };
  /** Closing keeps the outcome the hotfix had, so a closed hotfix still says how it ended. */
  readonly closed?: Stamp & { readonly outcome: Outcome };
  /** Number of events folded: the stream version this state reflects. */
  readonly version: number;
}

const nobody: Person = { platform: 'system', id: 'none' };

const emptyPlan: Plan = {
  issueId: '',
  version: '',
  previousVersion: '',
  summary: '',
  severity: 'high',
  services: [],
  changes: { code: [], database: [], config: [] },
  dependencies: { systems: [], services: [], databases: [], external: [] },
  timeline: {},
  resources: { technical: [], support: [], business: [], management: [] },
};

export const initialState = (): HotfixState => ({
  phase: 'none',
  id: '',
  requester: nobody,
  startedAt: '',
  updatedAt: '',
  plan: emptyPlan,
  planHash: '',
  planRevision: 0,
  authors: [],
  checklists: { code_readiness: [], environment_readiness: [] },
  approvals: [],
  rejections: [],
  voidedApprovals: 0,
  lock: { status: 'none', services: [] },
  deployRequests: 0,
  runs: [],
  monitoring: null,
  votes: [],
  issues: [],
  observations: [],
  docs: Object.fromEntries(DOC_ITEMS.map((item) => [item, null])) as Record<DocItem, null>,
  lessons: [],
  signoffs: {},
  reminders: [],
  version: 0,
});

const updateRun = (state: HotfixState, runId: string, f: (run: Run) => Run): HotfixState => ({
  ...state,
  runs: state.runs.map((r) => (r.id === runId ? f(r) : r)),
});

const updateStep = (state: HotfixState, runId: string, key: string, f: (step: StepState) => StepState) =>
  updateRun(state, runId, (run) => ({ ...run, steps: run.steps.map((s) => (s.key === key ? f(s) : s)) }));

const updateVote = (state: HotfixState, voteId: number, f: (vote: Vote) => Vote): HotfixState => ({
  ...state,
  votes: state.votes.map((v) => (v.id === voteId ? f(v) : v)),
});

const updateIssue = (state: HotfixState, issueId: number, f: (issue: IssueState) => IssueState) => ({
  ...state,
  issues: state.issues.map((i) => (i.id === issueId ? f(i) : i)),
});

const setTick = (
  state: HotfixState,
  checklist: Checklist,
  item: string,
  ticked: ChecklistItemState['ticked'],
): HotfixState => ({
  ...state,
  checklists: {
    ...state.checklists,
    [checklist]: state.checklists[checklist].map((i) => (i.label === item ? { ...i, ticked } : i)),
  },
});

const closeVote = (status: Vote['status'], at: string) => (vote: Vote) => ({ ...vote, status, closedAt: at });

/** Folds one event into the state. Pure and total: it trusts that `decide` produced the event. */
export const evolve = (prior: HotfixState, event: HotfixEvent): HotfixState => {
  const state: HotfixState = { ...prior, version: prior.version + 1, updatedAt: event.at };
  const stamp: Stamp = { by: event.by, at: event.at };
  switch (event.type) {
    case 'HotfixStarted':
      return {
        ...state,
        phase: 'planned',
        id: event.id,
        requester: event.by,
        startedAt: event.at,
        plan: event.plan,
        planHash: event.planHash,
        planRevision: 1,
        authors: [personKey(event.by)],
        checklists: {
          code_readiness: event.checklists.code_readiness.map((label) => ({ label, ticked: null })),
          environment_readiness: event.checklists.environment_readiness.map((label) => ({
            label,
            ticked: null,
          })),
        },
      };
    case 'PlanEdited': {
      if (shownOnlyEdit(event)) return { ...state, plan: event.plan, planRevision: state.planRevision + 1 };
      const author = personKey(event.by);
      return {
        ...state,
        plan: event.plan,
        planHash: event.planHash,
        planRevision: state.planRevision + 1,
        authors: state.authors.includes(author) ? state.authors : [...state.authors, author],
        rejections: [],
      };
    }
    case 'ApprovalsVoided':
      return { ...state, approvals: [], voidedApprovals: state.voidedApprovals + event.approvals.length };
    case 'ChecklistItemTicked':
      return setTick(state, event.checklist, event.item, {
        ...stamp,
        automatic: event.automatic,
        ...(event.evidence === undefined ? {} : { evidence: event.evidence }),
      });
    case 'ChecklistItemUnticked':
      return setTick(state, event.checklist, event.item, null);
    case 'PlanApproved': {
      const who = personKey(event.by);
      const approval: Approval = {
        ...stamp,
        role: event.role,
        planHash: event.planHash,
        ...(event.comment === undefined ? {} : { comment: event.comment }),
      };
      return {
        ...state,
        approvals: [...state.approvals, approval],
        // Approving replaces the same person's earlier rejection.
        rejections: state.rejections.filter((r) => personKey(r.by) !== who),
      };
    }
    case 'PlanRejected': {
      const who = personKey(event.by);
      return {
        ...state,
        approvals: state.approvals.filter((a) => personKey(a.by) !== who),
        rejections: [
          ...state.rejections.filter((r) => personKey(r.by) !== who),
          { ...stamp, role: event.role, planHash: event.planHash, reason: event.reason },
        ],
      };
    }
    case 'HotfixCancelled':
      return {
        ...state,
        phase: 'cancelled',
        cancelled: { ...stamp, reason: event.reason },
      };
    case 'DeployRequested':
      return {
        ...state,
        phase: 'deploy_requested',
        deployRequests: state.deployRequests + 1,
        lock: { status: 'requested', runId: event.runId, services: event.services },
      };
    case 'LockGranted':
      return {
        ...state,
        lock: { status: 'granted', runId: event.runId, services: event.services, since: event.at },
      };
    case 'LockRefused':
      return {
        ...state,
        phase: 'planned',
        lock: {
          status: 'refused',
          runId: event.runId,
          services: state.lock.services,
          refusal: { service: event.service, heldBy: event.heldBy, since: event.since },
        },
      };
    case 'PipelineStarted':
      return {
        ...state,
        phase: event.kind === 'deploy' ? 'deploying' : 'rolling_back',
        runs: [
          ...state.runs,
          {
            id: event.runId,
            kind: event.kind,
            status: 'running',
            startedAt: event.at,
            steps: event.steps.map((s) => ({ ...s, status: 'pending', attempt: 0 })),
            stages: {},
            gates: {},
          },
        ],
      };
    case 'StepStarted':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        status: 'running',
        attempt: event.attempt,
        startedAt: event.at,
        ...(event.owner === undefined ? {} : { owner: event.owner }),
      }));
    case 'StepInterrupted':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        interruptions: [
          ...(s.interruptions ?? []),
          {
            attempt: event.attempt,
            ...(event.owner === undefined ? {} : { owner: event.owner }),
            reason: event.reason,
            at: event.at,
          },
        ],
      }));
    case 'StepSucceeded':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        status: 'succeeded',
        attempt: event.attempt,
        finishedAt: event.at,
        durationMs: event.durationMs,
        output: event.output,
        ...(event.dryRun ? { dryRun: true as const } : {}),
      }));
    case 'StepFailed':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        status: 'failed',
        attempt: event.attempt,
        finishedAt: event.at,
        durationMs: event.durationMs,
        output: event.output,
        error: event.error,
      }));
    case 'StepReopened': {
      const reopened = updateRun(state, event.runId, (run) => {
        const step = run.steps.find((s) => s.key === event.step);
        const { [step?.stage ?? 'verification']: _failed, ...stages } = run.stages;
        const gates = Object.fromEntries(Object.entries(run.gates).filter(([, g]) => g.passed));
        return {
          ...run,
          status: 'running',
          stages,
          gates,
          steps: run.steps.map((s) =>
            s.key === event.step ? { ...s, status: 'pending', error: undefined } : s,
          ),
        };
      });
      const run = reopened.runs.find((r) => r.id === event.runId);
      return { ...reopened, phase: run?.kind === 'rollback' ? 'rolling_back' : 'deploying' };
    }
    case 'StepSkipped':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        status: 'skipped',
        finishedAt: event.at,
        decidedBy: event.by,
        note: event.reason,
      }));
    case 'ManualStepConfirmed':
      return updateStep(state, event.runId, event.step, (s) => ({
        ...s,
        status: event.outcome === 'confirmed' ? 'succeeded' : 'failed',
        finishedAt: event.at,
        ...(s.startedAt === undefined ? {} : { durationMs: Date.parse(event.at) - Date.parse(s.startedAt) }),
        decidedBy: event.by,
        ...(event.note === undefined ? {} : { note: event.note }),
        ...(event.outcome === 'failed' ? { error: event.note ?? 'marked failed' } : {}),
      }));
    case 'StagePassed':
    case 'StageFailed':
      return updateRun(state, event.runId, (run) => ({
        ...run,
        stages: { ...run.stages, [event.stage]: event.type === 'StagePassed' ? 'passed' : 'failed' },
      }));
    case 'GatePassed':
      return updateRun(state, event.runId, (run) => ({
        ...run,
        gates: { ...run.gates, [event.gate]: { passed: true, at: event.at } },
        ...(event.gate === 'verification' ? { status: 'succeeded', finishedAt: event.at } : {}),
      }));
    case 'GateFailed': {
      const next = updateRun(state, event.runId, (run) => ({
        ...run,
        status: 'failed',
        finishedAt: event.at,
        gates: { ...run.gates, [event.gate]: { passed: false, reason: event.reason, at: event.at } },
      }));
      const run = next.runs.find((r) => r.id === event.runId);
      return run?.kind === 'deploy' ? { ...next, phase: 'deploy_failed' } : next;
    }
    case 'PipelineAborted': {
      const next = updateRun(state, event.runId, (run) => ({
        ...run,
        status: 'aborted',
        finishedAt: event.at,
      }));
      const run = state.runs.find((r) => r.id === event.runId);
      return run?.kind === 'deploy' ? { ...next, phase: 'deploy_failed' } : next;
    }
    case 'MonitoringStarted':
      return {
        ...state,
        phase: 'monitoring',
        monitoring: {
          startedAt: event.at,
          until: event.until,
          ...(event.periodFrom === undefined ? {} : { periodFrom: event.periodFrom }),
          checks: Object.fromEntries(
            event.checks.map((name) => [name, { name, passes: 0, breaches: 0, rounds: [] }]),
          ),
        },
      };
    case 'MonitorCheckPassed':
    case 'MonitorCheckBreached': {
      if (state.monitoring === null) return state;
      const passed = event.type === 'MonitorCheckPassed';
      const prev = state.monitoring.checks[event.check] ?? {
        name: event.check,
        passes: 0,
        breaches: 0,
        rounds: [],
      };
      const check: MonitorCheckState = {
        ...prev,
        rounds: [...prev.rounds, event.round],
        passes: prev.passes + (passed ? 1 : 0),
        breaches: prev.breaches + (passed ? 0 : 1),
        last: { passed, at: event.at, ...(event.detail === undefined ? {} : { detail: event.detail }) },
      };
      return {
        ...state,
        monitoring: { ...state.monitoring, checks: { ...state.monitoring.checks, [event.check]: check } },
      };
    }
    case 'MonitoringWindowClosed':
      return {
        ...state,
        // Breaches and unobserved checks need a decision (accept and keep, or roll back) before the outcome
        // is known.
        phase: state.phase === 'monitoring' ? (event.clean ? 'verified' : 'breach_review') : state.phase,
        monitoring: state.monitoring && {
          ...state.monitoring,
          closed: {
            at: event.at,
            clean: event.clean,
            ...(event.unobserved === undefined ? {} : { unobserved: event.unobserved }),
          },
        },
      };
    case 'BreachAcceptanceGiven':
      return {
        ...state,
        breachAcceptances: { ...state.breachAcceptances, [event.role]: { ...stamp, reason: event.reason } },
      };
    case 'BreachesAccepted':
      return {
        ...state,
        phase: state.phase === 'breach_review' ? 'verified' : state.phase,
        breachesAccepted: { ...stamp, breaches: event.breaches },
      };
    case 'RollbackProposed':
      return {
        ...state,
        votes: [
          ...state.votes,
          {
            id: event.voteId,
            trigger: event.trigger,
            reason: event.reason,
            automatic: event.automatic,
            proposedBy: event.by,
            proposedAt: event.at,
            expiresAt: event.expiresAt,
            status: 'open',
            ballots: {},
          },
        ],
      };
    case 'VoteCast':
      return updateVote(state, event.voteId, (vote) => ({
        ...vote,
        ballots: {
          ...vote.ballots,
          [personKey(event.by)]: { ...stamp, choice: event.choice, roles: event.roles },
        },
      }));
    case 'VotePassed':
      return updateVote(state, event.voteId, closeVote('passed', event.at));
    case 'VoteFailed':
      return updateVote(state, event.voteId, closeVote('failed', event.at));
    case 'VoteExpired':
      return updateVote(state, event.voteId, closeVote('expired', event.at));
    case 'RollbackStarted':
      // The deploy run (if still going) is aborted by its own event; the rollback run starts with PipelineStarted.
      return {
        ...state,
        phase: 'rolling_back',
        monitoring:
          state.monitoring && !state.monitoring.closed
            ? { ...state.monitoring, closed: { at: event.at, clean: false } }
            : state.monitoring,
      };
    case 'RollbackFinished':
    case 'RollbackFailed': {
      const ok = event.type === 'RollbackFinished';
      const next = updateRun(state, event.runId, (run) => ({
        ...run,
        status: ok ? 'succeeded' : 'failed',
        finishedAt: event.at,
      }));
      return { ...next, phase: ok ? 'rolled_back' : 'rollback_failed' };
    }
    case 'IssueLogged':
      return {
        ...state,
        issues: [
          ...state.issues,
          { id: event.issueId, text: event.text, loggedBy: event.by, loggedAt: event.at },
        ],
      };
    case 'IssueResolved':
      return updateIssue(state, event.issueId, (i) => ({
        ...i,
        resolved: { ...stamp, ...(event.note === undefined ? {} : { note: event.note }) },
      }));
    case 'WorkaroundSet':
      return updateIssue(state, event.issueId, (i) => ({ ...i, workaround: { ...stamp, text: event.text } }));
    case 'IssueReopened':
      return updateIssue(state, event.issueId, ({ resolved, ...open }) =>
        resolved
          ? {
              ...open,
              reopenings: [
                ...(open.reopenings ?? []),
                {
                  ...stamp,
                  ...(event.reason === undefined ? {} : { reason: event.reason }),
                  resolution: resolved,
                },
              ],
            }
          : open,
      );
    case 'ObservationNoted':
      return { ...state, observations: [...state.observations, { ...stamp, text: event.text }] };
    case 'DocumentationUpdateTicked':
      return { ...state, docs: { ...state.docs, [event.item]: event.done ? stamp : null } };
    case 'LessonsLearnedNoted':
      return { ...state, lessons: [...state.lessons, { ...stamp, text: event.text }] };
    case 'SignedOff':
      return { ...state, signoffs: { ...state.signoffs, [event.role]: stamp } };
    case 'ReminderSent':
      return {
        ...state,
        reminders: [
          ...state.reminders,
          {
            ...stamp,
            about: event.about,
            subject: event.subject,
            round: event.round,
            missing: event.missing,
            ...(event.escalatedTo === undefined ? {} : { escalatedTo: event.escalatedTo }),
          },
        ],
      };
    case 'HotfixClosed':
      return { ...state, phase: 'closed', closed: { ...stamp, outcome: outcomeOfPhase(state.phase) } };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

export const fold = (events: readonly HotfixEvent[], from: HotfixState = initialState()): HotfixState =>
  events.reduce(evolve, from);

/** Where a hotfix stands: its outcome once settled, or that it was cancelled or is still under way. */
export type Standing = Outcome | 'cancelled' | 'in_progress';

/** The one phase → outcome mapping: state, queries and the record all read it. */
export const standingOf = (phase: Phase): Standing => {
  switch (phase) {
    case 'verified':
      return 'deployed';
    case 'rolled_back':
      return 'rolled_back';
    case 'deploy_failed':
    case 'rollback_failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'none':
    case 'planned':
    case 'deploy_requested':
    case 'deploying':
    case 'monitoring':
    case 'breach_review':
    case 'rolling_back':
    case 'closed':
      return 'in_progress';
    default: {
      const unknown: never = phase;
      return unknown;
    }
  }
};

/** The outcome a settled phase stands for (decide closes only settled hotfixes, so the fallback never shows). */
export const outcomeOfPhase = (phase: Phase): Outcome => {
  const standing = standingOf(phase);
  return standing === 'cancelled' || standing === 'in_progress' ? 'failed' : standing;
};
