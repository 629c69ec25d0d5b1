import type { Redis } from 'ioredis';
import { Cluster } from 'ioredis';

/**
 * The keys matching `pattern`, a batch at a time. SCAN walks one server's keys: on a cluster (whose client
 * sends a keyless command to any node) each primary is scanned, since each holds only its own slots.
 * Like SCAN, a key may be seen twice; `each` must not mind.
 */
export const scanKeys = async (
  redis: Redis,
  pattern: string,
  each: (keys: string[], node: Redis) => Promise<void>,
): Promise<void> => {
  // A cluster client travels under the Redis type (src/main/redis-connection.ts).
  const client = redis as Redis | Cluster;
  const nodes = client instanceof Cluster ? client.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      cursor = next;
      if (keys.length > 0) await each(keys, node);
    } while (cursor !== '0');
  }
};
