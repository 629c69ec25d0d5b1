import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from './connector.ts';
import { createConnector, errorAnswer } from './connector.ts';
import type { Listener } from './events.ts';
import { createEvents } from './events.ts';
import { createFaults } from './faults.ts';
import type { OpenIdIssuer, TokenRequest } from './openid.ts';
import { OPENID_METADATA_PATH, botFrameworkAuthConfig, createOpenIdIssuer, openIdAnswer } from './openid.ts';
import type { TeamsStandInOptions } from './options.ts';
import { resolveOptions } from './options.ts';
import { createState, splitConversationId } from './state.ts';
import type {
  ActivityJson,
  CallMatch,
  ConnectorFailure,
  RecordedCall,
  StandInActivity,
  StandInConversation,
  StandInEvents,
  TeamsUser,
  Tenant,
} from './types.ts';

export interface TeamsStandIn {
  /** The activities' `serviceUrl` (`http://127.0.0.1:PORT/amer/`); set once started. */
  readonly serviceUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Where botbuilder reads the channel's OpenID metadata (`ToBotFromChannelOpenIdMetadataUrl`). */
  readonly openIdMetadataUrl: string;
  readonly tenant: Tenant;
  /** Whether connector calls need the bot token and deliveries carry a channel token. */
  readonly authenticated: boolean;
  readonly openId: OpenIdIssuer;
  /** A Bot Framework channel token for an activity to the bot (valid unless a flaw is asked for). */
  token(request: Omit<TokenRequest, 'serviceUrl'> & { readonly serviceUrl?: string }): string;
  /** `ConfigurationBotFrameworkAuthentication` options trusting this stand-in's keys (add MicrosoftAppId). */
  authConfig(): ReturnType<typeof botFrameworkAuthConfig>;
  start(): Promise<string>;
  stop(): Promise<void>;

  /** Every connector call, oldest first (a live array, emptied by `reset`). */
  readonly calls: readonly RecordedCall[];
  conversations(): StandInConversation[];
  /** The 1:1 chat with a user (aadObjectId or 29: id), created as Teams would on the bot's first message. */
  personalConversation(user: string): StandInConversation;
  /**
   * A conversation's activities, oldest first, edits applied: for a channel, every thread's root and replies
   * (each with `threadId`); for a thread id (`…;messageid=N`), that thread only.
   */
  activities(conversation: string): StandInActivity[];
  activity(id: string): StandInActivity | undefined;
  /** A channel thread: its root, then its replies. */
  thread(channel: string, root: string): StandInActivity[];
  members(conversation: string): readonly TeamsUser[];
  user(ref: string): TeamsUser | undefined;
  /** A person writes in a channel (a new thread, or a reply when `threadId` is given) or their 1:1 chat. */
  postAsUser(input: {
    readonly user: string;
    readonly conversation: string;
    readonly threadId?: string;
    readonly activity: ActivityJson;
  }): StandInActivity;

  /** The next `times` (default 1) calls that match answer `failure` instead of being handled. */
  failNext(failure: ConnectorFailure, match?: CallMatch, times?: number): void;
  /** Every matching call waits `ms` before it is handled; `delay(0, match)` ends it. */
  delay(ms: number, match?: CallMatch): void;
  clearFailures(): void;
  /** Forgets the calls counted in Teams' rate windows, so a test starts with every conversation's budget. */
  clearRateWindows(): void;
  /**
   * The connector goes down: `refuse` closes the port (connection refused), `503` answers 503 to every call.
   * With `forMs` it comes back by itself after that long (real time); otherwise call `up()`.
   */
  down(options?: { readonly mode?: 'refuse' | '503'; readonly forMs?: number }): Promise<void>;
  up(): Promise<void>;
  /** Live updates; returns the unsubscribe function. */
  on<K extends keyof StandInEvents>(event: K, listener: Listener<K>): () => void;
  /** Forgets activities, 1:1 chats, calls, failures, delays and rate windows; keeps listeners, keys and the port. */
  reset(): void;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

const readBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

const write = (response: ServerResponse, answer: Answer) => {
  response.writeHead(answer.status, {
    ...(answer.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...answer.headers,
  });
  response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
};

/** Its own listen address and loopback names only: a page rebinding its name to 127.0.0.1 reads nothing here. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const hostAllowed = (header: string | undefined, listenHost: string): boolean => {
  if (header === undefined) return true;
  const name = header.toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(name) || name === listenHost.toLowerCase() || name === `[${listenHost}]`;
};

const failureAnswer = (failure: ConnectorFailure): Answer => {
  switch (failure.status) {
    case 202:
      return { status: 202 };
    case 429:
      return {
        status: 429,
        headers: { 'retry-after': String(failure.retryAfter ?? 1) },
        body: { error: { code: 'TooManyRequests', message: 'Too many requests' } },
      };
    default:
      return errorAnswer(
        failure.status,
        failure.code ?? `Http${failure.status}`,
        'failure forced by the test',
      );
  }
};

/** Conversation and activity ids from `v3/conversations/{conversation}/activities/{id}`. */
const callTarget = (segments: readonly string[]) =>
  segments[1] === 'conversations'
    ? { conversation: segments[2], activityId: segments[3] === 'activities' ? segments[4] : undefined }
    : { conversation: undefined, activityId: undefined };

/**
 * A local Bot Connector (the REST service Teams bots post to) with the channel's OpenID metadata and keys: the
 * calls botbuilder's ConnectorClient makes, checked as Teams checks them (token, conversation, size, rate
 * limits), state a test or a page can read, and failures on demand.
 */
export const createTeamsStandIn = (options: TeamsStandInOptions): TeamsStandIn => {
  const resolved = resolveOptions(options);
  const { tenant, clock } = resolved;
  const events = createEvents();
  const state = createState({ tenant, clock, events, maxRecordedCalls: resolved.maxRecordedCalls });
  const faults = createFaults(resolved.rateLimits);
  const connector = createConnector({ state, faults, maxActivityBytes: resolved.maxActivityBytes });
  // Real time, not the stand-in's clock: the bot checks a token's exp and nbf against its own.
  const openId = createOpenIdIssuer();
  let server: Server | undefined;
  let port = resolved.port;
  let origin: string | undefined;
  let outage: { readonly mode: 'refuse' | '503'; readonly timer?: NodeJS.Timeout } | undefined;
  const sockets = new Set<Socket>();
  const requireOrigin = () => {
    if (origin === undefined) throw new Error('the Teams stand-in is not started');
    return origin;
  };
  const serviceUrl = () => `${requireOrigin()}${resolved.servicePath}`;

  const handleConnector = async (request: IncomingMessage, url: URL, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    const segments = url.pathname
      .slice(resolved.servicePath.length)
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
    const path = `/${segments.join('/')}`;
    const { conversation, activityId } = callTarget(segments);
    const call = { method, path, conversation };
    const wait = faults.delayOf(call);
    if (wait > 0) await sleep(wait);
    const raw = await readBody(request);
    const token = bearer(request.headers.authorization);
    let body: unknown;
    let answer: Answer;
    if (raw === undefined) answer = errorAnswer(413, 'MessageSizeTooBig', 'request body too large');
    else {
      try {
        body = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
      } catch {
        body = 'invalid';
      }
      answer = respond(method, segments, url.searchParams, body, raw.length, token, call);
    }
    state.record({
      method,
      path,
      ...(conversation === undefined ? {} : { conversation }),
      ...(activityId === undefined ? {} : { activityId }),
      body,
      token,
      time: clock.now(),
      status: answer.status,
      response: answer.body,
    });
    write(response, answer);
  };

  const respond = (
    method: string,
    segments: readonly string[],
    query: URLSearchParams,
    body: unknown,
    bodyBytes: number,
    token: string | undefined,
    call: { method: string; path: string; conversation: string | undefined },
  ): Answer => {
    if (outage?.mode === '503') return errorAnswer(503, 'ServiceUnavailable', 'the connector is down');
    if (resolved.botToken !== undefined && token !== resolved.botToken)
      return { status: 401, body: { message: 'Authorization has been denied for this request.' } };
    const failure = faults.forced(call);
    if (failure !== undefined && failure.status !== 202) return failureAnswer(failure);
    if (body === 'invalid') return errorAnswer(400, 'BadSyntax', 'the body is not JSON');
    const answer = connector({ method, segments, query, body, bodyBytes });
    // The send went through; the service lost its id.
    return failure?.status === 202 && answer.status < 300 ? failureAnswer(failure) : answer;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (
      !URL.canParse(request.url ?? '/', 'http://stand-in') ||
      !hostAllowed(request.headers.host, resolved.host)
    ) {
      write(response, errorAnswer(400, 'BadSyntax', 'unparsable request target'));
      return;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const document =
      request.method === 'GET' ? openIdAnswer(openId, url.pathname, requireOrigin()) : undefined;
    if (document !== undefined) write(response, { status: 200, body: document });
    else if (url.pathname.startsWith(resolved.servicePath)) await handleConnector(request, url, response);
    else write(response, errorAnswer(404, 'NotFound', 'no such resource'));
  };

  const listen = async () => {
    const created = createServer((request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (response.headersSent) response.destroy();
        else
          write(response, { status: 500, body: { error: { code: 'StandInError', message: String(error) } } });
      });
    });
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    created.listen(port, resolved.host);
    await once(created, 'listening');
    server = created;
    port = (created.address() as AddressInfo).port;
  };

  const close = async () => {
    const running = server;
    if (running === undefined) return;
    server = undefined;
    const closed = once(running, 'close');
    running.close();
    // Keep-alive connections would hold close() open, and a "refused" connector must drop them too.
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  const up = async () => {
    if (outage?.timer !== undefined) clearTimeout(outage.timer);
    const wasRefusing = outage?.mode === 'refuse';
    outage = undefined;
    if (wasRefusing && origin !== undefined) await listen();
  };

  const resolveUser = (ref: string) => {
    const found = state.user(ref);
    if (found === undefined) throw new Error(`unknown user ${ref}`);
    return found;
  };

  return {
    get serviceUrl() {
      return serviceUrl();
    },
    get origin() {
      return requireOrigin();
    },
    get openIdMetadataUrl() {
      return `${requireOrigin()}${OPENID_METADATA_PATH}`;
    },
    tenant,
    authenticated: resolved.botToken !== undefined,
    openId,
    token: (request) => openId.token({ ...request, serviceUrl: request.serviceUrl ?? serviceUrl() }),
    authConfig: () => botFrameworkAuthConfig(requireOrigin()),
    async start() {
      if (origin !== undefined) throw new Error('the Teams stand-in is already started');
      await listen();
      const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
      origin = `http://${host}:${port}`;
      return serviceUrl();
    },
    async stop() {
      if (outage?.timer !== undefined) clearTimeout(outage.timer);
      outage = undefined;
      origin = undefined;
      await close();
    },
    calls: state.calls,
    conversations: () => state.conversations(),
    personalConversation: (user) => state.personal(resolveUser(user)),
    activities(conversation) {
      const { base, thread } = splitConversationId(conversation);
      return thread === undefined ? state.activities(base) : state.thread(base, thread);
    },
    activity: (id) => state.activity(id),
    thread: (channel, root) => state.thread(channel, root),
    members(conversation) {
      const found = state.conversation(conversation);
      return found === undefined ? [] : state.members(found);
    },
    user: (ref) => state.user(ref),
    postAsUser({ user, conversation, threadId, activity }) {
      const author = resolveUser(user);
      const target = state.conversation(conversation);
      if (target === undefined) throw new Error(`postAsUser: unknown conversation ${conversation}`);
      const thread = threadId ?? splitConversationId(conversation).thread;
      return state.post({
        conversation: target,
        ...(thread === undefined ? {} : { threadId: thread }),
        author: author.aadObjectId,
        activity,
      });
    },
    failNext: (failure, match, times) => faults.failNext(failure, match, times),
    delay: (ms, match) => faults.delay(ms, match),
    clearFailures: () => faults.clear(),
    clearRateWindows: () => faults.clearRateWindows(),
    async down({ mode = 'refuse', forMs } = {}) {
      if (origin === undefined) throw new Error('the Teams stand-in is not started');
      await up();
      const timer =
        forMs === undefined
          ? undefined
          : setTimeout(() => {
              void up();
            }, forMs);
      outage = { mode, ...(timer === undefined ? {} : { timer }) };
      if (mode === 'refuse') await close();
    },
    up,
    on: (event, listener) => events.on(event, listener),
    reset() {
      state.reset();
      faults.reset();
    },
  };
};
