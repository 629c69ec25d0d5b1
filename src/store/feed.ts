import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { FeedEntry } from '../service/ports.ts';
import { decodeStoredValue, isHash, parseJson } from './event-codec.ts';
import { storeKeys } from './keys.ts';
import type { RawStreamEntry } from './stream-reply.ts';
import { fieldMap, xautoclaimReply, xreadgroupReply } from './stream-reply.ts';

/** A feed entry that cannot be read. It stays pending until acknowledged, so report it, then ack it. */
export class CorruptFeedEntryError extends Error {
  override readonly name = 'CorruptFeedEntryError';
  constructor(
    readonly feedId: string,
    readonly reason: string,
    /** What the entry says it is, when that much is readable. */
    readonly hotfixId?: string,
    readonly position?: number,
  ) {
    const what =
      hotfixId === undefined ? '' : ` (${hotfixId}${position === undefined ? '' : ` event ${position}`})`;
    super(`feed entry ${feedId}${what} is corrupt: ${reason}`);
  }
}

export interface FeedConsumerDeps {
  /**
   * A connection of this consumer's own: `read` with `blockMs` runs XREADGROUP BLOCK, which holds the
   * connection until entries arrive, so every other command queued on it (the store's appends too) would wait.
   */
  readonly redis: Redis;
  /** The event store's prefix. */
  readonly prefix: string;
  /** The consumer group: one per projector; its members share the work. */
  readonly group: string;
  /** Stable across restarts (e.g. `notify-1`), so a restarted consumer gets its own unacknowledged entries back. */
  readonly consumer: string;
  /** Told of every entry that cannot be read; ack `error.feedId` to drop it (after logging or dead-lettering). */
  readonly onCorrupt: (error: CorruptFeedEntryError) => void | Promise<void>;
}

export interface FeedReadOptions {
  /** At most this many entries per call. */
  readonly count: number;
  /** Wait up to this long for new entries when there are none; omit (or 0) to return at once. */
  readonly blockMs?: number;
}

export interface FeedConsumer {
  /** Creates the group if it does not exist yet, starting at the feed's beginning ('0') or its end ('$'). */
  ensureGroup(start: '0' | '$'): Promise<void>;
  /**
   * The next entries for this consumer: first the ones delivered to it before and never acknowledged (after a
   * restart), then new ones. Delivery is at-least-once: an entry comes back until it is acknowledged.
   */
  read(options: FeedReadOptions): Promise<FeedEntry[]>;
  /** Acknowledges handled entries; returns how many were still pending. */
  ack(feedIds: readonly string[]): Promise<number>;
  /**
   * Takes over entries pending for at least `minIdleMs` with any consumer of the group (a crashed one, or this
   * one after a failed attempt) and returns them; they are then this consumer's to handle and ack.
   */
  claimStale(minIdleMs: number, options?: { readonly count?: number }): Promise<FeedEntry[]>;
}

const envelope = z.strictObject({
  hotfixId: z.string().min(1),
  position: z.int().positive(),
  event: z.unknown(),
  prevHash: z.string().refine((h) => h === '' || isHash(h), 'expected a sha256 hex digest or ""'),
  hash: z.string().refine(isHash, 'expected a sha256 hex digest'),
});

type Decoded =
  | { readonly ok: true; readonly entry: FeedEntry }
  | { readonly ok: false; readonly error: CorruptFeedEntryError };

/** Parses one feed entry: `hotfixId`, `position` and `stored` (the StoredEvent as JSON). */
const decodeFeedEntry = ([feedId, fields]: RawStreamEntry): Decoded => {
  const corrupt = (reason: string, hotfixId?: string, position?: number): Decoded => ({
    ok: false,
    error: new CorruptFeedEntryError(feedId, reason, hotfixId, position),
  });
  if (fields === null) return corrupt('it was deleted from the feed while still pending');
  const map = fieldMap(fields);
  const hotfixId = map.get('hotfixId');
  const positionText = map.get('position');
  const position = positionText === undefined ? undefined : Number(positionText);
  const text = map.get('stored');
  if (hotfixId === undefined || position === undefined || text === undefined)
    return corrupt('a field (hotfixId, position or stored) is missing', hotfixId, position);
  const json = parseJson(text);
  if (!json.ok) return corrupt('the stored event is not valid JSON', hotfixId, position);
  const stored = envelope.safeParse(json.value);
  if (!stored.success)
    return corrupt(
      `the stored event is malformed: ${stored.error.issues[0]?.message ?? ''}`,
      hotfixId,
      position,
    );
  if (stored.data.hotfixId !== hotfixId || stored.data.position !== position)
    return corrupt('the stored event belongs elsewhere than the entry says', hotfixId, position);
  const event = decodeStoredValue(stored.data.event);
  if (!event.ok) return corrupt(event.reason, hotfixId, position);
  return { ok: true, entry: { feedId, stored: { ...stored.data, event: event.event } } };
};

/**
 * A member of a consumer group on the global feed, for projectors (chat cards, thread lines, read models).
 * The pattern: `ensureGroup`, then loop `read` → handle → `ack`; now and then `claimStale` to finish the
 * work of a consumer that died. Handlers must be idempotent (an entry may come twice).
 */
export const createFeedConsumer = ({
  redis,
  prefix,
  group,
  consumer,
  onCorrupt,
}: FeedConsumerDeps): FeedConsumer => {
  const feed = storeKeys(prefix).feed;
  // Until this consumer's backlog of unacknowledged entries is drained, read it from `cursor` ('0' = all);
  // after that only new entries ('>'). A new instance starts with the backlog, which is what makes a restart
  // resume where the previous process stopped.
  let backlog = true;
  let cursor = '0';

  const decodeAll = async (entries: readonly RawStreamEntry[]): Promise<FeedEntry[]> => {
    const good: FeedEntry[] = [];
    for (const raw of entries) {
      const decoded = decodeFeedEntry(raw);
      if (decoded.ok) good.push(decoded.entry);
      else await onCorrupt(decoded.error);
    }
    return good;
  };

  return {
    async ensureGroup(start) {
      try {
        await redis.xgroup('CREATE', feed, group, start, 'MKSTREAM');
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
      }
    },

    async read({ count, blockMs }) {
      while (backlog) {
        const reply = xreadgroupReply.parse(
          await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', feed, cursor),
        );
        const entries = reply?.[0]?.[1] ?? [];
        const last = entries.at(-1);
        if (last === undefined) {
          backlog = false;
          break;
        }
        cursor = last[0];
        const good = await decodeAll(entries);
        if (good.length > 0) return good;
      }
      const reply = xreadgroupReply.parse(
        blockMs
          ? await redis.xreadgroup(
              'GROUP',
              group,
              consumer,
              'COUNT',
              count,
              'BLOCK',
              blockMs,
              'STREAMS',
              feed,
              '>',
            )
          : await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', feed, '>'),
      );
      return decodeAll(reply?.[0]?.[1] ?? []);
    },

    async ack(feedIds) {
      return feedIds.length === 0 ? 0 : redis.xack(feed, group, ...feedIds);
    },

    async claimStale(minIdleMs, { count = 100 } = {}) {
      const claimed: RawStreamEntry[] = [];
      // XAUTOCLAIM scans the group's pending list a page at a time; follow its cursor to the end.
      let start = '0-0';
      do {
        const [next, entries] = xautoclaimReply.parse(
          await redis.xautoclaim(feed, group, consumer, minIdleMs, start, 'COUNT', count - claimed.length),
        );
        claimed.push(...entries);
        start = next;
      } while (start !== '0-0' && claimed.length < count);
      return decodeAll(claimed);
    },
  };
};

/** How long the feed keeps entries no consumer group needs any more: enough for a look with redis-cli. */
export const FEED_KEEP_MS = 60 * 60 * 1000;

// XINFO GROUPS: one flat `[field, value, …]` list per group; XPENDING (summary): `[count, min id, max id, …]`.
const xinfoGroupsReply = z.array(z.array(z.union([z.string(), z.number(), z.null()])));
const xpendingSummary = z.tuple([z.number(), z.string().nullable()], z.unknown());
const streamId = z.string().regex(/^\d+-\d+$/);

/** Stream ids in order: milliseconds, then sequence. */
const idBefore = (a: string, b: string): boolean => {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am < bm || (am === bm && as < bs);
};
const idAfter = (id: string): string => {
  const [ms, seq] = id.split('-').map(BigInt) as [bigint, bigint];
  return `${ms}-${seq + 1n}`;
};

/**
 * The global feed only tells projectors which hotfix changed (each hotfix's stream is the record), so it must
 * not grow for ever: this removes entries older than `keepMs` that no consumer group still needs, neither
 * pending with one of its consumers nor yet to be delivered. Returns how many entries went.
 */
export const trimFeed = async (
  redis: Redis,
  prefix: string,
  now: number,
  keepMs: number = FEED_KEEP_MS,
): Promise<number> => {
  const { feed } = storeKeys(prefix);
  if ((await redis.exists(feed)) === 0) return 0;
  let floor = `${Math.max(0, Math.floor(now - keepMs))}-0`;
  for (const fields of xinfoGroupsReply.parse(await redis.xinfo('GROUPS', feed))) {
    const info = fieldMap(fields.map(String));
    const name = z.string().min(1).parse(info.get('name'));
    const pending = Number(info.get('pending') ?? 0);
    const [, oldest] = pending > 0 ? xpendingSummary.parse(await redis.xpending(feed, name)) : [0, null];
    const needed = oldest ?? idAfter(streamId.parse(info.get('last-delivered-id')));
    if (idBefore(needed, floor)) floor = needed;
  }
  // Only the ids before `floor` go; a group that moved on meanwhile needs even less.
  return redis.xtrim(feed, 'MINID', floor);
};
