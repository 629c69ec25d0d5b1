import { z } from 'zod';
import { MethodError, decodeJson, flag, parseArgs, timestamp } from '../args.ts';
import type { State } from '../state/store.ts';
import type { ChannelInfo, StandInMessage } from '../types.ts';
import { parseContent } from './content.ts';
import type { MethodTable } from './method.ts';

const content = {
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
  markdown_text: z.string().optional(),
};

const postMessageArgs = z.looseObject({
  channel: z.string().optional(),
  ...content,
  thread_ts: timestamp.optional(),
  reply_broadcast: flag.optional(),
  metadata: z.unknown().optional(),
});

const updateArgs = z.looseObject({
  channel: z.string().optional(),
  ts: timestamp.optional(),
  ...content,
  metadata: z.unknown().optional(),
});

const postEphemeralArgs = z.looseObject({
  channel: z.string().optional(),
  user: z.string().optional(),
  ...content,
  thread_ts: timestamp.optional(),
});

const messageRefArgs = z.looseObject({ channel: z.string().optional(), ts: timestamp.optional() });
const permalinkArgs = z.looseObject({ channel: z.string().optional(), message_ts: timestamp.optional() });

/** The message as Slack returns it in a method response: without the channel, which sits beside it. */
export const messageBody = ({ channel: _channel, ...message }: StandInMessage) => message;

const channelFor = (state: State, ref: string | undefined): ChannelInfo => {
  if (ref === undefined || ref === '') throw new MethodError('channel_not_found');
  return state.workspace.requireChannel(ref);
};

/** Chat methods need the bot in the channel (the app has no chat:write.public). */
const postableChannel = (state: State, ref: string | undefined): ChannelInfo => {
  const channel = channelFor(state, ref);
  if (!state.workspace.isMember(channel.id, state.workspace.workspace.bot.userId))
    throw new MethodError('not_in_channel');
  return channel;
};

const botMessage = (
  state: State,
  channel: string,
  ts: string | undefined,
  denied: string,
): StandInMessage => {
  if (ts === undefined) throw new MethodError('message_not_found');
  const message = state.messages.get(channel, ts);
  if (message === undefined) throw new MethodError('message_not_found');
  if (message.user !== state.workspace.workspace.bot.userId) throw new MethodError(denied);
  return message;
};

const metadataOf = (raw: unknown) => {
  if (raw === undefined) return undefined;
  const decoded = decodeJson(raw);
  if (!decoded.ok || typeof decoded.value !== 'object' || decoded.value === null)
    throw new MethodError('invalid_metadata_format');
  return decoded.value;
};

export const chatMethods: MethodTable = {
  'chat.postMessage': (raw, { state }) => {
    const args = parseArgs(postMessageArgs, raw);
    const channel = postableChannel(state, args.channel);
    const parsed = parseContent(args, { required: true });
    const metadata = metadataOf(args.metadata);
    const message = state.messages.post({
      channel: channel.id,
      user: state.workspace.workspace.bot.userId,
      ...parsed,
      text: parsed.text ?? '',
      ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
      ...(args.reply_broadcast === undefined ? {} : { reply_broadcast: args.reply_broadcast }),
      ...(metadata === undefined ? {} : { metadata }),
    });
    return { channel: channel.id, ts: message.ts, message: messageBody(message) };
  },

  'chat.update': (raw, { state }) => {
    const args = parseArgs(updateArgs, raw);
    const channel = channelFor(state, args.channel);
    const existing = botMessage(state, channel.id, args.ts, 'cant_update_message');
    const parsed = parseContent(args, { required: false });
    if (parsed.text === undefined && parsed.blocks === undefined && parsed.attachments === undefined)
      throw new MethodError('no_text');
    const metadata = metadataOf(args.metadata);
    const message = state.messages.edit(channel.id, existing.ts, {
      ...parsed,
      ...(metadata === undefined ? {} : { metadata }),
    });
    return { channel: channel.id, ts: message.ts, text: message.text, message: messageBody(message) };
  },

  'chat.postEphemeral': (raw, { state }) => {
    const args = parseArgs(postEphemeralArgs, raw);
    const channel = postableChannel(state, args.channel);
    if (args.user === undefined || state.workspace.user(args.user) === undefined)
      throw new MethodError('user_not_found');
    if (!state.workspace.isMember(channel.id, args.user)) throw new MethodError('user_not_in_channel');
    const parsed = parseContent(args, { required: true });
    const ephemeral = state.messages.postEphemeral({
      channel: channel.id,
      user: args.user,
      ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
      text: parsed.text ?? '',
      ...(parsed.blocks === undefined ? {} : { blocks: parsed.blocks }),
      source: 'chat.postEphemeral',
    });
    return { message_ts: ephemeral.ts };
  },

  'chat.delete': (raw, { state }) => {
    const args = parseArgs(messageRefArgs, raw);
    const channel = channelFor(state, args.channel);
    const message = botMessage(state, channel.id, args.ts, 'cant_delete_message');
    state.messages.remove(channel.id, message.ts);
    return { channel: channel.id, ts: message.ts };
  },

  'chat.getPermalink': (raw, { state }) => {
    const args = parseArgs(permalinkArgs, raw);
    const channel = channelFor(state, args.channel);
    const message =
      args.message_ts === undefined ? undefined : state.messages.get(channel.id, args.message_ts);
    if (message === undefined) throw new MethodError('message_not_found');
    const { domain } = state.workspace.workspace;
    const base = `https://${domain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`;
    const reply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
    return {
      channel: channel.id,
      permalink: reply ? `${base}?thread_ts=${message.thread_ts}&cid=${channel.id}` : base,
    };
  },
};
