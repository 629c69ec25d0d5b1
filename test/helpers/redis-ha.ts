import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestRedis } from './redis.ts';
import { freePort, startRedisServer } from './redis.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

/** Generous: a busy two-core machine may take seconds where an idle one takes milliseconds. */
const FORMED_WITHIN_MS = 60_000;

/**
 * Kills every server and removes its directory. Not a clean shutdown: a primary would wait (up to 10 s) for
 * its replicas to catch up, and a replica refuses to stop while it writes its first AOF after a sync.
 */
const stopAll = async (servers: readonly TestRedis[]): Promise<void> => {
  await Promise.allSettled(servers.map((server) => server.kill().then(() => server.stop())));
};

const infoField = (info: string, field: string): string | undefined =>
  new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(info)?.[1]?.trim();

export interface TestRedisCluster {
  /** REDIS_URL for it: `redis+cluster://127.0.0.1:<port>,…`. */
  readonly url: string;
  /** Its primaries (no replicas). */
  readonly nodes: readonly TestRedis[];
  stop(): Promise<void>;
}

/**
 * A private Redis Cluster of `primaries` primaries (`cluster-enabled yes`, each with its bus on a free port),
 * joined by `redis-cli --cluster create`, its slots spread over all of them; ready when every node says
 * `cluster_state:ok`.
 */
export const startRedisCluster = async (primaries = 3): Promise<TestRedisCluster> => {
  const started = await Promise.allSettled(
    Array.from({ length: primaries }, () =>
      startRedisServer({
        config: async () => ({
          'cluster-enabled': 'yes',
          'cluster-config-file': 'nodes.conf',
          'cluster-port': String(await freePort()),
          'cluster-node-timeout': '5000',
        }),
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  try {
    if (failed !== undefined) throw failed.reason;
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], {
      timeout: FORMED_WITHIN_MS,
    });
    const clients = nodes.map((node) => node.connect());
    await waitFor(
      'every cluster node to report cluster_state:ok',
      async () => {
        const infos = await Promise.all(clients.map((client) => client.cluster('INFO')));
        return infos.every(
          (info) =>
            infoField(info, 'cluster_state') === 'ok' &&
            infoField(info, 'cluster_known_nodes') === String(primaries),
        );
      },
      FORMED_WITHIN_MS,
    );
    for (const client of clients) client.disconnect();
    return {
      url: `redis+cluster://${addresses.join(',')}`,
      nodes,
      stop: () => stopAll(nodes),
    };
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
};

export interface TestSentinelSet {
  /** REDIS_URL for it: `redis+sentinel://127.0.0.1:<port>,…/<masterName>`. */
  readonly url: string;
  readonly masterName: string;
  /** The data servers: the first one started as the primary, the others as its replicas. */
  readonly servers: readonly TestRedis[];
  readonly sentinels: readonly TestRedis[];
  /** The data server the sentinels name as the primary now. */
  primary(): Promise<TestRedis>;
  stop(): Promise<void>;
}

/**
 * A primary, `replicas` replicas and `sentinels` sentinels (quorum: a majority) watching it, failing over
 * after `downAfterMs` of silence. Ready when every replica is in sync and every sentinel knows every replica
 * and every other sentinel, so a failover started right after can elect a leader and promote a replica.
 */
export const startSentinelSet = async ({
  replicas = 2,
  sentinels = 3,
  downAfterMs = 1000,
  masterName = 'hotfix-test',
} = {}): Promise<TestSentinelSet> => {
  const all: TestRedis[] = [];
  try {
    // No delay before a full sync of a new replica (Redis 7 waits 5 s for more replicas to join by default).
    const primary = await startRedisServer({ config: () => ({ 'repl-diskless-sync-delay': '0' }) });
    all.push(primary);
    const copies = await Promise.all(
      Array.from({ length: replicas }, () =>
        startRedisServer({
          config: () => ({ replicaof: `127.0.0.1 ${primary.port}`, 'repl-diskless-sync-delay': '0' }),
        }),
      ),
    );
    all.push(...copies);
    const quorum = Math.floor(sentinels / 2) + 1;
    const watchers = await Promise.all(
      Array.from({ length: sentinels }, () =>
        startRedisServer({
          sentinel: [
            `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} ${quorum}`,
            `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
            `sentinel failover-timeout ${masterName} 10000`,
            `sentinel parallel-syncs ${masterName} 1`,
          ],
        }),
      ),
    );
    all.push(...watchers);
    const servers = [primary, ...copies];

    const replicaClients = copies.map((copy) => copy.connect());
    await waitFor(
      'every replica to be in sync with the primary',
      async () => {
        const infos = await Promise.all(replicaClients.map((client) => client.info('replication')));
        return infos.every((info) => infoField(info, 'master_link_status') === 'up');
      },
      FORMED_WITHIN_MS,
    );
    for (const client of replicaClients) client.disconnect();
    const sentinelClients = watchers.map((watcher) => watcher.connect());
    await waitFor(
      'every sentinel to know every replica and every other sentinel',
      async () => {
        const views = await Promise.all(
          sentinelClients.map(async (client) => {
            const known = (await client.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
            const others = (await client.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
            return known.length === replicas && others.length === sentinels - 1;
          }),
        );
        return views.every(Boolean);
      },
      FORMED_WITHIN_MS,
    );
    for (const client of sentinelClients) client.disconnect();

    return {
      url: `redis+sentinel://${watchers.map((w) => `127.0.0.1:${w.port}`).join(',')}/${masterName}`,
      masterName,
      servers,
      sentinels: watchers,
      async primary() {
        for (const watcher of watchers) {
          const client = watcher.connect({ maxRetriesPerRequest: 1, retryStrategy: () => null });
          try {
            const reply = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as
              [string, string] | null;
            const found = servers.find((server) => String(server.port) === reply?.[1]);
            if (found !== undefined) return found;
          } catch {
            // This sentinel is down: ask the next.
          } finally {
            client.disconnect();
          }
        }
        throw new Error('no sentinel names a primary');
      },
      stop: () => stopAll(all),
    };
  } catch (error) {
    await stopAll(all);
    throw error;
  }
};
