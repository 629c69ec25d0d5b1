import type { Redis } from 'ioredis';
import type { Result } from 'ioredis';
import { z } from 'zod';
import type { LockHolder } from '../service/ports.ts';
import { storeKeys } from '../store/keys.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the deploy locks: see RELEASE. */
    hotfixLockRelease(numKeys: number, ...keysAndArgs: string[]): Result<unknown, Context>;
  }
}

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

const holderFields = z.tuple([z.string().nullable(), z.string().nullable(), z.string().nullable()]);

/**
 * Deploy locks per service, in the event store's hash tag. A lock belongs to a hotfix, not to a worker
 * process, so a worker dying never frees (or leaks) it: the hotfix's events decide when it is released.
 *
 * A lock is taken by the very append that records its `LockGranted` (the command handler's `locks` option,
 * checked and taken inside the event store's append script), so it is never taken without its grant being
 * stored. Here: releasing locks, and reading who holds one.
 */
export const createLocks = ({ redis, prefix }: { redis: Redis; prefix: string }) => {
  const key = storeKeys(prefix).lock;
  // Defined once: later calls send the script's sha (EVALSHA), not its text.
  redis.defineCommand('hotfixLockRelease', { lua: RELEASE });
  return {
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
