import { z } from 'zod';
import type { Faults } from './faults.ts';
import type { State } from './state.ts';
import { splitConversationId, threadConversationId } from './state.ts';
import type { ActivityJson, StandInActivity, StandInConversation, TeamsUser } from './types.ts';

export interface ConnectorRequest {
  readonly method: string;
  /** Path segments after the service URL, decoded (`['v3', 'conversations', '19:…', 'activities']`). */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** The parsed JSON body; `invalid` when it was not JSON. */
  readonly body: unknown;
  readonly bodyBytes: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Undefined: an empty body. */
  readonly body?: unknown;
}

export const errorAnswer = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message } },
});

export class ConnectorError extends Error {
  constructor(readonly answer: Answer) {
    super(JSON.stringify(answer.body));
  }
}

const refuse = (status: number, code: string, message: string): never => {
  throw new ConnectorError(errorAnswer(status, code, message));
};

const attachmentSchema = z.looseObject({
  contentType: z.string().min(1),
  content: z.unknown().optional(),
  contentUrl: z.string().optional(),
});

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Basic shape only: the card tests validate cards against the Adaptive Card schema. */
const activitySchema = z
  .looseObject({
    type: z.string().min(1),
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
  })
  .superRefine((activity, ctx) => {
    if (
      activity.type === 'message' &&
      (activity.text ?? '') === '' &&
      (activity.attachments ?? []).length === 0
    )
      ctx.addIssue({ code: 'custom', message: 'a message needs text or an attachment' });
    (activity.attachments ?? []).forEach((attachment, i) => {
      if (attachment.contentType !== ADAPTIVE_CARD) return;
      const card = z.looseObject({ type: z.literal('AdaptiveCard'), version: z.string() });
      if (!card.safeParse(attachment.content).success)
        ctx.addIssue({
          code: 'custom',
          path: ['attachments', i, 'content'],
          message: 'an Adaptive Card object ({ type: "AdaptiveCard", version, … })',
        });
    });
  });

const createSchema = z.looseObject({
  isGroup: z.boolean().optional(),
  bot: z.looseObject({ id: z.string() }).optional(),
  members: z.array(z.looseObject({ id: z.string().min(1) })).optional(),
  channelData: z
    .looseObject({
      channel: z.looseObject({ id: z.string().min(1) }).optional(),
      tenant: z.looseObject({ id: z.string() }).optional(),
    })
    .optional(),
  activity: z.unknown().optional(),
  tenantId: z.string().optional(),
  topicName: z.string().optional(),
});

const parseActivity = (body: unknown): ActivityJson => {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) refuse(400, 'BadArgument', z.prettifyError(parsed.error));
  return parsed.data as ActivityJson;
};

export const memberJson = (user: TeamsUser, tenantId: string) => ({
  id: user.id,
  name: user.name,
  aadObjectId: user.aadObjectId,
  email: user.email,
  userPrincipalName: user.email,
  ...(user.givenName === undefined ? {} : { givenName: user.givenName }),
  ...(user.surname === undefined ? {} : { surname: user.surname }),
  tenantId,
  userRole: 'user',
});

const PAGE_SIZE = { default: 200, min: 1, max: 500 };

/**
 * The Bot Connector REST surface botbuilder's ConnectorClient calls. Faults and auth are the caller's; this
 * checks the request as Teams does (conversation, shape, size, rate) and changes the state.
 */
export const createConnector = (deps: {
  readonly state: State;
  readonly faults: Faults;
  readonly maxActivityBytes: number;
}) => {
  const { state, faults } = deps;
  const { tenant } = state;
  const botAuthor = 'bot';

  const findConversation = (id: string): StandInConversation =>
    state.conversation(id) ?? refuse(404, 'ConversationNotFound', `Conversation not found: ${id}`);

  const checkSize = (activity: unknown, bytes: number) => {
    if (bytes > deps.maxActivityBytes)
      refuse(
        413,
        'MessageSizeTooBig',
        `Message size too big: ${bytes} bytes (at most ${deps.maxActivityBytes})`,
      );
    return activity;
  };

  const checkRate = (conversation: string) => {
    const retryAfter = faults.rateLimited(conversation, state.clock.now());
    if (retryAfter !== undefined)
      throw new ConnectorError({
        status: 429,
        headers: { 'retry-after': String(retryAfter) },
        body: {
          error: { code: 'TooManyRequests', message: 'Too many requests, retry after the given time' },
        },
      });
  };

  const fromBot = (activity: ActivityJson): ActivityJson => ({
    ...activity,
    from: { id: `28:${tenant.bot.appId}`, name: tenant.bot.name, ...(activity.from as object | undefined) },
  });

  /** Where a send lands: a thread id replies in that thread; a channel id starts a thread; a 1:1 chat appends. */
  const send = (conversationId: string, activity: ActivityJson, replyTo?: string): StandInActivity => {
    const conversation = findConversation(conversationId);
    const { thread } = splitConversationId(conversationId);
    // botbuilder's continuation replies to a random id: a reply to an unknown id is a plain send.
    const repliedTo = replyTo === undefined ? undefined : state.activity(replyTo);
    const threadId = thread ?? (repliedTo?.conversation === conversation.id ? repliedTo.threadId : undefined);
    if (thread !== undefined && state.activity(thread)?.conversation !== conversation.id)
      refuse(404, 'ConversationNotFound', `No thread ${thread} in ${conversation.id}`);
    checkRate(conversation.id);
    return state.post({
      conversation,
      ...(conversation.kind === 'channel' && threadId !== undefined ? { threadId } : {}),
      author: botAuthor,
      activity: fromBot(replyTo === undefined ? activity : { ...activity, replyToId: replyTo }),
    });
  };

  const createConversation = (body: unknown): Answer => {
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) return errorAnswer(400, 'BadArgument', z.prettifyError(parsed.error));
    const request = parsed.data;
    const tenantId = request.tenantId ?? request.channelData?.tenant?.id;
    if (tenantId !== undefined && tenantId !== tenant.tenantId)
      return errorAnswer(403, 'Forbidden', `The bot is not installed in tenant ${tenantId}`);
    const channelId = request.channelData?.channel?.id;
    if (channelId !== undefined) {
      const channel = findConversation(channelId);
      if (channel.kind !== 'channel' || splitConversationId(channelId).thread !== undefined)
        return errorAnswer(400, 'BadArgument', `${channelId} is not a channel`);
      if (request.activity === undefined)
        return errorAnswer(400, 'BadArgument', 'a new channel thread needs its first activity');
      const activity = parseActivity(
        checkSize(request.activity, Buffer.byteLength(JSON.stringify(request.activity))),
      );
      checkRate(channel.id);
      const root = state.post({ conversation: channel, author: botAuthor, activity: fromBot(activity) });
      return { status: 201, body: { id: threadConversationId(channel.id, root.id), activityId: root.id } };
    }
    const members = request.members ?? [];
    const member = members.length === 1 && members[0] !== undefined ? state.user(members[0].id) : undefined;
    if (request.isGroup === true || member === undefined)
      return errorAnswer(
        400,
        'BadArgument',
        'create a channel thread (channelData.channel.id) or a 1:1 chat (exactly one member of the tenant)',
      );
    const chat = state.personal(member);
    if (request.activity === undefined) return { status: 201, body: { id: chat.id } };
    const activity = parseActivity(
      checkSize(request.activity, Buffer.byteLength(JSON.stringify(request.activity))),
    );
    checkRate(chat.id);
    const first = state.post({ conversation: chat, author: botAuthor, activity: fromBot(activity) });
    return { status: 201, body: { id: chat.id, activityId: first.id } };
  };

  const update = (conversationId: string, activityId: string, body: unknown, bytes: number): Answer => {
    const conversation = findConversation(conversationId);
    const current = state.activity(activityId);
    if (current?.conversation !== conversation.id)
      return errorAnswer(404, 'ActivityNotFound', `No activity ${activityId} in ${conversation.id}`);
    if (current.author !== botAuthor)
      return errorAnswer(403, 'Forbidden', 'A bot can update only its own activities');
    const activity = parseActivity(checkSize(body, bytes));
    checkRate(conversation.id);
    state.update(current, fromBot(activity));
    return { status: 200, body: { id: activityId } };
  };

  const members = (conversationId: string, memberId: string | undefined): Answer => {
    const people = state.members(findConversation(conversationId));
    if (memberId !== undefined) {
      const found = people.find((user) => user.id === memberId || user.aadObjectId === memberId);
      return found === undefined
        ? errorAnswer(
            404,
            'MemberNotFoundInConversation',
            `Member ${memberId} not found in ${conversationId}`,
          )
        : { status: 200, body: memberJson(found, tenant.tenantId) };
    }
    return { status: 200, body: people.map((user) => memberJson(user, tenant.tenantId)) };
  };

  const pagedMembers = (conversationId: string, query: URLSearchParams): Answer => {
    const people = state.members(findConversation(conversationId));
    const size = Number(query.get('pageSize') ?? PAGE_SIZE.default);
    const start = Number(query.get('continuationToken') ?? 0);
    if (!Number.isInteger(size) || size < PAGE_SIZE.min || size > PAGE_SIZE.max)
      return errorAnswer(400, 'BadArgument', `pageSize must be ${PAGE_SIZE.min}..${PAGE_SIZE.max}`);
    if (!Number.isInteger(start) || start < 0 || start > people.length)
      return errorAnswer(400, 'BadArgument', 'unknown continuationToken');
    const end = start + size;
    return {
      status: 200,
      body: {
        members: people.slice(start, end).map((user) => memberJson(user, tenant.tenantId)),
        ...(end < people.length ? { continuationToken: String(end) } : {}),
      },
    };
  };

  const team = (teamId: string, rest: readonly string[]): Answer => {
    if (teamId !== tenant.team.id) return errorAnswer(404, 'NotFound', `Team not found: ${teamId}`);
    if (rest.length === 0)
      return {
        status: 200,
        body: { id: tenant.team.id, name: tenant.team.name, aadGroupId: tenant.team.aadGroupId },
      };
    if (rest.length === 1 && rest[0] === 'conversations')
      return {
        status: 200,
        body: {
          conversations: [
            // General has no name of its own in Teams' answer.
            { id: tenant.team.id },
            ...tenant.channels.map((channel) => ({ id: channel.id, name: channel.name })),
          ],
        },
      };
    return errorAnswer(404, 'NotFound', 'no such resource');
  };

  const route = (request: ConnectorRequest): Answer => {
    const { method, segments, query, body, bodyBytes } = request;
    const [version, collection, id, sub, subId, ...extra] = segments;
    if (version !== 'v3') return errorAnswer(404, 'NotFound', 'no such resource');
    if (collection === 'teams' && id !== undefined && method === 'GET') return team(id, segments.slice(3));
    if (collection !== 'conversations' || extra.length > 0)
      return errorAnswer(404, 'NotFound', 'no such resource');
    if (id === undefined) {
      if (method === 'POST') return createConversation(body);
      return errorAnswer(405, 'MethodNotAllowed', `${method} /v3/conversations`);
    }
    if (sub === 'activities' && method === 'POST') {
      const activity = parseActivity(checkSize(body, bodyBytes));
      const sent = send(id, activity, subId);
      return { status: 201, body: { id: sent.id } };
    }
    if (sub === 'activities' && subId !== undefined && method === 'PUT')
      return update(id, subId, body, bodyBytes);
    if (sub === 'members' && method === 'GET') return members(id, subId);
    if (sub === 'pagedmembers' && subId === undefined && method === 'GET') return pagedMembers(id, query);
    return errorAnswer(404, 'NotFound', 'no such resource');
  };

  return (request: ConnectorRequest): Answer => {
    try {
      return route(request);
    } catch (error) {
      if (error instanceof ConnectorError) return error.answer;
      throw error;
    }
  };
};
