import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { deployedHistory } from '../domain/fixtures/record-histories.ts';
import { useRedisServer } from '../helpers/redis.ts';

const run = promisify(execFile);
const redisServer = useRedisServer();

/** Runs the real CLI against the suite's private Redis; resolves with the exit code instead of throwing. */
const hotfix = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run('node', ['bin/hotfix.js', ...args], {
      env: { ...process.env, REDIS_URL: redisServer().url, HOTFIX_CONFIG: 'config/hotfix.example.yml' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('hotfix record / verify', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = redisServer().connect();
    const store = createRedisEventStore({ redis, prefix: '' });
    const appended = await store.append('HF-42', 0, deployedHistory);
    expect(appended.ok).toBe(true);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('prints the record as Markdown and as JSON, with the verified chain head', async () => {
    const md = await hotfix('record', 'HF-42');
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Deployment Documentation/);
    expect(md.stdout).toContain('**Issue:** PAY-1423');
    const json = await hotfix('record', 'HF-42', '--format', 'json');
    const record = JSON.parse(json.stdout) as {
      hotfixId: string;
      events: { count: number; chain: { head: string } };
    };
    expect(record.hotfixId).toBe('HF-42');
    expect(record.events.count).toBe(deployedHistory.length);
    const verify = await hotfix('verify', 'HF-42');
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain(
      `${deployedHistory.length} events, hash chain intact (head ${record.events.chain.head})`,
    );
  });

  it('refuses an unknown id and a bad format clearly', async () => {
    expect(await hotfix('record', 'HF-404')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('HF-404 does not exist'),
    });
    expect(await hotfix('verify', 'HF-404')).toMatchObject({ code: 1 });
    const bad = await hotfix('record', 'HF-42', '--format', 'pdf');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are md, json/);
  });

  it('verify names the first tampered event', async () => {
    // Rewrite history: the stream is rebuilt with event 3 changed but its stored hash kept.
    const key = '{hotfix}:stream:HF-42';
    const entries = await redis.xrange(key, '-', '+');
    const tx = redis.multi().del(key);
    for (const [id, fields] of entries) {
      const i = fields.indexOf('event') + 1;
      if (id === '0-3') fields[i] = fields[i]!.replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"');
      tx.xadd(key, id, ...fields);
    }
    await tx.exec();
    const verify = await hotfix('verify', 'HF-42');
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/hash chain broken at event 3/);
  });
});
