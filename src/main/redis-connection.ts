import { setTimeout as delay } from 'node:timers/promises';
import type { ConnectionOptions } from 'bullmq';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from '../config/redis-url.ts';
import { parseRedisUrl, redactRedisUrl } from '../config/redis-url.ts';
import { StartupError } from './startup-error.ts';

/**
 * Every Redis connection of the product is made here, from REDIS_URL: one server, Sentinel or Cluster
 * (src/config/redis-url.ts). The store, the deploy locks, the notifiers, BullMQ's queues and workers and the
 * abort subscription all go through it, so they all follow a Sentinel failover or a Cluster's slots.
 */

export const redisTarget = (url: string): RedisTarget => {
  const parsed = parseRedisUrl(url);
  // REDIS_URL was validated with the environment; this is a programming error.
  if (!parsed.ok) throw new RangeError(`REDIS_URL ${parsed.reason}`);
  return parsed.target;
};

/** ioredis options for the servers of a Sentinel or Cluster target (credentials, TLS). */
const serverOptions = (
  target: Exclude<RedisTarget, { mode: 'single' }>,
): Pick<RedisOptions, 'username' | 'password' | 'tls'> => ({
  ...(target.username === undefined ? {} : { username: target.username }),
  ...(target.password === undefined ? {} : { password: target.password }),
  ...(target.tls ? { tls: {} } : {}),
});

/** A connection to the primary that the sentinels name, found again by asking them after a failover. */
const sentinelOptions = (
  target: Extract<RedisTarget, { mode: 'sentinel' }>,
): Omit<RedisOptions, 'retryStrategy'> => ({
  ...serverOptions(target),
  sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
  name: target.name,
  db: target.db,
  ...(target.sentinelUsername === undefined ? {} : { sentinelUsername: target.sentinelUsername }),
  ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
  ...(target.tls ? { sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
  // Listen for the sentinels' +switch-master: reconnect to the new primary at once, not after a timeout.
  failoverDetector: true,
});

export interface RedisClientOptions {
  /**
   * A long-running process keeps reconnecting and holds its commands until Redis is back (workers must
   * survive a restart or a failover); a one-shot command fails fast instead.
   */
  readonly service: boolean;
  /** Connect on the first command or `connect()`, not at once. */
  readonly lazyConnect?: boolean;
}

/** Fail-fast settings of a one-shot command: one try, no reconnection. */
const ONE_SHOT: RedisOptions = { maxRetriesPerRequest: 1, retryStrategy: () => null };
/** A service: commands wait for the connection to come back, however long it takes (BullMQ requires this). */
const SERVICE: RedisOptions = { maxRetriesPerRequest: null };

const clusterOptions = (
  target: Extract<RedisTarget, { mode: 'cluster' }>,
  { service, lazyConnect = false }: RedisClientOptions,
): ClusterOptions => ({
  lazyConnect,
  redisOptions: { ...serverOptions(target), ...(service ? SERVICE : ONE_SHOT) },
  ...(service ? {} : { clusterRetryStrategy: () => null }),
});

/**
 * A new connection for `url`. For a cluster this is ioredis's `Cluster`, returned under the `Redis` type
 * that the rest of the product is written against: it answers the same commands, scripts (`defineCommand`),
 * pipelines, transactions and pub/sub, routed by key slot. What it lacks are the members of one server's
 * socket (`options`, `stream`, `connector`…), which the product does not use. Two things do differ, and are
 * handled where they matter: a SCAN sees one node only (src/store/scan-keys.ts), and every key a script or
 * MULTI touches must share a hash tag (src/store/keys.ts).
 */
export const createRedisClient = (url: string, options: RedisClientOptions): Redis => {
  const target = redisTarget(url);
  const base: RedisOptions = {
    ...(options.service ? SERVICE : ONE_SHOT),
    ...(options.lazyConnect ? { lazyConnect: true } : {}),
  };
  switch (target.mode) {
    case 'single':
      return new Redis(url, base);
    case 'sentinel':
      return new Redis({
        ...sentinelOptions(target),
        ...base,
        ...(options.service ? {} : { sentinelRetryStrategy: () => null }),
      });
    case 'cluster':
      return new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        clusterOptions(target, options),
      ) as unknown as Redis;
    default:
      return target satisfies never;
  }
};

export interface BullConnection {
  /** For every Queue and Worker: BullMQ opens (or duplicates) the connections it needs from it. */
  readonly connection: ConnectionOptions;
  /** Closes what this connection holds itself (after the queues and workers are closed). */
  close(): Promise<void>;
}

/**
 * BullMQ's connection for `url`. One server and Sentinel are given as options, from which BullMQ makes its
 * own connections (retrying forever: `maxRetriesPerRequest: null`, as its workers require). A cluster
 * cannot be described by options, so it gets a Cluster client, shared by the queues and duplicated by each
 * worker for its blocking reads; its keys stay in one slot through the `{hotfix-jobs}` prefix (BullMQ's
 * rule for Redis Cluster).
 */
export const bullConnection = (url: string): BullConnection => {
  const target = redisTarget(url);
  switch (target.mode) {
    case 'single':
      return { connection: { url, maxRetriesPerRequest: null }, close: async () => undefined };
    case 'sentinel':
      return {
        connection: { ...sentinelOptions(target), maxRetriesPerRequest: null },
        close: async () => undefined,
      };
    case 'cluster': {
      const cluster = new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        clusterOptions(target, { service: true }),
      );
      return {
        connection: cluster,
        async close() {
          await cluster.quit().catch(() => cluster.disconnect());
        },
      };
    }
    default:
      return target satisfies never;
  }
};

/**
 * Connects to Redis: one server, Sentinel or Cluster, as REDIS_URL says (src/main/redis-connection.ts). A
 * one-shot command fails fast with one line; a long-running process (`service: true`) keeps reconnecting, as
 * workers must survive a Redis restart or failover.
 */
export const connectRedis = async (url: string, { service = false } = {}): Promise<Redis> => {
  const redis = createRedisClient(url, { service, lazyConnect: true });
  // ioredis reports connection failures as 'error' events; keep the first, it says why (ECONNREFUSED…).
  let cause: Error | undefined;
  const remember = (error: Error) => (cause ??= error);
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
    redis.off('error', remember);
    return redis;
  } catch (error) {
    redis.disconnect();
    const why = (cause ?? (error instanceof Error ? error : new Error(String(error)))).message.replace(
      /\.+$/,
      '',
    );
    const hint =
      redisTarget(url).mode === 'single'
        ? 'Start one with: redis-server --appendonly yes'
        : 'Check that the listed hosts are up and reachable from here';
    throw new StartupError([`cannot reach Redis at ${redactRedisUrl(url)} (REDIS_URL): ${why}. ${hint}`]);
  }
};

/**
 * Whether Redis answers, without waiting for it: while the connection is down, ioredis would hold a PING in
 * its offline queue until it reconnects (the connection retries forever), so a probe would hang.
 */
export const redisProblem = async (
  redis: Pick<Redis, 'status' | 'ping'>,
  withinMs: number,
): Promise<string | undefined> => {
  if (redis.status !== 'ready') return `connection ${redis.status}`;
  const timer = new AbortController();
  try {
    return await Promise.race([
      redis.ping().then(
        () => undefined,
        (error: unknown) => String(error),
      ),
      delay(withinMs, `no answer to PING within ${withinMs} ms`, { signal: timer.signal }),
    ]);
  } finally {
    timer.abort();
  }
};
