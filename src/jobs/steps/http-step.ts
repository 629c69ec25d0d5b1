import type { Step } from '../../config/schema.ts';
import { renderTemplate } from '../../config/template.ts';
import type { Masker } from './mask.ts';
import { excerpt } from './output.ts';
import type { HttpRequest } from './request.ts';
import { describeExchange, isSuccessStatus, renderJson, sendRequest } from './request.ts';
import type { ProbeContext, StepOutcome } from './types.ts';

export type HttpStepSpec = Extract<Step, { kind: 'http' }>['http'];

/** The part of a response body shown in chat. */
export const BODY_EXCERPT_CHARS = 500;

const hasHeader = (headers: Readonly<Record<string, string>>, name: string): boolean =>
  Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());

/** The exchange line, then the start of the body (masked before it is cut, so no secret is half shown). */
export const withBody = (headline: string, body: string, masker: Masker): string =>
  body.trim() === '' ? headline : `${headline}\n${excerpt(masker.mask(body), BODY_EXCERPT_CHARS)}`;

/** Renders the request: templates in the URL, header values and every string of the JSON body. */
export const buildRequest = (http: HttpStepSpec, ctx: ProbeContext): HttpRequest => {
  const render = (text: string) => renderTemplate(text, ctx.vars);
  const headers = Object.fromEntries(
    Object.entries(http.headers).map(([name, value]) => [name, render(value)]),
  );
  if (http.body === undefined) return { method: http.method, url: render(http.url), headers };
  if (http.method === 'GET' || http.method === 'HEAD')
    throw new Error(`a ${http.method} request cannot have a body`);
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return {
    method: http.method,
    url: render(http.url),
    headers,
    body: JSON.stringify(renderJson(http.body, render)),
  };
};

/** One try of an `http` step: fails on a network error, a timeout or a status other than expected. */
export const runHttp = async (
  http: HttpStepSpec,
  ctx: ProbeContext,
  { timeoutMs }: { readonly timeoutMs: number },
): Promise<StepOutcome> => {
  const started = performance.now();
  let request: HttpRequest;
  try {
    request = buildRequest(http, ctx);
  } catch (error) {
    return { ok: false, output: '', durationMs: 0, error: ctx.masker.mask((error as Error).message) };
  }
  const response = await sendRequest(request, { timeoutMs, signal: ctx.signal });
  const exchange = ctx.masker.mask(describeExchange(request, response));
  const durationMs = performance.now() - started;
  if (!response.ok)
    return { ok: false, output: exchange, durationMs, error: ctx.masker.mask(response.error) };
  const output = withBody(exchange, response.body, ctx.masker);
  const expected = http.expect_status;
  const passed = expected === undefined ? isSuccessStatus(response.status) : response.status === expected;
  if (passed)
    return {
      ok: true,
      output,
      durationMs,
      detail: ctx.masker.mask(`${request.method} ${request.url} → ${response.status}`),
    };
  const wanted = expected === undefined ? 'a 2xx status' : `status ${expected}`;
  return { ok: false, output, durationMs, error: `expected ${wanted}, got ${response.status}` };
};
