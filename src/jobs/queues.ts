import type { ConnectionOptions, JobsOptions } from 'bullmq';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { REMINDER_ABOUTS } from '../domain/hotfix/events.ts';

export const PIPELINE_QUEUE = 'hotfix-pipeline';
export const TIMER_QUEUE = 'hotfix-timers';

const hotfixId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
const runId = z.string().regex(/^(deploy|rollback)-\d+$/);

/** A pipeline job runs a run from its first unfinished step; `waitDone` ends a `wait` step first. */
export const pipelineJobSchema = z.strictObject({
  hotfixId,
  runId,
  kind: z.enum(['deploy', 'rollback']),
  waitDone: z.string().optional(),
  /** The stream version that asked for this job: a worker whose cached state has got that far need not read. */
  atVersion: z.int().min(0).optional(),
});
export type PipelineJob = z.infer<typeof pipelineJobSchema>;

export const timerJobSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('readiness-checks'), hotfixId }),
  z.strictObject({
    type: z.literal('monitor-round'),
    hotfixId,
    check: z.string().min(1),
    round: z.int().min(1),
  }),
  z.strictObject({ type: z.literal('close-window'), hotfixId }),
  z.strictObject({ type: z.literal('expire-vote'), hotfixId, voteId: z.int().min(1) }),
  z.strictObject({
    type: z.literal('send-reminder'),
    hotfixId,
    about: z.enum(REMINDER_ABOUTS),
    subject: z.string().min(1).max(300),
    round: z.union([z.literal(1), z.literal(2)]),
  }),
]);
export type TimerJob = z.infer<typeof timerJobSchema>;

/** BullMQ job ids may not contain ':'; hotfix, run and step ids never do, check names might. */
const slug = (text: string) => text.replace(/[^A-Za-z0-9._/-]/g, '_');

/**
 * Deterministic job ids: adding a job whose id already exists is a no-op in BullMQ, which is what makes
 * the at-least-once effects safe to repeat.
 */
export const jobIds = {
  pipelineStart: (h: string, run: string) => `${h}__${run}__start`,
  pipelineAfter: (h: string, run: string, step: string) => `${h}__${run}__after__${slug(step)}`,
  /** A worker shutting down hands the rest of a run over after the step it finished. */
  handover: (h: string, run: string, step: string, attempt: number) =>
    `${h}__${run}__handover__${slug(step)}__${attempt}`,
  waitDone: (h: string, run: string, step: string, attempt: number) =>
    `${h}__${run}__wait__${slug(step)}__${attempt}`,
  readiness: (h: string) => `${h}__readiness`,
  monitorRound: (h: string, check: string, round: number) => `${h}__monitor__${slug(check)}__${round}`,
  closeWindow: (h: string) => `${h}__window`,
  expireVote: (h: string, vote: number) => `${h}__vote__${vote}`,
  reminder: (h: string, about: string, subject: string, round: number) =>
    `${h}__remind__${about}__${slug(subject)}__${round}`,
};

const defaults: JobsOptions = {
  // Infrastructure errors (Redis blips) are retried; rule violations fail at once (UnrecoverableError).
  attempts: 5,
  backoff: { type: 'exponential', delay: 200 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export interface JobQueues {
  readonly pipeline: Queue<PipelineJob>;
  readonly timers: Queue<TimerJob>;
  addPipeline(id: string, data: PipelineJob, delayMs?: number): Promise<void>;
  addTimer(id: string, data: TimerJob, delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `prefix` keeps BullMQ's keys apart per installation (and per test); the `{hotfix-jobs}` hash tag keeps each
 * queue's keys in one Redis Cluster slot, as BullMQ requires.
 */
/** The pub/sub channel on which aborted runs are announced to every worker. */
export const abortChannel = (prefix: string) => `${prefix}{hotfix}:abort`;

export const bullPrefix = (prefix: string) => `${prefix}{hotfix-jobs}`;

export const createQueues = (
  connection: ConnectionOptions,
  prefix: string,
  /** Connection problems (BullMQ reconnects by itself); unheard, BullMQ prints them to stderr. */
  onError?: (error: Error) => void,
): JobQueues => {
  const pipeline = new Queue<PipelineJob>(PIPELINE_QUEUE, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: defaults,
  });
  const timers = new Queue<TimerJob>(TIMER_QUEUE, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: defaults,
  });
  if (onError !== undefined) for (const queue of [pipeline, timers]) queue.on('error', onError);
  const delay = (ms: number | undefined) => (ms !== undefined && ms > 0 ? { delay: Math.ceil(ms) } : {});
  return {
    pipeline,
    timers,
    async addPipeline(id, data, delayMs) {
      await pipeline.add('run', pipelineJobSchema.parse(data), { jobId: id, ...delay(delayMs) });
    },
    async addTimer(id, data, delayMs) {
      await timers.add(data.type, timerJobSchema.parse(data), { jobId: id, ...delay(delayMs) });
    },
    async close() {
      await Promise.all([pipeline.close(), timers.close()]);
    },
  };
};
