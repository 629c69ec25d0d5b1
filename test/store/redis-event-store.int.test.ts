import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, test } from 'vitest';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { EventStore } from '../../src/service/ports.ts';
import { canonicalJson } from '../../src/domain/hotfix/canonical-json.ts';
import {
  CorruptEventError,
  InvalidEventError,
  eventHash,
  eventHashOfJson,
  eventHmac,
  eventHmacOfJson,
} from '../../src/store/event-codec.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { alice, cancelled, carol, closed, noted, opening, sampleOf, startedAs } from './sample-events.ts';

const server = useRedisServer();

let redis: Redis;
beforeAll(() => {
  redis = server().connect();
});

/** A store on its own prefix, so every test starts from an empty store. */
const freshStore = (): { store: EventStore; prefix: string } => {
  const prefix = uniquePrefix();
  return { store: createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY }), prefix };
};

/** Everything the store keeps, read straight from Redis, to show that a refused append wrote nothing. */
const snapshot = async (prefix: string, hotfixId: string): Promise<unknown> => {
  const keys = storeKeys(prefix);
  return {
    stream: await redis.xrange(keys.stream(hotfixId), '-', '+'),
    head: await redis.hgetall(keys.head(hotfixId)),
    feed: await redis.xrange(keys.feed, '-', '+'),
    open: await redis.zrange(keys.open, 0, -1, 'WITHSCORES'),
  };
};

/** Replaces a stored event's JSON in place, as someone with write access to Redis could. */
const rewrite = async (
  prefix: string,
  hotfixId: string,
  position: number,
  change: (fields: Map<string, string>) => void,
): Promise<void> => {
  const key = storeKeys(prefix).stream(hotfixId);
  const entries = await redis.xrange(key, '-', '+');
  const tx = redis.multi().del(key);
  for (const [id, flat] of entries) {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
    if (id === `0-${position}`) change(fields);
    tx.xadd(key, id, ...[...fields].flat());
  }
  await tx.exec();
};

describe('append and load', () => {
  test('events come back as appended, numbered from 1 and hash-chained', async () => {
    const { store } = freshStore();
    const events = opening('HF-1');

    const first = await store.append('HF-1', 0, events);
    const second = await store.append('HF-1', 3, [noted('Checkout latency back to normal')]);

    expect(first).toMatchObject({ ok: true, version: 3 });
    expect(second).toMatchObject({ ok: true, version: 4 });
    const loaded = await store.load('HF-1');
    expect(loaded.version).toBe(4);
    expect(loaded.events.map((s) => s.event)).toEqual([...events, noted('Checkout latency back to normal')]);
    expect(loaded.events.map((s) => s.position)).toEqual([1, 2, 3, 4]);
    expect(loaded.events[0]?.prevHash).toBe('');
    for (const [i, s] of loaded.events.entries())
      if (i > 0) expect(s.prevHash).toBe(loaded.events[i - 1]?.hash);
    if (first.ok && second.ok) expect(loaded.events).toEqual([...first.stored, ...second.stored]);
  });

  test('an unknown hotfix loads as an empty stream at version 0', async () => {
    const { store } = freshStore();
    expect(await store.load('HF-404')).toEqual({ events: [], version: 0 });
  });

  test('versions reads the version of several hotfixes together, 0 for one with no events', async () => {
    const { store } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await store.append('HF-2', 0, opening('HF-2'));
    await store.append('HF-2', 3, [noted('one more')]);
    expect(await store.versions(['HF-2', 'HF-404', 'HF-1'])).toEqual([4, 0, 3]);
    expect(await store.versions([])).toEqual([]);
  });

  test('every event type survives the round trip', async () => {
    const { store } = freshStore();
    const all = Object.values(sampleOf);
    await store.append('HF-1', 0, all);
    expect((await store.load('HF-1')).events.map((s) => s.event)).toEqual(all);
  });

  test('appending nothing at the current version succeeds and writes nothing', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const before = await snapshot(prefix, 'HF-1');
    expect(await store.append('HF-1', 3, [])).toEqual({ ok: true, version: 3, stored: [] });
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
  });

  test('an event the schema refuses is not stored', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const before = await snapshot(prefix, 'HF-1');
    const bad = { ...sampleOf.PlanApproved, role: '' };

    await expect(store.append('HF-1', 3, [noted('fine'), bad])).rejects.toThrow(InvalidEventError);
    await expect(store.append('HF-1', 3, [bad])).rejects.toThrow(
      'HF-1 event 4 cannot be stored: PlanApproved.role: ',
    );
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
  });
});

describe('optimistic concurrency', () => {
  test('a stale expected version is refused with the actual version, and nothing is written', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const before = await snapshot(prefix, 'HF-1');

    expect(await store.append('HF-1', 1, [closed])).toEqual({ ok: false, actualVersion: 3 });
    expect(await store.append('HF-1', 0, [startedAs('HF-1')])).toEqual({ ok: false, actualVersion: 3 });
    expect(await store.append('HF-1', 7, [closed])).toEqual({ ok: false, actualVersion: 3 });
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
    expect(await store.listOpen()).toEqual(['HF-1']);
  });

  /**
   * A connection whose head read (HMGET) is answered by `stale`: the window between the store's read and its
   * script, where another writer may get in, made deterministic.
   */
  const staleView = (stale: (actual: (string | null)[]) => Promise<(string | null)[]>): Redis =>
    new Proxy(redis, {
      get(target, property) {
        if (property === 'hmget')
          return async (...args: [string, ...string[]]) => stale(await target.hmget(...args));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  test('the script refuses a writer whose version went stale after it read the head', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const slow = createRedisEventStore({
      prefix,
      auditKey: TEST_AUDIT_KEY,
      redis: staleView(async (head) => {
        await store.append('HF-1', 3, [noted('got in first')]);
        return head;
      }),
    });

    expect(await slow.append('HF-1', 3, [noted('too late')])).toEqual({ ok: false, actualVersion: 4 });
    expect((await store.load('HF-1')).events.map((s) => s.event).at(-1)).toEqual(noted('got in first'));
    expect(await store.verify('HF-1')).toMatchObject({ ok: true, count: 4 });
  });

  test('the script refuses events chained to another head than the stored one', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const before = await snapshot(prefix, 'HF-1');
    const forked = createRedisEventStore({
      prefix,
      auditKey: TEST_AUDIT_KEY,
      redis: staleView(async ([version]) => [version ?? null, 'a'.repeat(64)]),
    });

    expect(await forked.append('HF-1', 3, [noted('on a fork')])).toEqual({ ok: false, actualVersion: 3 });
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
  });

  test('of 20 concurrent appends at the same version exactly one wins', async () => {
    const { prefix } = freshStore();
    // One connection per writer, so the appends really interleave at the server.
    const writers = Array.from({ length: 20 }, () =>
      createRedisEventStore({ redis: server().connect(), prefix, auditKey: TEST_AUDIT_KEY }),
    );
    await writers[0]?.append('HF-1', 0, opening('HF-1'));

    const results = await Promise.all(
      writers.map((store, i) => store.append('HF-1', 3, [noted(`writer ${i}`), noted(`writer ${i} again`)])),
    );

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(
      Array.from({ length: 19 }, () => ({ ok: false, actualVersion: 5 })),
    );
    const store = createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY });
    const loaded = await store.load('HF-1');
    expect(loaded.version).toBe(5);
    expect(await store.verify('HF-1')).toMatchObject({ ok: true, count: 5 });
    expect(await redis.xlen(storeKeys(prefix).feed)).toBe(5);
  });

  test('100 concurrent id allocations give 100 distinct ids', async () => {
    const { prefix } = freshStore();
    const stores = Array.from({ length: 5 }, () =>
      createRedisEventStore({ redis: server().connect(), prefix, auditKey: TEST_AUDIT_KEY }),
    );

    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => stores[i % 5]?.allocateId()));

    expect(new Set(ids).size).toBe(100);
    expect(ids.map((id) => Number(id?.replace(/^HF-/, ''))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });
});

describe('allocateId with a request key', () => {
  test('a redelivered request gets the id the first delivery got, even when they race', async () => {
    const { store, prefix } = freshStore();
    const stores = Array.from({ length: 5 }, () =>
      createRedisEventStore({ redis: server().connect(), prefix, auditKey: TEST_AUDIT_KEY }),
    );

    const same = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % 5]?.allocateId('view-V123')),
    );
    const other = await store.allocateId('view-V456');
    const plain = await store.allocateId();

    expect(new Set(same)).toEqual(new Set(['HF-1']));
    expect([other, plain]).toEqual(['HF-2', 'HF-3']);
    expect(await store.allocateId('view-V123')).toBe('HF-1');
  });

  test('remembers a request key for a day, not forever', async () => {
    const { store, prefix } = freshStore();
    await store.allocateId('view-V123');
    const ttl = await redis.ttl(storeKeys(prefix).request('view-V123'));
    expect(ttl).toBeGreaterThan(23 * 3600);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });
});

describe('open index', () => {
  test('lists started hotfixes in start order until they are closed or cancelled', async () => {
    const { store } = freshStore();
    const [a, b, c, d] = [
      await store.allocateId(),
      await store.allocateId(),
      await store.allocateId(),
      await store.allocateId(),
    ];
    if (!a || !b || !c || !d) throw new Error('ids');

    // Started out of id order: the index follows start order.
    for (const id of [c, a, b]) await store.append(id, 0, opening(id));
    expect(await store.listOpen()).toEqual([c, a, b]);

    await store.append(a, 3, [closed]);
    await store.append(c, 3, [cancelled]);
    await store.append(d, 0, opening(d));
    expect(await store.listOpen()).toEqual([b, d]);

    await store.append(b, 3, [noted('still going')]);
    expect(await store.listOpen()).toEqual([b, d]);
  });

  test('a hotfix started and cancelled in one append never shows as open', async () => {
    const { store } = freshStore();
    await store.append('HF-1', 0, [startedAs('HF-1'), cancelled]);
    expect(await store.listOpen()).toEqual([]);
  });
});

describe('deploy locks claimed with an append', () => {
  const granted = sampleOf.LockGranted;
  const claim = (services: string[], since = '2026-03-02T13:06:00.000Z') => ({
    locks: { services, runId: 'deploy-1', since },
  });
  const holderOf = async (prefix: string, service: string) => redis.hgetall(storeKeys(prefix).lock(service));
  const hold = (prefix: string, service: string, hotfixId: string, since = '2026-03-02T12:00:00.000Z') =>
    redis.hset(storeKeys(prefix).lock(service), 'hotfixId', hotfixId, 'runId', 'deploy-3', 'since', since);

  test('free locks are all taken by the append that records the grant', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));

    expect(await store.append('HF-1', 3, [granted], claim(['payments', 'ledger']))).toMatchObject({
      ok: true,
      version: 4,
    });

    for (const service of ['payments', 'ledger'])
      expect(await holderOf(prefix, service)).toEqual({
        hotfixId: 'HF-1',
        runId: 'deploy-1',
        since: '2026-03-02T13:06:00.000Z',
      });
    expect((await store.load('HF-1')).events.at(-1)?.event).toEqual(granted);
  });

  test('one lock held by another hotfix: nothing is written, no lock is taken, and the holder is named', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await hold(prefix, 'ledger', 'HF-9');
    const before = await snapshot(prefix, 'HF-1');

    expect(await store.append('HF-1', 3, [granted], claim(['payments', 'ledger']))).toEqual({
      ok: false,
      lockHeld: {
        service: 'ledger',
        holder: { hotfixId: 'HF-9', runId: 'deploy-3', since: '2026-03-02T12:00:00.000Z' },
      },
    });
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
    expect(await redis.exists(storeKeys(prefix).lock('payments'))).toBe(0);
    expect(await holderOf(prefix, 'ledger')).toMatchObject({ hotfixId: 'HF-9' });
  });

  test('a lock the hotfix already holds counts as taken and keeps its holder', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await hold(prefix, 'payments', 'HF-1');

    expect(await store.append('HF-1', 3, [granted], claim(['payments', 'ledger']))).toMatchObject({
      ok: true,
    });
    expect(await holderOf(prefix, 'payments')).toEqual({
      hotfixId: 'HF-1',
      runId: 'deploy-3',
      since: '2026-03-02T12:00:00.000Z',
    });
    expect(await holderOf(prefix, 'ledger')).toMatchObject({ hotfixId: 'HF-1', runId: 'deploy-1' });
  });

  test('a stale writer gets a version conflict, never a lock refusal, and takes nothing', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await hold(prefix, 'ledger', 'HF-9');

    expect(await store.append('HF-1', 2, [granted], claim(['payments', 'ledger']))).toEqual({
      ok: false,
      actualVersion: 3,
    });
    // Also when the stale head is only found by the script (the caller passed the head it knew).
    const head = (await store.load('HF-1')).events[1]?.hash ?? '';
    expect(
      await store.append('HF-1', 2, [granted], { expectedHead: head, ...claim(['payments', 'ledger']) }),
    ).toEqual({ ok: false, actualVersion: 3 });
    expect(await redis.exists(storeKeys(prefix).lock('payments'))).toBe(0);
  });

  test('an append of no events takes no lock', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));

    expect(await store.append('HF-1', 3, [], claim(['payments']))).toEqual({
      ok: true,
      version: 3,
      stored: [],
    });
    expect(await redis.exists(storeKeys(prefix).lock('payments'))).toBe(0);
  });

  test('a lock key of the wrong type fails the append before anything is written', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await redis.set(storeKeys(prefix).lock('ledger'), 'not a lock');
    const before = await snapshot(prefix, 'HF-1');

    await expect(store.append('HF-1', 3, [granted], claim(['payments', 'ledger']))).rejects.toThrow(
      /lock:ledger is a string, expected a hash/,
    );
    expect(await snapshot(prefix, 'HF-1')).toEqual(before);
    expect(await redis.exists(storeKeys(prefix).lock('payments'))).toBe(0);
  });

  test('of 10 hotfixes claiming the same service at once, exactly one gets it', async () => {
    const { prefix } = freshStore();
    const writers = Array.from({ length: 10 }, () =>
      createRedisEventStore({ redis: server().connect(), prefix, auditKey: TEST_AUDIT_KEY }),
    );
    const ids = writers.map((_, i) => `HF-${i + 1}`);
    for (const [i, id] of ids.entries()) await writers[i]?.append(id, 0, opening(id));

    const results = await Promise.all(
      writers.map((store, i) => store.append(ids[i] ?? '', 3, [granted], claim(['payments']))),
    );

    const winner = results.findIndex((r) => r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(
      Array.from({ length: 9 }, () => ({
        ok: false,
        lockHeld: {
          service: 'payments',
          holder: { hotfixId: ids[winner], runId: 'deploy-1', since: '2026-03-02T13:06:00.000Z' },
        },
      })),
    );
    expect(await holderOf(prefix, 'payments')).toMatchObject({ hotfixId: ids[winner] });
  });
});

/** The stored JSON text of each event of a stream, as written. */
const storedTexts = async (prefix: string, hotfixId: string): Promise<string[]> =>
  (await redis.xrange(storeKeys(prefix).stream(hotfixId), '-', '+')).map(
    ([, fields]) => fields[fields.indexOf('event') + 1] ?? '',
  );

/**
 * What someone with write access to Redis can do: rewrite a hotfix's stream from the events' JSON texts,
 * recomputing every link with `link` (the entries marked with `alg` when given), and move the head to the end.
 */
const forge = async (
  prefix: string,
  hotfixId: string,
  texts: readonly string[],
  link: (position: number, prevHash: string, text: string) => string,
  alg?: string,
): Promise<string> => {
  const keys = storeKeys(prefix);
  const tx = redis.multi().del(keys.stream(hotfixId));
  let prevHash = '';
  for (const [i, text] of texts.entries()) {
    const hash = link(i + 1, prevHash, text);
    const fields = ['event', text, 'prevHash', prevHash, 'hash', hash];
    tx.xadd(keys.stream(hotfixId), `0-${i + 1}`, ...fields, ...(alg === undefined ? [] : ['alg', alg]));
    prevHash = hash;
  }
  await tx.hset(keys.head(hotfixId), 'version', texts.length, 'hash', prevHash).exec();
  return prevHash;
};

const plainLink = (hotfixId: string) => (position: number, prevHash: string, text: string) =>
  eventHashOfJson(hotfixId, position, prevHash, text);

const KEY_MISMATCH =
  'hash does not match the event: it was changed after it was written, or HOTFIX_AUDIT_KEY is not the key it was written with';

describe('hash chain', () => {
  test('an untouched stream verifies, keyed, with the last hash as head', async () => {
    const { store } = freshStore();
    const result = await store.append('HF-1', 0, opening('HF-1'));
    const last = result.ok ? result.stored.at(-1)?.hash : undefined;
    expect(await store.verify('HF-1')).toEqual({ ok: true, count: 3, head: last, keyed: true });
    expect(await store.verify('HF-2')).toEqual({ ok: true, count: 0, head: '', keyed: false });
  });

  test('the links are HMACs under the audit key, not plain hashes anyone can recompute', async () => {
    const { store, prefix } = freshStore();
    const result = await store.append('HF-1', 0, opening('HF-1'));
    const [first] = result.ok ? result.stored : [];
    const [text = ''] = await storedTexts(prefix, 'HF-1');
    expect(first?.hash).toBe(eventHmacOfJson(TEST_AUDIT_KEY, 'HF-1', 1, '', text));
    expect(first?.hash).not.toBe(eventHashOfJson('HF-1', 1, '', text));
  });

  test('editing a stored event is reported at its position', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, [...opening('HF-1'), noted('all good'), closed]);

    await rewrite(prefix, 'HF-1', 4, (fields) => {
      fields.set('event', (fields.get('event') ?? '').replace('all good', 'all bad'));
    });

    expect(await store.verify('HF-1')).toEqual({ ok: false, position: 4, reason: KEY_MISMATCH });
    // Still a valid event, so load works: verify is what tells.
    expect((await store.load('HF-1')).events[3]?.event).toEqual(noted('all bad'));
  });

  test('an edited event with a recomputed hash breaks the link to the next one', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, [...opening('HF-1'), noted('all good'), closed]);
    const original = (await store.load('HF-1')).events[3];
    const forged = noted('all bad');

    await rewrite(prefix, 'HF-1', 4, (fields) => {
      fields.set('event', canonicalJson(forged));
      fields.set('hash', eventHmac(TEST_AUDIT_KEY, 'HF-1', 4, original?.prevHash ?? '', forged));
    });

    expect(await store.verify('HF-1')).toEqual({
      ok: false,
      position: 5,
      reason: "prevHash does not match the previous event's hash",
    });
  });

  test('a rewritten approval with the plain hashes from it on recomputed and the head moved fails verify', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, [...opening('HF-1'), noted('deployed'), closed]);
    const stored = (await store.load('HF-1')).events;
    const approval = { ...sampleOf.PlanApproved, by: carol, comment: 'approved, honest' };
    const rewritten = (await storedTexts(prefix, 'HF-1')).map((text, i) =>
      i === 2 ? canonicalJson(approval) : text,
    );

    // Events 1 and 2 keep their stored links; from the approval on, every link and the head are recomputed.
    await forge(
      prefix,
      'HF-1',
      rewritten,
      (position, prevHash, text) =>
        position <= 2
          ? (stored[position - 1]?.hash ?? '')
          : eventHashOfJson('HF-1', position, prevHash, text),
      'hmac-sha256',
    );

    expect(await store.verify('HF-1')).toEqual({ ok: false, position: 3, reason: KEY_MISMATCH });
  });

  test('a stream wholly passed off as plain sha256 verifies only as unkeyed', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, [...opening('HF-1'), closed]);
    const rewritten = (await storedTexts(prefix, 'HF-1')).map((text, i) =>
      i === 2 ? canonicalJson({ ...sampleOf.PlanApproved, by: carol }) : text,
    );

    const head = await forge(prefix, 'HF-1', rewritten, plainLink('HF-1'));

    // Indistinguishable from a stream written before the key: `keyed: false` is what tells (and the record's
    // anchor, checked by `hotfix verify --record`).
    expect(await store.verify('HF-1')).toEqual({ ok: true, count: 4, head, keyed: false });
  });

  test('a plain link after keyed ones is refused: only a writer without the key makes one', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    const stored = (await store.load('HF-1')).events;
    const forged = { ...sampleOf.PlanApproved, by: carol };

    await rewrite(prefix, 'HF-1', 3, (fields) => {
      fields.set('event', canonicalJson(forged));
      fields.set('hash', eventHash('HF-1', 3, stored[1]?.hash ?? '', forged));
      fields.delete('alg');
    });
    await redis.hset(
      storeKeys(prefix).head('HF-1'),
      'hash',
      eventHash('HF-1', 3, stored[1]?.hash ?? '', forged),
    );

    expect(await store.verify('HF-1')).toEqual({
      ok: false,
      position: 3,
      reason: 'it is hashed without the key (plain sha256) after keyed events: it was not written by us',
    });
  });

  test('another key fails verify at the first keyed event; no key says it cannot check', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));

    const otherKey = createRedisEventStore({
      redis,
      prefix,
      auditKey: 'another-key-of-32-characters-at-least',
    });
    expect(await otherKey.verify('HF-1')).toEqual({ ok: false, position: 1, reason: KEY_MISMATCH });

    const noKey = createRedisEventStore({ redis, prefix, auditKey: undefined });
    expect(await noKey.verify('HF-1')).toEqual({
      ok: false,
      position: 1,
      reason: 'it is keyed (HMAC-SHA256) and HOTFIX_AUDIT_KEY is not set, so it cannot be checked',
    });
    await expect(noKey.append('HF-1', 3, [noted('no key')])).rejects.toThrow(
      'This event store has no HOTFIX_AUDIT_KEY: it cannot append',
    );
  });

  test('a stream written before the key is read, verifies as unkeyed, and is sealed by its next keyed event', async () => {
    const { store, prefix } = freshStore();
    const legacyHead = await forge(prefix, 'HF-1', opening('HF-1').map(canonicalJson), plainLink('HF-1'));

    expect((await store.load('HF-1')).events.map((s) => s.event)).toEqual(opening('HF-1'));
    expect(await store.verify('HF-1')).toEqual({ ok: true, count: 3, head: legacyHead, keyed: false });

    const appended = await store.append('HF-1', 3, [noted('after the upgrade')]);
    const head = appended.ok ? appended.stored.at(-1)?.hash : undefined;
    expect(await store.verify('HF-1')).toEqual({ ok: true, count: 4, head, keyed: true });

    // The keyed event's HMAC covers the plain head before it, so the plain events can no longer change: a
    // rewritten approval (plain links recomputed) no longer leads to the keyed event.
    const texts = await storedTexts(prefix, 'HF-1');
    texts[2] = canonicalJson({ ...sampleOf.PlanApproved, by: carol });
    await forge(prefix, 'HF-1', texts, (position, prevHash, text) =>
      position === 4 ? (head ?? '') : eventHashOfJson('HF-1', position, prevHash, text),
    );
    expect(await store.verify('HF-1')).toMatchObject({ ok: false, position: 4 });
  });

  test('a removed last event is caught by the head', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, opening('HF-1'));
    await redis.xdel(storeKeys(prefix).stream('HF-1'), '0-3');

    expect(await store.verify('HF-1')).toEqual({
      ok: false,
      position: 3,
      reason: 'the head records version 3 but the stream holds 2 events',
    });
  });

  test('a removed tail with the head moved back still verifies: only the record anchors the length', async () => {
    const { store, prefix } = freshStore();
    await store.append('HF-1', 0, [...opening('HF-1'), noted('rolled back'), closed]);
    const kept = (await store.load('HF-1')).events[2];
    const keys = storeKeys(prefix);
    await redis.xdel(keys.stream('HF-1'), '0-4', '0-5');
    await redis.hset(keys.head('HF-1'), 'version', 3, 'hash', kept?.hash ?? '');

    expect(await store.verify('HF-1')).toEqual({ ok: true, count: 3, head: kept?.hash, keyed: true });
  });
});

describe('corrupt events', () => {
  const corrupt = async (event: string): Promise<{ store: EventStore; prefix: string }> => {
    const { store, prefix } = freshStore();
    const events: HotfixEvent[] = [...opening('HF-3'), noted('one'), noted('two'), noted('three')];
    await store.append('HF-3', 0, events);
    await redis.xadd(
      storeKeys(prefix).stream('HF-3'),
      '0-7',
      'event',
      event,
      'prevHash',
      'f'.repeat(64),
      'hash',
      'e'.repeat(64),
    );
    return { store, prefix };
  };

  test('an unknown event type names the hotfix, the position and the type', async () => {
    const { store } = await corrupt(
      JSON.stringify({ type: 'Foo', at: '2026-03-02T13:00:00.000Z', by: alice }),
    );

    const error = await store.load('HF-3').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error).toMatchObject({
      hotfixId: 'HF-3',
      position: 7,
      message: 'HF-3 event 7 is corrupt: type "Foo" is unknown',
    });
    expect(await store.verify('HF-3')).toEqual({ ok: false, position: 7, reason: 'type "Foo" is unknown' });
  });

  test('bad JSON and bad fields are reported too, and the store keeps working', async () => {
    const { store: broken } = await corrupt('{"type":"PlanApproved",');
    await expect(broken.load('HF-3')).rejects.toThrow('HF-3 event 7 is corrupt: not valid JSON');

    const wrongField = { ...sampleOf.PlanApproved, role: 42 };
    const { store } = await corrupt(JSON.stringify(wrongField));
    await expect(store.load('HF-3')).rejects.toThrow(
      /^HF-3 event 7 is corrupt: PlanApproved.role: .*expected string/,
    );

    const extraField = { ...sampleOf.PlanApproved, sneaky: true };
    const { store: extra } = await corrupt(JSON.stringify(extraField));
    await expect(extra.load('HF-3')).rejects.toThrow(
      /^HF-3 event 7 is corrupt: PlanApproved: Unrecognized key: "sneaky"/,
    );

    expect((await store.load('HF-404')).version).toBe(0);
  });
});
