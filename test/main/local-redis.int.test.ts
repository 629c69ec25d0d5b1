import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRedis } from '../../src/main/local-redis.ts';
import { useRedisServer } from '../helpers/redis.ts';

const log = { info: () => undefined, warn: () => undefined };
const existing = useRedisServer();

/** A URL nothing answers at: a port we held a moment ago. */
const silentUrl = async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return `redis://127.0.0.1:${port}`;
};

const connect = (url: string) => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  return redis;
};

const answers = async (url: string) => {
  const redis = connect(url);
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
};

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-local-redis-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureRedis', () => {
  it('uses REDIS_URL when it answers', async () => {
    const redis = await ensureRedis({ url: existing().url, dir, log });
    expect(redis).toMatchObject({ url: existing().url, started: false });
    await redis.stop();
    expect(await answers(existing().url)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('otherwise starts a private redis-server with AOF under <dir>/redis, and its data survives a restart', async () => {
    const url = await silentUrl();
    const first = await ensureRedis({ url, dir, log });
    expect(first.started).toBe(true);
    expect(first.url).not.toBe(url);
    const client = connect(first.url);
    await client.set('hotfix:kept', 'yes');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    client.disconnect();
    await first.stop();
    expect(await answers(first.url)).toBe(false);
    expect(await readdir(join(dir, 'redis'))).toContain('appendonlydir');

    const second = await ensureRedis({ url, dir, log });
    const again = connect(second.url);
    expect(await again.get('hotfix:kept')).toBe('yes');
    again.disconnect();
    await second.stop();
  });

  it('says in one line how to get Redis when there is none and no redis-server on PATH', async () => {
    const url = await silentUrl();
    const failure = ensureRedis({ url, dir, log, path: join(dir, 'empty-bin') });
    await expect(failure).rejects.toThrow(
      `No Redis: nothing answers at ${url} and redis-server is not on PATH. Install Redis 7 ` +
        '(apt-get install redis-server, brew install redis) or set REDIS_URL to a running server.',
    );
    await expect(failure).rejects.toThrow(/^[^\n]+$/);
  });

  it('stops the private server when our process is killed outright', async () => {
    const url = await silentUrl();
    const module = new URL('../../src/main/local-redis.ts', import.meta.url).href;
    const script = `
      const { ensureRedis } = await import(${JSON.stringify(module)});
      const log = { info: () => {}, warn: () => {} };
      const redis = await ensureRedis({ url: ${JSON.stringify(url)}, dir: ${JSON.stringify(dir)}, log });
      console.log(redis.url);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const privateUrl = line.toString().trim();
    expect(await answers(privateUrl)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    let alive = true;
    for (let i = 0; i < 200 && alive; i++) {
      alive = await answers(privateUrl);
      if (alive) await sleep(25);
    }
    expect(alive).toBe(false);
  });
});
