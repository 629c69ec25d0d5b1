import type { Redis } from 'ioredis';
import { holdsLock, nextStep, openVote } from '../domain/hotfix/queries.ts';
import type { HotfixState } from '../domain/hotfix/state.ts';
import type { CommandHandler } from '../service/handler.ts';
import type { Clock, EventStore } from '../service/ports.ts';
import { storeKeys } from '../store/keys.ts';
import { scanKeys } from '../store/scan-keys.ts';
import type { Locks } from './locks.ts';
import type { JobQueues } from './queues.ts';
import { jobIds } from './queues.ts';

export interface ReconcileDeps {
  readonly store: Pick<EventStore, 'listOpen'>;
  readonly handler: Pick<CommandHandler, 'state'>;
  readonly queues: JobQueues;
  readonly locks: Locks;
  readonly redis: Redis;
  readonly prefix: string;
  readonly clock: Clock;
}

/**
 * Effects run after their events are stored, so a process dying in between (or a Redis blip on the effect)
 * can leave a hotfix without the job or the lock release its events call for. Reconciling re-derives them
 * from the streams; every action is idempotent (deterministic job ids, owner-checked releases), so any
 * number of workers may run it at any time.
 */
export const reconcile = async (deps: ReconcileDeps): Promise<string[]> => {
  const actions: string[] = [];
  const now = deps.clock.now().getTime();
  const openIds = await deps.store.listOpen();
  const states = new Map<string, HotfixState>();
  for (const hotfixId of openIds) {
    const state = await deps.handler.state(hotfixId);
    states.set(hotfixId, state);
    const run = state.runs.at(-1);
    if (state.phase === 'deploy_requested' && state.lock.runId) {
      await deps.queues.addPipeline(jobIds.pipelineStart(hotfixId, state.lock.runId), {
        hotfixId,
        runId: state.lock.runId,
        kind: 'deploy',
      });
      actions.push(`${hotfixId}: deploy ${state.lock.runId} queued`);
    }
    if (run?.status === 'running') {
      const step = nextStep(run);
      // A step not begun, with nothing running before it: the job that should start it is gone.
      if (step?.status === 'pending') {
        await deps.queues.addPipeline(jobIds.pipelineAfter(hotfixId, run.id, `resume-${step.key}`), {
          hotfixId,
          runId: run.id,
          kind: run.kind,
        });
        actions.push(`${hotfixId}: ${run.id} resumed at ${step.name}`);
      }
      if (step?.status === 'running' && step.kind === 'wait') {
        await deps.queues.addPipeline(
          jobIds.waitDone(hotfixId, run.id, step.key, step.attempt),
          { hotfixId, runId: run.id, kind: run.kind, waitDone: step.key },
          0,
        );
      }
    }
    const window = state.monitoring;
    if (window && !window.closed && Date.parse(window.until) <= now) {
      await deps.queues.addTimer(jobIds.closeWindow(hotfixId), { type: 'close-window', hotfixId });
    }
    const vote = openVote(state);
    if (vote && Date.parse(vote.expiresAt) <= now) {
      await deps.queues.addTimer(jobIds.expireVote(hotfixId, vote.id), {
        type: 'expire-vote',
        hotfixId,
        voteId: vote.id,
      });
    }
  }
  // Locks whose hotfix no longer holds them (closed, cancelled, settled, or never granted) are released.
  const pattern = storeKeys(deps.prefix).lock('*');
  await scanKeys(deps.redis, pattern, async (keys) => {
    for (const key of keys) {
      const service = key.slice(pattern.length - 1);
      const holder = await deps.locks.holder(service);
      if (!holder) continue;
      const state = states.get(holder.hotfixId) ?? (await deps.handler.state(holder.hotfixId));
      const granted = state.lock.status === 'granted' && state.lock.runId === holder.runId;
      const waiting = state.phase === 'deploy_requested' && state.lock.runId === holder.runId;
      if ((granted && holdsLock(state)) || waiting) continue;
      await deps.locks.release(holder.hotfixId, [service]);
      actions.push(`${service}: lock of ${holder.hotfixId} released`);
    }
  });
  return actions;
};
