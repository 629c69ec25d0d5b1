import type { HotfixEvent, ReminderAbout } from './events.ts';
import type { Policy, RunKind } from './policy.ts';
import { holdsLock, runById } from './queries.ts';
import { remindersDue } from './reminders.ts';
import type { HotfixState } from './state.ts';

/**
 * What must happen outside the event stream after events are appended. Effects run after the append, so
 * they are at-least-once: every effect is safe to repeat (deterministic job ids, set-if-absent locks).
 * Chat output is not an effect: the notifier projects the global feed.
 */
export type Effect =
  | {
      readonly type: 'acquire-lock';
      readonly hotfixId: string;
      readonly runId: string;
      readonly services: readonly string[];
    }
  | { readonly type: 'release-lock'; readonly hotfixId: string; readonly services: readonly string[] }
  | {
      readonly type: 'enqueue-pipeline';
      readonly hotfixId: string;
      readonly runId: string;
      readonly kind: RunKind;
    }
  | { readonly type: 'cancel-pipeline'; readonly hotfixId: string; readonly runId: string }
  | {
      readonly type: 'schedule-monitoring';
      readonly hotfixId: string;
      readonly until: string;
      readonly checks: readonly string[];
    }
  | {
      readonly type: 'schedule-vote-expiry';
      readonly hotfixId: string;
      readonly voteId: number;
      readonly at: string;
    }
  /** A person moved a paused pipeline on (confirmed a manual step, skipped one): a worker picks it up again. */
  | {
      readonly type: 'continue-pipeline';
      readonly hotfixId: string;
      readonly runId: string;
      readonly after: string;
    }
  /** Checklist items with an automatic check get it run once the hotfix exists. */
  | { readonly type: 'run-readiness-checks'; readonly hotfixId: string }
  /** At `at`, remind whoever is still missing (the decider sends nothing if nobody is, or if it was sent). */
  | {
      readonly type: 'schedule-reminder';
      readonly hotfixId: string;
      readonly about: ReminderAbout;
      readonly subject: string;
      readonly round: 1 | 2;
      readonly at: string;
    };

export type EffectType = Effect['type'];

/** The effects of `events`, which took the hotfix from `before` to `after` (reminders need the policy's). */
export const effectsOf = (
  before: HotfixState,
  events: readonly HotfixEvent[],
  after: HotfixState,
  policy?: Pick<Policy, 'reminders'>,
): Effect[] => {
  const hotfixId = after.id;
  const effects: Effect[] = events.flatMap((event): Effect[] => {
    switch (event.type) {
      case 'DeployRequested':
        return [{ type: 'acquire-lock', hotfixId, runId: event.runId, services: event.services }];
      case 'PipelineStarted':
        // A deploy run starts inside the job that took its lock (acquire-lock); a rollback needs its own job.
        return event.kind === 'rollback'
          ? [{ type: 'enqueue-pipeline', hotfixId, runId: event.runId, kind: event.kind }]
          : [];
      case 'PipelineAborted':
        return [{ type: 'cancel-pipeline', hotfixId, runId: event.runId }];
      case 'MonitoringStarted':
        return [{ type: 'schedule-monitoring', hotfixId, until: event.until, checks: event.checks }];
      case 'RollbackProposed':
        return [{ type: 'schedule-vote-expiry', hotfixId, voteId: event.voteId, at: event.expiresAt }];
      case 'HotfixStarted':
        return [{ type: 'run-readiness-checks', hotfixId }];
      case 'StepReopened':
        return [
          {
            type: 'continue-pipeline',
            hotfixId,
            runId: event.runId,
            after: `reopen.${event.step}.${event.at}`,
          },
        ];
      case 'ManualStepConfirmed':
      case 'StepSkipped':
        return runById(after, event.runId)?.status === 'running'
          ? [{ type: 'continue-pipeline', hotfixId, runId: event.runId, after: event.step }]
          : [];
      default:
        return [];
    }
  });
  if (holdsLock(before) && !holdsLock(after)) {
    effects.push({ type: 'release-lock', hotfixId, services: after.lock.services });
  }
  for (const due of remindersDue(before, events, after, policy?.reminders))
    effects.push({ type: 'schedule-reminder', hotfixId, ...due });
  return effects;
};
