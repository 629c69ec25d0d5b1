import { z } from 'zod';
import type { TokenFlaw } from './openid.ts';
import type { TeamsStandIn } from './stand-in.ts';
import { splitConversationId, threadConversationId } from './state.ts';
import type { ActivityJson, StandInActivity, StandInConversation, TeamsUser } from './types.ts';

export class TeamsDeliveryError extends Error {
  override readonly name = 'TeamsDeliveryError';
}

export interface TeamsDeliveryOptions {
  /** Holds the tenant, the conversations and the cards acted on; signs the tokens. */
  readonly standIn: TeamsStandIn;
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly url: string;
  /** How long to wait for the bot's answer (default 10 s; Teams gives an invoke about 5 s). */
  readonly timeoutMs?: number;
}

export interface Delivered {
  /** The bot's HTTP status. */
  readonly status: number;
  /** Parsed JSON, else the text, or undefined when empty. */
  readonly body: unknown;
  /** The activity as posted. */
  readonly activity: ActivityJson;
  /** The `Authorization` header sent, if any. */
  readonly authorization: string | undefined;
}

/** What the person filled in on the card (input id → value), merged over the action's `data` as Teams does. */
export type Inputs = Readonly<Record<string, unknown>>;

export interface TeamsDelivery {
  /**
   * `@hotfix <text>` in a channel: a new post (or a reply in `threadId`'s thread), held by the stand-in and sent
   * with the mention entity and `<at>` tag Teams puts in.
   */
  mention(input: {
    readonly user: string;
    readonly text: string;
    readonly channel?: string;
    readonly threadId?: string;
  }): Promise<Delivered>;
  /** A message in the user's 1:1 chat with the bot (no mention there). */
  personal(input: { readonly user: string; readonly text: string }): Promise<Delivered>;
  /** A click on an `Action.Execute` (by verb) of a card the stand-in holds: an `adaptiveCard/action` invoke. */
  execute(input: {
    readonly user: string;
    readonly activityId: string;
    readonly verb: string;
    readonly inputs?: Inputs;
  }): Promise<Delivered>;
  /**
   * A click on an `Action.Submit` (by `id` or `title`) of a card the stand-in holds: a message with `value`, or,
   * when its data asks for a dialog (`msteams.type: 'task/fetch'`), a `task/fetch` invoke.
   */
  submit(input: {
    readonly user: string;
    readonly activityId: string;
    readonly action: string;
    readonly inputs?: Inputs;
  }): Promise<Delivered>;
  /** A dialog's submit button: a `task/submit` invoke with what the dialog's inputs hold. */
  taskSubmit(input: {
    readonly user: string;
    readonly activityId: string;
    readonly data: Inputs;
  }): Promise<Delivered>;
  /** The bot was added: to the team (channel `conversationUpdate`), or installed by `user` for a 1:1 chat. */
  botAdded(
    input: { readonly scope: 'team' } | { readonly scope: 'personal'; readonly user: string },
  ): Promise<Delivered>;
  /** Posts any activity, with a flawed token or a chosen Authorization header (null: none). */
  raw(input: {
    readonly activity: ActivityJson;
    readonly flaw?: TokenFlaw;
    readonly authorization?: string | null;
  }): Promise<Delivered>;
}

const optionsSchema = z.strictObject({
  standIn: z.custom<TeamsStandIn>(
    (value) => typeof (value as TeamsStandIn | undefined)?.postAsUser === 'function',
    'a Teams stand-in (createTeamsStandIn)',
  ),
  url: z.url({ protocol: /^https?$/, error: "the bot's messaging endpoint (http://…/api/messages)" }),
  timeoutMs: z.int().positive().default(10_000),
});

const parseAnswer = (text: string, contentType: string | null): unknown => {
  if (text === '') return undefined;
  if (!(contentType ?? '').toLowerCase().includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

type CardAction = Readonly<Record<string, unknown>> & { readonly type: string };

/** Every action of a card, wherever it sits (actions, ActionSets, selectActions, fallbacks). */
const actionsOf = (value: unknown): CardAction[] => {
  if (Array.isArray(value)) return value.flatMap(actionsOf);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own =
    typeof object.type === 'string' && object.type.startsWith('Action.') ? [object as CardAction] : [];
  return [...own, ...Object.values(object).flatMap(actionsOf)];
};

const dataOf = (action: CardAction) =>
  typeof action.data === 'object' && action.data !== null ? (action.data as Record<string, unknown>) : {};

export const createTeamsDelivery = (options: TeamsDeliveryOptions): TeamsDelivery => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new TeamsDeliveryError(`createTeamsDelivery: invalid options\n${z.prettifyError(parsed.error)}`);
  const { standIn, url, timeoutMs } = parsed.data;
  const { tenant } = standIn;
  let serial = 0;

  const person = (ref: string): TeamsUser => {
    const found = standIn.user(ref);
    if (found === undefined) throw new TeamsDeliveryError(`unknown user ${ref}`);
    return found;
  };

  const base = (user: TeamsUser, conversation: StandInConversation, threadRoot: string | undefined) => {
    const inChannel = conversation.kind === 'channel';
    const now = new Date();
    return {
      timestamp: now.toISOString(),
      localTimestamp: now.toISOString(),
      channelId: 'msteams',
      serviceUrl: standIn.serviceUrl,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: `28:${tenant.bot.appId}`, name: tenant.bot.name },
      conversation: inChannel
        ? {
            isGroup: true,
            conversationType: 'channel',
            tenantId: tenant.tenantId,
            id:
              threadRoot === undefined ? conversation.id : threadConversationId(conversation.id, threadRoot),
          }
        : { conversationType: 'personal', tenantId: tenant.tenantId, id: conversation.id },
      channelData: inChannel
        ? {
            teamsChannelId: conversation.id,
            teamsTeamId: tenant.team.id,
            channel: { id: conversation.id },
            team: { id: tenant.team.id, name: tenant.team.name, aadGroupId: tenant.team.aadGroupId },
            tenant: { id: tenant.tenantId },
          }
        : { tenant: { id: tenant.tenantId } },
      locale: 'en-US',
    };
  };

  const clientInfo = { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'UTC' };

  const validToken = () =>
    standIn.authenticated ? `Bearer ${standIn.token({ appId: tenant.bot.appId })}` : undefined;

  const send = async (activity: ActivityJson, authorization: string | undefined): Promise<Delivered> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new TeamsDeliveryError(
        timedOut
          ? `the bot at ${url} did not answer within ${timeoutMs} ms`
          : `could not reach the bot at ${url}`,
        { cause: error },
      );
    }
    const text = await response.text();
    return {
      status: response.status,
      body: parseAnswer(text, response.headers.get('content-type')),
      activity,
      authorization,
    };
  };

  /** As Teams sends it: with a valid channel token in authenticated mode, with none otherwise. */
  const post = (activity: ActivityJson) => send(activity, validToken());

  /** The card activity acted on, where it lives, and its actions. */
  const cardOf = (activityId: string) => {
    const card: StandInActivity | undefined = standIn.activity(activityId);
    if (card === undefined) throw new TeamsDeliveryError(`no activity ${activityId} in the stand-in`);
    const conversation = standIn.conversations().find((candidate) => candidate.id === card.conversation);
    if (conversation === undefined)
      throw new TeamsDeliveryError(`no conversation for activity ${activityId}`);
    return { card, conversation, actions: actionsOf(card.activity.attachments) };
  };

  const invokeOn = (user: TeamsUser, activityId: string, name: string, value: unknown) => {
    const { card, conversation } = cardOf(activityId);
    serial += 1;
    return post({
      ...base(user, conversation, card.threadId),
      type: 'invoke',
      id: `f:${tenant.bot.appId.slice(0, 8)}${String(serial).padStart(6, '0')}`,
      name,
      value,
      replyToId: activityId,
      entities: [clientInfo],
    });
  };

  const mentionEntity = () => ({
    type: 'mention',
    text: `<at>${tenant.bot.name}</at>`,
    mentioned: { id: `28:${tenant.bot.appId}`, name: tenant.bot.name },
  });

  return {
    async mention({ user, text, channel = tenant.team.id, threadId }) {
      const author = person(user);
      const target = standIn
        .conversations()
        .find((candidate) => candidate.id === splitConversationId(channel).base);
      if (target?.kind !== 'channel') throw new TeamsDeliveryError(`no channel ${channel}`);
      const content = {
        type: 'message',
        text: `<at>${tenant.bot.name}</at> ${text}`,
        textFormat: 'plain',
        entities: [mentionEntity(), clientInfo],
      };
      const written = standIn.postAsUser({
        user: author.aadObjectId,
        conversation: target.id,
        ...(threadId === undefined ? {} : { threadId }),
        activity: content,
      });
      return post({ ...base(author, target, written.threadId), ...content, id: written.id });
    },
    async personal({ user, text }) {
      const author = person(user);
      const chat = standIn.personalConversation(author.aadObjectId);
      const content = { type: 'message', text, textFormat: 'plain', entities: [clientInfo] };
      const written = standIn.postAsUser({
        user: author.aadObjectId,
        conversation: chat.id,
        activity: content,
      });
      return post({ ...base(author, chat, undefined), ...content, id: written.id });
    },
    async execute({ user, activityId, verb, inputs = {} }) {
      const action = cardOf(activityId).actions.find(
        (candidate) => candidate.type === 'Action.Execute' && candidate.verb === verb,
      );
      if (action === undefined)
        throw new TeamsDeliveryError(`activity ${activityId} has no Action.Execute with verb ${verb}`);
      return invokeOn(person(user), activityId, 'adaptiveCard/action', {
        action: {
          type: 'Action.Execute',
          ...(typeof action.id === 'string' ? { id: action.id } : {}),
          verb,
          data: { ...dataOf(action), ...inputs },
        },
        trigger: 'manual',
      });
    },
    async submit({ user, activityId, action: ref, inputs = {} }) {
      const { card, conversation, actions } = cardOf(activityId);
      const action = actions.find(
        (candidate) =>
          candidate.type === 'Action.Submit' && (candidate.id === ref || candidate.title === ref),
      );
      if (action === undefined)
        throw new TeamsDeliveryError(`activity ${activityId} has no Action.Submit ${ref}`);
      const author = person(user);
      const data = { ...dataOf(action), ...inputs };
      const msteams = data.msteams as { type?: unknown } | undefined;
      if (msteams?.type === 'task/fetch')
        return invokeOn(author, activityId, 'task/fetch', {
          type: 'task/fetch',
          data,
          context: { theme: 'default' },
        });
      return post({
        ...base(author, conversation, card.threadId),
        type: 'message',
        id: String(new Date().getTime()),
        replyToId: activityId,
        value: data,
        entities: [clientInfo],
      });
    },
    taskSubmit: ({ user, activityId, data }) =>
      invokeOn(person(user), activityId, 'task/submit', {
        type: 'task/submit',
        data,
        context: { theme: 'default' },
      }),
    async botAdded(input) {
      const bot = { id: `28:${tenant.bot.appId}` };
      if (input.scope === 'personal') {
        const author = person(input.user);
        return post({
          ...base(author, standIn.personalConversation(author.aadObjectId), undefined),
          type: 'conversationUpdate',
          membersAdded: [bot],
        });
      }
      const installer = tenant.users[0];
      if (installer === undefined) throw new TeamsDeliveryError('the tenant has no users to add the bot');
      const general = standIn.conversations().find((candidate) => candidate.id === tenant.team.id);
      if (general === undefined) throw new TeamsDeliveryError('the team has no General channel');
      const activity = base(installer, general, undefined);
      return post({
        ...activity,
        type: 'conversationUpdate',
        membersAdded: [bot],
        channelData: { ...activity.channelData, eventType: 'teamMemberAdded' },
      });
    },
    raw({ activity, flaw, authorization }) {
      if (authorization !== undefined) return send(activity, authorization ?? undefined);
      if (flaw !== undefined)
        return send(activity, `Bearer ${standIn.token({ appId: tenant.bot.appId, flaw })}`);
      return post(activity);
    },
  };
};
