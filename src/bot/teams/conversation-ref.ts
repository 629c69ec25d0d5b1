import { z } from 'zod';
import type { TeamsActivity } from './activity.ts';
import { serviceUrlSchema, tenantOf } from './activity.ts';

const id = z.string().min(1).max(1024);

/**
 * What the bot needs to post to a conversation later (proactively), kept in Redis as JSON: where the Bot
 * Connector is (`serviceUrl`), which conversation, in which tenant, as which bot, and — for a hotfix's card —
 * the card's activity id and the root of its thread. `channelId` is the Bot Framework channel (`msteams`);
 * `teamsChannelId` the Teams channel (`19:…@thread.tacv2`) a thread was opened in.
 */
export const conversationRefSchema = z.strictObject({
  version: z.literal(1),
  serviceUrl: serviceUrlSchema,
  conversationId: id,
  tenantId: id.optional(),
  channelId: z.string().min(1).max(100),
  teamsChannelId: id.optional(),
  botId: id,
  /** The card's activity id, for `updateActivity`. */
  activityId: id.optional(),
  /** The thread's root activity id: replies go to `<teamsChannelId>;messageid=<threadRootId>`. */
  threadRootId: id.optional(),
});

export type ConversationRef = z.infer<typeof conversationRefSchema>;

/** A stored reference that does not decode: the message says what is wrong, never the whole value. */
export class ConversationRefError extends Error {
  override readonly name = 'ConversationRefError';
}

const problemOf = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'reference'}: ${issue?.message ?? 'invalid'}`;
};

/** JSON for Redis; refuses a reference that would not decode again. */
export const encodeConversationRef = (ref: ConversationRef): string => {
  const parsed = conversationRefSchema.safeParse(ref);
  if (!parsed.success)
    throw new ConversationRefError(`not a conversation reference: ${problemOf(parsed.error)}`);
  return JSON.stringify(parsed.data);
};

/** The reference stored as `text`; throws ConversationRefError naming the first problem. */
export const decodeConversationRef = (text: string): ConversationRef => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConversationRefError('a stored conversation reference is not JSON');
  }
  const parsed = conversationRefSchema.safeParse(json);
  if (!parsed.success)
    throw new ConversationRefError(`a stored conversation reference is invalid: ${problemOf(parsed.error)}`);
  return parsed.data;
};

/** Where an activity came from, to answer in the same conversation (a channel thread, a chat, a 1:1). */
export const refFromActivity = (activity: TeamsActivity): ConversationRef => {
  const tenantId = tenantOf(activity);
  const teamsChannelId = activity.channelData?.channel?.id;
  return {
    version: 1,
    serviceUrl: activity.serviceUrl,
    conversationId: activity.conversation.id,
    ...(tenantId === undefined ? {} : { tenantId }),
    channelId: activity.channelId,
    ...(teamsChannelId === undefined ? {} : { teamsChannelId }),
    botId: activity.recipient.id,
  };
};

const MESSAGE_ID = /;messageid=(\d+)$/;

/**
 * The root activity id Teams hides in a thread's conversation id (`19:…@thread.tacv2;messageid=N`): botbuilder's
 * CloudAdapter hands back that conversation id where the new activity's id is expected.
 */
export const threadRootOf = (conversationId: string): string | undefined =>
  MESSAGE_ID.exec(conversationId)?.[1];

/** The conversation id of a thread in a Teams channel: where its replies are posted. */
export const threadConversationId = (teamsChannelId: string, rootId: string): string =>
  `${teamsChannelId.replace(/;messageid=.*$/, '')};messageid=${rootId}`;
