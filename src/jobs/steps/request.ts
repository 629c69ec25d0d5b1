import { formatDuration } from '../../config/duration.ts';

/** Bodies are read up to this; a health endpoint answering more is cut, not buffered whole. */
const MAX_BODY_CHARS = 1024 * 1024;

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type HttpResponse =
  | { readonly ok: true; readonly status: number; readonly body: string; readonly latencyMs: number }
  | {
      readonly ok: false;
      readonly reason: 'timeout' | 'aborted' | 'failed';
      readonly error: string;
      readonly latencyMs: number;
    };

const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/** fetch says only "fetch failed"; the reason is in its cause. */
const describeFetchError = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code !== undefined && NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  return cause?.message ?? (error as Error).message;
};

const readBody = async (response: Response): Promise<string> => {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    if (text.length >= MAX_BODY_CHARS) {
      await response.body.cancel().catch(() => undefined);
      return text.slice(0, MAX_BODY_CHARS);
    }
  }
  return text + decoder.decode();
};

/**
 * One HTTP request with Node's fetch, its body read as text. Never throws: a timeout, an abort or a network
 * error is a result. The latency runs from sending to the last byte of the body.
 */
export const sendRequest = async (
  request: HttpRequest,
  { timeoutMs, signal }: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<HttpResponse> => {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  if (signal.aborted) return { ok: false, reason: 'aborted', error: 'aborted', latencyMs: 0 };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const body = await readBody(response);
    return { ok: true, status: response.status, body, latencyMs: latency() };
  } catch (error) {
    if (signal.aborted) return { ok: false, reason: 'aborted', error: 'aborted', latencyMs: latency() };
    if (timedOut)
      return {
        ok: false,
        reason: 'timeout',
        error: `timed out after ${formatDuration(timeoutMs)}`,
        latencyMs: latency(),
      };
    return { ok: false, reason: 'failed', error: describeFetchError(error), latencyMs: latency() };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
};

/** `POST https://status.example.com/api/notices → 503 (120 ms)`, or the failure instead of the status. */
export const describeExchange = (request: HttpRequest, response: HttpResponse): string =>
  response.ok
    ? `${request.method} ${request.url} → ${response.status} (${response.latencyMs} ms)`
    : `${request.method} ${request.url}: ${response.error}`;

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/** Templates in every string of a JSON body (keys are literal). */
export const renderJson = (value: unknown, render: (text: string) => string): unknown => {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, render));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderJson(item, render)]));
  return value;
};
