/**
 * Integration, real servers: a primary, two replicas and three sentinels (test/helpers/redis-ha.ts), the
 * product on REDIS_URL=redis+sentinel://… (so HOTFIX_REDIS_MIN_REPLICAS defaults to 1). The primary is killed
 * outright in the middle of a deploy; Sentinel promotes a replica, and the run goes on against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, StoredEvent } from '../../src/service/ports.ts';
import { storeKeys } from '../../src/store/keys.ts';
import type { TestSentinelSet } from '../helpers/redis-ha.ts';
import { startSentinelSet } from '../helpers/redis-ha.ts';
import { createHarness, pipelineConfig, team, waitFor } from './harness.ts';

let set: TestSentinelSet | undefined;
beforeAll(async () => {
  set = await startSentinelSet({ replicas: 2, sentinels: 3, downAfterMs: 1000 });
}, 120_000);
afterAll(async () => {
  await set?.stop();
});

/** Every event whose append resolved: what the product was told is recorded. */
const recording = () => {
  const acknowledged: StoredEvent[] = [];
  const wrap = (store: EventStore): EventStore => ({
    ...store,
    async append(hotfixId, expectedVersion, events, options) {
      const result = await store.append(hotfixId, expectedVersion, events, options);
      if (result.ok) acknowledged.push(...result.stored);
      return result;
    },
  });
  return { acknowledged, wrap };
};

/** Failover takes seconds (1 s to suspect the primary, an election, a promotion); a busy machine adds more. */
const FAILOVER_WITHIN_MS = 60_000;

describe('a Sentinel failover in the middle of a deploy', () => {
  it(
    'loses no acknowledged event, and the run finishes on the promoted replica',
    async () => {
      const { acknowledged, wrap } = recording();
      // The deploy's slow step outlasts the failover, so the primary dies while a step is running.
      const config: typeof pipelineConfig = (url, onFailure) =>
        pipelineConfig(url, onFailure).replace("step.sh, slow, '2'", "step.sh, slow, '5'");
      const h = await createHarness(set!.url, { config, wrapStore: wrap });
      try {
        const hotfixId = await h.approveAndDeploy();
        await h.stepRunning(hotfixId, 'slow');
        const beforeKill = [...acknowledged];
        expect(beforeKill.some((e) => e.event.type === 'StepStarted' && e.event.step.endsWith('.1'))).toBe(
          true,
        );

        const old = await set!.primary();
        await old.kill();
        const promoted = await waitFor(
          'Sentinel to promote a replica',
          async () => {
            const now = await set!.primary().catch(() => old);
            return now !== old && now;
          },
          FAILOVER_WITHIN_MS,
        );

        // The run goes on: the slow step's outcome, the next steps, the manual one, the monitoring window.
        await h.confirm(hotfixId);
        await waitFor(
          'verified',
          async () => (await h.state(hotfixId)).phase === 'verified',
          FAILOVER_WITHIN_MS,
        );
        await h.engine.handler.handle(hotfixId, { type: 'SignOff', role: 'technical', by: team.tech1 });
        await h.engine.handler.handle(hotfixId, { type: 'SignOff', role: 'business', by: team.biz });
        await h.engine.handler.handle(hotfixId, { type: 'CloseHotfix', by: team.tech1 });
        expect((await h.state(hotfixId)).phase).toBe('closed');

        // Read the promoted server itself: every event acknowledged before the kill is there, unchanged, as is
        // every one acknowledged after it.
        const direct = promoted.connect();
        const stream = await direct.xrange(storeKeys(h.prefix).stream(hotfixId), '-', '+');
        const held = new Map(stream.map(([id, fields]) => [id, fields[fields.indexOf('hash') + 1]] as const));
        const missing = (events: readonly StoredEvent[]) =>
          events.filter((e) => e.hotfixId === hotfixId && held.get(`0-${e.position}`) !== e.hash);
        expect(missing(beforeKill)).toEqual([]);
        expect(missing(acknowledged)).toEqual([]);
        expect(await h.engine.store.verify(hotfixId)).toMatchObject({ ok: true, count: stream.length });
        // Each step finished once (a step the failover interrupted may have been started twice, never lost).
        const ends = (await h.log()).filter((l) => l.includes(' end ')).map((l) => l.split(' ')[0]);
        expect([...new Set(ends)]).toEqual(['backup', 'deploy', 'slow', 'smoke']);
      } finally {
        await h.close();
      }
    },
    3 * FAILOVER_WITHIN_MS,
  );
});
