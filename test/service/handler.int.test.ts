import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Effect } from '../../src/domain/hotfix/effects.ts';
import { RuleViolation } from '../../src/domain/hotfix/errors.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import type { CommandObservation } from '../../src/service/handler.ts';
import { createCommandHandler, LockHeldError } from '../../src/service/handler.ts';
import type { EventStore } from '../../src/service/ports.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { people, plan, policy, T0 } from '../domain/fixtures/policy.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();
const connections: Redis[] = [];
const connect = () => {
  const redis = new Redis(redisServer().url, { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
};
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

const crowd: Person[] = Array.from({ length: 50 }, (_, i) => ({
  platform: 'slack',
  id: `U0CROWD${i}`,
  name: `Crowd ${i}`,
}));
/** Fifty more technical people, so fifty distinct approvals and ballots can race; 56 eligible voters in all. */
const crowdPolicy: Policy = {
  ...policy,
  people: { ...policy.people, technical: [...(policy.people.technical ?? []), ...crowd] },
  rollback: { ...policy.rollback, vote: { ...policy.rollback.vote, quorum: 56, require: [] } },
};

/** Several handlers with their own connections: like bot replicas, they share nothing but Redis. */
const replicas = (prefix: string, count: number, effects: Effect[] = []) => {
  const store = createRedisEventStore({ redis: connect(), prefix, auditKey: TEST_AUDIT_KEY });
  const make = () =>
    createCommandHandler({
      store: createRedisEventStore({ redis: connect(), prefix, auditKey: TEST_AUDIT_KEY }),
      clock: { now: () => T0 },
      policy: () => crowdPolicy,
      effects: { run: async (effect) => void effects.push(effect) },
    });
  return { store, handlers: Array.from({ length: count }, make) };
};

const expectConsistent = async (store: EventStore, hotfixId: string, count: number) => {
  const { events, version } = await store.load(hotfixId);
  expect(version).toBe(count);
  expect(events.map((e) => e.position)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(await store.verify(hotfixId)).toMatchObject({ ok: true, count });
  return events;
};

describe('command handler on real Redis', () => {
  let prefix: string;
  beforeAll(() => {
    prefix = uniquePrefix('handler');
  });

  it('50 concurrent approvals by distinct people from 5 replicas record exactly 50 events, none lost', async () => {
    const { store, handlers } = replicas(prefix, 5);
    const started = await handlers[0]!.start(plan, people.requester);
    const hotfixId = started.hotfixId;
    const results = await Promise.all(
      crowd.map((who, i) =>
        handlers[i % handlers.length]!.handle(hotfixId, {
          type: 'ApprovePlan',
          role: 'technical',
          planHash: started.state.planHash,
          by: who,
        }),
      ),
    );
    expect(results.every((r) => r.events.length === 1)).toBe(true);
    const events = await expectConsistent(store, hotfixId, 51);
    const approvers = events.slice(1).map((e) => e.event.by.id);
    expect(new Set(approvers)).toEqual(new Set(crowd.map((p) => p.id)));
    const state = await handlers[1]!.state(hotfixId);
    expect(state.approvals).toHaveLength(50);
    // Each replica saw its own event at the position the stream has it: one consistent order.
    for (const result of results) {
      const [stored] = result.events;
      expect(events[stored!.position - 1]?.hash).toBe(stored!.hash);
    }
  });

  it('the same approval sent 10 times concurrently records once', async () => {
    const { store, handlers } = replicas(prefix, 5);
    const { hotfixId, state } = await handlers[0]!.start(plan, people.requester);
    const approve = {
      type: 'ApprovePlan' as const,
      role: 'technical',
      planHash: state.planHash,
      by: people.tech1,
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => handlers[i % 5]!.handle(hotfixId, approve)),
    );
    expect(results.filter((r) => r.events.length > 0)).toHaveLength(1);
    await expectConsistent(store, hotfixId, 2);
  });

  it('50 concurrent ballots on a rollback vote count each person once', async () => {
    const effects: Effect[] = [];
    const { store, handlers } = replicas(prefix, 5, effects);
    const h = handlers[0]!;
    const { hotfixId, state } = await h.start(plan, people.requester);
    await h.handle(hotfixId, {
      type: 'ApprovePlan',
      role: 'technical',
      planHash: state.planHash,
      by: people.tech1,
    });
    await h.handle(hotfixId, {
      type: 'ApprovePlan',
      role: 'management',
      planHash: state.planHash,
      by: people.manager,
    });
    for (const checklist of ['code_readiness', 'environment_readiness'] as const)
      for (const item of policy.checklists[checklist])
        await h.handle(hotfixId, { type: 'TickChecklistItem', checklist, item, by: people.tech1 });
    await h.handle(hotfixId, { type: 'RequestDeploy', by: people.tech1 });
    expect(effects).toContainEqual({
      type: 'acquire-lock',
      hotfixId,
      runId: 'deploy-1',
      services: ['payments-api'],
    });
    await h.handle(hotfixId, {
      type: 'GrantLock',
      runId: 'deploy-1',
      by: { platform: 'system', id: 'worker' },
    });
    await h.handle(hotfixId, {
      type: 'ProposeRollback',
      trigger: 'critical_error',
      reason: 'errors',
      by: people.manager,
    });
    const before = (await store.load(hotfixId)).version;
    // Every person votes twice at once (a double click): one ballot each.
    await Promise.all(
      [...crowd, ...crowd].map((who, i) =>
        handlers[i % 5]!.handle(hotfixId, { type: 'CastVote', voteId: 1, choice: 'for', by: who }),
      ),
    );
    await expectConsistent(store, hotfixId, before + 50);
    const vote = (await h.state(hotfixId)).votes[0]!;
    expect(Object.keys(vote.ballots)).toHaveLength(51);
  });

  it('a refused command appends nothing and says why', async () => {
    const { store, handlers } = replicas(prefix, 1);
    const { hotfixId, state } = await handlers[0]!.start(plan, people.requester);
    await expect(
      handlers[0]!.handle(hotfixId, {
        type: 'ApprovePlan',
        role: 'technical',
        planHash: state.planHash,
        by: people.requester,
      }),
    ).rejects.toThrow(RuleViolation);
    await expect(
      handlers[0]!.handle('HF-999', { type: 'RequestDeploy', by: people.tech1 }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expectConsistent(store, hotfixId, 1);
  });

  it('a command with a lock claim is appended with the locks, or not at all when another hotfix holds one', async () => {
    const { store, handlers } = replicas(prefix, 2);
    const [h, other] = [handlers[0]!, handlers[1]!];
    const { hotfixId, state } = await h.start(plan, people.requester);
    // The other replica has this hotfix cached, and falls behind when h appends.
    await other.state(hotfixId);
    const lock = `${prefix}{hotfix}:lock:payments-api`;
    const redis = connect();
    await redis.hset(lock, 'hotfixId', 'HF-OTHER', 'runId', 'deploy-2', 'since', '2026-11-26T02:41:00.000Z');
    const locks = { services: ['payments-api'], runId: 'deploy-1', since: T0.toISOString() };
    const approve = (by: Person) =>
      ({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, by }) as const;
    await h.handle(hotfixId, approve(people.tech1));

    const refused = other.handle(hotfixId, approve(people.tech2), { locks });
    await expect(refused).rejects.toThrow(LockHeldError);
    await expect(refused).rejects.toMatchObject({
      service: 'payments-api',
      holder: { hotfixId: 'HF-OTHER', runId: 'deploy-2', since: '2026-11-26T02:41:00.000Z' },
    });
    await expectConsistent(store, hotfixId, 2);

    await redis.del(lock);
    const granted = await other.handle(hotfixId, approve(people.tech2), { locks });
    expect(granted.events).toHaveLength(1);
    expect(await redis.hgetall(lock)).toEqual({ hotfixId, runId: 'deploy-1', since: T0.toISOString() });
    await expectConsistent(store, hotfixId, 3);
  });

  it('tells its observer what each command came to: recorded, repeat, refused with the code, conflict, failed', async () => {
    const seen: CommandObservation[] = [];
    const redisStore = createRedisEventStore({ redis: connect(), prefix, auditKey: TEST_AUDIT_KEY });
    let broken = false;
    const store: EventStore = {
      ...redisStore,
      load: (...args) => (broken ? Promise.reject(new Error('ECONNREFUSED')) : redisStore.load(...args)),
    };
    const handler = createCommandHandler({
      store,
      clock: { now: () => T0 },
      policy: () => policy,
      effects: { run: async () => undefined },
      observe: (observation) => void seen.push(observation),
    });
    const { hotfixId, state } = await handler.start(plan, people.requester);
    const approve = (by: Person) =>
      ({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, by }) as const;
    await handler.handle(hotfixId, approve(people.tech1));
    await handler.handle(hotfixId, approve(people.tech1));
    await expect(handler.handle(hotfixId, approve(people.requester))).rejects.toThrow(RuleViolation);
    const lock = `${prefix}{hotfix}:lock:payments-api`;
    const redis = connect();
    await redis.hset(lock, 'hotfixId', 'HF-OTHER', 'runId', 'deploy-2', 'since', T0.toISOString());
    const locks = { services: ['payments-api'], runId: 'deploy-1', since: T0.toISOString() };
    await expect(handler.handle(hotfixId, approve(people.tech2), { locks })).rejects.toThrow(LockHeldError);
    await redis.del(lock);
    broken = true;
    await expect(handler.handle('HF-404', approve(people.tech2))).rejects.toThrow('ECONNREFUSED');
    expect(seen).toEqual([
      { type: 'StartHotfix', outcome: 'recorded' },
      { type: 'ApprovePlan', outcome: 'recorded' },
      { type: 'ApprovePlan', outcome: 'repeat' },
      { type: 'ApprovePlan', outcome: 'refused', code: 'self_approval' },
      { type: 'ApprovePlan', outcome: 'conflict' },
      { type: 'ApprovePlan', outcome: 'failed' },
    ]);
  });

  it('a cached state ahead of the store (Redis lost writes) is dropped and the stream read whole', async () => {
    const { handlers } = replicas(prefix, 1);
    const h = handlers[0]!;
    const { hotfixId, state } = await h.start(plan, people.requester);
    const redis = connect();
    // Redis restored from an older file: the hotfix's stream and head are gone.
    await redis.del(`${prefix}{hotfix}:stream:${hotfixId}`, `${prefix}{hotfix}:head:${hotfixId}`);
    await expect(
      h.handle(hotfixId, {
        type: 'ApprovePlan',
        role: 'technical',
        planHash: state.planHash,
        by: people.tech1,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a redelivered start with the same request key opens one hotfix', async () => {
    const { store, handlers } = replicas(prefix, 3);
    const results = await Promise.all(
      handlers.map((h) => h.start(plan, people.requester, 'slack-view-V123')),
    );
    expect(new Set(results.map((r) => r.hotfixId)).size).toBe(1);
    expect(results.filter((r) => r.events.length > 0)).toHaveLength(1);
    await expectConsistent(store, results[0]!.hotfixId, 1);
  });
});
