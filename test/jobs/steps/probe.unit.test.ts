import { describe, expect, it } from 'vitest';
import type { CheckProbe } from '../../../src/config/schema.ts';
import { firstBrokenExpectation } from '../../../src/jobs/steps/probe.ts';
import { delayBefore } from '../../../src/jobs/steps/run-step.ts';

const expect_ = (partial: Partial<CheckProbe['expect']>): CheckProbe['expect'] => ({ json: [], ...partial });
const response = (status: number, body = '', latencyMs = 5) => ({ status, body, latencyMs });

describe('firstBrokenExpectation', () => {
  it('accepts any 2xx when nothing is expected', () => {
    expect(firstBrokenExpectation(expect_({}), response(204))).toBeUndefined();
    expect(firstBrokenExpectation(expect_({}), response(301))).toBe('expected a 2xx status, got 301');
  });

  it('names the expected status', () => {
    expect(firstBrokenExpectation(expect_({ status: 200 }), response(503))).toBe(
      'expected status 200, got 503',
    );
    expect(firstBrokenExpectation(expect_({ status: 503 }), response(503))).toBeUndefined();
  });

  it('checks body_contains literally', () => {
    const e = expect_({ body_contains: '"status":"ok"' });
    expect(firstBrokenExpectation(e, response(200, '{"status":"ok"}'))).toBeUndefined();
    expect(firstBrokenExpectation(e, response(200, '{"status":"down"}'))).toBe(
      'expected the body to contain "\\"status\\":\\"ok\\""',
    );
  });

  it('compares JSON paths, naming the path, the comparison and the value found', () => {
    const body = JSON.stringify({ checks: { db: { ok: false } }, rate: 0.05, items: [{ state: 'failed' }] });
    const one = (
      path: string,
      op: CheckProbe['expect']['json'][number]['op'],
      value: string | number | boolean | null,
    ) => firstBrokenExpectation(expect_({ json: [{ path, op, value }] }), response(200, body));
    expect(one('checks.db.ok', 'eq', true)).toBe('$.checks.db.ok: expected eq true, got false');
    expect(one('checks.db.ok', 'ne', false)).toBe('$.checks.db.ok: expected ne false, got false');
    expect(one('rate', 'lt', 0.01)).toBe('$.rate: expected lt 0.01, got 0.05');
    expect(one('rate', 'lte', 0.05)).toBeUndefined();
    expect(one('rate', 'gt', 0.05)).toBe('$.rate: expected gt 0.05, got 0.05');
    expect(one('rate', 'gte', 0.05)).toBeUndefined();
    expect(one('items[0].state', 'eq', 'passed')).toBe(
      '$.items[0].state: expected eq "passed", got "failed"',
    );
    expect(one('checks.cache.ok', 'eq', true)).toBe(
      '$.checks.cache.ok: expected eq true, but the path is missing',
    );
    expect(one('checks', 'lt', 3)).toBe('$.checks: expected lt 3, got {"db":{"ok":false}}');
  });

  it('reports a body that is not JSON', () => {
    const e = expect_({ json: [{ path: '[0].id', op: 'eq', value: 1 }] });
    expect(firstBrokenExpectation(e, response(200, '<html>'))).toBe(
      '$[0].id: expected eq 1, but the body is not JSON',
    );
  });

  it('reports the first broken expectation only, in order: status, body, json, latency', () => {
    const e = expect_({
      status: 200,
      body_contains: 'ok',
      json: [{ path: 'a', op: 'eq', value: 1 }],
      latency_ms_under: 100,
    });
    expect(firstBrokenExpectation(e, response(500, 'nope', 900))).toBe('expected status 200, got 500');
    expect(firstBrokenExpectation(e, response(200, '{"a":2}', 900))).toBe(
      'expected the body to contain "ok"',
    );
    expect(firstBrokenExpectation(e, response(200, '{"a":2,"ok":1}', 900))).toBe('$.a: expected eq 1, got 2');
    expect(firstBrokenExpectation(e, response(200, '{"a":1,"ok":1}', 900))).toBe('latency 900 ms ≥ 100 ms');
    expect(firstBrokenExpectation(e, response(200, '{"a":1,"ok":1}', 99))).toBeUndefined();
  });
});

describe('delayBefore', () => {
  it('waits a fixed interval, a doubling backoff, or not at all', () => {
    expect([2, 3, 4].map((n) => delayBefore({ interval: 500 }, n))).toEqual([500, 500, 500]);
    expect([2, 3, 4].map((n) => delayBefore({ backoff: 2000 }, n))).toEqual([2000, 4000, 8000]);
    expect(delayBefore({}, 2)).toBe(0);
  });
});
