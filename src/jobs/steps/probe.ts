import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../../config/duration.ts';
import { readJsonPath } from '../../config/json-path.ts';
import type { CheckProbe } from '../../config/schema.ts';
import { renderTemplate } from '../../config/template.ts';
import type { MonitorMeasurement } from '../../domain/hotfix/events.ts';
import type { JsonValue } from '../../domain/hotfix/policy.ts';
import { withBody } from './http-step.ts';
import { trimOutput } from './output.ts';
import type { HttpRequest, HttpResponse } from './request.ts';
import { describeExchange, isSuccessStatus, sendRequest } from './request.ts';
import type { Masker, ProbeContext, Sleep, StepOutcome } from './types.ts';

type JsonExpectation = CheckProbe['expect']['json'][number];

/** Waits `ms` unless aborted first; never rejects. */
export const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

const displayPath = (path: string): string => (path.startsWith('[') ? `$${path}` : `$.${path}`);

const holds = (actual: unknown, { op, value }: JsonExpectation): boolean => {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (typeof actual !== 'number' || typeof value !== 'number') return false;
      if (op === 'lt') return actual < value;
      if (op === 'lte') return actual <= value;
      return op === 'gt' ? actual > value : actual >= value;
    }
    default: {
      const unknownOp: never = op;
      throw new Error(`unknown comparison ${String(unknownOp)}`);
    }
  }
};

const NOT_JSON = Symbol('not JSON');

/**
 * The first expectation the response breaks, as the message a person reads, or undefined when all hold.
 * Order: status, body_contains, each json comparison, latency. A path absent from the body fails whatever
 * the comparison (even `ne`): an expectation about a field that is not there is almost always a mistake.
 */
export const firstBrokenExpectation = (
  expect: CheckProbe['expect'],
  response: { readonly status: number; readonly body: string; readonly latencyMs: number },
): string | undefined => {
  if (expect.status === undefined ? !isSuccessStatus(response.status) : response.status !== expect.status)
    return `expected ${expect.status === undefined ? 'a 2xx status' : `status ${expect.status}`}, got ${response.status}`;
  if (expect.body_contains !== undefined && !response.body.includes(expect.body_contains))
    return `expected the body to contain ${show(expect.body_contains)}`;
  if (expect.json.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body) as unknown;
    } catch {
      parsed = NOT_JSON;
    }
    for (const expectation of expect.json) {
      const wanted = `${displayPath(expectation.path)}: expected ${expectation.op} ${show(expectation.value)}`;
      if (parsed === NOT_JSON) return `${wanted}, but the body is not JSON`;
      const actual = readJsonPath(parsed, expectation.path);
      if (actual === undefined) return `${wanted}, but the path is missing`;
      if (!holds(actual, expectation)) return `${wanted}, got ${show(actual)}`;
    }
  }
  if (expect.latency_ms_under !== undefined && response.latencyMs >= expect.latency_ms_under)
    return `latency ${response.latencyMs} ms ≥ ${expect.latency_ms_under} ms`;
  return undefined;
};

/** A value read at a JSON path is kept up to this length (as JSON text when it is a list or an object). */
const MAX_VALUE_CHARS = 200;

const keptValue = (value: unknown, masker: Masker): JsonValue => {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  const text = masker.mask(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
};

/**
 * What a monitor keeps of a response: its status, its latency and the value at each of the check's JSON
 * paths (masked like output; a path absent from the body is left out). Undefined when nothing answered.
 */
export const measureResponse = (
  expect: CheckProbe['expect'],
  response: HttpResponse,
  masker: Masker,
): MonitorMeasurement | undefined => {
  if (!response.ok) return undefined;
  const paths = [...new Set(expect.json.map((j) => j.path))];
  let parsed: unknown = NOT_JSON;
  if (paths.length > 0) {
    try {
      parsed = JSON.parse(response.body) as unknown;
    } catch {
      parsed = NOT_JSON;
    }
  }
  const values: Record<string, JsonValue> = {};
  if (parsed !== NOT_JSON)
    for (const path of paths) {
      const value = readJsonPath(parsed, path);
      if (value !== undefined) values[path] = keptValue(value, masker);
    }
  return {
    status: response.status,
    latencyMs: response.latencyMs,
    ...(Object.keys(values).length === 0 ? {} : { values }),
  };
};

const buildRequest = (probe: CheckProbe, ctx: ProbeContext): HttpRequest => {
  const render = (text: string) => renderTemplate(text, ctx.vars);
  return {
    method: probe.method,
    url: render(probe.url),
    headers: Object.fromEntries(Object.entries(probe.headers).map(([name, value]) => [name, render(value)])),
  };
};

/**
 * Probes up to `probe.attempts` times, `probe.interval` apart, until every expectation holds. Each request
 * is bounded by the HTTP default timeout; `timeoutMs`, when given, bounds the whole series. The error names
 * the first expectation the last response broke.
 */
export const runProbe = async (
  probe: CheckProbe,
  ctx: ProbeContext,
  options: { readonly timeoutMs?: number } = {},
): Promise<StepOutcome> => {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const sleep = ctx.sleep ?? defaultSleep;
  const lines: string[] = [];
  let last: { request: HttpRequest; response: HttpResponse } | undefined;
  const measured = (): { measurement?: MonitorMeasurement } => {
    const measurement = last && measureResponse(probe.expect, last.response, ctx.masker);
    return measurement === undefined ? {} : { measurement };
  };
  const fail = (error: string): StepOutcome => {
    const body = last?.response.ok ? last.response.body : '';
    return {
      ok: false,
      output: withBody(trimOutput(ctx.masker.mask(lines.join('\n'))), body, ctx.masker),
      durationMs: elapsed(),
      error: ctx.masker.mask(error),
      ...measured(),
    };
  };

  let request: HttpRequest;
  try {
    request = buildRequest(probe, ctx);
  } catch (error) {
    return fail((error as Error).message);
  }
  const remaining = () => (options.timeoutMs === undefined ? Infinity : options.timeoutMs - elapsed());
  const timedOut = (broken: string | undefined) =>
    fail(
      `timed out after ${formatDuration(options.timeoutMs ?? 0)}${broken === undefined ? '' : ` (last: ${broken})`}`,
    );

  let broken: string | undefined;
  for (let attempt = 1; attempt <= probe.attempts; attempt++) {
    if (ctx.signal.aborted) return fail('aborted');
    const budget = Math.min(ctx.defaults.httpTimeoutMs, remaining());
    if (budget <= 0) return timedOut(broken);
    const response = await sendRequest(request, { timeoutMs: Math.ceil(budget), signal: ctx.signal });
    last = { request, response };
    if (!response.ok && response.reason === 'aborted') return fail('aborted');
    if (!response.ok && response.reason === 'timeout' && remaining() <= 0) return timedOut(undefined);
    broken = response.ok ? firstBrokenExpectation(probe.expect, response) : response.error;
    lines.push(`${describeExchange(request, response)}${broken === undefined ? '' : `: ${broken}`}`);
    if (response.ok && broken === undefined)
      return {
        ok: true,
        output: withBody(trimOutput(ctx.masker.mask(lines.join('\n'))), response.body, ctx.masker),
        durationMs: elapsed(),
        detail: ctx.masker.mask(`${request.method} ${request.url} → ${response.status}`),
        ...measured(),
      };
    if (attempt < probe.attempts) {
      if (probe.interval >= remaining()) {
        await sleep(Math.max(0, remaining()), ctx.signal);
        return ctx.signal.aborted ? fail('aborted') : timedOut(broken);
      }
      await sleep(probe.interval, ctx.signal);
    }
  }
  return fail(
    probe.attempts > 1 ? `${broken ?? 'failed'} after ${probe.attempts} attempts` : (broken ?? 'failed'),
  );
};
