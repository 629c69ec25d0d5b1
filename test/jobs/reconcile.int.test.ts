import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { createLocks } from '../../src/jobs/locks.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { reconcile } from '../../src/jobs/reconcile.ts';
import { createCommandHandler } from '../../src/service/handler.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, useRedisServer } from '../helpers/redis.ts';
import type { Harness } from './harness.ts';
import { approveAndDeploy, createHarness, pipelineConfig, plan, team, waitFor } from './harness.ts';

const redisServer = useRedisServer();
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('reconcile', () => {
  it('re-queues a deploy whose effect was lost and releases a lock nobody holds any more', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false }));
    const parsed = parseConfig(pipelineConfig('http://127.0.0.1:9/health'), 'hotfix.yml');
    if (!parsed.ok) throw new Error('config');
    const store = createRedisEventStore({
      redis: h.engine.redis,
      prefix: h.prefix,
      auditKey: TEST_AUDIT_KEY,
    });
    // A process that stored the events and died before running their effects.
    const lossy = createCommandHandler({
      store,
      clock: { now: () => new Date() },
      policy: () => parsed.policy,
      effects: { run: async () => {} },
    });
    const hotfixId = await approveAndDeploy(lossy);
    const locks = createLocks({ redis: h.engine.redis, prefix: h.prefix });
    // A lock left behind by a hotfix that was cancelled after it took it.
    const { hotfixId: gone } = await lossy.start(
      { ...plan, services: ['api'], summary: 'other' },
      team.tech1,
      'other',
    );
    await lossy.handle(gone, { type: 'CancelHotfix', reason: 'duplicate', by: team.tech1 });
    await h.engine.redis.hset(
      `${h.prefix}{hotfix}:lock:web`,
      'hotfixId',
      gone,
      'runId',
      'deploy-1',
      'since',
      new Date().toISOString(),
    );

    const queues = createQueues({ url: redisServer().url }, h.prefix);
    const actions = await reconcile({
      store,
      handler: lossy,
      queues,
      locks,
      redis: h.engine.redis,
      prefix: h.prefix,
      clock: { now: () => new Date() },
    });
    await queues.close();
    expect(actions).toEqual([`${hotfixId}: deploy deploy-1 queued`, `web: lock of ${gone} released`]);
    expect(await locks.holder('web')).toBeNull();

    h.engine.startWorkers();
    await waitFor(
      'the deploy to run',
      async () =>
        (await h.state(hotfixId)).runs[0]?.steps.find((s) => s.name === 'confirm')?.status === 'running',
    );
    expect(await locks.holder('api')).toMatchObject({ hotfixId, runId: 'deploy-1' });
  });
});
