import { createHmac } from 'node:crypto';
import { SlackDeliveryError } from './elements.ts';

/** A request exactly as it was posted to the app. */
export interface SentRequest {
  readonly contentType: string;
  /** The raw body: what the signature covers and what `retry` re-sends byte for byte. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded payload (the slash command's fields, the interaction payload, the event envelope). */
  readonly payload: unknown;
}

export interface Answered {
  readonly status: number;
  /** Parsed JSON when the app answered JSON, else the text, or undefined when empty. */
  readonly body: unknown;
  readonly request: SentRequest;
}

/** Slack's request signature: `v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))`. */
export const signature = (secret: string, timestamp: number, body: string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

const parseAnswer = (text: string, contentType: string | null): unknown => {
  if (text === '') return undefined;
  if (!(contentType ?? '').toLowerCase().includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const reason = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
};

export interface Post {
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** Posts to the app's request URL; an unreachable or silent app is an error naming the URL. */
export const post = async ({
  url,
  contentType,
  body,
  payload,
  headers,
  timeoutMs,
}: Post): Promise<Answered> => {
  const sent = { 'content-type': contentType, ...headers };
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: sent,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new SlackDeliveryError(
      timedOut
        ? `the app at ${url} did not answer within ${timeoutMs} ms`
        : `could not reach the app at ${url}: ${reason(error)}`,
      { cause: error },
    );
  }
  const text = await response.text();
  return {
    status: response.status,
    body: parseAnswer(text, response.headers.get('content-type')),
    request: { contentType, body, headers: sent, payload },
  };
};
