/**
 * Key layout of the event store. Every key carries the same hash tag `{hotfix}` so that, on Redis Cluster,
 * they all hash to one slot: the append script touches a hotfix's stream, its head, the global feed, the
 * open index and the deploy locks it claims at once, and a script may only use keys of a single slot. (The
 * price: the whole store lives on one shard, which is plenty for a hotfix bot.)
 */
export interface StoreKeys {
  /** Counter behind `allocateId()` (string). */
  readonly nextId: string;
  /** The global feed of every appended event (stream, ids `*`). */
  readonly feed: string;
  /** Open hotfixes (sorted set: member = hotfix id, score = start order). */
  readonly open: string;
  /** Counter giving the start order used as the open index's score (string). */
  readonly openSeq: string;
  /** The id allocated for a request key (string, expires; see `allocateId`). */
  request(requestKey: string): string;
  /** One hotfix's events (stream, ids `0-<position>`). */
  stream(hotfixId: string): string;
  /** One hotfix's head (hash: `version`, `hash` of the last event). */
  head(hotfixId: string): string;
  /**
   * A service's deploy lock (hash: `hotfixId`, `runId`, `since`): taken by the append that records its grant,
   * released by src/jobs/locks.ts.
   */
  lock(service: string): string;
}

export const HASH_TAG = '{hotfix}';

export const storeKeys = (prefix: string): StoreKeys => {
  // A brace in the prefix would make Redis Cluster hash a different part of the key than our tag.
  if (/[{}]/.test(prefix)) throw new RangeError(`The store prefix must not contain braces: "${prefix}"`);
  const base = `${prefix}${HASH_TAG}`;
  return {
    nextId: `${base}:next-id`,
    feed: `${base}:feed`,
    open: `${base}:open`,
    openSeq: `${base}:open-seq`,
    request: (requestKey) => `${base}:request:${requestKey}`,
    stream: (hotfixId) => `${base}:stream:${hotfixId}`,
    head: (hotfixId) => `${base}:head:${hotfixId}`,
    lock: (service) => `${base}:lock:${service}`,
  };
};
