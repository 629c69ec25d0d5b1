import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('stops at start-up with one line when Slack credentials are set but the config names no Slack channel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hotfix-serve-'));
    const config = join(dir, 'hotfix.yml');
    await writeFile(
      config,
      [
        'people: { technical: { slack: [U0A1] } }',
        'policy: { approvals: { technical: 1 } }',
        'services:',
        "  api: { deploy: { execution: [{ name: d, run: ['true'] }] }, rollback: { execution: [{ name: r, run: ['true'] }] } }",
      ].join('\n'),
    );
    const child = spawn('node', ['bin/hotfix.js', 'serve'], {
      env: {
        ...process.env,
        REDIS_URL: redisServer().url,
        HOTFIX_CONFIG: config,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    await rm(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'hotfix: SLACK_BOT_TOKEN is set but hotfix.yml has no slack section: add slack.incident_channel (the channel id hotfix posts cards in)',
    );
  });
});
