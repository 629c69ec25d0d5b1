import type { HotfixEvent } from './events.ts';
import type { RunKind } from './policy.ts';
import { holdsLock } from './queries.ts';
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
    };

export type EffectType = Effect['type'];

/** The effects of `events`, which took the hotfix from `before` to `after`. */
export const effectsOf = (
  before: HotfixState,
  events: readonly HotfixEvent[],
  after: HotfixState,
): Effect[] => {
  const hotfixId = after.id;
  const effects: Effect[] = events.flatMap((event): Effect[] => {
    switch (event.type) {
      case 'DeployRequested':
        return [{ type: 'acquire-lock', hotfixId, runId: event.runId, services: event.services }];
      case 'PipelineStarted':
        return [{ type: 'enqueue-pipeline', hotfixId, runId: event.runId, kind: event.kind }];
      case 'PipelineAborted':
        return [{ type: 'cancel-pipeline', hotfixId, runId: event.runId }];
      case 'MonitoringStarted':
        return [{ type: 'schedule-monitoring', hotfixId, until: event.until, checks: event.checks }];
      case 'RollbackProposed':
        return [{ type: 'schedule-vote-expiry', hotfixId, voteId: event.voteId, at: event.expiresAt }];
      default:
        return [];
    }
  });
  if (holdsLock(before) && !holdsLock(after)) {
    effects.push({ type: 'release-lock', hotfixId, services: after.lock.services });
  }
  return effects;
};
