/**
 * Integration, real servers: a private Redis Cluster of three primaries (test/helpers/redis-ha.ts). The product
 * runs on it as REDIS_URL=redis+cluster://… says: the event store, the deploy locks, BullMQ's queues and
 * workers and the abort subscription, each on a connection from src/main/redis-connection.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import { reconcile } from '../../src/jobs/reconcile.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { bullConnection, createRedisClient } from '../../src/main/redis-connection.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { ReplicationTimeoutError, createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { scanKeys } from '../../src/store/scan-keys.ts';
import { TEST_AUDIT_KEY, uniquePrefix } from '../helpers/redis.ts';
import { opening } from '../store/sample-events.ts';
import type { TestRedisCluster } from '../helpers/redis-ha.ts';
import { startRedisCluster } from '../helpers/redis-ha.ts';
import { createHarness, team, waitFor } from './harness.ts';

let cluster: TestRedisCluster | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/** Slow machines: the run has a 2 s step, a 1 s wait and a 3 s verification period, plus BullMQ's hops. */
const RUN_WITHIN_MS = 90_000;

describe('on a Redis Cluster (3 primaries)', () => {
  it(
    'a hotfix runs end to end: started, approved, deployed by BullMQ workers step by step, verified, signed off and closed',
    async () => {
      const h = await createHarness(cluster!.url);
      try {
        const hotfixId = await h.approveAndDeploy();
        await h.confirm(hotfixId);
        await waitFor('verified', async () => (await h.state(hotfixId)).phase === 'verified', RUN_WITHIN_MS);
        await h.engine.handler.handle(hotfixId, { type: 'SignOff', role: 'technical', by: team.tech1 });
        await h.engine.handler.handle(hotfixId, { type: 'SignOff', role: 'business', by: team.biz });
        await h.engine.handler.handle(hotfixId, { type: 'CloseHotfix', by: team.tech1 });
        const closed = await h.state(hotfixId);
        expect(closed.phase).toBe('closed');

        // Every step ran once, in order, and each outcome was recorded.
        expect((await h.log()).filter((l) => l.includes(' end ')).map((l) => l.split(' ')[0])).toEqual([
          'backup',
          'deploy',
          'slow',
          'smoke',
        ]);
        const history: HotfixEvent[] = (await h.engine.store.load(hotfixId)).events.map((e) => e.event);
        // backup, deploy, slow, soak (a wait step) and smoke; confirm is a manual step.
        expect(history.filter((e) => e.type === 'StepSucceeded')).toHaveLength(5);
        expect(history.at(-1)?.type).toBe('HotfixClosed');
        expect(await h.engine.store.verify(hotfixId)).toMatchObject({ ok: true, count: history.length });
        expect(await h.engine.store.listOpen()).toEqual([]);

        // Everything the run wrote sits in the two hash-tagged slots: the store's and BullMQ's.
        const written: string[] = [];
        await scanKeys(h.engine.redis, `${h.prefix}*`, async (keys) => void written.push(...keys));
        expect(written.length).toBeGreaterThan(0);
        expect(
          written.filter(
            (key) => !key.startsWith(`${h.prefix}{hotfix}:`) && !key.startsWith(`${h.prefix}{hotfix-jobs}:`),
          ),
        ).toEqual([]);
        expect(written.some((key) => key.startsWith(`${h.prefix}{hotfix-jobs}:hotfix-pipeline:`))).toBe(true);
      } finally {
        await h.close();
      }
    },
    RUN_WITHIN_MS + 30_000,
  );

  it('an append waits for replicas on the primary that ran it (the script and WAIT share one pipeline)', async () => {
    const nodes = cluster!.nodes.map((node) => node.connect());
    await Promise.all(nodes.map((node) => node.config('RESETSTAT')));
    const redis = createRedisClient(cluster!.url, { service: false });
    try {
      // These primaries have no replicas: WAIT 1 answers 0, and the append says it is not recorded durably.
      const store = createRedisEventStore({
        redis,
        prefix: uniquePrefix('wait'),
        auditKey: TEST_AUDIT_KEY,
        durability: { minReplicas: 1, timeoutMs: 100 },
      });
      await expect(store.append('HF-1', 0, opening('HF-1'))).rejects.toBeInstanceOf(ReplicationTimeoutError);
      const calls = await Promise.all(
        nodes.map(async (node) => {
          const stats = await node.info('commandstats');
          const count = (command: string) =>
            Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
          return { scripts: count('evalsha') + count('eval'), waits: count('wait') };
        }),
      );
      expect(calls.filter((c) => c.waits > 0)).toEqual([{ scripts: 1, waits: 1 }]);
    } finally {
      redis.disconnect();
      for (const node of nodes) node.disconnect();
    }
  });

  it('reconcile finds a stale deploy lock on whichever primary holds it, and releases it', async () => {
    const h = await createHarness(cluster!.url, { workers: false });
    const bull = bullConnection(cluster!.url);
    const queues = createQueues(bull.connection, h.prefix);
    try {
      // A lock whose hotfix does not exist (its release was lost): only a SCAN of the right node sees it.
      const lock = storeKeys(h.prefix).lock('api');
      await h.engine.redis.hset(lock, {
        hotfixId: 'HF-404',
        runId: 'deploy-1',
        since: new Date(0).toISOString(),
      });
      const { engine } = h;
      const actions = await reconcile({ ...engine, queues });
      expect(actions).toEqual(['api: lock of HF-404 released']);
      expect(await engine.redis.exists(lock)).toBe(0);
    } finally {
      await queues.close();
      await bull.close();
      await h.close();
    }
  });
});
