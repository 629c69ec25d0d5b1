import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALICE, DAVE, INCIDENTS, planValues, startSlackWorld, waitFor } from '../e2e/slack-flow.ts';
import type { SlackWorld } from '../e2e/slack-flow.ts';
import type { Harness } from '../jobs/harness.ts';
import { createHarness } from '../jobs/harness.ts';
import { pino } from 'pino';
import { startAppServer } from '../../src/main/serve.ts';
import { loadSettings } from '../../src/main/runtime.ts';
import { startConnectorCapture } from '../bot/teams/connector-capture.ts';
import { TEST_AUDIT_KEY, freePort, useRedisServer } from '../helpers/redis.ts';
import { patiently } from '../helpers/wait.ts';

const redisServer = useRedisServer();

/** The value of one series in Prometheus' text format (labels as written, in their declared order). */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const scrape = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

describe('hotfix serve: GET /metrics', () => {
  let world: SlackWorld;
  beforeAll(async () => {
    world = await startSlackWorld(redisServer().url, () => redisServer().connect());
  }, 30_000);
  afterAll(async () => world?.close());

  it("shows what the app thread did (a command, its chat calls, the queues) merged with the main thread's acks, process metrics once, no ids", async () => {
    const before = world.standIn.messages(INCIDENTS).length;
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-42' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    await world.slack.submitView({ user: ALICE, viewId: modal.view.id, values: planValues() });
    const card = await waitFor('the card', () =>
      world.standIn
        .messages(INCIDENTS)
        .slice(before)
        .find((m) => /HF-\d+ ·/.test(m.text)),
    );
    const hotfixId = /HF-\d+/.exec(card.text)?.[0] ?? '';
    const url = `http://127.0.0.1:${world.port}/metrics`;
    const first = await scrape(url);
    expect(first.status).toBe(200);
    expect(first.type).toContain('text/plain');
    // Read from Redis at the scrape, in the app thread.
    expect(sample(first.text, 'hotfix_open_hotfixes{phase="planned"}')).toBe(1);
    expect(sample(first.text, 'hotfix_queue_jobs{queue="pipeline",state="waiting"}')).toBe(0);
    expect(sample(first.text, 'hotfix_deploy_locks_held{service="api"}')).toBe(0);
    expect(sample(first.text, 'hotfix_redis_up')).toBe(1);

    // Dave cancels it (recorded), cancels it again (answered before any command: it is already cancelled),
    // then logs an issue on it: refused, wrong phase.
    // Each waits for the answer to the one before: the ack comes before the command is handled, so
    // without the wait the second cancel could reach the handler before the first is recorded.
    const commands = [
      `cancel ${hotfixId} not needed`,
      `cancel ${hotfixId} not needed`,
      `issue ${hotfixId} x`,
    ];
    for (const [index, text] of commands.entries()) {
      await world.slack.command({ user: DAVE, channel: INCIDENTS, text });
      await waitFor(`answer ${index + 1}`, () => world.ephemerals(DAVE).length > index);
    }
    await waitFor('a thread line', () => world.thread(hotfixId).length > 0);

    const { text } = await scrape(url);
    // The app thread's: the commands it handled, and the Slack calls it made (Bolt's included).
    expect(sample(text, 'hotfix_commands_total{type="StartHotfix",outcome="recorded"}')).toBe(1);
    expect(sample(text, 'hotfix_commands_total{type="CancelHotfix",outcome="recorded"}')).toBe(1);
    expect(sample(text, 'hotfix_commands_total{type="CancelHotfix",outcome="repeat"}')).toBeUndefined();
    expect(sample(text, 'hotfix_commands_total{type="LogIssue",outcome="refused"}')).toBe(1);
    expect(sample(text, 'hotfix_refusals_total{code="wrong_phase"}')).toBe(1);
    expect(
      sample(text, 'hotfix_chat_api_calls_total{platform="slack",method="auth.test",status="200"}'),
    ).toBe(1);
    expect(
      sample(text, 'hotfix_chat_api_calls_total{platform="slack",method="views.open",status="200"}'),
    ).toBe(1);
    expect(
      sample(text, 'hotfix_chat_api_calls_total{platform="slack",method="chat.postMessage",status="200"}'),
    ).toBeGreaterThan(0);
    expect(text).not.toMatch(/method="other"/);
    // The notifier drew the card and posted thread lines: how long after their events.
    expect(sample(text, 'hotfix_notifier_lag_seconds_count{platform="slack",what="card"}')).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'hotfix_notifier_lag_seconds_count{platform="slack",what="line"}')).toBeGreaterThan(
      0,
    );
    expect(text).not.toMatch(/hotfix_open_hotfixes\{phase="planned"\}/);
    // The main thread's: the acks it timed.
    expect(sample(text, 'hotfix_ack_duration_seconds_count{platform="slack",kind="command"}')).toBe(4);
    expect(sample(text, 'hotfix_ack_duration_seconds_count{platform="slack",kind="view_submission"}')).toBe(
      1,
    );
    // The process metrics once, not once per thread.
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    expect(text.match(/^process_resident_memory_bytes /gm)).toHaveLength(1);
    // Bounded labels: no hotfix id, no user id.
    expect(text).not.toContain(hotfixId);
    expect(text).not.toContain(ALICE);
  });
});

describe('hotfix serve with Teams: GET /metrics', () => {
  it("times the front's acks of Teams activities by kind and counts the app thread's Bot Connector calls", async () => {
    const connector = await startConnectorCapture();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(SLACK_|Microsoft|HOTFIX_)/.test(name)),
    );
    const settings = await loadSettings({
      ...env,
      PORT: String(await freePort()),
      REDIS_URL: redisServer().url,
      HOTFIX_CONFIG: 'config/hotfix.example.yml',
      HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: '1',
    });
    const app = await startAppServer({
      settings,
      processEnv: {},
      botToken: '',
      teams: {},
      worker: false,
      notifier: false,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
    });
    try {
      const channel = '19:a1b2c3d4e5f6@thread.tacv2';
      const mention = {
        type: 'message',
        id: '1700000000123',
        channelId: 'msteams',
        serviceUrl: connector.url,
        text: '<at>hotfix</at> help',
        entities: [
          { type: 'mention', text: '<at>hotfix</at>', mentioned: { id: '28:hotfix', name: 'hotfix' } },
        ],
        from: { id: '29:lead', aadObjectId: '11111111-2222-3333-4444-555555555555', name: 'Lead' },
        recipient: { id: '28:hotfix', name: 'hotfix' },
        conversation: {
          id: `${channel};messageid=1700000000001`,
          conversationType: 'channel',
          tenantId: 't',
        },
        channelData: { tenant: { id: 't' }, channel: { id: channel } },
      };
      const posted = await fetch(`http://127.0.0.1:${app.port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(mention),
      });
      expect(posted.status).toBe(200);
      await connector.received(1);
      // A refused request is no kind of activity: not timed.
      await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', body: '{' });
      const { text } = await scrape(`http://127.0.0.1:${app.port}/metrics`);
      expect(sample(text, 'hotfix_ack_duration_seconds_count{platform="teams",kind="message"}')).toBe(1);
      expect(text).not.toMatch(/platform="teams",kind="other"/);
      await vi.waitFor(
        async () =>
          expect(
            sample(
              (await scrape(`http://127.0.0.1:${app.port}/metrics`)).text,
              'hotfix_chat_api_calls_total{platform="teams",method="send",status="201"}',
            ),
          ).toBe(1),
        patiently,
      );
    } finally {
      await app.close();
      await connector.stop();
    }
  });
});

describe('hotfix worker: GET /metrics', () => {
  let harness: Harness | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await harness?.close();
    harness = undefined;
  });

  /** A `hotfix worker` with these variables; its JSON log lines, as read so far. */
  const spawnWorker = (h: Harness) => {
    const child = h.spawnWorker();
    children.push(child);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const lines = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { child, lines, output: () => out };
  };

  it('serves its steps, queues and process metrics on 127.0.0.1 by default, and logs JSON lines carrying hotfixId, runId and step', async () => {
    const h = (harness = await createHarness(redisServer().url, {
      workers: false,
      env: { LOG_LEVEL: 'info', HOTFIX_METRICS_PORT: '0' },
    }));
    const worker = spawnWorker(h);
    const started = await waitFor('the worker to start', () =>
      worker.lines().find((l) => l.msg === 'hotfix worker started'),
    );
    const url = String(started.metrics);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const hotfixId = await h.approveAndDeploy();
    await h.stepRunning(hotfixId, 'confirm');

    // Not a terminal: one JSON object a line (JSON.parse above throws otherwise), each step's with its context.
    const backup = worker.lines().find((l) => l.msg === 'step succeeded' && l.name === 'backup');
    expect(backup).toMatchObject({ hotfixId, runId: 'deploy-1', step: expect.any(String), attempt: 1 });

    const { status, text } = await scrape(url);
    expect(status).toBe(200);
    expect(
      sample(text, 'hotfix_step_duration_seconds_count{service="api",kind="run",outcome="succeeded"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^hotfix_commands_total\{type="SucceedStep",outcome="recorded"\} \d+$/m);
    expect(text).toMatch(/^hotfix_queue_jobs\{queue="timers",state="delayed"\} \d+$/m);
    expect(sample(text, 'hotfix_open_hotfixes{phase="deploying"}')).toBe(1);
    expect(sample(text, 'hotfix_deploy_locks_held{service="api"}')).toBe(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toContain(hotfixId);
  });

  it('answers a scrape without HOTFIX_METRICS_TOKEN with 401 when one is set', async () => {
    const token = 'metrics-test-token-0123456789';
    const h = (harness = await createHarness(redisServer().url, {
      workers: false,
      env: { LOG_LEVEL: 'info', HOTFIX_METRICS_PORT: '0', HOTFIX_METRICS_TOKEN: token },
    }));
    const worker = spawnWorker(h);
    const started = await waitFor('the worker to start', () =>
      worker.lines().find((l) => l.msg === 'hotfix worker started'),
    );
    const url = String(started.metrics);
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(
      401,
    );
    const allowed = await scrape(url, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(/^hotfix_redis_up 1$/m);
    expect(worker.output()).not.toContain(token);
  });
});
