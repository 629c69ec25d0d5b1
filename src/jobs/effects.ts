import type { Effect } from '../domain/hotfix/effects.ts';
import type { Clock, EffectRunner } from '../service/ports.ts';
import type { Locks } from './locks.ts';
import type { JobQueues } from './queues.ts';
import { jobIds } from './queues.ts';

export interface EffectDeps {
  readonly queues: JobQueues;
  readonly locks: Locks;
  readonly clock: Clock;
  /** Tells every worker to stop the run's running step now (Redis pub/sub, see abortChannel). */
  readonly publishAbort: (hotfixId: string, runId: string) => Promise<void>;
}

/**
 * Turns the domain's effects into BullMQ jobs with deterministic ids (a repeated effect adds nothing) and
 * lock releases. Nothing here waits on a job: the command that caused the effect returns at once.
 */
export const createEffectRunner = (deps: EffectDeps): EffectRunner => ({
  async run(effect: Effect, { version }) {
    const { queues } = deps;
    const inMs = (iso: string) => Date.parse(iso) - deps.clock.now().getTime();
    switch (effect.type) {
      case 'acquire-lock':
        // The deploy job's first act is to take the lock: one hop from the click to the first step.
        return queues.addPipeline(jobIds.pipelineStart(effect.hotfixId, effect.runId), {
          hotfixId: effect.hotfixId,
          runId: effect.runId,
          kind: 'deploy',
          atVersion: version,
        });
      case 'enqueue-pipeline':
        return queues.addPipeline(jobIds.pipelineStart(effect.hotfixId, effect.runId), {
          hotfixId: effect.hotfixId,
          runId: effect.runId,
          kind: effect.kind,
          atVersion: version,
        });
      case 'continue-pipeline':
        return queues.addPipeline(jobIds.pipelineAfter(effect.hotfixId, effect.runId, effect.after), {
          hotfixId: effect.hotfixId,
          runId: effect.runId,
          kind: effect.runId.startsWith('rollback') ? 'rollback' : 'deploy',
          atVersion: version,
        });
      case 'cancel-pipeline':
        // The stream already says the run is aborted, so no worker starts another step of it; this stops
        // the one running now instead of letting it run to its end.
        return deps.publishAbort(effect.hotfixId, effect.runId);
      case 'release-lock':
        await deps.locks.release(effect.hotfixId, effect.services);
        return;
      case 'schedule-monitoring':
        await Promise.all(
          effect.checks.map((check) =>
            queues.addTimer(jobIds.monitorRound(effect.hotfixId, check, 1), {
              type: 'monitor-round',
              hotfixId: effect.hotfixId,
              check,
              round: 1,
            }),
          ),
        );
        return queues.addTimer(
          jobIds.closeWindow(effect.hotfixId),
          { type: 'close-window', hotfixId: effect.hotfixId },
          inMs(effect.until),
        );
      case 'schedule-vote-expiry':
        return queues.addTimer(
          jobIds.expireVote(effect.hotfixId, effect.voteId),
          { type: 'expire-vote', hotfixId: effect.hotfixId, voteId: effect.voteId },
          inMs(effect.at),
        );
      case 'schedule-reminder':
        return queues.addTimer(
          jobIds.reminder(effect.hotfixId, effect.about, effect.subject, effect.round),
          {
            type: 'send-reminder',
            hotfixId: effect.hotfixId,
            about: effect.about,
            subject: effect.subject,
            round: effect.round,
          },
          inMs(effect.at),
        );
      case 'run-readiness-checks':
        return queues.addTimer(jobIds.readiness(effect.hotfixId), {
          type: 'readiness-checks',
          hotfixId: effect.hotfixId,
        });
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  },
});
