import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import { rawStatusLine } from '../helpers/raw-http.ts';
import { TEST_AUDIT_KEY, freePort, startRedisServer, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();
const TOKEN = 'xoxb-serve-test';

/** Slack's Web API, played locally: Bolt checks its token against it at start-up. */
let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = createSlackStandIn({
    workspace: { teamId: 'T0SERVE', users: [], channels: [{ id: 'C0INCIDENTS', name: 'incidents' }] },
    botToken: TOKEN,
  });
  await standIn.start();
});
afterAll(async () => {
  await standIn.stop();
});

/** The environment of `hotfix serve` for Slack over HTTP, with the example config. */
const slackEnv = (port: number, redisUrl: string): NodeJS.ProcessEnv => ({
  ...process.env,
  PORT: String(port),
  REDIS_URL: redisUrl,
  HOTFIX_CONFIG: 'config/hotfix.example.yml',
  HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_SIGNING_SECRET: 'serve-test-signing-secret',
  SLACK_API_URL: standIn.url,
  LOG_LEVEL: 'info',
});

/** `hotfix serve --no-worker`, once it says it listens. */
const startServe = async (env: NodeJS.ProcessEnv) => {
  const child = spawn('node', ['bin/hotfix.js', 'serve', '--no-worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => output.includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${output}`)));
  });
  return child;
};

/** `hotfix serve` with this environment, to its exit: the exit code and what it wrote to stderr. */
const serveExit = async (env: NodeJS.ProcessEnv) => {
  const child = spawn('node', ['bin/hotfix.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr: stderr.trim() };
};

/** The environment without any chat credentials the machine running the tests may have. */
const withoutChat = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SLACK_|Microsoft|HOTFIX_)/.test(name)),
  );

describe('hotfix serve', () => {
  it('answers /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = await startServe(slackEnv(port, redisServer().url));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('answers a request target no URL parser takes with 400 and keeps serving', async () => {
    const port = await freePort();
    const child = await startServe(slackEnv(port, redisServer().url));
    try {
      // Before: `new URL('//[')` threw in the request handler and the process exited.
      expect(await rawStatusLine(port, 'GET //[ HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('answers /readyz 503 at once while Redis is down, instead of waiting for it to come back', async () => {
    const redis = await startRedisServer();
    const port = await freePort();
    const child = await startServe(slackEnv(port, redis.url));
    try {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      await redis.stop();
      // Generous: the old /readyz never answered while Redis stayed down.
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(10_000) });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not ready' });
    } finally {
      // Its shutdown would wait for Redis: this test is about /readyz only.
      child.kill('SIGKILL');
      await redis.stop();
    }
  });

  it('never falls back to the playground: without chat credentials it stops with one line saying what is missing', async () => {
    const { code, stderr } = await serveExit({ ...withoutChat(), REDIS_URL: redisServer().url });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'hotfix: no chat credentials: hotfix serve needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack over HTTP), or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); for a local try-out, run hotfix playground (npm start)',
    );
  });

  it('says Teams is not served yet when only Teams credentials are set', async () => {
    const { code, stderr } = await serveExit({
      ...withoutChat(),
      REDIS_URL: redisServer().url,
      MicrosoftAppId: '00000000-0000-0000-0000-000000000000',
      MicrosoftAppPassword: 'teams-password',
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'hotfix: Microsoft Teams is not served yet: hotfix serve needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) to serve Slack; for a local try-out, run hotfix playground (npm start)',
    );
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
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
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
