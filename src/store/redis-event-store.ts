import type { Redis, Result } from 'ioredis';
import { z } from 'zod';
import type { HotfixEvent } from '../domain/hotfix/events.ts';
import type { AppendResult, EventStore, LoadedStream, StoredEvent, VerifyResult } from '../service/ports.ts';
import type { ChainAlgorithm } from './event-codec.ts';
import {
  CorruptEventError,
  InvalidEventError,
  decodeEvent,
  decodeEventValue,
  eventHash,
  eventHmac,
  eventHmacOfJson,
  isHash,
  parseJson,
  storedEventJson,
} from './event-codec.ts';
import type { StoreKeys } from './keys.ts';
import { storeKeys } from './keys.ts';
import type { RawStreamEntry } from './stream-reply.ts';
import { fieldMap, xrangeReply } from './stream-reply.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the event store: see APPEND_SCRIPT. */
    hotfixStoreAppend(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    /** Defined by the event store: see ALLOCATE_SCRIPT. */
    hotfixStoreAllocate(counter: string, request: string, ttlSeconds: number): Result<unknown, Context>;
  }
}

/**
 * Check-and-append, atomic because Redis runs a script to completion with no other command in between.
 * Every check comes before the first write: Redis does not roll a script back, and a script is refused for
 * out-of-memory only at its first write, so a script that fails fails before it has written anything.
 *
 * KEYS: stream, head, feed, open index, open sequence, then the deploy locks claimed (none or more).
 * ARGV: hotfix id, expected version, index op (add | remove | none), event count, the claim's run id and
 *       since ('' without a claim), the hashes' algorithm, then per event: event JSON, prevHash, hash,
 *       stored-event JSON.
 * Returns {1, new version}, {0, actual version} (conflict: stale version or stale chain head), or
 * {2, index of the claimed lock held by another hotfix, its hotfixId, runId, since}.
 */
const APPEND_SCRIPT = `
local function keytype(key) return redis.call('TYPE', key)['ok'] end
local expected_types = { 'stream', 'hash', 'stream', 'zset', 'string' }
for i = 1, #KEYS do
  local t = keytype(KEYS[i])
  local expected = expected_types[i] or 'hash'
  if t ~= 'none' and t ~= expected then
    return redis.error_reply('hotfix store: ' .. KEYS[i] .. ' is a ' .. t .. ', expected a ' .. expected)
  end
end

local version = tonumber(redis.call('HGET', KEYS[2], 'version') or '0')
local head = redis.call('HGET', KEYS[2], 'hash') or ''
local expected = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
if version ~= expected then return { 0, version } end

-- The chain: the first new event must link to the stored head, each next one to the one before.
local link = head
for i = 1, n do
  local a = 7 + (i - 1) * 4
  if ARGV[a + 2] ~= link then return { 0, version } end
  link = ARGV[a + 3]
end

-- The stream must end where its head says, or the explicit ids below would collide.
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local stream_end = 0
if #last > 0 then stream_end = tonumber(string.match(last[1][1], '^0%-(%d+)$') or '-1') end
if stream_end ~= version then
  return redis.error_reply('hotfix store: ' .. KEYS[1] .. ' ends at ' .. stream_end .. ' but its head says ' .. version)
end

-- The claimed locks, all or none: free, or already this hotfix's. Checked only on a current stream, so a
-- refusal is never based on a stale view.
for i = 6, #KEYS do
  local holder = redis.call('HGET', KEYS[i], 'hotfixId')
  if holder and holder ~= ARGV[1] then
    return { 2, i - 5, holder, redis.call('HGET', KEYS[i], 'runId') or '', redis.call('HGET', KEYS[i], 'since') or '' }
  end
end

for i = 6, #KEYS do
  if redis.call('HGET', KEYS[i], 'hotfixId') ~= ARGV[1] then
    redis.call('HSET', KEYS[i], 'hotfixId', ARGV[1], 'runId', ARGV[5], 'since', ARGV[6])
  end
end
for i = 1, n do
  local a = 7 + (i - 1) * 4
  local position = expected + i
  redis.call('XADD', KEYS[1], '0-' .. position, 'event', ARGV[a + 1], 'prevHash', ARGV[a + 2], 'hash', ARGV[a + 3], 'alg', ARGV[7])
  redis.call('XADD', KEYS[3], '*', 'hotfixId', ARGV[1], 'position', position, 'stored', ARGV[a + 4])
end
redis.call('HSET', KEYS[2], 'version', expected + n, 'hash', link)
if ARGV[3] == 'add' then
  redis.call('ZADD', KEYS[4], 'NX', redis.call('INCR', KEYS[5]), ARGV[1])
elseif ARGV[3] == 'remove' then
  redis.call('ZREM', KEYS[4], ARGV[1])
end
return { 1, expected + n }
`;

/**
 * Allocate-once for a request key: the lookup and the INCR run as one script, so two deliveries of the same
 * request racing each other still get one id. KEYS: counter, request key. ARGV: ttl in seconds.
 */
const ALLOCATE_SCRIPT = `
local known = redis.call('GET', KEYS[2])
if known then return tonumber(known) end
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], n, 'EX', ARGV[1])
return n
`;

/** How long a request key keeps its id: far beyond Slack's retries (≤ 5 min) and a person's second try. */
const REQUEST_KEY_TTL_SECONDS = 24 * 60 * 60;

const allocatedReply = z.int().positive();
const appendReply = z.union([
  z.tuple([z.union([z.literal(0), z.literal(1)]), z.int().nonnegative()]),
  z.tuple([z.literal(2), z.int().positive(), z.string(), z.string(), z.string()]),
]);
const headReply = z.tuple([z.string().nullable(), z.string().nullable()]);

type IndexOp = 'add' | 'remove' | 'none';

/** What an append does to the open index; the last event that opens or ends the hotfix decides. */
const indexOp = (events: readonly HotfixEvent[]): IndexOp =>
  events.reduce<IndexOp>((op, e) => {
    if (e.type === 'HotfixStarted') return 'add';
    if (e.type === 'HotfixClosed' || e.type === 'HotfixCancelled') return 'remove';
    return op;
  }, 'none');

const HOTFIX_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The position encoded in a stream id `0-<position>`, or undefined for any other id. */
const positionOf = (streamId: string): number | undefined => {
  const match = /^0-(\d+)$/.exec(streamId);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

type EntryCheck =
  | { readonly ok: true; readonly stored: StoredEvent; readonly alg: ChainAlgorithm }
  | { readonly ok: false; readonly reason: string };

/** Every event appended now is keyed; an entry without `alg` was written before the audit key. */
const KEYED: ChainAlgorithm = 'hmac-sha256';

/** Reads one stream entry expected at `position`, without judging the hash chain. */
const readEntry = (hotfixId: string, position: number, [id, fields]: RawStreamEntry): EntryCheck => {
  const actual = positionOf(id);
  if (actual === undefined) return { ok: false, reason: `stream id ${id} is not 0-<position>` };
  if (actual !== position) return { ok: false, reason: `it is missing (the next stored event is ${actual})` };
  const map = fieldMap(fields ?? []);
  const [text, prevHash, hash] = [map.get('event'), map.get('prevHash'), map.get('hash')];
  if (text === undefined || prevHash === undefined || hash === undefined)
    return { ok: false, reason: 'a field (event, prevHash or hash) is missing' };
  if (!isHash(hash) || (prevHash !== '' && !isHash(prevHash)))
    return { ok: false, reason: 'prevHash or hash is not a sha256 hex digest' };
  const alg = map.get('alg') ?? 'sha256';
  if (alg !== 'sha256' && alg !== KEYED)
    return { ok: false, reason: `alg ${JSON.stringify(alg)} is unknown` };
  const decoded = decodeEvent(text);
  if (!decoded.ok) return decoded;
  return { ok: true, stored: { hotfixId, position, event: decoded.event, prevHash, hash }, alg };
};

/**
 * The append ran on the primary, but fewer replicas than required confirmed it in time: a failover now could
 * lose it, so the command is not reported as recorded. Retrying is safe (the stream's version check makes a
 * second attempt a no-op when the first one did land).
 */
export class ReplicationTimeoutError extends Error {
  override readonly name = 'ReplicationTimeoutError';
  constructor(
    readonly hotfixId: string,
    readonly required: number,
    readonly confirmed: number,
    readonly timeoutMs: number,
  ) {
    super(
      `${hotfixId}: the change reached the Redis primary but ${confirmed} of the ${required} replica(s) required (HOTFIX_REDIS_MIN_REPLICAS) confirmed it within ${timeoutMs} ms, so it is not recorded durably; please try again`,
    );
  }
}

/** Replicas an append waits for (Redis WAIT) before it counts as recorded. */
export interface Durability {
  /** 0: the primary's reply is enough (one server, or no replica to wait for). */
  readonly minReplicas: number;
  readonly timeoutMs: number;
}

export interface RedisEventStoreDeps {
  /**
   * A shared, non-blocking connection (never a feed consumer's, whose XREADGROUP BLOCK would hold it).
   * Isolate with `prefix` rather than ioredis's `keyPrefix`, so the hash tag stays in place.
   */
  readonly redis: Redis;
  /** Prepended to every key (may be ''); lets tests and several installations share one Redis. */
  readonly prefix: string;
  /**
   * HOTFIX_AUDIT_KEY, the HMAC key of every link appended. Only read-only tools may pass undefined: their
   * `append` refuses, and their `verify` reports keyed events as unchecked.
   */
  readonly auditKey: string | undefined;
  /** HOTFIX_REDIS_MIN_REPLICAS and HOTFIX_REDIS_REPLICA_TIMEOUT; none by default. */
  readonly durability?: Durability;
}

/**
 * The event store on Redis: one stream per hotfix, a global feed, an index of open hotfixes and a
 * tamper-evident hash chain, all written together by one Lua script.
 */
export const createRedisEventStore = ({
  redis,
  prefix,
  auditKey,
  durability = { minReplicas: 0, timeoutMs: 0 },
}: RedisEventStoreDeps): EventStore => {
  const keys: StoreKeys = storeKeys(prefix);
  // No fixed key count: an append may claim locks (KEYS after the first five).
  redis.defineCommand('hotfixStoreAppend', { lua: APPEND_SCRIPT });
  redis.defineCommand('hotfixStoreAllocate', { numberOfKeys: 2, lua: ALLOCATE_SCRIPT });

  const readHead = async (hotfixId: string): Promise<{ version: number; hash: string }> => {
    const [version, hash] = headReply.parse(await redis.hmget(keys.head(hotfixId), 'version', 'hash'));
    return { version: version === null ? 0 : Number(version), hash: hash ?? '' };
  };

  const readStream = async (hotfixId: string, afterVersion = 0): Promise<RawStreamEntry[]> =>
    xrangeReply.parse(
      await redis.xrange(keys.stream(hotfixId), afterVersion > 0 ? `0-${afterVersion + 1}` : '-', '+'),
    );

  /**
   * The script and WAIT in one pipeline, so one round trip, on the connection (and, on a cluster, the node)
   * that ran the script: WAIT counts the replicas that have everything this connection wrote so far. The
   * replication stream is ordered, so a confirmed append also covers the id allocation and locks before it.
   * WAIT is asked even when the script appended nothing (a conflict), where it returns at once.
   */
  const appendAndWait = async (hotfixId: string, keysAndArgs: (string | number)[]): Promise<unknown> => {
    const { minReplicas, timeoutMs } = durability;
    const results = await redis
      .pipeline()
      .hotfixStoreAppend(...keysAndArgs)
      .wait(minReplicas, timeoutMs)
      .exec();
    const [[appendError, reply] = [new Error('no reply')], [waitError, confirmed] = [new Error('no reply')]] =
      results ?? [];
    if (appendError) throw appendError;
    if (waitError) throw waitError;
    const acked = z.int().nonnegative().parse(confirmed);
    if (acked < minReplicas && appendReply.safeParse(reply).data?.[0] === 1)
      throw new ReplicationTimeoutError(hotfixId, minReplicas, acked, timeoutMs);
    return reply;
  };

  return {
    async allocateId(requestKey) {
      if (requestKey === undefined) return `HF-${await redis.incr(keys.nextId)}`;
      const reply = await redis.hotfixStoreAllocate(
        keys.nextId,
        keys.request(requestKey),
        REQUEST_KEY_TTL_SECONDS,
      );
      return `HF-${allocatedReply.parse(reply)}`;
    },

    async load(hotfixId, afterVersion = 0): Promise<LoadedStream> {
      const entries = await readStream(hotfixId, afterVersion);
      const events = entries.map((entry, i) => {
        const read = readEntry(hotfixId, afterVersion + i + 1, entry);
        if (!read.ok) throw new CorruptEventError(hotfixId, afterVersion + i + 1, read.reason);
        return read.stored;
      });
      return { events, version: afterVersion + events.length };
    },

    async append(hotfixId, expectedVersion, events, options = {}): Promise<AppendResult> {
      const { expectedHead, locks } = options;
      if (!HOTFIX_ID.test(hotfixId)) throw new RangeError(`Not a hotfix id: ${JSON.stringify(hotfixId)}`);
      if (auditKey === undefined)
        throw new Error('This event store has no HOTFIX_AUDIT_KEY: it cannot append');
      if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)
        throw new RangeError(`expectedVersion must be a non-negative integer, got ${expectedVersion}`);

      // Read the head first: a stale caller gets its conflict without hashing, and the hashes need the head.
      // The script checks both again, atomically, so a writer in between still yields a conflict.
      // A caller that knows the head skips the read: the script checks it anyway.
      const head =
        expectedHead === undefined
          ? await readHead(hotfixId)
          : { version: expectedVersion, hash: expectedHead };
      if (head.version !== expectedVersion) return { ok: false, actualVersion: head.version };
      if (events.length === 0) return { ok: true, version: expectedVersion, stored: [] };

      const stored: StoredEvent[] = [];
      const args: string[] = [];
      let prevHash = head.hash;
      for (const [i, event] of events.entries()) {
        const position = expectedVersion + 1 + i;
        // Validated once; the schema's output is what a later load returns (readonly arrays frozen).
        const decoded = decodeEventValue(event);
        if (!decoded.ok) throw new InvalidEventError(hotfixId, position, decoded.reason);
        const json = storedEventJson(decoded.event);
        const hash = eventHmacOfJson(auditKey, hotfixId, position, prevHash, json);
        stored.push({ hotfixId, position, event: decoded.event, prevHash, hash });
        // The feed entry is the stored event's canonical JSON (keys sorted), assembled around the event's.
        const feedJson = `{"event":${json},"hash":"${hash}","hotfixId":${JSON.stringify(hotfixId)},"position":${position},"prevHash":${JSON.stringify(prevHash)}}`;
        args.push(json, prevHash, hash, feedJson);
        prevHash = hash;
      }

      const services = locks?.services ?? [];
      const keysAndArgs = [
        5 + services.length,
        keys.stream(hotfixId),
        keys.head(hotfixId),
        keys.feed,
        keys.open,
        keys.openSeq,
        ...services.map(keys.lock),
        hotfixId,
        expectedVersion,
        indexOp(events),
        stored.length,
        locks?.runId ?? '',
        locks?.since ?? '',
        KEYED,
        ...args,
      ];
      const reply = appendReply.parse(
        durability.minReplicas === 0
          ? await redis.hotfixStoreAppend(...keysAndArgs)
          : await appendAndWait(hotfixId, keysAndArgs),
      );
      if (reply[0] === 2) {
        const [, index, holder, runId, since] = reply;
        return {
          ok: false,
          lockHeld: { service: services[index - 1] ?? '', holder: { hotfixId: holder, runId, since } },
        };
      }
      const [status, version] = reply;
      return status === 1 ? { ok: true, version, stored } : { ok: false, actualVersion: version };
    },

    async listOpen() {
      return redis.zrange(keys.open, 0, -1);
    },

    async versions(hotfixIds) {
      if (hotfixIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const hotfixId of hotfixIds) pipeline.hget(keys.head(hotfixId), 'version');
      const replies = (await pipeline.exec()) ?? [];
      return hotfixIds.map((hotfixId, i) => {
        const [error, version] = replies[i] ?? [new Error('no reply')];
        if (error) throw error;
        return version === null ? 0 : z.coerce.number().int().nonnegative().parse(version);
      });
    },

    async verify(hotfixId): Promise<VerifyResult> {
      // One transaction so the head and the stream are read at the same instant.
      const results = await redis
        .multi()
        .xrange(keys.stream(hotfixId), '-', '+')
        .hmget(keys.head(hotfixId), 'version', 'hash')
        .exec();
      const [streamResult, headResult] = results ?? [];
      if (streamResult?.[0] || headResult?.[0]) throw streamResult?.[0] ?? headResult?.[0];
      const entries = xrangeReply.parse(streamResult?.[1]);
      const [headVersion, headHash] = headReply.parse(headResult?.[1]);

      let link = '';
      // A keyed link seals every event before it (its HMAC covers the previous hash), so once one is keyed
      // all later ones must be: a plain one after it was written by someone without the key.
      let keyed = false;
      for (const [i, entry] of entries.entries()) {
        const position = i + 1;
        const read = readEntry(hotfixId, position, entry);
        if (!read.ok) return { ok: false, position, reason: read.reason };
        const { prevHash, hash } = read.stored;
        if (prevHash !== link)
          return { ok: false, position, reason: "prevHash does not match the previous event's hash" };
        if (read.alg === KEYED) keyed = true;
        else if (keyed)
          return {
            ok: false,
            position,
            reason:
              'it is hashed without the key (plain sha256) after keyed events: it was not written by us',
          };
        if (keyed && auditKey === undefined)
          return {
            ok: false,
            position,
            reason: 'it is keyed (HMAC-SHA256) and HOTFIX_AUDIT_KEY is not set, so it cannot be checked',
          };
        // Hash what is stored, not the schema's output, so any edit of the stored JSON shows.
        const raw = parseJson(fieldMap(entry[1] ?? []).get('event') ?? '');
        const expected = !raw.ok
          ? undefined
          : auditKey !== undefined && keyed
            ? eventHmac(auditKey, hotfixId, position, prevHash, raw.value)
            : eventHash(hotfixId, position, prevHash, raw.value);
        if (expected !== hash)
          return {
            ok: false,
            position,
            reason: keyed
              ? 'hash does not match the event: it was changed after it was written, or HOTFIX_AUDIT_KEY is not the key it was written with'
              : 'hash does not match the event: it was changed after it was written',
          };
        link = hash;
      }

      const count = entries.length;
      const version = headVersion === null ? 0 : Number(headVersion);
      if (version !== count)
        return {
          ok: false,
          position: Math.min(version, count) + 1,
          reason: `the head records version ${version} but the stream holds ${count} events`,
        };
      if ((headHash ?? '') !== link)
        return {
          ok: false,
          position: Math.max(count, 1),
          reason: "the head hash does not match the last event's hash",
        };
      return { ok: true, count, head: link, keyed };
    },
  };
};
