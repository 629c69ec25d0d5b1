import { z } from 'zod';
import { MethodError, flag, idList, integer, parseArgs, timestamp } from '../args.ts';
import type { State } from '../state/store.ts';
import type { ChannelInfo } from '../types.ts';
import { messageBody } from './chat.ts';
import type { MethodTable } from './method.ts';
import { page } from './workspace.ts';

const channelArgs = z.looseObject({ channel: z.string().optional() });
const createArgs = z.looseObject({ name: z.string().optional(), is_private: flag.optional() });
const inviteArgs = z.looseObject({ channel: z.string().optional(), users: idList.optional() });
const membersArgs = z.looseObject({
  channel: z.string().optional(),
  limit: integer.optional(),
  cursor: z.string().optional(),
});
const openArgs = z.looseObject({ channel: z.string().optional(), users: idList.optional() });
const repliesArgs = z.looseObject({ channel: z.string().optional(), ts: timestamp.optional() });

const MAX_NAME = 80;

export const channelObject = (channel: ChannelInfo, state: State) => {
  const empty = { value: '', creator: '', last_set: 0 };
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !channel.is_im && !channel.is_private,
    is_group: !channel.is_im && channel.is_private,
    is_im: channel.is_im,
    is_mpim: false,
    is_private: channel.is_private,
    is_archived: false,
    is_general: false,
    created: channel.created,
    creator: channel.creator,
    is_member: channel.members.includes(state.workspace.workspace.bot.userId),
    num_members: channel.members.length,
    ...(channel.user === undefined ? {} : { user: channel.user }),
    topic: empty,
    purpose: empty,
  };
};

const channelFor = (state: State, ref: string | undefined) => {
  if (ref === undefined || ref === '') throw new MethodError('channel_not_found');
  return state.workspace.requireChannel(ref);
};

/** Slack's channel name rules: lowercase letters, digits, `-` and `_`, at most 80 characters, unique. */
const checkName = (state: State, name: string | undefined): string => {
  if (name === undefined || name === '') throw new MethodError('invalid_name_required');
  if (name.length > MAX_NAME) throw new MethodError('invalid_name_maxlength');
  if (/[^a-z0-9_-]/.test(name)) throw new MethodError('invalid_name_specials');
  if (!/[a-z0-9]/.test(name)) throw new MethodError('invalid_name_punctuation');
  if (state.workspace.channelNamed(name) !== undefined) throw new MethodError('name_taken');
  return name;
};

export const conversationMethods: MethodTable = {
  'conversations.info': (raw, { state }) => {
    const args = parseArgs(channelArgs, raw);
    return { channel: channelObject(channelFor(state, args.channel), state) };
  },

  'conversations.create': (raw, { state }) => {
    const args = parseArgs(createArgs, raw);
    const channel = state.workspace.createChannel(checkName(state, args.name), args.is_private ?? false);
    return { channel: channelObject(channel, state) };
  },

  'conversations.invite': (raw, { state }) => {
    const args = parseArgs(inviteArgs, raw);
    const channel = channelFor(state, args.channel);
    const users = args.users ?? [];
    if (users.length === 0) throw new MethodError('no_user');
    const { bot } = state.workspace.workspace;
    if (users.includes(bot.userId)) throw new MethodError('cant_invite_self');
    const unknown = users.find((user) => state.workspace.user(user) === undefined);
    if (unknown !== undefined) throw new MethodError('user_not_found');
    if (!channel.members.includes(bot.userId)) throw new MethodError('not_in_channel');
    const added = users.filter((user) => !channel.members.includes(user));
    if (added.length === 0) throw new MethodError('already_in_channel');
    return { channel: channelObject(state.workspace.addMembers(channel.id, added), state) };
  },

  'conversations.members': (raw, { state }) => {
    const args = parseArgs(membersArgs, raw);
    const channel = channelFor(state, args.channel);
    const { items, response_metadata } = page(channel.members, args.limit, args.cursor);
    return { members: items, response_metadata };
  },

  'conversations.join': (raw, { state }) => {
    const args = parseArgs(channelArgs, raw);
    const channel = channelFor(state, args.channel);
    if (channel.is_private || channel.is_im) throw new MethodError('method_not_supported_for_channel_type');
    const { bot } = state.workspace.workspace;
    return { channel: channelObject(state.workspace.addMembers(channel.id, [bot.userId]), state) };
  },

  'conversations.open': (raw, { state }) => {
    const args = parseArgs(openArgs, raw);
    if (args.channel !== undefined) return { channel: channelObject(channelFor(state, args.channel), state) };
    const users = args.users ?? [];
    if (users.length === 0) throw new MethodError('users_list_not_supplied');
    if (users.length > 1)
      throw new MethodError('invalid_arguments', ['[ERROR] the stand-in opens one-to-one DMs only']);
    const [user] = users as [string];
    if (state.workspace.user(user) === undefined) throw new MethodError('user_not_found');
    return { channel: channelObject(state.workspace.openDm(user), state) };
  },

  'conversations.history': (raw, { state }) => {
    const args = parseArgs(channelArgs, raw);
    const channel = channelFor(state, args.channel);
    const messages = state.messages
      .list(channel.id)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
      .reverse()
      .map(messageBody);
    return { messages, has_more: false, response_metadata: { next_cursor: '' } };
  },

  'conversations.replies': (raw, { state }) => {
    const args = parseArgs(repliesArgs, raw);
    const channel = channelFor(state, args.channel);
    const thread = args.ts === undefined ? [] : state.messages.thread(channel.id, args.ts);
    if (thread.length === 0) throw new MethodError('thread_not_found');
    return { messages: thread.map(messageBody), has_more: false, response_metadata: { next_cursor: '' } };
  },
};
