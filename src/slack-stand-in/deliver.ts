import { z } from 'zod';
import type { Directory, FoundElement } from './delivery/elements.ts';
import {
  SlackDeliveryError,
  actionOf,
  chosenValue,
  elementsOf,
  initialState,
  isStateful,
  mergeState,
  stateEntry,
  valueKey,
} from './delivery/elements.ts';
import type { Answered, SentRequest } from './delivery/http.ts';
import { post, signature } from './delivery/http.ts';
import type { SlackStandIn } from './stand-in.ts';
import type {
  ChannelInfo,
  Clock,
  SlackBlock,
  SlackViewObject,
  StandInEphemeral,
  StandInMessage,
  StandInView,
  WorkspaceUser,
} from './types.ts';

export { SlackDeliveryError } from './delivery/elements.ts';
export type { SentRequest } from './delivery/http.ts';

export interface SlackDeliveryOptions {
  /** Issues trigger ids and response_urls, holds messages and views, knows the team, users and channels. */
  readonly standIn: SlackStandIn;
  /** The app's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  readonly url: string;
  readonly signingSecret: string;
  /** For the signature timestamp and the payloads' times; real time by default (Bolt checks it against its own). */
  readonly clock?: Clock;
  /** The legacy verification token sent in payloads (`token`). */
  readonly verificationToken?: string;
  /** How long to wait for the app's answer before failing the delivery (default 10 s; Bolt answers by 3 s). */
  readonly timeoutMs?: number;
  /**
   * `socket`: deliver as Slack does to an app in Socket Mode, as envelopes over the connection the app opened
   * with `apps.connections.open` (unsigned; `raw` still posts to `url`). Default `http`.
   */
  readonly transport?: 'http' | 'socket';
}

export interface Delivered {
  /** The app's HTTP status. */
  readonly status: number;
  /** The parsed JSON body, or the text, or undefined when empty. */
  readonly body: unknown;
  /** After a view submission: the view now on top of the user's stack (undefined when none is left). */
  readonly view?: StandInView;
  /** After a view submission answered with `response_action: 'errors'`: the field errors by block id. */
  readonly errors?: Readonly<Record<string, string>>;
  /**
   * The app answered 200 with a body Slack could not use (a slash command reply with 51 blocks, an unknown
   * `response_action`…): Slack's error code and messages. Nothing was shown.
   */
  readonly ackError?: { readonly error: string; readonly messages: readonly string[] };
  /** What was posted; `retry` re-sends its body. */
  readonly request: SentRequest;
}

/** What the person chose: option values, user ids, channel ids, a date (`YYYY-MM-DD`), a time, some text. */
export type Selection = readonly string[] | string;

export interface SlackDelivery {
  /** A slash command as Slack posts it: form-encoded, signed; an ack body shows as Slack shows it. */
  command(input: {
    readonly user: string;
    readonly channel: string;
    readonly text: string;
    readonly command?: string;
  }): Promise<Delivered>;
  /**
   * A block_actions interaction on an element (by `actionId`, and `blockId` when the action id is not unique)
   * of a message the stand-in holds (`channel` + `ts`, also the user's ephemerals) or of an open view
   * (`viewId`). `selected` is what the person chose; a button needs none.
   */
  act(input: {
    readonly user: string;
    readonly channel?: string;
    readonly ts?: string;
    readonly viewId?: string;
    readonly actionId: string;
    readonly blockId?: string;
    readonly selected?: Selection;
  }): Promise<Delivered>;
  /**
   * A view_submission of the user's top modal: `values` (Slack's `state.values` shape, or just the chosen
   * value per action id) are merged over what the view holds, then the app's answer is applied to the view.
   */
  submitView(input: {
    readonly user: string;
    readonly viewId: string;
    readonly values?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  }): Promise<Delivered>;
  /** The user closes a modal: a view_closed is posted when the view asked for it; the view goes either way. */
  closeView(input: { readonly user: string; readonly viewId: string }): Promise<Delivered | undefined>;
  /** An Events API `event_callback` (JSON, signed) for an event involving `user`. */
  event(input: {
    readonly user: string;
    readonly event: Readonly<Record<string, unknown>>;
  }): Promise<Delivered>;
  /** Re-sends a delivery's body as Slack redelivers it: `x-slack-retry-num`, `x-slack-retry-reason`. */
  retry(previous: Delivered, retryNum?: number, reason?: string): Promise<Delivered>;
  /** Posts any body with a chosen secret, timestamp (seconds) or signature: forged and stale requests. */
  raw(input: {
    readonly body: string;
    readonly contentType: string;
    readonly secret?: string;
    readonly timestamp?: number;
    readonly signature?: string;
  }): Promise<Delivered>;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const optionsSchema = z.strictObject({
  standIn: z.custom<SlackStandIn>(
    (value) => typeof (value as SlackStandIn | undefined)?.newTriggerId === 'function',
    'a Slack stand-in (createSlackStandIn)',
  ),
  url: z.url({ protocol: /^https?$/, error: 'the app request URL (http://…/slack/events)' }),
  signingSecret: z.string().min(1, 'the app signing secret'),
  clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function').optional(),
  verificationToken: z.string().min(1).default('stand-in-verification-token'),
  timeoutMs: z.int().positive().default(10_000),
  transport: z.enum(['http', 'socket']).default('http'),
});

const id = z.string().trim().min(1);
const selection = z.union([z.string(), z.array(z.string())]);
const values = z.record(z.string(), z.record(z.string(), z.unknown()));

const commandInput = z.strictObject({
  user: id,
  channel: id,
  text: z.string(),
  command: z
    .string()
    .regex(/^\/[a-z0-9_-]{1,31}$/, 'a slash command such as /hotfix')
    .default('/hotfix'),
});

const actInput = z
  .strictObject({
    user: id,
    channel: id.optional(),
    ts: z
      .string()
      .regex(/^\d+\.\d+$/, 'a message timestamp such as 1700000000.000100')
      .optional(),
    viewId: id.optional(),
    actionId: id,
    blockId: id.optional(),
    selected: selection.optional(),
  })
  .refine((input) => input.viewId === undefined || (input.channel === undefined && input.ts === undefined), {
    message: 'act on a message (channel and ts) or on a view (viewId), not both',
  })
  .refine((input) => input.viewId !== undefined || (input.channel !== undefined && input.ts !== undefined), {
    message: 'name the message (channel and ts) or the view (viewId) acted on',
  });

const submitInput = z.strictObject({ user: id, viewId: id, values: values.default({}) });
const closeInput = z.strictObject({ user: id, viewId: id });
const eventInput = z.strictObject({ user: id, event: z.looseObject({ type: z.string().min(1) }) });
const retryInput = z.strictObject({
  previous: z.looseObject({
    request: z.looseObject({ body: z.string(), contentType: z.string().min(1) }),
  }),
  retryNum: z.int().min(1).max(3),
  reason: z.string().min(1),
});
const rawInput = z.strictObject({
  body: z.string(),
  contentType: z.string().min(1),
  secret: z.string().optional(),
  timestamp: z.int().nonnegative().optional(),
  signature: z.string().optional(),
});

const parse = <T extends z.ZodType>(what: string, schema: T, input: unknown): z.output<T> => {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new SlackDeliveryError(`${what}: invalid input\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
};

/** A channel message as Slack puts it in an interaction payload: without the channel, which sits beside it. */
const messageBody = ({ channel: _channel, ...message }: StandInMessage) => message;

type Target =
  | { readonly kind: 'message'; readonly channel: ChannelInfo; readonly message: StandInMessage }
  | { readonly kind: 'ephemeral'; readonly channel: ChannelInfo; readonly ephemeral: StandInEphemeral }
  | { readonly kind: 'view'; readonly view: StandInView };

const hasContent = (body: unknown) =>
  (typeof body === 'string' && body.trim() !== '') ||
  (typeof body === 'object' &&
    body !== null &&
    ['text', 'blocks', 'attachments', 'markdown_text', 'response_type'].some((key) => key in body));

/**
 * The other half of Slack: the requests its servers send to an app (slash commands, block_actions,
 * view_submission / view_closed, Events API callbacks), signed with the app's signing secret and shaped as
 * Slack shapes them, with their consequences (ack bodies shown, view answers applied) played on the stand-in.
 * Used by the end-to-end tests and by the playground; input from a browser is validated, and a delivery Slack
 * could not have made throws `SlackDeliveryError` saying why.
 */
export const createSlackDelivery = (options: SlackDeliveryOptions): SlackDelivery => {
  const { standIn, url, signingSecret, clock, verificationToken, timeoutMs, transport } = parse(
    'createSlackDelivery',
    optionsSchema,
    options,
  );
  const now = () => (clock ?? { now: () => new Date() }).now();
  const seconds = () => Math.floor(now().getTime() / 1000);
  const { workspace } = standIn;
  let serial = 0;

  /** A Slack-style `1700000000.000100` time, unique per delivery object. */
  const slackTs = () => {
    serial += 1;
    return `${seconds()}.${String(serial % 1e6).padStart(6, '0')}`;
  };

  const requireUser = (userId: string): WorkspaceUser => {
    const user = workspace.users.find((candidate) => candidate.id === userId);
    if (user === undefined)
      throw new SlackDeliveryError(
        `unknown user ${userId} (the workspace has ${workspace.users.map((u) => u.id).join(', ') || 'no users'})`,
      );
    return user;
  };

  const requireChannel = (ref: string, user: WorkspaceUser): ChannelInfo => {
    const channel = standIn.channel(ref);
    if (channel === undefined) throw new SlackDeliveryError(`unknown channel ${ref}`);
    if (!channel.members.includes(user.id))
      throw new SlackDeliveryError(`${user.id} is not a member of ${channel.id} (#${channel.name})`);
    return channel;
  };

  const directory: Directory = {
    isUser: (userId) => workspace.users.some((user) => user.id === userId),
    channelId: (ref) => standIn.channel(ref)?.id,
  };

  const userObject = (user: WorkspaceUser) => ({
    id: user.id,
    username: user.name,
    name: user.name,
    team_id: workspace.teamId,
  });
  const team = () => ({ id: workspace.teamId, domain: workspace.domain });
  const common = () => ({
    api_app_id: workspace.bot.appId,
    token: verificationToken,
    is_enterprise_install: false,
    enterprise: null,
  });

  const send = async (
    contentType: string,
    body: string,
    payload: unknown,
    extra: {
      readonly secret?: string | undefined;
      readonly timestamp?: number | undefined;
      readonly signature?: string | undefined;
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ): Promise<Answered> => {
    if (transport === 'socket' && payload !== undefined)
      return sendOverSocket(contentType, body, payload, extra);
    const timestamp = extra.timestamp ?? seconds();
    return post({
      url,
      contentType,
      body,
      payload,
      timeoutMs,
      headers: {
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': extra.signature ?? signature(extra.secret ?? signingSecret, timestamp, body),
        ...extra.headers,
      },
    });
  };

  /** Socket Mode: the same payload in an envelope; the app's acknowledgement payload is its answer. */
  const sendOverSocket = async (
    contentType: string,
    body: string,
    payload: unknown,
    extra: { readonly headers?: Readonly<Record<string, string>> },
  ): Promise<Answered> => {
    const type =
      contentType === JSON_TYPE
        ? 'events_api'
        : typeof (payload as { command?: unknown }).command === 'string'
          ? 'slash_commands'
          : 'interactive';
    const retry = extra.headers?.['x-slack-retry-num'];
    let ack: unknown;
    try {
      ack = await standIn.socketMode.deliver(type, payload, {
        timeoutMs,
        ...(retry === undefined
          ? {}
          : { retryAttempt: Number(retry), retryReason: extra.headers?.['x-slack-retry-reason'] ?? '' }),
      });
    } catch (error) {
      throw new SlackDeliveryError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const empty = typeof ack === 'object' && ack !== null && Object.keys(ack).length === 0;
    return {
      status: 200,
      body: empty ? undefined : ack,
      request: { contentType, body, headers: {}, payload },
    };
  };

  /** Interactions travel as `payload=<json>` in a form body. */
  const sendInteraction = (payload: Record<string, unknown>) =>
    send(FORM, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), payload);

  const locate = (input: z.output<typeof actInput>, user: WorkspaceUser): Target => {
    if (input.viewId !== undefined) {
      const view = standIn.views.get(input.viewId);
      const open =
        view !== undefined &&
        (standIn.views.stack(user.id).some((v) => v.view.id === input.viewId) ||
          standIn.views.home(user.id)?.view.id === input.viewId);
      if (view === undefined || !open)
        throw new SlackDeliveryError(`view ${input.viewId} is not open for ${user.id}`);
      return { kind: 'view', view };
    }
    const channel = standIn.channel(input.channel ?? '');
    if (channel === undefined) throw new SlackDeliveryError(`unknown channel ${input.channel}`);
    const ts = input.ts ?? '';
    const message = standIn.message(channel.id, ts);
    if (message !== undefined) {
      if (!channel.members.includes(user.id))
        throw new SlackDeliveryError(`${user.id} is not a member of ${channel.id} (#${channel.name})`);
      return { kind: 'message', channel, message };
    }
    const ephemeral = standIn.ephemerals(user.id).find((e) => e.channel === channel.id && e.ts === ts);
    if (ephemeral !== undefined) return { kind: 'ephemeral', channel, ephemeral };
    throw new SlackDeliveryError(
      `no message ${ts} in ${channel.id} (#${channel.name}), nor an ephemeral of ${user.id}`,
    );
  };

  const blocksOf = (target: Target): { readonly blocks: readonly SlackBlock[]; readonly surface: string } => {
    switch (target.kind) {
      case 'message':
        return { blocks: target.message.blocks ?? [], surface: `${target.channel.id}:${target.message.ts}` };
      case 'ephemeral':
        return {
          blocks: target.ephemeral.blocks ?? [],
          surface: `${target.channel.id}:${target.ephemeral.ts}`,
        };
      case 'view':
        return { blocks: target.view.view.blocks, surface: target.view.view.id };
    }
  };

  const describeTarget = (target: Target) =>
    target.kind === 'view'
      ? `view ${target.view.view.id}`
      : `message ${target.kind === 'message' ? target.message.ts : target.ephemeral.ts} in ${target.channel.id}`;

  const findElement = (
    elements: readonly FoundElement[],
    actionId: string,
    blockId: string | undefined,
    where: string,
  ): FoundElement => {
    const matches = elements.filter(
      (found) => found.actionId === actionId && (blockId === undefined || found.blockId === blockId),
    );
    const [first, second] = matches;
    if (first === undefined) {
      const known = elements.map((found) => `${found.blockId}/${found.actionId}`).join(', ') || 'none';
      throw new SlackDeliveryError(
        `no element with action_id '${actionId}'${blockId === undefined ? '' : ` in block '${blockId}'`} in ${where} (its elements, block/action: ${known})`,
      );
    }
    if (second !== undefined)
      throw new SlackDeliveryError(
        `action_id '${actionId}' appears in blocks ${matches.map((m) => `'${m.blockId}'`).join(', ')} of ${where}: give blockId`,
      );
    return first;
  };

  /** A view as Slack sends it in a payload: its state holding every stateful element's current value. */
  const viewPayload = (view: SlackViewObject): SlackViewObject => ({
    ...view,
    state: { values: mergeState(initialState(elementsOf(view.blocks, view.id)), view.state.values) },
  });

  const requireModal = (user: WorkspaceUser, viewId: string): StandInView => {
    const view = standIn.views.get(viewId);
    if (view === undefined || view.view.type !== 'modal' || view.user !== user.id)
      throw new SlackDeliveryError(`no modal ${viewId} is open for ${user.id}`);
    return view;
  };

  /** Turns `values` (Slack's shape or bare choices) into state entries of the view's elements. */
  const enteredValues = (view: SlackViewObject, given: z.output<typeof values>) => {
    const elements = elementsOf(view.blocks, view.id);
    const entered: Record<string, Record<string, unknown>> = {};
    for (const [blockId, actions] of Object.entries(given))
      for (const [actionId, raw] of Object.entries(actions)) {
        const found = findElement(elements, actionId, blockId, `view ${view.id}`);
        if (!isStateful(found))
          throw new SlackDeliveryError(`${found.type} '${actionId}' in block '${blockId}' holds no value`);
        const slackShape = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
        if (slackShape && 'type' in raw && raw.type !== found.type)
          throw new SlackDeliveryError(
            `'${blockId}/${actionId}' is a ${found.type}, not a ${String(raw.type)}`,
          );
        const key = valueKey(found);
        if (slackShape && !(key in raw))
          throw new SlackDeliveryError(`'${blockId}/${actionId}' is a ${found.type}: give its ${key}`);
        const choice = slackShape ? (raw as Record<string, unknown>)[key] : raw;
        (entered[blockId] ??= {})[actionId] = stateEntry(found, chosenValue(found, choice, directory));
      }
    return entered;
  };

  const delivered = (answer: Answered, extra: Omit<Delivered, keyof Answered> = {}): Delivered => ({
    status: answer.status,
    body: answer.body,
    ...extra,
    request: answer.request,
  });

  return {
    async command(input) {
      const { user: userId, channel: ref, text, command } = parse('command', commandInput, input);
      const user = requireUser(userId);
      const channel = requireChannel(ref, user);
      const fields = {
        token: verificationToken,
        team_id: workspace.teamId,
        team_domain: workspace.domain,
        channel_id: channel.id,
        channel_name: channel.is_im ? 'directmessage' : channel.name,
        user_id: user.id,
        user_name: user.name,
        command,
        text,
        api_app_id: workspace.bot.appId,
        is_enterprise_install: 'false',
        response_url: standIn.newResponseUrl({ channel: channel.id, user: user.id }),
        trigger_id: standIn.newTriggerId(user.id),
      };
      const answer = await send(FORM, new URLSearchParams(fields).toString(), fields);
      if (answer.status !== 200 || !hasContent(answer.body)) return delivered(answer);
      const shown = standIn.showReply({ channel: channel.id, user: user.id }, answer.body);
      return delivered(
        answer,
        shown.ok ? {} : { ackError: { error: shown.error, messages: shown.messages } },
      );
    },

    async act(input) {
      const parsed = parse('act', actInput, input);
      const user = requireUser(parsed.user);
      const target = locate(parsed, user);
      const { blocks, surface } = blocksOf(target);
      const elements = elementsOf(blocks, surface);
      const found = findElement(elements, parsed.actionId, parsed.blockId, describeTarget(target));
      if (!found.dispatches)
        throw new SlackDeliveryError(
          `'${found.blockId}/${found.actionId}' is in an input block without dispatch_action: Slack sends no block_actions for it (submit its value with the view)`,
        );
      const action: Record<string, unknown> = {
        ...actionOf(found, parsed.selected, directory),
        action_ts: slackTs(),
      };
      const entered = isStateful(found)
        ? { [found.blockId]: { [found.actionId]: stateEntry(found, action[valueKey(found)]) } }
        : {};
      const base = {
        type: 'block_actions',
        user: userObject(user),
        ...common(),
        trigger_id: standIn.newTriggerId(user.id),
        team: team(),
      };
      if (target.kind === 'view') {
        const view =
          Object.keys(entered).length > 0 ? standIn.views.enter(target.view.view.id, entered) : target.view;
        return delivered(
          await sendInteraction({
            ...base,
            container: { type: 'view', view_id: view.view.id },
            view: viewPayload(view.view),
            actions: [action],
          }),
        );
      }
      const ephemeral = target.kind === 'ephemeral';
      const ts = ephemeral ? target.ephemeral.ts : target.message.ts;
      const threadTs = ephemeral ? target.ephemeral.thread_ts : target.message.thread_ts;
      const { channel } = target;
      // Slack ignores the body of an answer to block_actions (Bolt types its ack as taking none), so nothing
      // the app answers is shown here: replies go through respond() or the Web API.
      return delivered(
        await sendInteraction({
          ...base,
          container: {
            type: 'message',
            message_ts: ts,
            channel_id: channel.id,
            is_ephemeral: ephemeral,
            ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
          },
          channel: { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name },
          // Slack leaves the message out for ephemeral ones.
          ...(ephemeral ? {} : { message: messageBody(target.message) }),
          state: { values: mergeState(initialState(elements), entered) },
          response_url: standIn.newResponseUrl({
            channel: channel.id,
            user: user.id,
            messageTs: ts,
            ephemeral,
          }),
          actions: [action],
        }),
      );
    },

    async submitView(input) {
      const parsed = parse('submitView', submitInput, input);
      const user = requireUser(parsed.user);
      const view = requireModal(user, parsed.viewId);
      const top = standIn.views.top(user.id);
      if (top?.view.id !== view.view.id)
        throw new SlackDeliveryError(
          `view ${view.view.id} is under ${top?.view.id} in ${user.id}'s modal stack: only the top view can be submitted`,
        );
      if (view.view.submit === null || view.view.submit === undefined)
        throw new SlackDeliveryError(`view ${view.view.id} has no submit button`);
      const entered = enteredValues(view.view, parsed.values);
      const current = Object.keys(entered).length > 0 ? standIn.views.enter(view.view.id, entered) : view;
      const answer = await sendInteraction({
        type: 'view_submission',
        team: team(),
        user: userObject(user),
        ...common(),
        trigger_id: standIn.newTriggerId(user.id),
        view: viewPayload(current.view),
        response_urls: [],
      });
      // An answer other than 200 leaves the modal open, showing Slack's connection error.
      if (answer.status !== 200) return delivered(answer, { ...optionalView(standIn.views.top(user.id)) });
      const result = standIn.views.acknowledge(view.view.id, answer.body);
      if (!result.ok)
        return delivered(answer, {
          ...optionalView(standIn.views.top(user.id)),
          ackError: { error: result.error, messages: result.messages },
        });
      const body: unknown = answer.body;
      const answeredErrors = typeof body === 'object' && body !== null && 'errors' in body;
      const errors = answeredErrors ? result.view?.errors : undefined;
      return delivered(answer, { ...optionalView(result.view), ...(errors === undefined ? {} : { errors }) });
    },

    async closeView(input) {
      const parsed = parse('closeView', closeInput, input);
      const user = requireUser(parsed.user);
      const view = requireModal(user, parsed.viewId);
      standIn.views.close(view.view.id);
      if (!view.view.notify_on_close) return undefined;
      return delivered(
        await sendInteraction({
          type: 'view_closed',
          team: team(),
          user: userObject(user),
          ...common(),
          view: viewPayload(view.view),
          is_cleared: false,
        }),
      );
    },

    async event(input) {
      const parsed = parse('event', eventInput, input);
      const user = requireUser(parsed.user);
      const home = standIn.views.home(user.id);
      const event = {
        user: user.id,
        ...parsed.event,
        ...(parsed.event.type === 'app_home_opened' && parsed.event.view === undefined && home !== undefined
          ? { view: home.view }
          : {}),
        event_ts: typeof parsed.event.event_ts === 'string' ? parsed.event.event_ts : slackTs(),
      };
      serial += 1;
      const envelope = {
        token: verificationToken,
        team_id: workspace.teamId,
        api_app_id: workspace.bot.appId,
        event,
        type: 'event_callback',
        event_id: `Ev${String(serial).padStart(10, '0')}`,
        event_time: seconds(),
        authorizations: [
          {
            enterprise_id: null,
            team_id: workspace.teamId,
            user_id: workspace.bot.userId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
      };
      return delivered(await send(JSON_TYPE, JSON.stringify(envelope), envelope));
    },

    async retry(previous, retryNum = 1, reason = 'http_timeout') {
      const parsed = parse('retry', retryInput, { previous, retryNum, reason });
      const { body, contentType } = parsed.previous.request;
      // A redelivery carries the same body, signed afresh: a retry 5 minutes later must not look stale.
      return delivered(
        await send(contentType, body, previous.request.payload, {
          headers: { 'x-slack-retry-num': String(parsed.retryNum), 'x-slack-retry-reason': parsed.reason },
        }),
      );
    },

    async raw(input) {
      const parsed = parse('raw', rawInput, input);
      return delivered(
        await send(parsed.contentType, parsed.body, undefined, {
          secret: parsed.secret,
          timestamp: parsed.timestamp,
          signature: parsed.signature,
        }),
      );
    },
  };
};

const optionalView = (view: StandInView | undefined) => (view === undefined ? {} : { view });
