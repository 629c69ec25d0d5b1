import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import { runChecklistProbe, runProbe, runStep } from '../../../src/jobs/steps/run-step.ts';
import type { TestServer } from './helpers.ts';
import { checkStepOf, probeOf, startServer, testContext } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
  server.answer((_, res) => res.end('ok'));
});

const answerJson = (status: number, body: unknown) =>
  server.answer((_, res) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });

describe('check steps', () => {
  it('passes when every expectation holds, with templated URL and headers', async () => {
    answerJson(200, { status: 'ok', checks: { db: { ok: true } }, failures: 0 });
    const step = checkStepOf({
      url: server.url('/health?service={{service}}'),
      headers: { 'X-Step': '{{step.name}}' },
      expect: {
        status: 200,
        body_contains: '"status":"ok"',
        json: [
          { path: 'checks.db.ok', op: 'eq', value: true },
          { path: 'failures', op: 'lte', value: 0 },
        ],
        latency_ms_under: 60_000,
      },
    });
    const outcome = await runStep(step, testContext());
    expect(outcome).toMatchObject({
      ok: true,
      detail: `GET ${server.url('/health?service=payments-api')} → 200`,
    });
    expect(server.received[0]?.headers['x-step']).toBe('Code deployment');
  });

  it('probes up to its attempts, an interval apart, and names the status it got', async () => {
    server.answer((_, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const ctx = testContext();
    const step = checkStepOf({
      url: server.url('/health'),
      expect: { status: 200 },
      attempts: 5,
      interval: 10_000,
    });
    const outcome = await runStep(step, ctx);
    expect(outcome).toMatchObject({ ok: false, error: 'expected status 200, got 503 after 5 attempts' });
    expect(server.received).toHaveLength(5);
    expect(ctx.sleeps).toEqual([10_000, 10_000, 10_000, 10_000]);
    const lines = outcome.output.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/health → 503 \(\d+ ms\): expected status 200, got 503$/,
    );
    expect(lines[5]).toBe('down');
  });

  it('stops probing once the expectations hold', async () => {
    let calls = 0;
    server.answer((_, res) => {
      calls += 1;
      res.statusCode = calls < 3 ? 502 : 200;
      res.end();
    });
    const ctx = testContext();
    const outcome = await runStep(
      checkStepOf({ url: server.url('/health'), attempts: 10, interval: 1_000 }),
      ctx,
    );
    expect(outcome.ok).toBe(true);
    expect(server.received).toHaveLength(3);
    expect(ctx.sleeps).toEqual([1_000, 1_000]);
  });

  it('names the first failing expectation precisely', async () => {
    answerJson(200, {
      status: 'degraded',
      checks: { db: { ok: false } },
      rate: 0.2,
      results: [{ state: 'failed' }],
    });
    const error = async (expect: Parameters<typeof checkStepOf>[0]['expect']) => {
      const outcome = await runStep(checkStepOf({ url: server.url('/h'), expect }), testContext());
      return outcome.ok ? 'passed' : outcome.error;
    };
    expect(await error({ status: 204 })).toBe('expected status 204, got 200');
    expect(await error({ body_contains: '"status":"ok"' })).toBe(
      'expected the body to contain "\\"status\\":\\"ok\\""',
    );
    expect(await error({ json: [{ path: 'checks.db.ok', op: 'eq', value: true }] })).toBe(
      '$.checks.db.ok: expected eq true, got false',
    );
    expect(await error({ json: [{ path: 'rate', op: 'lt', value: 0.01 }] })).toBe(
      '$.rate: expected lt 0.01, got 0.2',
    );
    expect(await error({ json: [{ path: 'results[0].state', op: 'ne', value: 'failed' }] })).toBe(
      '$.results[0].state: expected ne "failed", got "failed"',
    );
    expect(await error({ json: [{ path: 'checks.cache.ok', op: 'eq', value: true }] })).toBe(
      '$.checks.cache.ok: expected eq true, but the path is missing',
    );
  });

  it('fails a response slower than latency_ms_under', async () => {
    server.answer((_, res) => {
      void sleep(300).then(() => res.end('slow'));
    });
    const outcome = await runStep(
      checkStepOf({ url: server.url('/slow'), expect: { latency_ms_under: 100 } }),
      testContext(),
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      const [, latency] = /^latency (\d+) ms ≥ 100 ms$/.exec(outcome.error) ?? [];
      expect(Number(latency)).toBeGreaterThanOrEqual(300);
    }
  });

  it('bounds the whole series of probes by the step timeout', async () => {
    server.answer(() => undefined);
    const outcome = await runStep(
      checkStepOf({ url: server.url('/hang'), attempts: 3 }, { timeout: 300 }),
      testContext(),
    );
    expect(outcome).toMatchObject({
      ok: false,
      error: 'timed out after 300ms',
    });
    expect(server.received).toHaveLength(1);
  });

  it('stops waiting for the next probe when the step timeout would pass first', async () => {
    server.answer((_, res) => {
      res.statusCode = 503;
      res.end();
    });
    const ctx = testContext();
    const step = checkStepOf({ url: server.url('/h'), attempts: 3, interval: 120_000 }, { timeout: 60_000 });
    expect(await runStep(step, ctx)).toMatchObject({
      ok: false,
      error: 'timed out after 1m (last: expected a 2xx status, got 503)',
    });
    expect(server.received).toHaveLength(1);
    expect(ctx.sleeps).toHaveLength(1);
  });

  it('retries the whole check when the step has attempts', async () => {
    server.answer((_, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ctx = testContext();
    const step = checkStepOf(
      { url: server.url('/h'), attempts: 2, interval: 1_000 },
      { attempts: 2, interval: 60_000 },
    );
    expect(await runStep(step, ctx)).toMatchObject({
      ok: false,
      error: 'expected a 2xx status, got 500 after 2 attempts (try 2 of 2)',
    });
    expect(server.received).toHaveLength(4);
    expect(ctx.sleeps).toEqual([1_000, 60_000, 1_000]);
  });
});

describe('runProbe (monitors)', () => {
  it('needs only the variables a monitor knows', async () => {
    answerJson(200, { rate: 0.001 });
    const { vars, ...rest } = testContext();
    const outcome = await runProbe(
      probeOf({
        url: server.url('/rate?service={{service}}'),
        expect: { json: [{ path: 'rate', op: 'lt', value: 0.01 }] },
      }),
      { ...rest, vars: { 'hotfix.id': vars['hotfix.id'], service: 'payments-api' } },
    );
    expect(outcome).toMatchObject({
      ok: true,
      detail: `GET ${server.url('/rate?service=payments-api')} → 200`,
    });
  });

  it('measures what it read: status, latency and each JSON path, masked; an absent path is left out', async () => {
    answerJson(200, { rate: 0.004, state: 'degraded token-s3cret', checks: { db: [1, 2] } });
    const outcome = await runProbe(
      probeOf({
        url: server.url('/rate'),
        expect: {
          json: [
            { path: 'rate', op: 'lt', value: 0.01 },
            { path: 'rate', op: 'gte', value: 0 },
            { path: 'state', op: 'ne', value: 'down' },
            { path: 'checks.db', op: 'ne', value: null },
          ],
        },
      }),
      testContext({ masker: createMasker({ values: ['token-s3cret'], patterns: [] }) }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      measurement: {
        status: 200,
        values: { rate: 0.004, state: 'degraded ***', 'checks.db': '[1,2]' },
      },
    });
    expect(outcome.measurement?.latencyMs).toBeGreaterThanOrEqual(0);

    // A breach keeps what the last response measured, and a path the body lacks is not invented.
    answerJson(503, { state: 'down' });
    const breached = await runProbe(
      probeOf({
        url: server.url('/rate'),
        expect: {
          status: 200,
          json: [
            { path: 'rate', op: 'lt', value: 0.01 },
            { path: 'state', op: 'eq', value: 'ok' },
          ],
        },
      }),
      testContext(),
    );
    expect(breached).toMatchObject({ ok: false, measurement: { status: 503, values: { state: 'down' } } });
    expect(breached.measurement?.values).not.toHaveProperty('rate');
  });

  it('measures nothing when nothing answered', async () => {
    const outcome = await runProbe(probeOf({ url: 'http://127.0.0.1:1/health' }), testContext());
    expect(outcome.ok).toBe(false);
    expect(outcome.measurement).toBeUndefined();
  });

  it('fails clearly on a variable the context lacks', async () => {
    const { vars: _vars, ...rest } = testContext();
    const outcome = await runProbe(probeOf({ url: server.url('/{{run.id}}') }), { ...rest, vars: {} });
    expect(outcome).toMatchObject({ ok: false, error: 'no value for template variable "{{run.id}}"' });
    expect(server.received).toHaveLength(0);
  });
});

describe('checklist HTTP checks', () => {
  it('gives the request and status as evidence', async () => {
    const outcome = await runChecklistProbe(
      { kind: 'check', ...probeOf({ url: server.url('/status') }) },
      testContext(),
    );
    expect(outcome).toMatchObject({ ok: true, detail: `GET ${server.url('/status')} → 200` });
  });
});
