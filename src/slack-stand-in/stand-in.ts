import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { MethodError } from './args.ts';
import { createFaults } from './faults.ts';
import { chatMethods } from './methods/chat.ts';
import { conversationMethods } from './methods/conversations.ts';
import { fileMethods } from './methods/files.ts';
import type { MethodTable } from './methods/method.ts';
import { parseView, viewMethods } from './methods/views.ts';
import { workspaceMethods } from './methods/workspace.ts';
import type { SlackStandInOptions } from './options.ts';
import { resolveOptions } from './options.ts';
import { createResponseUrls, showResponse } from './response-url.ts';
import { createApiRouter } from './router.ts';
import { createHttpServer } from './server.ts';
import type { SocketMode } from './socket-mode.ts';
import { createSocketMode } from './socket-mode.ts';
import type { Listener } from './state/events.ts';
import { createState } from './state/store.ts';
import type {
  ChannelInfo,
  Failure,
  RecordedCall,
  ResponseUrlContext,
  SlackViewObject,
  StandInEphemeral,
  StandInEvents,
  StandInFile,
  StandInMessage,
  StandInView,
  Workspace,
} from './types.ts';

export type AckResult =
  | { readonly ok: true; readonly view: StandInView | undefined }
  | { readonly ok: false; readonly error: string; readonly messages: readonly string[] };

/** The views users see: modal stacks and Home tabs, and what a person (or the playground) does to them. */
export interface StandInViews {
  /** The user's open modals, root first. */
  stack(user: string): StandInView[];
  /** The modal on top of the user's stack. */
  top(user: string): StandInView | undefined;
  /** The user's published Home tab. */
  home(user: string): StandInView | undefined;
  get(viewId: string): StandInView | undefined;
  /** The user pressed Close/Back: the view and any pushed above it go. */
  close(viewId: string): void;
  /** Every modal of the user goes (the ✕ at the top). */
  clear(user: string): void;
  /**
   * Applies the app's answer to a `view_submission` as Slack does: no `response_action` closes the view;
   * `update`, `push`, `clear` and `errors` do what they say. `ack` is the parsed body of the app's HTTP answer.
   */
  acknowledge(viewId: string, ack?: unknown): AckResult;
  /**
   * What the user typed or picked in a view, merged into its `state.values` (`{ [block_id]: { [action_id]:
   * { type, value | selected_option | … } } }`): Slack sends that state with later block_actions and the
   * view_submission. Throws for a view that is not open.
   */
  enter(viewId: string, values: SlackViewObject['state']['values']): StandInView;
}

export type ReplyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly messages: readonly string[] };

export interface SlackStandIn {
  /** The value for `slackApiUrl` / `SLACK_API_URL` (`http://127.0.0.1:PORT/api/`); set once started. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly workspace: Workspace;
  /** Listens; resolves with `url`. */
  start(): Promise<string>;
  stop(): Promise<void>;
  /** Socket Mode: apps connected through `apps.connections.open`, and envelopes sent to them. */
  readonly socketMode: Pick<SocketMode, 'connections' | 'deliver'>;
  /** Every call, oldest first (a live array, emptied by `reset`). */
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** A channel's current messages, oldest first, edits applied; replies included (they carry `thread_ts`). */
  messages(channel: string): StandInMessage[];
  message(channel: string, ts: string): StandInMessage | undefined;
  /** The thread's parent and its replies; empty when there is no such message. */
  thread(channel: string, ts: string): StandInMessage[];
  /** Ephemeral messages, for one user or everybody. */
  ephemerals(user?: string): StandInEphemeral[];
  channel(ref: string): ChannelInfo | undefined;
  channels(): ChannelInfo[];
  files(): StandInFile[];
  readonly views: StandInViews;
  /** The next `times` (default 1) calls to `method` (`'*'` for any) answer `failure`. */
  failNext(method: string, failure: Failure, times?: number): void;
  clearFailures(): void;
  /** Live updates; returns the unsubscribe function. */
  on<K extends keyof StandInEvents>(event: K, listener: Listener<K>): () => void;
  /** A trigger id for an interaction by `user`: good for one views.open/push within `triggerTtlMs`. */
  newTriggerId(user: string): string;
  /** An absolute response_url for an interaction (5 uses, 30 minutes). */
  newResponseUrl(context: ResponseUrlContext): string;
  /**
   * Shows the body of the app's HTTP answer to a slash command (`ack({ text })`, `ack({ response_type, blocks
   * })`, or a plain string) as Slack does: an ephemeral to the user in that channel, or an in-channel message
   * for `response_type: 'in_channel'`. Same rules as a response_url post; a message Slack would refuse is
   * reported, not shown.
   */
  showReply(context: ResponseUrlContext, reply: unknown): ReplyResult;
  /** A person writes in a channel or thread (what the bot would see as a message event). */
  postAsUser(input: {
    readonly channel: string;
    readonly user: string;
    readonly text: string;
    readonly thread_ts?: string;
  }): StandInMessage;
  /** Forgets messages, views, files, calls, failures and created channels; keeps listeners and the port. */
  reset(): void;
}

const methods: MethodTable = {
  ...workspaceMethods,
  ...conversationMethods,
  ...chatMethods,
  ...viewMethods,
  ...fileMethods,
};

const ackSchema = z.union([
  z.looseObject({ response_action: z.enum(['update', 'push']), view: z.unknown() }),
  z.looseObject({ response_action: z.literal('clear') }),
  z.looseObject({ response_action: z.literal('errors'), errors: z.record(z.string(), z.string()) }),
  z.looseObject({ response_action: z.undefined().optional() }),
]);

/**
 * A local Slack Web API: the methods the bot uses with Slack's validation and answers, state a test or the
 * playground can read, and failures on demand. Used by the end-to-end tests and by the playground.
 */
export const createSlackStandIn = (options: SlackStandInOptions): SlackStandIn => {
  const resolved = resolveOptions(options);
  let server: Server | undefined;
  let origin: string | undefined;
  const requireOrigin = () => {
    if (origin === undefined) throw new Error('the Slack stand-in is not started');
    return origin;
  };
  const state = createState({
    workspace: resolved.workspace,
    clock: resolved.clock,
    triggerTtlMs: resolved.triggerTtlMs,
    maxRecordedCalls: resolved.maxRecordedCalls,
    origin: requireOrigin,
  });
  const faults = createFaults(resolved.rateLimits);
  const responseUrls = createResponseUrls(state);
  const socketMode = createSocketMode(resolved.workspace.bot.appId);
  const api = createApiRouter({
    state,
    faults,
    methods: {
      ...methods,
      'apps.connections.open': (_args, { origin }) => ({ url: socketMode.open(origin) }),
    },
    botToken: resolved.botToken,
    appToken: resolved.appToken,
    origin: requireOrigin,
  });

  const upload = (fileId: string, content: Buffer) => {
    const received = state.files.receive(fileId, content);
    const status = received ? 200 : 404;
    const text = received ? `OK - ${content.length}` : 'file_not_found';
    state.record({
      kind: 'upload',
      method: fileId,
      args: { bytes: content.length },
      token: undefined,
      time: state.clock.now(),
      status,
      response: { text },
    });
    return { status, text };
  };

  const download = (fileId: string) => {
    const file = state.files.get(fileId);
    return file?.uploaded
      ? { status: 200, type: file.mimetype, content: file.content }
      : { status: 404, type: 'text/plain', content: Buffer.from('file_not_found') };
  };

  const acknowledge = (viewId: string, ack?: unknown): AckResult => {
    const current = state.views.get(viewId);
    if (current === undefined) return { ok: false, error: 'not_found', messages: [] };
    const parsed = ackSchema.safeParse(ack === undefined || ack === '' ? {} : ack);
    if (!parsed.success)
      return { ok: false, error: 'invalid_response_action', messages: [parsed.error.message] };
    const answer = parsed.data;
    try {
      switch (answer.response_action) {
        case 'update':
          return { ok: true, view: state.views.update({ viewId }, parseView(answer.view)) };
        case 'push':
          return { ok: true, view: state.views.push(current.user, parseView(answer.view)) };
        case 'clear':
          state.views.clear(current.user);
          return { ok: true, view: undefined };
        case 'errors':
          return { ok: true, view: state.views.setErrors(viewId, answer.errors) };
        default:
          state.views.close(viewId);
          return { ok: true, view: state.views.stack(current.user).at(-1) };
      }
    } catch (error) {
      if (error instanceof MethodError) return { ok: false, error: error.error, messages: error.messages };
      throw error;
    }
  };

  return {
    get url() {
      return `${requireOrigin()}/api/`;
    },
    get origin() {
      return requireOrigin();
    },
    workspace: resolved.workspace,
    async start() {
      if (server !== undefined) throw new Error('the Slack stand-in is already started');
      const created = createHttpServer(
        {
          api,
          responseUrl: (id, body) => responseUrls.handle(id, body),
          upload,
          download,
        },
        resolved.host,
      );
      socketMode.attach(created);
      created.listen(resolved.port, resolved.host);
      await once(created, 'listening');
      server = created;
      const { port } = created.address() as AddressInfo;
      const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
      origin = `http://${host}:${port}`;
      return `${origin}/api/`;
    },
    async stop() {
      const running = server;
      if (running === undefined) return;
      server = undefined;
      socketMode.close();
      const closed = once(running, 'close');
      running.close();
      // Keep-alive connections from fetch would hold close() open.
      running.closeAllConnections();
      await closed;
    },
    socketMode: { connections: socketMode.connections, deliver: socketMode.deliver },
    calls: state.calls,
    callsTo: (method) => state.calls.filter((call) => call.method === method),
    messages: (channel) => state.messages.list(state.workspace.channel(channel)?.id ?? channel),
    message: (channel, ts) => state.messages.get(state.workspace.channel(channel)?.id ?? channel, ts),
    thread: (channel, ts) => state.messages.thread(state.workspace.channel(channel)?.id ?? channel, ts),
    ephemerals: (user) => state.messages.ephemerals(user),
    channel: (ref) => state.workspace.channel(ref),
    channels: () => state.workspace.channels(),
    files: () => state.files.list(),
    views: {
      stack: (user) => state.views.stack(user),
      top: (user) => state.views.stack(user).at(-1),
      home: (user) => state.views.home(user),
      get: (viewId) => state.views.get(viewId),
      close: (viewId) => state.views.close(viewId),
      clear: (user) => state.views.clear(user),
      acknowledge,
      enter(viewId, values) {
        if (state.views.get(viewId) === undefined) throw new Error(`views.enter: no open view ${viewId}`);
        return state.views.enter(viewId, values);
      },
    },
    failNext: (method, failure, times) => faults.failNext(method, failure, times),
    clearFailures: () => faults.clear(),
    on: (event, listener) => state.events.on(event, listener),
    newTriggerId: (user) => state.views.issueTrigger(user),
    newResponseUrl: (context) => `${requireOrigin()}/response/${responseUrls.issue(context)}`,
    showReply(context, reply) {
      try {
        showResponse(state, context, typeof reply === 'string' ? { text: reply } : reply, 'ack');
        return { ok: true };
      } catch (error) {
        if (error instanceof MethodError) return { ok: false, error: error.error, messages: error.messages };
        throw error;
      }
    },
    postAsUser({ channel, user, text, thread_ts }) {
      if (state.workspace.user(user) === undefined) throw new Error(`postAsUser: unknown user ${user}`);
      const target = state.workspace.channel(channel);
      if (target === undefined) throw new Error(`postAsUser: unknown channel ${channel}`);
      return state.messages.post({
        channel: target.id,
        user,
        text,
        ...(thread_ts === undefined ? {} : { thread_ts }),
      });
    },
    reset() {
      state.reset();
      faults.reset();
      responseUrls.reset();
    },
  };
};
