import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import { runStep } from '../../../src/jobs/steps/run-step.ts';
import { patiently } from '../../helpers/wait.ts';
import type { TestServer } from './helpers.ts';
import { httpStepOf, startServer, testContext } from './helpers.ts';

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

describe('http steps', () => {
  it('sends the templated URL, headers and JSON body exactly', async () => {
    server.answer((_, res) => {
      res.statusCode = 201;
      res.end('{"id":1}');
    });
    const step = httpStepOf({
      url: server.url('/notices/{{hotfix.id}}?service={{service}}'),
      headers: { 'X-Hotfix-Id': '{{hotfix.id}}', 'X-Static': 'literal' },
      body: {
        title: 'Maintenance: {{service}}',
        text: 'Hotfix {{hotfix.id}} for {{plan.issue_id}}: {{plan.summary}}',
        '{{service}}': 'keys stay literal',
        links: ['{{hotfix.url}}', 3, true, null],
        nested: { version: '{{plan.version}}', n: 1.5 },
      },
      expect_status: 201,
    });
    const outcome = await runStep(step, testContext());
    expect(outcome).toMatchObject({
      ok: true,
      detail: `POST ${server.url('/notices/HF-7?service=payments-api')} → 201`,
    });
    expect(outcome.output).toMatch(
      new RegExp(
        `^POST ${server.url('/notices/HF-7\\?service=payments-api')} → 201 \\(\\d+ ms\\)\\n\\{"id":1\\}$`,
      ),
    );
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/notices/HF-7?service=payments-api');
    expect(request?.headers['x-hotfix-id']).toBe('HF-7');
    expect(request?.headers['x-static']).toBe('literal');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      title: 'Maintenance: payments-api',
      text: 'Hotfix HF-7 for INC-42: Fix "double" charge & refunds',
      '{{service}}': 'keys stay literal',
      links: ['https://chat.example.com/HF-7', 3, true, null],
      nested: { version: '1.0; rm -rf /', n: 1.5 },
    });
  });

  it('keeps a content-type given in headers', async () => {
    const step = httpStepOf({
      url: server.url('/x'),
      headers: { 'Content-Type': 'application/vnd.api+json' },
      body: { a: 1 },
    });
    await runStep(step, testContext());
    expect(server.received[0]?.headers['content-type']).toBe('application/vnd.api+json');
  });

  it('fails on an unexpected status, showing the status and the start of the body, masked', async () => {
    server.answer((_, res) => {
      res.statusCode = 503;
      res.end(`token tok-123456 rejected ${'x'.repeat(1000)}`);
    });
    const ctx = testContext({ masker: createMasker({ values: ['tok-123456'], patterns: [] }) });
    const outcome = await runStep(httpStepOf({ url: server.url('/hook?key=tok-123456') }), ctx);
    expect(outcome).toMatchObject({ ok: false, error: 'expected a 2xx status, got 503' });
    const [headline, body] = outcome.output.split('\n');
    expect(headline).toMatch(new RegExp(`^POST ${server.url('/hook\\?key=\\*\\*\\*')} → 503 \\(\\d+ ms\\)$`));
    expect(body).toBe(`token *** rejected ${'x'.repeat(500 - 'token *** rejected '.length)}…`);

    const exact = await runStep(httpStepOf({ url: server.url('/'), expect_status: 201 }), ctx);
    expect(exact).toMatchObject({ ok: false, error: 'expected status 201, got 503' });
  });

  it('retries with a doubling backoff until the endpoint answers as expected', async () => {
    let calls = 0;
    server.answer((_, res) => {
      calls += 1;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end();
    });
    const ctx = testContext();
    const outcome = await runStep(
      httpStepOf({ url: server.url('/n') }, { attempts: 5, backoff: 2_000 }),
      ctx,
    );
    expect(outcome).toMatchObject({ ok: true, detail: `POST ${server.url('/n')} → 200 (try 3 of 5)` });
    expect(server.received).toHaveLength(3);
    expect(ctx.sleeps).toEqual([2_000, 4_000]);
  });

  it('fails after the last try', async () => {
    server.answer((_, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ctx = testContext();
    const outcome = await runStep(
      httpStepOf({ url: server.url('/n') }, { attempts: 3, backoff: 1_000 }),
      ctx,
    );
    expect(outcome).toMatchObject({ ok: false, error: 'expected a 2xx status, got 500 (try 3 of 3)' });
    expect(server.received).toHaveLength(3);
    expect(ctx.sleeps).toEqual([1_000, 2_000]);
  });

  it('times out a request that gets no answer', async () => {
    server.answer(() => undefined);
    const outcome = await runStep(httpStepOf({ url: server.url('/hang') }, { timeout: 300 }), testContext());
    expect(outcome).toMatchObject({ ok: false, error: 'timed out after 300ms' });
    expect(outcome.output).toBe(`POST ${server.url('/hang')}: timed out after 300ms`);
  });

  it('stops on abort', async () => {
    server.answer(() => undefined);
    const controller = new AbortController();
    const running = runStep(
      httpStepOf({ url: server.url('/hang') }, { attempts: 3 }),
      testContext({ signal: controller.signal }),
    );
    await expect.poll(() => server.received.length, patiently).toBe(1);
    controller.abort();
    expect(await running).toMatchObject({ ok: false, error: 'aborted (try 1 of 3)' });
    expect(server.received).toHaveLength(1);
  });

  it('reports a refused connection', async () => {
    const closed = await startServer();
    const url = closed.url('/gone');
    await closed.close();
    expect(await runStep(httpStepOf({ url }), testContext())).toMatchObject({
      ok: false,
      error: 'connection refused',
    });
  });

  it('refuses a body on a GET', async () => {
    const outcome = await runStep(
      httpStepOf({ url: server.url('/'), method: 'GET', body: { a: 1 } }),
      testContext(),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'a GET request cannot have a body' });
    expect(server.received).toHaveLength(0);
  });
});
