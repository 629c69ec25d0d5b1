import type { EventStates } from '../../domain/hotfix/attention.ts';
import { outcomeBecameKnown } from '../../domain/hotfix/attention.ts';
import type { HotfixEvent } from '../../domain/hotfix/events.ts';
import { displayName } from '../../domain/hotfix/people.ts';
import { outcome } from '../../domain/hotfix/queries.ts';

/**
 * A stakeholder notice (`slack.notify`, `teams.notify`): one short message when a hotfix starts, when its
 * deploy starts and when its outcome is known, without the thread's detail. Plain text; each edge escapes it.
 */
export interface Notice {
  /** Which of a hotfix's notices this is: each is posted once per channel (`start`, `deploy`, `outcome-…`). */
  readonly key: string;
  readonly emoji: string;
  readonly headline: string;
  readonly details: readonly string[];
  /** Whether a link to the hotfix's thread belongs under it (the outcome: where to read the whole story). */
  readonly linkThread: boolean;
}

/** The notice an event calls for, if any. */
export const noticeOf = (event: HotfixEvent, states: EventStates): Notice | null => {
  const { before, after, decided } = states;
  const { id, plan } = after;
  switch (event.type) {
    case 'HotfixStarted':
      return {
        key: 'start',
        emoji: '🔥',
        headline: `Hotfix ${id} started: ${plan.summary}`,
        details: [
          `Severity: ${plan.severity}`,
          `Services: ${plan.services.join(', ')}`,
          `Issue ${plan.issueId}, version ${plan.version}`,
          `Led by ${displayName(after.requester)}`,
        ],
        linkThread: false,
      };
    case 'PipelineStarted':
      // The first deploy run only: a retried deploy is the thread's detail.
      return event.kind === 'deploy' && before.runs.every((r) => r.kind !== 'deploy')
        ? {
            key: 'deploy',
            emoji: '🚀',
            headline: `Hotfix ${id}: deploy started`,
            details: [
              `Services: ${plan.services.join(', ')}`,
              `Version ${plan.previousVersion ? `${plan.previousVersion} → ` : ''}${plan.version}`,
            ],
            linkThread: false,
          }
        : null;
    case 'HotfixCancelled':
      return {
        key: 'outcome-cancelled',
        emoji: '🚫',
        headline: `Hotfix ${id} was cancelled`,
        details: [event.reason],
        linkThread: true,
      };
    default: {
      if (!outcomeBecameKnown(before, after, decided)) return null;
      const known = outcome(after);
      if (known === null) return null;
      const headline = {
        deployed: `Hotfix ${id} is deployed and verified`,
        rolled_back: `Hotfix ${id} was rolled back${plan.previousVersion ? ` to ${plan.previousVersion}` : ''}`,
        failed: `Hotfix ${id} failed`,
      }[known];
      return {
        key: `outcome-${known}`,
        emoji: { deployed: '✅', rolled_back: '↩️', failed: '❌' }[known],
        headline,
        details: [`${plan.summary} (${plan.services.join(', ')}, version ${plan.version})`],
        linkThread: true,
      };
    }
  }
};

/** Where a notice's posting is remembered, per channel, so a retry or a restart posts it once. */
export const noticeRefKey = (notice: Pick<Notice, 'key'>, channel: string): string =>
  `notice:${notice.key}:${channel}`;
