import type { Redis } from 'ioredis';

/**
 * What the Teams surface remembers per hotfix, in one Redis hash: its thread (the encoded conversation
 * reference), the replies it edits later (a manual step's prompt, a vote) by key, and how far it got.
 */
export interface ThreadRefs {
  get(hotfixId: string, key: string): Promise<string | null>;
  set(hotfixId: string, key: string, value: string): Promise<void>;
}

/** The Redis hash of a hotfix's thread references. */
export const threadRefsKey = (prefix: string, hotfixId: string) => `${prefix}{hotfix}:teams:refs:${hotfixId}`;

export const createThreadRefs = (redis: Redis, prefix: string): ThreadRefs => {
  const key = (hotfixId: string) => threadRefsKey(prefix, hotfixId);
  return {
    get: (hotfixId, name) => redis.hget(key(hotfixId), name),
    set: async (hotfixId, name, value) => void (await redis.hset(key(hotfixId), name, value)),
  };
};
