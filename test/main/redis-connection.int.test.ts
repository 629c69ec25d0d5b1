import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { bullConnection, createRedisClient } from '../../src/main/redis-connection.ts';
import { connectRedis } from '../../src/main/redis-connection.ts';
import { StartupError } from '../../src/main/startup-error.ts';
import { freePort } from '../helpers/redis.ts';

describe('the Redis connection factory', () => {
  it('keeps a one-server REDIS_URL as it was: ioredis reads the URL, BullMQ gets it as options', () => {
    const url = 'redis://127.0.0.1:6390/2';
    const redis = createRedisClient(url, { service: true, lazyConnect: true });
    expect(redis.options).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2, maxRetriesPerRequest: null });
    redis.disconnect();
    expect(bullConnection(url).connection).toEqual({ url, maxRetriesPerRequest: null });
  });

  it('asks the sentinels for the primary, with both sets of credentials, and follows a failover', () => {
    const url = 'redis+sentinel://app:pw@10.0.0.1,10.0.0.2:26380/mymaster?db=1&sentinelPassword=spw';
    const redis = createRedisClient(url, { service: true, lazyConnect: true });
    expect(redis.options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
      name: 'mymaster',
      db: 1,
      username: 'app',
      password: 'pw',
      sentinelPassword: 'spw',
      failoverDetector: true,
      maxRetriesPerRequest: null,
    });
    redis.disconnect();
    expect(bullConnection(url).connection).toMatchObject({
      sentinels: [{ host: '10.0.0.1' }, { host: '10.0.0.2' }],
      name: 'mymaster',
      maxRetriesPerRequest: null,
    });
  });

  it('gives a cluster client to the product and to BullMQ (whose workers need maxRetriesPerRequest null)', async () => {
    const url = 'redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001';
    const redis = createRedisClient(url, { service: true, lazyConnect: true }) as unknown as Cluster;
    expect(redis.isCluster).toBe(true);
    expect(redis.options.redisOptions).toMatchObject({ password: 'pw', maxRetriesPerRequest: null });
    redis.disconnect();
    const bull = bullConnection(url);
    expect((bull.connection as Cluster).isCluster).toBe(true);
    await bull.close();
  });

  it.each([
    [
      'redis+sentinel://127.0.0.1:%d/mymaster',
      /^cannot reach Redis at redis\+sentinel:\/\/.*All sentinels are unreachable/,
    ],
    [
      'redis+cluster://127.0.0.1:%d',
      /^cannot reach Redis at redis\+cluster:\/\/.*Check that the listed hosts are up/,
    ],
  ])(
    'a one-shot command against %s with nothing listening fails at once, in one line',
    async (shape, message) => {
      const url = shape.replace('%d', String(await freePort()));
      const error = await connectRedis(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).lines).toEqual([expect.stringMatching(message)]);
    },
  );
});
