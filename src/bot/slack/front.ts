import { isValidSlackRequest } from '@slack/bolt';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** A request from Slack, checked and parsed: what Bolt's `processEvent` takes. */
export interface SlackDelivery {
  readonly body: Record<string, unknown>;
  readonly retryNum?: number;
  readonly retryReason?: string;
}

export interface SlackFrontDeps {
  readonly signingSecret: string;
  /** A delivery already acked (a command, a click, an event): the app handles it in its own time. */
  hand(delivery: SlackDelivery): void;
  /** A delivery whose answer the app decides (a modal submission): resolves with the ack body, if any. */
  ask(delivery: SlackDelivery): Promise<unknown>;
  readonly log: { warn(fields: object, message: string): void };
}

const MAX_BODY = 1024 * 1024;
/** Slack waits 3 s for an answer; past this the submission is answered empty rather than not at all. */
const ASK_TIMEOUT_MS = 2500;

const readBody = (req: IncomingMessage): Promise<string | null> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });

const parse = (body: string, contentType: string): Record<string, unknown> | null => {
  try {
    if (contentType.includes('application/json')) {
      const json: unknown = JSON.parse(body);
      return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : null;
    }
    const form = new URLSearchParams(body);
    const payload = form.get('payload');
    if (payload === null) return Object.fromEntries(form);
    const json: unknown = JSON.parse(payload);
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** Commands, clicks and events are acked empty by every listener of ours: the front acks them itself. */
const ackedAtOnce = (body: Record<string, unknown>): boolean =>
  typeof body.command === 'string' || body.type === 'block_actions' || body.type === 'event_callback';

const answer = (res: ServerResponse, body: unknown) => {
  if (body === undefined || body === null || body === '') return void res.writeHead(200).end();
  if (typeof body === 'string') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * `POST /slack/events` for a Bolt app that runs elsewhere (another thread): Slack's signature and timestamp
 * are checked here (401 otherwise), commands, clicks and events are acked at once and handed over, and a modal
 * submission waits for the app's answer (its field errors). So an ack never waits behind the app's own work.
 */
export const createSlackFront =
  (deps: SlackFrontDeps): RequestListener =>
  (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    void readBody(req).then(async (raw) => {
      if (raw === null) return void res.writeHead(413).end();
      const valid = isValidSlackRequest({
        signingSecret: deps.signingSecret,
        body: raw,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      if (!valid) return void res.writeHead(401).end();
      const body = parse(raw, String(req.headers['content-type'] ?? ''));
      if (body === null) return void res.writeHead(400).end();
      if (body.type === 'url_verification') return answer(res, { challenge: body.challenge });
      if (body.ssl_check !== undefined) return answer(res, undefined);
      const retry = req.headers['x-slack-retry-num'];
      const reason = req.headers['x-slack-retry-reason'];
      const delivery: SlackDelivery = {
        body,
        ...(typeof retry === 'string' ? { retryNum: Number(retry) } : {}),
        ...(typeof reason === 'string' ? { retryReason: reason } : {}),
      };
      if (ackedAtOnce(body)) {
        answer(res, undefined);
        deps.hand(delivery);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>(
        (resolve) => (timer = setTimeout(() => resolve(undefined), ASK_TIMEOUT_MS)),
      );
      const decided = await Promise.race([deps.ask(delivery), late]).catch((error: unknown) => {
        deps.log.warn({ err: String(error) }, 'slack delivery failed');
        return undefined;
      });
      clearTimeout(timer);
      answer(res, decided);
    });
  };
