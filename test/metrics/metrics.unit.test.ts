import { describe, expect, it } from 'vitest';
import { countedSlackFetch } from '../../src/main/metrics.ts';
import { HTTP_CONTENT_TYPE } from '../../src/metrics/http.ts';
import { CONTENT_TYPE, createMetrics, slackMethodOf, statusLabel } from '../../src/metrics/metrics.ts';
import type { ScrapeSources } from '../../src/metrics/metrics.ts';

const metricsFor = (services: string[] = ['api', 'web'], processMetrics = false) =>
  createMetrics({ processMetrics, services: () => services });

const lines = async (metrics: ReturnType<typeof createMetrics>) =>
  (await metrics.registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('metrics labels stay bounded', () => {
  it('turns kinds, methods, services, step kinds and words it does not know into `other`', async () => {
    const metrics = metricsFor();
    metrics.ack('slack', 'command', 0.01);
    metrics.ack('slack', 'U0ALICE clicked HF-12', 0.01);
    metrics.ack('teams', 'invoke adaptiveCard/action', 0.01);
    metrics.ack('teams', 'invoke something/new', 0.01);
    metrics.chatCall('slack', 'chat.update', 429);
    metrics.chatCall('slack', 'admin.users.invite', 200);
    metrics.chatCall('teams', 'HF-12 reply', 'timeout');
    metrics.step({ service: 'api', kind: 'run', outcome: 'succeeded', seconds: 2 });
    metrics.step({ service: 'billing-removed-from-config', kind: 'teleport', outcome: 'failed', seconds: 1 });
    metrics.command('StartHotfix', 'recorded');
    metrics.command('HF-12 {"evil":1}', 'refused', 'free text, from anywhere');
    const text = (await lines(metrics)).join('\n');
    expect(text).toContain('hotfix_ack_duration_seconds_count{platform="slack",kind="command"} 1');
    expect(text).toContain('hotfix_ack_duration_seconds_count{platform="slack",kind="other"} 1');
    expect(text).toContain(
      'hotfix_ack_duration_seconds_count{platform="teams",kind="invoke adaptiveCard/action"} 1',
    );
    expect(text).toContain('hotfix_ack_duration_seconds_count{platform="teams",kind="other"} 1');
    expect(text).toContain(
      'hotfix_chat_api_calls_total{platform="slack",method="chat.update",status="429"} 1',
    );
    expect(text).toContain('hotfix_chat_api_calls_total{platform="slack",method="other",status="200"} 1');
    expect(text).toContain('hotfix_chat_api_calls_total{platform="teams",method="other",status="timeout"} 1');
    expect(text).toContain(
      'hotfix_step_duration_seconds_count{service="api",kind="run",outcome="succeeded"} 1',
    );
    expect(text).toContain(
      'hotfix_step_duration_seconds_count{service="other",kind="other",outcome="failed"} 1',
    );
    expect(text).toContain('hotfix_commands_total{type="other",outcome="refused"} 1');
    expect(text).toContain('hotfix_refusals_total{code="other"} 1');
    expect(text).not.toMatch(/HF-12|U0ALICE|evil|billing|teleport|free text/);
  });

  it('reads a Slack URL as its Web API method, a response URL as such, and a status as a code or what happened', () => {
    expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodOf('http://127.0.0.1:9/api/views.open?x=1')).toBe('views.open');
    expect(slackMethodOf('https://slack.com/api/admin.conversations.delete')).toBe('other');
    expect(slackMethodOf('https://hooks.slack.com/commands/T0/1/abc')).toBe('response_url');
    expect(slackMethodOf('https://example.com/anything')).toBe('other');
    expect([statusLabel(429), statusLabel(1000), statusLabel('timeout'), statusLabel(undefined)]).toEqual([
      '429',
      'error',
      'timeout',
      'error',
    ]);
  });
});

describe('scrape-time gauges', () => {
  const sources = (overrides: Partial<ScrapeSources> = {}): ScrapeSources => ({
    jobCounts: async () => ({ pipeline: { waiting: 3, active: 1, delayed: 0 } }),
    openHotfixes: async () => ({ total: 250, byPhase: { planned: 150, deploying: 50 } }),
    locksHeld: async () => ({ api: true, web: false }),
    ...overrides,
  });

  it('reads queues, open hotfixes (the rest beyond those looked at as `unread`) and locks at each scrape', async () => {
    const metrics = metricsFor();
    metrics.watch(sources(), () => undefined);
    const text = await lines(metrics);
    expect(text).toEqual(
      expect.arrayContaining([
        'hotfix_redis_up 1',
        'hotfix_queue_jobs{queue="pipeline",state="waiting"} 3',
        'hotfix_queue_jobs{queue="pipeline",state="active"} 1',
        'hotfix_open_hotfixes{phase="planned"} 150',
        'hotfix_open_hotfixes{phase="deploying"} 50',
        'hotfix_open_hotfixes{phase="unread"} 50',
        'hotfix_deploy_locks_held{service="api"} 1',
        'hotfix_deploy_locks_held{service="web"} 0',
      ]),
    );
  });

  it('says Redis is down, and shows no stale values, when the read fails', async () => {
    const metrics = metricsFor();
    let down = false;
    const errors: unknown[] = [];
    metrics.watch(
      sources({
        jobCounts: async () => {
          if (down) throw new Error('ECONNREFUSED');
          return { pipeline: { waiting: 3, active: 1, delayed: 0 } };
        },
      }),
      (error) => errors.push(error),
    );
    expect(await lines(metrics)).toContain('hotfix_redis_up 1');
    down = true;
    const text = await lines(metrics);
    expect(text).toContain('hotfix_redis_up 0');
    expect(text.filter((l) => l.startsWith('hotfix_queue_jobs'))).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});

describe('the content type', () => {
  it("that serve's main thread sends without prom-client is prom-client's own", () => {
    expect(HTTP_CONTENT_TYPE).toBe(CONTENT_TYPE);
  });
});

describe('Slack calls counted through WebClient’s fetch', () => {
  it('counts each call by method and status, 429s and failures included, and hands the answer on unchanged', async () => {
    const metrics = metricsFor();
    const answers = [new Response('{"ok":false,"error":"ratelimited"}', { status: 429 }), new Response('{}')];
    const fetch = countedSlackFetch(metrics, async (input) => {
      if (String(input).includes('users.info')) throw new TypeError('fetch failed');
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      return answer;
    });
    const limited = await fetch('https://slack.com/api/chat.update', { method: 'POST' });
    expect(limited.status).toBe(429);
    await fetch('https://slack.com/api/chat.update', { method: 'POST' });
    await expect(fetch('https://slack.com/api/users.info')).rejects.toThrow('fetch failed');
    const text = await lines(metrics);
    expect(text).toEqual(
      expect.arrayContaining([
        'hotfix_chat_api_calls_total{platform="slack",method="chat.update",status="429"} 1',
        'hotfix_chat_api_calls_total{platform="slack",method="chat.update",status="200"} 1',
        'hotfix_chat_api_calls_total{platform="slack",method="users.info",status="error"} 1',
      ]),
    );
  });
});
