import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Env } from '../config/env.ts';
import { readEnv } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import { formatProblem, loadConfigFile } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import type { EventStore } from '../service/ports.ts';
import { redactRedisUrl } from '../config/redis-url.ts';
import { createRedisEventStore } from '../store/redis-event-store.ts';
import { createRedisClient, redisTarget } from './redis-connection.ts';
import { StartupError } from './startup-error.ts';

export { StartupError };

/** Bundled so `npm start` works on a fresh clone before the team writes its own hotfix.yml. */
export const BUNDLED_CONFIG = fileURLToPath(new URL('../../config/hotfix.example.yml', import.meta.url));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Which config file to use: $HOTFIX_CONFIG when set (it must exist), else ./hotfix.yml, else the bundled
 * example — said out loud, so nobody runs the example by mistake.
 */
export const resolveConfigPath = async (
  raw: Readonly<Record<string, string | undefined>>,
  env: Env,
): Promise<{ path: string; bundled: boolean }> => {
  if (raw.HOTFIX_CONFIG) return { path: env.HOTFIX_CONFIG, bundled: false };
  if (await exists(env.HOTFIX_CONFIG)) return { path: env.HOTFIX_CONFIG, bundled: false };
  return { path: BUNDLED_CONFIG, bundled: true };
};

export interface LoadedConfig {
  readonly env: Env;
  readonly config: Config;
  readonly policy: Policy;
  readonly configPath: string;
  readonly bundled: boolean;
}

/** The validation every process does at start-up: environment, then hotfix.yml. */
export const loadSettings = async (
  raw: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> => {
  const env = readEnv(raw);
  const { path, bundled } = await resolveConfigPath(raw, env);
  const result = await loadConfigFile(path);
  if (!result.ok) throw new StartupError(result.problems.map(formatProblem));
  return { env, config: result.config, policy: result.policy, configPath: path, bundled };
};

/**
 * Connects to Redis: one server, Sentinel or Cluster, as REDIS_URL says (src/main/redis-connection.ts). A
 * one-shot command fails fast with one line; a long-running process (`service: true`) keeps reconnecting, as
 * workers must survive a Redis restart or failover.
 */
export const connectRedis = async (url: string, { service = false } = {}): Promise<Redis> => {
  const redis = createRedisClient(url, { service, lazyConnect: true });
  // ioredis reports connection failures as 'error' events; keep the first, it says why (ECONNREFUSED…).
  let cause: Error | undefined;
  const remember = (error: Error) => (cause ??= error);
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
    redis.off('error', remember);
    return redis;
  } catch (error) {
    redis.disconnect();
    const why = (cause ?? (error instanceof Error ? error : new Error(String(error)))).message.replace(
      /\.+$/,
      '',
    );
    const hint =
      redisTarget(url).mode === 'single'
        ? 'Start one with: redis-server --appendonly yes'
        : 'Check that the listed hosts are up and reachable from here';
    throw new StartupError([`cannot reach Redis at ${redactRedisUrl(url)} (REDIS_URL): ${why}. ${hint}`]);
  }
};

/**
 * HOTFIX_AUDIT_KEY, for a process that appends events (serve, worker): there is no unkeyed fallback, so
 * without it start-up stops with one line.
 */
export const requireAuditKey = (env: Env): string => {
  if (env.HOTFIX_AUDIT_KEY === undefined)
    throw new StartupError([
      "HOTFIX_AUDIT_KEY is not set: it keys the audit trail's hash chain (HMAC-SHA256). Generate one with `openssl rand -hex 32` and give every serve and worker process the same one",
    ]);
  return env.HOTFIX_AUDIT_KEY;
};

/**
 * A read-only store on a fresh connection, for one-shot CLI commands: this installation's keys
 * (HOTFIX_REDIS_PREFIX), and HOTFIX_AUDIT_KEY when set to check keyed events.
 */
export const openStore = async (env: Env): Promise<{ store: EventStore; close: () => Promise<void> }> => {
  const redis = await connectRedis(env.REDIS_URL);
  return {
    store: createRedisEventStore({
      redis,
      prefix: env.HOTFIX_REDIS_PREFIX,
      auditKey: env.HOTFIX_AUDIT_KEY,
      durability: { minReplicas: env.HOTFIX_REDIS_MIN_REPLICAS, timeoutMs: env.HOTFIX_REDIS_REPLICA_TIMEOUT },
    }),
    close: async () => {
      await redis.quit();
    },
  };
};
