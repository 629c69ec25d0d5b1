import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createEngine } from '../../src/main/engine.ts';
import { FEED_KEEP_MS } from '../../src/store/feed.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { opening } from '../store/sample-events.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';

const redisServer = useRedisServer();

const CONFIG = [
  'people: { technical: { slack: [U0A1] } }',
  'policy: { approvals: { technical: 1 } }',
  'services:',
  "  api: { deploy: { execution: [{ name: d, run: ['true'] }] }, rollback: { execution: [{ name: r, run: ['true'] }] } }",
].join('\n');

describe('the engine', () => {
  it("trims the global feed of entries no projector needs when its workers' sweep runs", async () => {
    const redis = redisServer().connect();
    const prefix = uniquePrefix('engine');
    const { feed } = storeKeys(prefix);
    await createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY }).append(
      'HF-1',
      0,
      opening('HF-1'),
    );
    const [[lastId]] = (await redis.xrevrange(feed, '+', '-', 'COUNT', 1)) as [[string, string[]]];
    const parsed = parseConfig(CONFIG, 'hotfix.yml');
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
    // A clock an hour past the last entry: nothing reads this feed, so all of it may go.
    const later = new Date(Number(lastId.split('-')[0]) + FEED_KEEP_MS + 1);
    const engine = await createEngine({
      env: readEnv({
        REDIS_URL: redisServer().url,
        HOTFIX_REDIS_PREFIX: prefix,
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      }),
      config: parsed.config,
      policy: parsed.policy,
      processEnv: {},
      log: pino({ level: 'silent' }),
      clock: { now: () => later },
    });
    try {
      expect(await redis.xlen(feed)).toBe(3);
      engine.startWorkers();
      await waitFor('the feed trimmed', async () => (await redis.xlen(feed)) === 0);
    } finally {
      await engine.close();
      redis.disconnect();
    }
  });
});
