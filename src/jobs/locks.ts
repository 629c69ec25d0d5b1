import type { Redis } from 'ioredis';
import type { Result } from 'ioredis';
import { z } from 'zod';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the deploy locks: see ACQUIRE. */
    hotfixLockAcquire(numKeys: number, ...keysAndArgs: string[]): Result<unknown, Context>;
    /** Defined by the deploy locks: see RELEASE. */
    hotfixLockRelease(numKeys: number, ...keysAndArgs: string[]): Result<unknown, Context>;
  }
}

/** Who holds a service's deploy lock. */
export interface LockHolder {
  readonly hotfixId: string;
  readonly runId: string;
  readonly since: string;
}

export type AcquireResult =
  { readonly ok: true } | { readonly ok: false; readonly service: string; readonly holder: LockHolder };

// All services or none: a hotfix touching two services must never hold one and wait for the other.
// Re-acquiring by the same hotfix is a no-op success, so the effect can run twice.
const ACQUIRE = `
for i, key in ipairs(KEYS) do
  local holder = redis.call('HGET', key, 'hotfixId')
  if holder and holder ~= ARGV[1] then
    return {i, holder, redis.call('HGET', key, 'runId') or '', redis.call('HGET', key, 'since') or ''}
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'hotfixId') ~= ARGV[1] then
    redis.call('HSET', key, 'hotfixId', ARGV[1], 'runId', ARGV[2], 'since', ARGV[3])
  end
end
return 0
`;

// Only the holder releases: a late release by a finished hotfix cannot free another's lock.
const RELEASE = `
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'hotfixId') == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`;

const refusal = z.tuple([z.number(), z.string(), z.string(), z.string()]);
const holderFields = z.tuple([z.string().nullable(), z.string().nullable(), z.string().nullable()]);

/**
 * Deploy locks per service, in the event store's hash tag. A lock belongs to a hotfix, not to a worker
 * process, so a worker dying never frees (or leaks) it: the hotfix's events decide when it is released.
 */
export const createLocks = ({ redis, prefix }: { redis: Redis; prefix: string }) => {
  const key = (service: string) => `${prefix}{hotfix}:lock:${service}`;
  // Defined once: later calls send the script's sha (EVALSHA), not its text.
  redis.defineCommand('hotfixLockAcquire', { lua: ACQUIRE });
  redis.defineCommand('hotfixLockRelease', { lua: RELEASE });
  return {
    async acquire(
      hotfixId: string,
      runId: string,
      services: readonly string[],
      since: Date,
    ): Promise<AcquireResult> {
      const keys = services.map(key);
      const reply: unknown = await redis.hotfixLockAcquire(
        keys.length,
        ...keys,
        hotfixId,
        runId,
        since.toISOString(),
      );
      if (reply === 0) return { ok: true };
      const [index, holder, heldRun, heldSince] = refusal.parse(reply);
      return {
        ok: false,
        service: services[index - 1] ?? '',
        holder: { hotfixId: holder, runId: heldRun, since: heldSince },
      };
    },
    async release(hotfixId: string, services: readonly string[]): Promise<number> {
      const keys = services.map(key);
      return z.number().parse(await redis.hotfixLockRelease(keys.length, ...keys, hotfixId));
    },
    async holder(service: string): Promise<LockHolder | null> {
      const [hotfixId, runId, since] = holderFields.parse(
        await redis.hmget(key(service), 'hotfixId', 'runId', 'since'),
      );
      return hotfixId ? { hotfixId, runId: runId ?? '', since: since ?? '' } : null;
    },
  };
};

export type Locks = ReturnType<typeof createLocks>;
