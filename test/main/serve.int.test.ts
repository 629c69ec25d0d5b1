import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { freePort, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();

describe('hotfix serve', () => {
  it('answers /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('node', ['bin/hotfix.js', 'serve', '--no-worker'], {
      env: {
        ...process.env,
        PORT: String(port),
        REDIS_URL: redisServer().url,
        HOTFIX_CONFIG: 'config/hotfix.example.yml',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => output.includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${output}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('stops at start-up with one line naming a malformed variable', async () => {
    const child = spawn('node', ['bin/hotfix.js', 'serve'], {
      env: { ...process.env, PORT: 'eighty', REDIS_URL: redisServer().url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('hotfix: PORT must be a port number (1-65535), got "eighty"');
  });
});
