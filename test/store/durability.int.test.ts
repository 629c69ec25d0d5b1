import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../src/store/keys.ts';
import { ReplicationTimeoutError, createRedisEventStore } from '../../src/store/redis-event-store.ts';
import type { TestRedis } from '../helpers/redis.ts';
import { TEST_AUDIT_KEY, startRedisServer, uniquePrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import { noted, opening } from './sample-events.ts';

// Real servers: a primary and one replica of it; the replica is detached and re-attached by the tests.
let primary: TestRedis;
let replica: TestRedis;
let redis: Redis;
let replicaClient: Redis;

/**
 * In sync and acknowledging: a replica that has just (re)synced sends its first acknowledgement up to a second
 * later, and only then does the primary stream commands to it (Redis 7), WAIT included.
 */
const linkUp = async (): Promise<boolean> =>
  /master_link_status:up/.test(await replicaClient.info('replication')) && (await redis.wait(1, 100)) === 1;

const attach = async (): Promise<void> => {
  await replicaClient.replicaof('127.0.0.1', primary.port);
  await waitFor('the replica to be in sync', linkUp, 30_000);
};

beforeAll(async () => {
  primary = await startRedisServer({ config: () => ({ 'repl-diskless-sync-delay': '0' }) });
  replica = await startRedisServer();
  redis = primary.connect();
  replicaClient = replica.connect();
  await attach();
});

afterAll(async () => {
  // Killed: a clean shutdown waits for a connected replica to catch up, or refuses during an AOF rewrite.
  for (const server of [replica, primary]) await server?.kill().then(() => server.stop());
});

const storeOn = (prefix: string, timeoutMs = 5_000) =>
  createRedisEventStore({
    redis,
    prefix,
    auditKey: TEST_AUDIT_KEY,
    durability: { minReplicas: 1, timeoutMs },
  });

describe('waiting for a replica (HOTFIX_REDIS_MIN_REPLICAS)', () => {
  it('an append counts as recorded once the replica holds it', async () => {
    const prefix = uniquePrefix();
    const store = storeOn(prefix);
    const result = await store.append('HF-1', 0, opening('HF-1'));
    expect(result).toMatchObject({ ok: true, version: 3 });
    // Read from the replica itself: what a failover would promote.
    const entries = await replicaClient.xrange(storeKeys(prefix).stream('HF-1'), '-', '+');
    expect(entries.map(([id]) => id)).toEqual(['0-1', '0-2', '0-3']);
  });

  it('without a replica to confirm it, the append fails loudly instead of claiming success, and a retry is safe', async () => {
    const prefix = uniquePrefix();
    const store = storeOn(prefix, 200);
    await store.append('HF-2', 0, opening('HF-2'));
    await replicaClient.replicaof('NO', 'ONE');
    try {
      await waitFor('the primary to see no replica', async () =>
        /connected_slaves:0/.test(await redis.info('replication')),
      );
      const failed = await store
        .append('HF-2', 3, [noted('not durable yet')])
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(ReplicationTimeoutError);
      expect(String(failed)).toMatch(
        /HF-2: the change reached the Redis primary but 0 of the 1 replica\(s\) required \(HOTFIX_REDIS_MIN_REPLICAS\) confirmed it within 200 ms/,
      );
      // It did reach the primary: a caller retrying the same command meets the version check, not a double.
      expect(await store.append('HF-2', 3, [noted('not durable yet')])).toEqual({
        ok: false,
        actualVersion: 4,
      });
    } finally {
      await attach();
    }
    // Re-attached, the replica catches up on what it missed, and appends are confirmed again.
    expect(await store.append('HF-2', 4, [noted('durable')])).toMatchObject({ ok: true, version: 5 });
    expect(await replicaClient.xlen(storeKeys(prefix).stream('HF-2'))).toBe(5);
  });

  it('a refused append (stale version) is reported as such, with or without replicas', async () => {
    const prefix = uniquePrefix();
    const store = storeOn(prefix, 100);
    await store.append('HF-3', 0, opening('HF-3'));
    await replicaClient.replicaof('NO', 'ONE');
    try {
      await waitFor('the primary to see no replica', async () =>
        /connected_slaves:0/.test(await redis.info('replication')),
      );
      expect(await store.append('HF-3', 1, [noted('stale')])).toEqual({ ok: false, actualVersion: 3 });
    } finally {
      await attach();
    }
  });
});
