import type { Person, Role } from './people.ts';
import type { Plan } from './plan.ts';
import type { JsonValue, RunKind, Stage, StepKind, StepSpec } from './policy.ts';

export const CHECKLISTS = ['code_readiness', 'environment_readiness'] as const;
export type Checklist = (typeof CHECKLISTS)[number];

/** The seed's "Documentation Updates" checklist. */
export const DOC_ITEMS = [
  'system.changes_applied',
  'system.configuration',
  'system.dependencies',
  'system.known_issues',
  'process.procedures',
  'process.guidelines',
  'process.lessons_learned',
  'process.best_practices',
] as const;
export type DocItem = (typeof DOC_ITEMS)[number];

export const ROLLBACK_TRIGGERS = [
  'critical_error',
  'data_issue',
  'performance_problem',
  'business_impact',
  'failed_step',
  'failed_check',
] as const;
export type RollbackTrigger = (typeof ROLLBACK_TRIGGERS)[number];

export type VoteChoice = 'for' | 'against';

/** What a reminder is about: a plan waiting for approval, a manual step, a vote near expiry, sign-offs. */
export const REMINDER_ABOUTS = ['approval', 'manual_step', 'vote', 'signoff'] as const;
export type ReminderAbout = (typeof REMINDER_ABOUTS)[number];

/** One step of a pipeline run, fixed when the run starts. */
export interface PlannedStep {
  /** Unique within the run: `${stage}.${service}.${index}`. */
  readonly key: string;
  readonly stage: Stage;
  readonly service: string;
  readonly index: number;
  readonly name: string;
  readonly kind: StepKind;
  readonly roles: readonly Role[];
  /**
   * The step as configured when the run started: what its workers execute, whatever the config says later.
   * null for runs recorded by releases before step specs were recorded (event schema v1).
   */
  readonly spec: StepSpec | null;
}

/**
 * What one monitor round measured: the HTTP status and latency of the probe's last response, and the value
 * each of the check's JSON paths read (a path absent from the body is left out). Absent when nothing answered.
 */
export interface MonitorMeasurement {
  readonly status?: number;
  readonly latencyMs?: number;
  readonly values?: Readonly<Record<string, JsonValue>>;
}

export type Gate = 'deployment' | 'verification' | 'rollback_verification';

/** Fields every event carries: who did it and when. */
interface Base {
  readonly at: string;
  readonly by: Person;
}

type E<T extends string, D = object> = Base & { readonly type: T } & D;

export type HotfixEvent =
  | E<'HotfixStarted', { id: string; plan: Plan; planHash: string; checklists: Record<Checklist, string[]> }>
  /** `planHash` equals `previousHash` when only where the hotfix is shown changed (see `shownOnlyEdit`). */
  | E<'PlanEdited', { plan: Plan; planHash: string; previousHash: string }>
  | E<'ApprovalsVoided', { planHash: string; approvals: { role: Role; by: Person }[]; reason: 'plan_edited' }>
  | E<'ChecklistItemTicked', { checklist: Checklist; item: string; automatic: boolean; evidence?: string }>
  | E<'ChecklistItemUnticked', { checklist: Checklist; item: string }>
  | E<'PlanApproved', { role: Role; planHash: string; comment?: string }>
  | E<'PlanRejected', { role: Role; planHash: string; reason: string }>
  | E<'HotfixCancelled', { reason: string }>
  | E<'DeployRequested', { runId: string; services: string[] }>
  | E<'LockGranted', { runId: string; services: string[] }>
  | E<'LockRefused', { runId: string; service: string; heldBy: string; since: string }>
  | E<'PipelineStarted', { runId: string; kind: RunKind; steps: PlannedStep[] }>
  | E<'StepStarted', { runId: string; step: string; attempt: number; owner?: string }>
  /** An attempt never reported an outcome (its worker died mid-step); recorded just before the next attempt. */
  | E<'StepInterrupted', { runId: string; step: string; attempt: number; owner?: string; reason: string }>
  | E<
      'StepSucceeded',
      // dryRun: nothing ran (the playground rehearsing a team's config); the output says what would have.
      { runId: string; step: string; attempt: number; durationMs: number; output: string; dryRun?: true }
    >
  | E<
      'StepFailed',
      { runId: string; step: string; attempt: number; durationMs: number; output: string; error: string }
    >
  | E<'StepSkipped', { runId: string; step: string; reason: string }>
  /** A failed step is given another go (or is about to be skipped): its run is running again from it. */
  | E<'StepReopened', { runId: string; step: string; reason: string }>
  | E<'ManualStepConfirmed', { runId: string; step: string; outcome: 'confirmed' | 'failed'; note?: string }>
  | E<'StagePassed', { runId: string; stage: Stage }>
  | E<'StageFailed', { runId: string; stage: Stage; step: string }>
  | E<'GatePassed', { runId: string; gate: Gate }>
  | E<'GateFailed', { runId: string; gate: Gate; reason: string }>
  | E<'PipelineAborted', { runId: string; reason: string }>
  | E<
      'MonitoringStarted',
      // periodFrom: whose verification period set `until` (absent in events recorded before plans could).
      { until: string; checks: string[]; periodFrom?: 'plan' | 'policy' }
    >
  | E<
      'MonitorCheckPassed',
      { check: string; round: number; detail?: string; measurement?: MonitorMeasurement }
    >
  | E<
      'MonitorCheckBreached',
      { check: string; round: number; detail: string; measurement?: MonitorMeasurement }
    >
  /**
   * clean: no breach and every check reported. unobserved: the window's checks that never reported a round
   * (absent in events recorded before the window told them apart, and when every check reported).
   */
  | E<'MonitoringWindowClosed', { clean: boolean; unobserved?: string[] }>
  /** A sign-off role keeps the release despite the window's breaches, and says why. */
  | E<'BreachAcceptanceGiven', { role: Role; reason: string }>
  /** Every deciding role accepted: the hotfix is verified with its breaches. */
  | E<'BreachesAccepted', { breaches: number; roles: Role[] }>
  | E<
      'RollbackProposed',
      { voteId: number; trigger: RollbackTrigger; reason: string; automatic: boolean; expiresAt: string }
    >
  | E<'VoteCast', { voteId: number; choice: VoteChoice; roles: Role[] }>
  | E<'VotePassed', { voteId: number; for: number; against: number }>
  | E<'VoteFailed', { voteId: number; for: number; against: number }>
  | E<'VoteExpired', { voteId: number; for: number; against: number }>
  | E<'RollbackStarted', { runId: string; voteId?: number; automatic: boolean; reason: string }>
  | E<'RollbackFinished', { runId: string }>
  | E<'RollbackFailed', { runId: string; step: string }>
  | E<'IssueLogged', { issueId: number; text: string }>
  | E<'IssueResolved', { issueId: number; note?: string }>
  | E<'WorkaroundSet', { issueId: number; text: string }>
  /** A resolved issue is open again; its resolution stays in its history for the record. */
  | E<'IssueReopened', { issueId: number; reason?: string }>
  | E<'ObservationNoted', { text: string }>
  | E<'DocumentationUpdateTicked', { item: DocItem; done: boolean }>
  | E<'LessonsLearnedNoted', { text: string }>
  | E<'SignedOff', { role: Role }>
  /**
   * People still missing were reminded (`subject`: the plan hash, `runId/step/attempt`, the vote id or the
   * outcome); round 2 also calls on the escalation role.
   */
  | E<
      'ReminderSent',
      { about: ReminderAbout; subject: string; round: 1 | 2; missing: Person[]; escalatedTo?: Role }
    >
  | E<'HotfixClosed', object>;

export type HotfixEventType = HotfixEvent['type'];
export type EventOf<T extends HotfixEventType> = Extract<HotfixEvent, { type: T }>;

/**
 * An edit that changed only where the hotfix is shown: it keeps the plan's hash, so the approvals and
 * rejections bound to it stand, and its editor wrote nothing that approvers approve.
 */
export const shownOnlyEdit = (event: EventOf<'PlanEdited'>): boolean => event.planHash === event.previousHash;
