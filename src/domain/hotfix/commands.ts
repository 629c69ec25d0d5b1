import type {
  Checklist,
  DocItem,
  MonitorMeasurement,
  ReminderAbout,
  RollbackTrigger,
  VoteChoice,
} from './events.ts';
import type { Person, Role } from './people.ts';
import type { Plan } from './plan.ts';
import type { Stage } from './policy.ts';

type C<T extends string, D = object> = { readonly type: T; readonly by: Person } & D;

/**
 * Everything a person or the system can ask of a hotfix. `by` is who asks; their roles come from the policy.
 * Commands that act on what a person saw (an approval of a plan, a click on a step) carry what they saw,
 * so a stale card is refused instead of applied to something else.
 */
export type HotfixCommand =
  | C<'StartHotfix', { id: string; plan: Plan }>
  | C<'EditPlan', { plan: Plan }>
  | C<'TickChecklistItem', { checklist: Checklist; item: string; evidence?: string }>
  | C<'UntickChecklistItem', { checklist: Checklist; item: string }>
  | C<'ApprovePlan', { role: Role; planHash: string; comment?: string }>
  | C<'RejectPlan', { role: Role; planHash: string; reason: string }>
  | C<'CancelHotfix', { reason: string }>
  | C<'RequestDeploy', { planHash?: string }>
  | C<
      'GrantLock',
      { runId: string; /** The job taking the lock, which starts the first step at once. */ owner?: string }
    >
  | C<'RefuseLock', { runId: string; service: string; heldBy: string; since: string }>
  | C<
      'StartStep',
      {
        runId: string;
        step: string;
        attempt: number;
        owner?: string;
        /** Why the attempt this one supersedes never finished (its worker died), for the record. */
        interruption?: string;
      }
    >
  | C<
      'SucceedStep',
      { runId: string; step: string; attempt: number; durationMs: number; output: string; dryRun?: boolean }
    >
  | C<
      'FailStep',
      { runId: string; step: string; attempt: number; durationMs: number; output: string; error: string }
    >
  | C<'SkipStep', { runId: string; step: string; reason: string }>
  | C<'ConfirmManualStep', { runId: string; step: string; outcome: 'confirmed' | 'failed'; note?: string }>
  | C<'RetryStep', { runId: string; step: string; reason: string }>
  | C<'AbortPipeline', { runId: string; reason: string }>
  | C<
      'RecordMonitorCheck',
      { check: string; round: number; passed: boolean; detail?: string; measurement?: MonitorMeasurement }
    >
  | C<'CloseMonitoringWindow'>
  /** Keep the release despite the monitoring window's breaches; `role`: which of the person's roles decides. */
  | C<'AcceptBreaches', { reason: string; role?: Role }>
  | C<'ProposeRollback', { trigger: RollbackTrigger; reason: string }>
  | C<'CastVote', { voteId: number; choice: VoteChoice }>
  | C<'ExpireVote', { voteId: number }>
  | C<'LogIssue', { text: string }>
  | C<'ResolveIssue', { issueId: number; note?: string }>
  | C<'SetWorkaround', { issueId: number; text: string }>
  | C<'ReopenIssue', { issueId: number; reason?: string }>
  | C<'NoteObservation', { text: string }>
  | C<'TickDocumentationUpdate', { item: DocItem; done: boolean }>
  | C<'NoteLessonsLearned', { text: string }>
  | C<'SignOff', { role: Role }>
  /** A reminder's timer fired: remind whoever is still missing, or nothing if nobody is (or it was sent). */
  | C<'SendReminder', { about: ReminderAbout; subject: string; round: 1 | 2 }>
  | C<'CloseHotfix'>;

export type HotfixCommandType = HotfixCommand['type'];
export type CommandOf<T extends HotfixCommandType> = Extract<HotfixCommand, { type: T }>;

export type { Stage };
