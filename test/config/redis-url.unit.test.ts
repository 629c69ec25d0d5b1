import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl } from '../../src/config/redis-url.ts';

const target = (url: string) => {
  const parsed = parseRedisUrl(url);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.target;
};
const reason = (url: string) => {
  const parsed = parseRedisUrl(url);
  return parsed.ok ? 'accepted' : parsed.reason;
};

describe('REDIS_URL', () => {
  it('passes a one-server URL through untouched, as ioredis reads it', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://:pw@redis.internal:6380/2', 'redis://u:p@h/0'])
      expect(target(url)).toEqual({ mode: 'single', url });
  });

  it('reads Sentinel: the sentinels (26379 by default), the master name, the db and both sets of credentials', () => {
    expect(
      target(
        'redis+sentinel://app:s%40cret@10.0.0.1,10.0.0.2:26380,[::1]:26381/mymaster?db=3&sentinelPassword=sp',
      ),
    ).toEqual({
      mode: 'sentinel',
      tls: false,
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      db: 3,
      username: 'app',
      password: 's@cret',
      sentinelPassword: 'sp',
    });
    expect(target('rediss+sentinel://:pw@s1/main')).toEqual({
      mode: 'sentinel',
      tls: true,
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'main',
      db: 0,
      password: 'pw',
    });
  });

  it('reads Cluster: some of its nodes (6379 by default) and the credentials', () => {
    expect(target('redis+cluster://node-a:7000,node-b')).toEqual({
      mode: 'cluster',
      tls: false,
      nodes: [
        { host: 'node-a', port: 7000 },
        { host: 'node-b', port: 6379 },
      ],
    });
    expect(target('rediss+cluster://:pw@node-a:7000/')).toMatchObject({
      mode: 'cluster',
      tls: true,
      password: 'pw',
    });
  });

  it('says what is wrong, without repeating a password', () => {
    expect(reason('localhost:6379')).toMatch(/^must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(reason('redis+sentinel://s1:26379')).toMatch(/must end with the master name/);
    expect(reason('redis+sentinel:///mymaster')).toBe('lists no sentinel (host:port)');
    expect(reason('redis+cluster://a:7000,,b:7000')).toBe('lists no cluster node (host:port)');
    expect(reason('redis+cluster://a:7000?db=1')).toMatch(/only database 0/);
    expect(reason('redis+sentinel://s1/m?timeout=5')).toBe(
      'has an unknown option "timeout" (known: db, sentinelUsername, sentinelPassword)',
    );
    expect(reason('redis+sentinel://s1/m?db=x')).toMatch(/db that is not a database number/);
    expect(reason('redis+sentinel://s1:0/m')).toBe('"s1:0" has no valid port (1-65535)');
    expect(reason('redis+sentinel://a b/m')).toBe('"a b" is not host or host:port');
    expect(reason('redis+cluster://:pw%zz@a')).toMatch(/percent-encoded/);
    expect(reason('redis+sentinel://:hunter2@s1,s2:x/m')).not.toMatch(/hunter2/);
  });

  it('masks passwords for messages and logs', () => {
    expect(redactRedisUrl('redis+sentinel://u:p@s1,s2/m?sentinelPassword=q&db=1')).toBe(
      'redis+sentinel://***@s1,s2/m?sentinelPassword=***&db=1',
    );
  });
});
