import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, test } from 'vitest';
import type { EventStore, FeedEntry } from '../../src/service/ports.ts';
import type { FeedConsumer } from '../../src/store/feed.ts';
import { CorruptFeedEntryError, FEED_KEEP_MS, createFeedConsumer, trimFeed } from '../../src/store/feed.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { closed, noted, opening } from './sample-events.ts';

const server = useRedisServer();

let redis: Redis;
beforeAll(() => {
  redis = server().connect();
});

interface Setup {
  readonly prefix: string;
  readonly store: EventStore;
  /** A consumer on its own connection (its reads may block), in group `projector` unless told otherwise. */
  consumer(name: string, options?: { group?: string; corrupt?: CorruptFeedEntryError[] }): FeedConsumer;
}

const setup = (): Setup => {
  const prefix = uniquePrefix();
  return {
    prefix,
    store: createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY }),
    consumer: (name, { group = 'projector', corrupt = [] } = {}) =>
      createFeedConsumer({
        redis: server().connect(),
        prefix,
        group,
        consumer: name,
        onCorrupt: (error) => {
          corrupt.push(error);
        },
      }),
  };
};

/** Appends `count` observations to a hotfix started beforehand, one append each. */
const appendNotes = async (
  store: EventStore,
  hotfixId: string,
  from: number,
  count: number,
): Promise<void> => {
  for (let i = 0; i < count; i++) await store.append(hotfixId, from + i, [noted(`note ${from + i + 1}`)]);
};

const where = (entries: readonly FeedEntry[]): string[] =>
  entries.map((e) => `${e.stored.hotfixId}#${e.stored.position}`);
const ids = (entries: readonly FeedEntry[]): string[] => entries.map((e) => e.feedId);

/** Reads until the consumer has nothing more, acknowledging as it goes. */
const drain = async (consumer: FeedConsumer): Promise<FeedEntry[]> => {
  const all: FeedEntry[] = [];
  for (;;) {
    const batch = await consumer.read({ count: 4 });
    if (batch.length === 0) return all;
    all.push(...batch);
    await consumer.ack(ids(batch));
  }
};

describe('feed', () => {
  test('carries the events of all hotfixes in append order', async () => {
    const { store, consumer } = setup();
    const projector = consumer('p1');
    await projector.ensureGroup('0');

    await store.append('HF-1', 0, opening('HF-1'));
    await store.append('HF-2', 0, opening('HF-2'));
    await store.append('HF-1', 3, [noted('HF-1 deploying')]);
    await store.append('HF-3', 0, opening('HF-3'));
    await store.append('HF-2', 3, [noted('HF-2 deploying'), closed]);
    await store.append('HF-1', 4, [closed]);

    const entries = await drain(projector);

    expect(where(entries)).toEqual([
      'HF-1#1',
      'HF-1#2',
      'HF-1#3',
      'HF-2#1',
      'HF-2#2',
      'HF-2#3',
      'HF-1#4',
      'HF-3#1',
      'HF-3#2',
      'HF-3#3',
      'HF-2#4',
      'HF-2#5',
      'HF-1#5',
    ]);
    const byHotfix = async (id: string): Promise<readonly unknown[]> => (await store.load(id)).events;
    for (const id of ['HF-1', 'HF-2', 'HF-3'])
      expect(entries.filter((e) => e.stored.hotfixId === id).map((e) => e.stored)).toEqual(
        await byHotfix(id),
      );
  });

  test('two consumers of one group share the entries without overlap', async () => {
    const { store, consumer } = setup();
    const [a, b] = [consumer('a'), consumer('b')];
    await a.ensureGroup('0');
    await b.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    await appendNotes(store, 'HF-1', 3, 3);

    const fromA = await a.read({ count: 4 });
    const fromB = await b.read({ count: 4 });
    await a.ack(ids(fromA));
    await b.ack(ids(fromB));

    expect(fromA).toHaveLength(4);
    expect(fromB).toHaveLength(2);
    expect(where([...fromA, ...fromB])).toEqual(['HF-1#1', 'HF-1#2', 'HF-1#3', 'HF-1#4', 'HF-1#5', 'HF-1#6']);
    expect(await a.read({ count: 10 })).toEqual([]);
  });

  test('a consumer that stops without acking gets its entries again when it comes back', async () => {
    const { store, consumer } = setup();
    const before = consumer('notify-1');
    await before.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    const unacked = await before.read({ count: 2 });
    await before.ack(ids(unacked.slice(0, 1)));
    await appendNotes(store, 'HF-1', 3, 1);

    const after = consumer('notify-1');
    const again = await after.read({ count: 10 });
    const next = await after.read({ count: 10 });

    expect(where(again)).toEqual(['HF-1#2']);
    expect(where(next)).toEqual(['HF-1#3', 'HF-1#4']);
    await after.ack(ids([...again, ...next]));
    expect(await consumer('notify-1').read({ count: 10 })).toEqual([]);
  });

  test('claimStale takes over what a dead consumer left, once it has been idle long enough', async () => {
    const { store, consumer, prefix } = setup();
    const dead = consumer('dead');
    const alive = consumer('alive');
    await dead.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    const lost = await dead.read({ count: 2 });

    // Idle times are not asserted against the clock: an hour is surely not reached, 0 surely is.
    expect(await alive.claimStale(3_600_000)).toEqual([]);
    const claimed = await alive.claimStale(0);

    expect(claimed).toEqual(lost);
    const pending = await redis.xpending(storeKeys(prefix).feed, 'projector', '-', '+', 10);
    expect(pending.map((p) => (Array.isArray(p) ? p.slice(0, 2) : p))).toEqual(
      ids(lost).map((id) => [id, 'alive']),
    );
    await alive.ack(ids(claimed));
    expect(where(await drain(alive))).toEqual(['HF-1#3']);
    expect(await alive.claimStale(0)).toEqual([]);
  });

  test('claimStale takes only entries idle for at least minIdleMs, up to count', async () => {
    const { store, consumer, prefix } = setup();
    const dead = consumer('dead');
    await dead.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    await appendNotes(store, 'HF-1', 3, 2);
    const lost = await dead.read({ count: 10 });
    const [first, , third] = ids(lost);
    if (first === undefined || third === undefined) throw new Error('expected 5 entries');
    // Make two entries look an hour old (XCLAIM … IDLE sets the idle time) instead of waiting.
    await redis.call(
      'XCLAIM',
      storeKeys(prefix).feed,
      'projector',
      'dead',
      '0',
      first,
      third,
      'IDLE',
      '3600000',
    );

    const alive = consumer('alive');
    const stale = await alive.claimStale(60_000);
    const limited = await alive.claimStale(0, { count: 2 });

    expect(ids(stale)).toEqual([first, third]);
    expect(limited).toHaveLength(2);
  });

  test("a group created at '$' sees only what is appended afterwards", async () => {
    const { store, consumer } = setup();
    await store.append('HF-1', 0, opening('HF-1'));
    const late = consumer('late', { group: 'late-projector' });
    await late.ensureGroup('$');
    await late.ensureGroup('0'); // already exists: no effect

    await store.append('HF-1', 3, [closed]);

    expect(where(await drain(late))).toEqual(['HF-1#4']);
  });

  test('a blocking read returns as soon as an event is appended', async () => {
    const { store, consumer } = setup();
    const projector = consumer('p1');
    await projector.ensureGroup('$');

    const reading = projector.read({ count: 10, blockMs: 20_000 });
    await store.append('HF-1', 0, opening('HF-1'));

    expect(where(await reading)).toEqual(['HF-1#1', 'HF-1#2', 'HF-1#3']);
  });

  test('a blocking read with nothing to read returns empty after the wait', async () => {
    const { consumer } = setup();
    const projector = consumer('p1');
    await projector.ensureGroup('$');
    expect(await projector.read({ count: 10, blockMs: 20 })).toEqual([]);
  });

  test('a corrupt entry is reported, not returned, and goes away once acknowledged', async () => {
    const { store, consumer, prefix } = setup();
    const corrupt: CorruptFeedEntryError[] = [];
    const projector = consumer('p1', { corrupt });
    await projector.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    const badId = await redis.xadd(
      storeKeys(prefix).feed,
      '*',
      'hotfixId',
      'HF-1',
      'position',
      '4',
      'stored',
      '{"oops"',
    );
    const unknownId = await redis.xadd(
      storeKeys(prefix).feed,
      '*',
      'hotfixId',
      'HF-2',
      'position',
      '1',
      'stored',
      JSON.stringify({
        hotfixId: 'HF-2',
        position: 1,
        prevHash: '',
        hash: 'c'.repeat(64),
        event: { type: 'Foo' },
      }),
    );
    await appendNotes(store, 'HF-1', 3, 1);

    const entries = await projector.read({ count: 10 });

    expect(where(entries)).toEqual(['HF-1#1', 'HF-1#2', 'HF-1#3', 'HF-1#4']);
    expect(corrupt.map((e) => e.message)).toEqual([
      `feed entry ${badId} (HF-1 event 4) is corrupt: the stored event is not valid JSON`,
      `feed entry ${unknownId} (HF-2 event 1) is corrupt: type "Foo" is unknown`,
    ]);
    expect(corrupt[0]).toBeInstanceOf(CorruptFeedEntryError);
    expect(corrupt[1]).toMatchObject({ feedId: unknownId, hotfixId: 'HF-2', position: 1 });

    // Acknowledged like any other entry, a corrupt one is not delivered again.
    await projector.ack([...ids(entries), ...corrupt.map((e) => e.feedId)]);
    const reported: CorruptFeedEntryError[] = [];
    expect(await consumer('p1', { corrupt: reported }).read({ count: 10 })).toEqual([]);
    expect(reported).toEqual([]);
  });

  test('unacknowledged entries and the streams survive a Redis restart', async () => {
    const { store, consumer } = setup();
    const projector = consumer('p1');
    await projector.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    const unacked = await projector.read({ count: 10 });

    await server().restart();

    expect(await consumer('p1').read({ count: 10 })).toEqual(unacked);
    expect(await store.append('HF-1', 3, [closed])).toMatchObject({ ok: true, version: 4 });
    expect(await store.verify('HF-1')).toMatchObject({ ok: true, count: 4 });
  });

  test('after a crash whatever survived is whole: streams, heads and feed agree', async () => {
    const { store, prefix } = setup();
    const ids = ['HF-1', 'HF-2', 'HF-3'];
    for (const id of ids) await store.append(id, 0, opening(id));
    await Promise.all(ids.map((id) => appendNotes(store, id, 3, 30)));

    await server().restart({ crash: true });

    // With appendfsync everysec the last second may be lost, but never half an append.
    let feedCount = 0;
    for (const id of ids) {
      const verified = await store.verify(id);
      expect(verified).toMatchObject({ ok: true });
      feedCount += verified.ok ? verified.count : 0;
    }
    expect(await redis.xlen(storeKeys(prefix).feed)).toBe(feedCount);
  });
});

describe('trimFeed', () => {
  const feedIds = async (prefix: string): Promise<string[]> =>
    (await redis.xrange(storeKeys(prefix).feed, '-', '+')).map(([id]) => id);
  // Times are taken from the entries' own ids, so nothing depends on the wall clock.
  const msOf = (id: string | undefined): number => Number(id?.split('-')[0]);

  test('keeps an hour of entries when no group reads the feed, and removes older ones', async () => {
    const { prefix, store } = setup();
    await store.append('HF-1', 0, opening('HF-1'));
    const all = await feedIds(prefix);
    expect(await trimFeed(redis, prefix, msOf(all[0]) + FEED_KEEP_MS)).toBe(0);
    expect(await trimFeed(redis, prefix, msOf(all.at(-1)) + FEED_KEEP_MS + 1)).toBe(3);
    expect(await feedIds(prefix)).toEqual([]);
  });

  test('keeps, however old, what a group has pending or not read yet', async () => {
    const { prefix, store, consumer } = setup();
    const projector = consumer('p1');
    await projector.ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    await appendNotes(store, 'HF-1', 3, 3);
    await projector.ack(ids(await projector.read({ count: 2 })));
    const pending = await projector.read({ count: 2 });
    const all = await feedIds(prefix);
    const later = msOf(all.at(-1)) + FEED_KEEP_MS + 1;

    expect(await trimFeed(redis, prefix, later)).toBe(2);
    expect(await feedIds(prefix)).toEqual(all.slice(2));
    await projector.ack(ids(pending));
    expect(await trimFeed(redis, prefix, later)).toBe(2);
    expect(where(await drain(projector))).toEqual(['HF-1#5', 'HF-1#6']);
    expect(await trimFeed(redis, prefix, later)).toBe(2);
    expect(await feedIds(prefix)).toEqual([]);
  });

  test('a group that has read nothing keeps everything', async () => {
    const { prefix, store, consumer } = setup();
    await consumer('p1').ensureGroup('0');
    await store.append('HF-1', 0, opening('HF-1'));
    const all = await feedIds(prefix);
    expect(await trimFeed(redis, prefix, msOf(all.at(-1)) + FEED_KEEP_MS + 1)).toBe(0);
    expect(await feedIds(prefix)).toEqual(all);
  });

  test('a missing feed is nothing to trim', async () => {
    expect(await trimFeed(redis, uniquePrefix(), 0)).toBe(0);
  });
});
