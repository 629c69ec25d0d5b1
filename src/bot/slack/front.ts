// Bolt's own signature check, from its module: importing '@slack/bolt' would load the whole app framework into
// the main thread, which only checks and acks (about 35 MiB of memory for one function).
import { isValidSlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { PayloadBounds } from '../common/payload-bounds.ts';
import { outOfBounds, readBoundedBody } from '../common/payload-bounds.ts';

/** A request from Slack, checked and parsed: what Bolt's `processEvent` takes. */
export interface SlackDelivery {
  readonly body: Record<string, unknown>;
  readonly retryNum?: number;
  readonly retryReason?: string;
  /** A delivery the front waits on (a modal submission): how long it waits for the app's answer, in ms. */
  readonly answerWithinMs?: number;
}

/**
 * The context key (Bolt's `customProperties`) of a function that says whether the delivery's ack reached
 * Slack: false when the front had stopped waiting and answered empty, so the person saw nothing of it.
 */
export const ACK_HEARD = 'ackHeard';

export interface SlackFrontDeps {
  readonly signingSecret: string;
  /** A delivery already acked (a command, a click, an event): the app handles it in its own time. */
  hand(delivery: SlackDelivery): void;
  /**
   * A delivery whose answer the app decides (a modal submission): resolves with the ack body, if any, and
   * with nothing after `delivery.answerWithinMs`; an answer after that is not heard (the front answers empty).
   */
  ask(delivery: SlackDelivery): Promise<unknown>;
  readonly log: { warn(fields: object, message: string): void };
  /** Told how long each accepted request took to answer, by kind (`command`, `block_actions`…): metrics. */
  readonly observe?: (kind: string, seconds: number) => void;
}

/**
 * What the front accepts, far above anything Slack sends; past it a signed request is refused with 400 before
 * anything else reads it. Slack's largest is a view_submission with its 100 blocks and state (a few hundred
 * KB, up to twice that form-encoded); a message is at most 40,000 characters, a view or message holds at most
 * 100 blocks, a select 100 options, and rich text nests about 15 deep. A structured clone (the hand-over to
 * the app thread) overflows the stack at a few thousand levels of nesting.
 */
export const PAYLOAD_BOUNDS: PayloadBounds = {
  bytes: 2 * 1024 * 1024,
  depth: 64,
  arrayItems: 5000,
  objectKeys: 1000,
  stringChars: 200_000,
};
/** Slack waits 3 s for an answer; past this the submission is answered empty rather than not at all. */
const ASK_TIMEOUT_MS = 2500;
/** The front's own limit, should `ask` not settle in `answerWithinMs` itself; still inside Slack's 3 s. */
const ASK_GRACE_MS = 200;

type Parsed =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

const refused = (reason: string): Parsed => ({ ok: false, reason });

/** As Slack sends them: events as JSON; commands as form fields; interactivity as a form's `payload=` JSON. */
const parse = (raw: string, contentType: string): Parsed => {
  let parsed: unknown;
  try {
    if (contentType.includes('application/json')) parsed = JSON.parse(raw);
    else {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      parsed = payload === null ? Object.fromEntries(form) : JSON.parse(payload);
    }
  } catch {
    return refused('the body is not JSON, nor a form with a JSON payload');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return refused('the payload is not a JSON object');
  const problem = outOfBounds(parsed, PAYLOAD_BOUNDS);
  if (problem !== null) return refused(problem);
  const shape = envelopeOf(parsed as Record<string, unknown>).safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return refused(
      `not a Slack request: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { ok: true, body: parsed as Record<string, unknown> };
};

const id = z.string().min(1).max(255);
/** The fields the front, Bolt's routing and our listeners read first, typed as Slack sends them. */
const ENVELOPES = {
  command: z.looseObject({
    command: z.string(),
    text: z.string(),
    user_id: id,
    channel_id: id,
    trigger_id: id,
  }),
  block_actions: z.looseObject({
    user: z.looseObject({ id }),
    trigger_id: id.optional(),
    actions: z.array(z.looseObject({ action_id: z.string(), block_id: z.string().optional() })),
  }),
  view_submission: z.looseObject({
    user: z.looseObject({ id }),
    view: z.looseObject({
      id,
      callback_id: z.string(),
      private_metadata: z.string().optional(),
      state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }),
    }),
  }),
  event_callback: z.looseObject({ event_id: id, event: z.looseObject({ type: z.string() }) }),
  url_verification: z.looseObject({ challenge: z.string() }),
  other: z.looseObject({ type: z.string().min(1).max(100) }),
} as const;
const envelopeOf = (body: Record<string, unknown>) => {
  if ('command' in body) return ENVELOPES.command;
  if (body.ssl_check !== undefined) return z.looseObject({ ssl_check: z.string() });
  switch (body.type) {
    case 'block_actions':
    case 'view_submission':
    case 'event_callback':
    case 'url_verification':
      return ENVELOPES[body.type];
    default:
      return ENVELOPES.other;
  }
};

/** What a delivery is, for logs: `command /hotfix`, `block_actions`, `event app_home_opened`… */
export const deliveryKind = (body: Record<string, unknown>): string => {
  const short = (value: unknown) => (typeof value === 'string' ? value.slice(0, 60) : '?');
  if ('command' in body) return `command ${short(body.command)}`;
  if (body.type === 'event_callback')
    return `event ${short((body.event as Record<string, unknown> | undefined)?.type)}`;
  return short(body.type);
};

/** A request's kind as Slack names it (`command`, `block_actions`, `view_submission`, `event_callback`…). */
export const requestKind = (body: Record<string, unknown>): string =>
  'command' in body ? 'command' : typeof body.type === 'string' ? body.type.slice(0, 60) : 'other';

/** Commands, clicks and events are acked empty by every listener of ours: the front acks them itself. */
const ackedAtOnce = (body: Record<string, unknown>): boolean =>
  typeof body.command === 'string' || body.type === 'block_actions' || body.type === 'event_callback';

const refuse = (res: ServerResponse, status: number, reason: string) =>
  void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(reason);

const answer = (res: ServerResponse, body: unknown) => {
  if (body === undefined || body === null || body === '') return void res.writeHead(200).end();
  if (typeof body === 'string') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * `POST /slack/events` for a Bolt app that runs elsewhere (another thread): Slack's signature and timestamp
 * are checked here (401 otherwise), absurd or malformed payloads refused (400 with the reason), commands,
 * clicks and events are acked at once and handed over, and a modal submission waits for the app's answer (its
 * field errors) until the cutoff. So an ack never waits behind the app's own work, and no request can make
 * the front fail: whatever goes wrong with one is logged with its kind and answered.
 */
export const createSlackFront = (deps: SlackFrontDeps): RequestListener => {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = performance.now();
    const answered = (body: Record<string, unknown>) =>
      deps.observe?.(requestKind(body), (performance.now() - arrived) / 1000);
    const raw = await readBoundedBody(req, PAYLOAD_BOUNDS.bytes);
    if (raw === null) return refuse(res, 413, `the body is larger than ${PAYLOAD_BOUNDS.bytes} bytes`);
    const valid = isValidSlackRequest({
      signingSecret: deps.signingSecret,
      body: raw,
      headers: {
        'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
        'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
      },
    });
    if (!valid) return void res.writeHead(401).end();
    const parsed = parse(raw, String(req.headers['content-type'] ?? ''));
    if (!parsed.ok) {
      deps.log.warn({ reason: parsed.reason }, 'slack request refused');
      return refuse(res, 400, parsed.reason);
    }
    const { body } = parsed;
    if (body.type === 'url_verification') {
      answer(res, { challenge: body.challenge });
      return answered(body);
    }
    if (body.ssl_check !== undefined) return answer(res, undefined);
    const kind = deliveryKind(body);
    const retry = req.headers['x-slack-retry-num'];
    const reason = req.headers['x-slack-retry-reason'];
    const delivery: SlackDelivery = {
      body,
      ...(typeof retry === 'string' ? { retryNum: Number(retry) } : {}),
      ...(typeof reason === 'string' ? { retryReason: reason } : {}),
    };
    if (ackedAtOnce(body)) {
      answer(res, undefined);
      answered(body);
      try {
        deps.hand(delivery);
      } catch (error) {
        deps.log.warn({ kind, err: String(error) }, 'slack delivery could not be handed to the app');
      }
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), ASK_TIMEOUT_MS + ASK_GRACE_MS)),
    );
    let decided: unknown;
    try {
      decided = await Promise.race([deps.ask({ ...delivery, answerWithinMs: ASK_TIMEOUT_MS }), late]);
    } catch (error) {
      deps.log.warn({ kind, err: String(error) }, 'slack delivery failed');
    } finally {
      clearTimeout(timer);
    }
    answer(res, decided);
    answered(body);
  };

  return (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    handle(req, res).catch((error: unknown) => {
      deps.log.warn({ err: String(error) }, 'slack request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
};
