import type { ConnectionOptions, Job } from 'bullmq';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PipelineDeps } from './pipeline.ts';
import { createPipelineProcessor } from './pipeline.ts';
import { abortChannel, bullPrefix, PIPELINE_QUEUE, TIMER_QUEUE } from './queues.ts';
import type { TimerDeps } from './timers.ts';
import { createTimerProcessor } from './timers.ts';

export interface WorkerOptions {
  readonly connection: ConnectionOptions;
  /** Opens the connection that subscribes to aborted runs (it must reconnect for ever). */
  readonly subscriber: () => Redis;
  readonly prefix: string;
  readonly concurrency: number;
  /** A job whose worker stops renewing its lock (a dead process) is resumed by another after about this. */
  readonly lockDurationMs: number;
}

export interface RunningWorkers {
  /**
   * Stops taking jobs and lets running steps finish within `graceMs`; then stops them (killing their
   * processes) and hands their jobs back: another worker resumes them once their lock lapses.
   */
  close(graceMs: number): Promise<void>;
}

/** A job's hotfix, run and job id, for its log lines (whatever its data holds, only short strings are read). */
const about = (job: Job | undefined): Record<string, string> => {
  const data = (job?.data ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 100) : undefined);
  return Object.fromEntries(
    Object.entries({ hotfixId: text(data.hotfixId), runId: text(data.runId), job: job?.id }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
};

/** Starts the pipeline and timer workers of one process. */
export const startWorkers = (deps: PipelineDeps & TimerDeps, options: WorkerOptions): RunningWorkers => {
  const shutdown = new AbortController();
  let stopping = false;
  const pipeline = createPipelineProcessor(deps);
  const timers = createTimerProcessor(deps);
  const common = {
    connection: options.connection,
    prefix: bullPrefix(options.prefix),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(500, Math.floor(options.lockDurationMs / 2)),
    // A job may be handed back a few times (crashes, deploys of the workers themselves) before it is failed.
    maxStalledCount: 5,
  };
  const workers = [
    new Worker(PIPELINE_QUEUE, (job: Job) => pipeline(job, shutdown.signal, () => stopping), common),
    new Worker(TIMER_QUEUE, (job: Job) => timers(job, shutdown.signal), common),
  ];
  // Aborts are announced to all workers; the one running the run stops its step.
  const subscriber = options.subscriber();
  subscriber.on('error', (error) =>
    deps.log.warn({ err: error.message }, 'abort subscription problem; retrying'),
  );
  void subscriber.subscribe(abortChannel(options.prefix));
  subscriber.on('message', (_channel: string, message: string) => {
    const [hotfixId = '', runId = ''] = message.split(' ');
    if (pipeline.abort(hotfixId, runId)) deps.log.info({ hotfixId, runId }, 'run aborted: stopping its step');
  });
  for (const worker of workers) {
    worker.on('failed', (job, error) => deps.log.warn({ ...about(job), err: error.message }, 'job failed'));
    worker.on('error', (error) => deps.log.warn({ err: error.message }, 'worker error'));
  }
  return {
    async close(graceMs) {
      stopping = true;
      const graceful = Promise.all(workers.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), graceMs);
      });
      const result = await Promise.race([graceful.then(() => 'done' as const), expired]);
      clearTimeout(timer);
      subscriber.disconnect();
      if (result === 'expired') {
        deps.log.warn({ graceMs }, 'grace period over: stopping running steps and handing their jobs back');
        shutdown.abort();
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
};
