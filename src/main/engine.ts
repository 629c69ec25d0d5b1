import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Env } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import { createEffectRunner } from '../jobs/effects.ts';
import type { Locks } from '../jobs/locks.ts';
import type { JobQueues } from '../jobs/queues.ts';
import { createLocks } from '../jobs/locks.ts';
import { abortChannel, createQueues } from '../jobs/queues.ts';
import { maskerFor } from '../jobs/steps/mask.ts';
import type { RunningWorkers } from '../jobs/worker.ts';
import { startWorkers } from '../jobs/worker.ts';
import { reconcile } from '../jobs/reconcile.ts';
import type { CommandHandler } from '../service/handler.ts';
import { createCommandHandler } from '../service/handler.ts';
import type { Clock, EventStore } from '../service/ports.ts';
import { trimFeed } from '../store/feed.ts';
import { createRedisEventStore } from '../store/redis-event-store.ts';
import { bullConnection, connectRedis, createRedisClient } from './redis-connection.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { scrapeSources } from './metrics.ts';
import { requireAuditKey } from './runtime.ts';

const RECONCILE_EVERY_MS = 30_000;

export interface EngineSettings {
  readonly env: Env;
  readonly config: Config;
  readonly policy: Policy;
  /** The environment handed to step processes (PATH, secrets named by secret_env). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly clock?: Clock;
  /** `run` and `http` steps are shown, not run (the playground rehearsing a team's own config). */
  readonly dryRunSteps?: boolean;
  /** Wraps the event store every command and worker appends through (to count or watch appends). */
  readonly wrapStore?: (store: EventStore) => EventStore;
  /**
   * This thread's metrics: commands, steps and (read from Redis at each scrape) queues, open hotfixes and
   * locks; the chat edges built on the engine count their calls and lag in it too.
   */
  readonly metrics?: Metrics;
}

export interface Engine {
  readonly handler: CommandHandler;
  readonly store: EventStore;
  readonly locks: Locks;
  readonly redis: Redis;
  readonly prefix: string;
  readonly clock: Clock;
  readonly queues: JobQueues;
  readonly metrics: Metrics | undefined;
  startWorkers(): RunningWorkers;
  close(): Promise<void>;
}

/** Wires the event store, the command handler, effects onto BullMQ, and the workers. */
export const createEngine = async (settings: EngineSettings): Promise<Engine> => {
  const { env, log, metrics } = settings;
  const clock: Clock = settings.clock ?? { now: () => new Date() };
  const prefix = env.HOTFIX_REDIS_PREFIX;
  // Before connecting: a process that appends events without the key must not start at all.
  const auditKey = requireAuditKey(env);
  const redis = await connectRedis(env.REDIS_URL, { service: true });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection problem; retrying'));
  // BullMQ needs connections that retry forever (maxRetriesPerRequest: null), so it gets its own.
  const bull = bullConnection(env.REDIS_URL);
  const { connection } = bull;
  const queues = createQueues(connection, prefix, (error) =>
    log.warn({ err: error.message }, 'job queue connection problem; retrying'),
  );
  const locks = createLocks({ redis, prefix });
  const redisStore = createRedisEventStore({
    redis,
    prefix,
    auditKey,
    durability: { minReplicas: env.HOTFIX_REDIS_MIN_REPLICAS, timeoutMs: env.HOTFIX_REDIS_REPLICA_TIMEOUT },
  });
  const store = settings.wrapStore?.(redisStore) ?? redisStore;
  const handler = createCommandHandler({
    store,
    clock,
    policy: () => settings.policy,
    effects: createEffectRunner({
      queues,
      locks,
      clock,
      publishAbort: async (hotfixId, runId) =>
        void (await redis.publish(abortChannel(prefix), `${hotfixId} ${runId}`)),
    }),
    onEffectError: (effect, error) =>
      log.error(
        { hotfixId: effect.hotfixId, effect, err: String(error) },
        'effect failed after its events were stored',
      ),
    ...(metrics === undefined
      ? {}
      : {
          observe: (seen) =>
            metrics.command(seen.type, seen.outcome, seen.outcome === 'refused' ? seen.code : undefined),
        }),
  });
  metrics?.watch(scrapeSources({ store, handler, queues, locks, config: () => settings.config }), (error) =>
    log.warn({ err: String(error) }, 'metrics: could not read queues, open hotfixes or locks from Redis'),
  );
  const masker = maskerFor(settings.config, settings.processEnv);
  const stepContext = () => ({
    masker,
    env: settings.processEnv,
    defaults: { runTimeoutMs: env.HOTFIX_STEP_TIMEOUT, httpTimeoutMs: 30_000, killGraceMs: 5_000 },
    dryRun: settings.dryRunSteps ?? false,
  });
  const running: RunningWorkers[] = [];
  return {
    handler,
    store,
    locks,
    redis,
    prefix,
    clock,
    queues,
    metrics,
    startWorkers() {
      const workers = startWorkers(
        {
          handler,
          queues,
          clock,
          config: () => settings.config,
          stepContext,
          log,
          ...(metrics === undefined ? {} : { observeStep: metrics.step }),
        },
        {
          connection,
          subscriber: () => createRedisClient(env.REDIS_URL, { service: true }),
          prefix,
          concurrency: env.HOTFIX_WORKER_CONCURRENCY,
          lockDurationMs: env.HOTFIX_JOB_LOCK,
        },
      );
      // On start and then now and again: re-derive jobs and lock releases lost between an append and its effects.
      // …and drop the global feed's entries that every projector has handled, so it does not grow for ever.
      const sweep = async () => {
        await reconcile({ store, handler, queues, locks, redis, prefix, clock }).then(
          (actions) => actions.length > 0 && log.info({ actions }, 'reconciled'),
          (error: unknown) => log.warn({ err: String(error) }, 'reconcile failed; will try again'),
        );
        await trimFeed(redis, prefix, clock.now().getTime()).then(
          (removed) => removed > 0 && log.debug({ removed }, 'feed trimmed'),
          (error: unknown) => log.warn({ err: String(error) }, 'feed trim failed; will try again'),
        );
      };
      void sweep();
      const timer = setInterval(() => void sweep(), RECONCILE_EVERY_MS);
      timer.unref();
      const handle: RunningWorkers = {
        async close(graceMs) {
          clearInterval(timer);
          await workers.close(graceMs);
        },
      };
      running.push(handle);
      return handle;
    },
    async close() {
      await Promise.all(running.map((w) => w.close(env.HOTFIX_SHUTDOWN_GRACE)));
      await queues.close();
      await bull.close();
      await redis.quit();
    },
  };
};
