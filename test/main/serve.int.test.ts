import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startAppServer } from '../../src/main/serve.ts';
import { loadSettings } from '../../src/main/runtime.ts';
import type { SlackStandIn } from '../../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import type { OpenIdStandIn, TokenFlaw } from '../../src/teams-stand-in/openid.ts';
import { TOKEN_FLAWS, createOpenIdStandIn } from '../../src/teams-stand-in/openid.ts';
import { startConnectorCapture } from '../bot/teams/connector-capture.ts';
import { rawStatusLine } from '../helpers/raw-http.ts';
import { TEST_AUDIT_KEY, freePort, startRedisServer, useRedisServer } from '../helpers/redis.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const redisServer = useRedisServer();
const TOKEN = 'xoxb-serve-test';

/** Slack's Web API, played locally: Bolt checks its token against it at start-up. */
let standIn: SlackStandIn;
/** The Bot Framework's signing keys and a Bot Connector, played locally. */
let openId: OpenIdStandIn;
let connector: Awaited<ReturnType<typeof startConnectorCapture>>;
beforeAll(async () => {
  standIn = createSlackStandIn({
    workspace: { teamId: 'T0SERVE', users: [], channels: [{ id: 'C0INCIDENTS', name: 'incidents' }] },
    botToken: TOKEN,
  });
  await standIn.start();
  openId = createOpenIdStandIn();
  await openId.start();
  connector = await startConnectorCapture();
});
afterAll(async () => {
  await standIn.stop();
  await openId.stop();
  await connector.stop();
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

/** `hotfix serve --no-worker`, once it says it listens; `output()` is everything it wrote so far. */
const startServe = async (env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [...HOTFIX_CLI, 'serve', '--no-worker'], {
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
  return Object.assign(child, { output: () => output });
};

/** `hotfix serve` with this environment, to its exit: the exit code and what it wrote to stderr. */
const serveExit = async (env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [...HOTFIX_CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    // As its help says: Teams' endpoint exists only with MicrosoftAppId (or the local mode).
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', body: '{}' })).status,
    ).toBe(404);
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
      'hotfix: no chat credentials: hotfix serve needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack over HTTP), SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), or MicrosoftAppId and MicrosoftAppPassword (Teams); for a local try-out, run hotfix playground (npm start)',
    );
  });

  it('stops at start-up with one line naming a malformed variable', async () => {
    const child = spawn(process.execPath, [...HOTFIX_CLI, 'serve'], {
      env: { ...process.env, PORT: 'eighty', REDIS_URL: redisServer().url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('hotfix: PORT must be a port number (1-65535), got "eighty"');
  });

  it('stops with one line when its PORT is taken: which port, and how to pick another; no stack trace', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, resolve));
    try {
      const { code, stderr } = await serveExit(slackEnv(port, redisServer().url));
      expect(code).toBe(1);
      expect(stderr).toBe(
        `hotfix: port ${port} is already in use (another hotfix, or another program): stop that one, or pick another with PORT=<port>`,
      );
    } finally {
      taken.close();
    }
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
    const child = spawn(process.execPath, [...HOTFIX_CLI, 'serve'], {
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

const APP_ID = '8a2f0c1e-5d7b-4e3a-9c61-2b4d6f8e0a13';
const CHANNEL = '19:a1b2c3d4e5f6@thread.tacv2';

/** The environment of `hotfix serve` for Teams alone, its tokens checked against the OpenID stand-in. */
const teamsEnv = (port: number, redisUrl: string): NodeJS.ProcessEnv => ({
  ...withoutChat(),
  PORT: String(port),
  REDIS_URL: redisUrl,
  HOTFIX_CONFIG: 'config/hotfix.example.yml',
  HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: 'teams-password-never-used-offline',
  HOTFIX_TEAMS_OPENID_METADATA_URL: openId.metadataUrl,
  LOG_LEVEL: 'info',
});

/** `@hotfix help` in the incident channel, as Teams sends it. */
/** Each mention is a new activity: one with an id already handled is a redelivery, and dropped as one. */
let mentionIds = 1700000000000;
const helpMention = (serviceUrl: string) => ({
  type: 'message',
  id: String(++mentionIds),
  channelId: 'msteams',
  serviceUrl,
  text: '<at>hotfix</at> help',
  entities: [{ type: 'mention', text: '<at>hotfix</at>', mentioned: { id: `28:${APP_ID}`, name: 'hotfix' } }],
  from: { id: '29:lead', aadObjectId: '11111111-2222-3333-4444-555555555555', name: 'Lead' },
  recipient: { id: `28:${APP_ID}`, name: 'hotfix' },
  conversation: { id: `${CHANNEL};messageid=1700000000001`, conversationType: 'channel', tenantId: 'tenant' },
  channelData: { tenant: { id: 'tenant' }, channel: { id: CHANNEL } },
});

const postActivity = async (port: number, body: unknown, authorization?: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
};

const bearer = (serviceUrl: string, flaw?: TokenFlaw) =>
  `Bearer ${openId.token({ appId: APP_ID, serviceUrl, ...(flaw === undefined ? {} : { flaw }) })}`;

describe('hotfix serve with Teams', () => {
  it('starts with Teams credentials alone, and answers 401 to every flawed or missing token, never 500 and never a key in its output', async () => {
    const port = await freePort();
    const child = await startServe(teamsEnv(port, redisServer().url));
    try {
      const serviceUrl = connector.url;
      expect((await postActivity(port, helpMention(serviceUrl))).status).toBe(401);
      for (const flaw of TOKEN_FLAWS) {
        const answer = await postActivity(port, helpMention(serviceUrl), bearer(serviceUrl, flaw));
        expect({ flaw, ...answer }).toEqual({ flaw, status: 401, text: '{"error":"unauthorized"}' });
      }
      // Slack is not served: its route does not exist.
      expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/api/messages`)).status).toBe(405);
      const output = child.output();
      expect(output).not.toMatch(/BEGIN (RSA )?PUBLIC KEY/);
      expect(output).not.toContain(openId.issuer.jwks().keys[0]?.n.slice(0, 40));
      expect(output).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
      expect(output).toContain('teams request refused: unauthorized');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('acks a valid activity with 200, answers hostile payloads with 400 or 413, and keeps serving', async () => {
    const port = await freePort();
    const child = await startServe(teamsEnv(port, redisServer().url));
    try {
      const serviceUrl = connector.url;
      const token = bearer(serviceUrl);
      expect((await postActivity(port, helpMention(serviceUrl), token)).status).toBe(200);
      const hostile = [
        '{"type":',
        '"a string"',
        // Nested far deeper than anything recursive survives (built as text: JSON.stringify would overflow here).
        `${JSON.stringify(helpMention(serviceUrl)).slice(0, -1)},"value":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
        JSON.stringify({ ...helpMention(serviceUrl), entities: Array.from({ length: 100_000 }, () => 0) }),
        JSON.stringify({ ...helpMention(serviceUrl), conversation: 'nope' }),
      ];
      for (const body of hostile) expect((await postActivity(port, body, token)).status).toBe(400);
      const huge = JSON.stringify({ ...helpMention(serviceUrl), text: 'x'.repeat(2 * 1024 * 1024) });
      expect((await postActivity(port, huge, token)).status).toBe(413);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('in the local mode (no app id), warns at start and answers a mention with help through the connector', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...teamsEnv(port, redisServer().url),
      HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: '1',
    };
    delete env.MicrosoftAppId;
    delete env.MicrosoftAppPassword;
    const child = await startServe(env);
    try {
      connector.calls.length = 0;
      expect(child.output()).toContain('Teams without authentication');
      expect((await postActivity(port, helpMention(connector.url))).status).toBe(200);
      const [reply] = await connector.received(1);
      expect(reply?.authorization).toBeUndefined();
      expect(reply?.body).toMatchObject({ type: 'message', text: expect.stringContaining('`@hotfix help`') });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('stops at start-up with one line when Teams is served but the config has no teams section', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hotfix-serve-'));
    const config = join(dir, 'hotfix.yml');
    await writeFile(
      config,
      [
        'people: { technical: { teams: [aad-1] } }',
        'policy: { approvals: { technical: 1 } }',
        'services:',
        "  api: { deploy: { execution: [{ name: d, run: ['true'] }] }, rollback: { execution: [{ name: r, run: ['true'] }] } }",
      ].join('\n'),
    );
    const { code, stderr } = await serveExit({
      ...teamsEnv(await freePort(), redisServer().url),
      HOTFIX_CONFIG: config,
    });
    await rm(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'hotfix: Teams is served (MicrosoftAppId or HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED) but hotfix.yml has no teams section: add teams.incident_channel (the channel id hotfix opens a thread per hotfix in)',
    );
  });

  it('with a valid token, the help reply reaches the Bot Connector carrying the bot’s outbound token (in process)', async () => {
    const port = await freePort();
    const settings = await loadSettings(teamsEnv(port, redisServer().url));
    const app = await startAppServer({
      settings,
      processEnv: {},
      botToken: '',
      teams: { outboundToken: 'outbound-test-token' },
      worker: false,
      notifier: false,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
    });
    try {
      connector.calls.length = 0;
      const answer = await postActivity(app.port, helpMention(connector.url), bearer(connector.url));
      expect(answer.status).toBe(200);
      const [reply] = await connector.received(1);
      expect(reply?.authorization).toBe('Bearer outbound-test-token');
      expect(reply?.path).toMatch(
        /^\/v3\/conversations\/19%3Aa1b2c3d4e5f6%40thread\.tacv2%3Bmessageid%3D1700000000001\/activities/,
      );
      expect(reply?.body).toMatchObject({
        type: 'message',
        text: expect.stringContaining('`@hotfix start [issue-id]`'),
      });
    } finally {
      await app.close();
    }
  });
});
