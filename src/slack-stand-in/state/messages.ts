import { MethodError } from '../args.ts';
import type { Clock, FileObject, SlackBlock, StandInEphemeral, StandInMessage, Workspace } from '../types.ts';
import type { Events } from './events.ts';

/** What a message shows. An absent `blocks` means none. */
export interface MessageContent {
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
  readonly attachments?: readonly unknown[];
}

export interface NewMessage extends MessageContent {
  readonly channel: string;
  readonly user: string;
  readonly thread_ts?: string;
  readonly reply_broadcast?: boolean;
  readonly metadata?: unknown;
  readonly files?: readonly FileObject[];
}

/** chat.update's rules: given `blocks` replace the old ones; `text` without `blocks` drops them. */
export interface MessageEdit {
  readonly text?: string;
  readonly blocks?: readonly SlackBlock[];
  readonly attachments?: readonly unknown[];
  readonly metadata?: unknown;
}

export interface MessageState {
  /** A fresh, strictly increasing Slack timestamp (`1700000000.000100`). */
  nextTs(): string;
  post(message: NewMessage): StandInMessage;
  get(channel: string, ts: string): StandInMessage | undefined;
  /** Throws `message_not_found`. */
  edit(channel: string, ts: string, edit: MessageEdit): StandInMessage;
  /** Throws `message_not_found`. */
  remove(channel: string, ts: string): void;
  list(channel: string): StandInMessage[];
  thread(channel: string, ts: string): StandInMessage[];
  postEphemeral(ephemeral: Omit<StandInEphemeral, 'ts'>): StandInEphemeral;
  ephemeral(user: string, ts: string): StandInEphemeral | undefined;
  replaceEphemeral(user: string, ts: string, content: MessageContent): StandInEphemeral;
  removeEphemeral(user: string, ts: string): void;
  ephemerals(user?: string): StandInEphemeral[];
  reset(): void;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const contentOf = ({ text, blocks, attachments }: MessageContent) => ({
  text,
  ...(blocks === undefined ? {} : { blocks }),
  ...(attachments === undefined ? {} : { attachments }),
});

export const createMessageState = (deps: {
  readonly clock: Clock;
  readonly events: Events;
  readonly workspace: Workspace;
}): MessageState => {
  const { clock, events, workspace } = deps;
  const { bot } = workspace;
  let channels = new Map<string, Map<string, StandInMessage>>();
  let ephemerals: StandInEphemeral[] = [];
  let lastMicros = 0;

  const nextTs = () => {
    // Slack's ts is seconds.microseconds and unique per channel; ours only ever grows, even under a frozen
    // test clock, so every message and edit gets a distinct, ordered ts.
    lastMicros = Math.max(clock.now().getTime() * 1000 + 100, lastMicros + 100);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };

  const channelMap = (channel: string) => {
    const existing = channels.get(channel);
    if (existing !== undefined) return existing;
    const created = new Map<string, StandInMessage>();
    channels.set(channel, created);
    return created;
  };

  const require = (channel: string, ts: string) => {
    const message = channels.get(channel)?.get(ts);
    if (message === undefined) throw new MethodError('message_not_found');
    return message;
  };

  const store = (message: StandInMessage, kind: 'posted' | 'updated') => {
    channelMap(message.channel).set(message.ts, message);
    events.emit('message', { kind, message });
  };

  /** Recomputes a parent's reply_count / reply_users / latest_reply from its replies. */
  const refreshParent = (channel: string, parentTs: string) => {
    const parent = channels.get(channel)?.get(parentTs);
    if (parent === undefined) return;
    const replies = [...channelMap(channel).values()].filter(
      (m) => m.thread_ts === parentTs && m.ts !== parentTs,
    );
    const { reply_count: _c, reply_users: _u, latest_reply: _l, thread_ts: _t, ...rest } = parent;
    const last = replies.at(-1);
    store(
      last === undefined
        ? rest
        : {
            ...rest,
            thread_ts: parent.ts,
            reply_count: replies.length,
            reply_users: [...new Set(replies.map((m) => m.user))],
            latest_reply: last.ts,
          },
      'updated',
    );
  };

  const requireEphemeral = (user: string, ts: string) => {
    const index = ephemerals.findIndex((e) => e.user === user && e.ts === ts);
    if (index < 0) throw new MethodError('message_not_found');
    return index;
  };

  return {
    nextTs,
    post(input) {
      let threadTs: string | undefined;
      if (input.thread_ts !== undefined) {
        const parent = channels.get(input.channel)?.get(input.thread_ts);
        if (parent === undefined) throw new MethodError('thread_not_found');
        // A reply to a reply lands in the parent's thread, as in Slack.
        threadTs = parent.thread_ts ?? parent.ts;
      }
      const fromBot = input.user === bot.userId;
      const message: StandInMessage = {
        type: 'message',
        ...(threadTs !== undefined && input.reply_broadcast === true
          ? { subtype: 'thread_broadcast' as const }
          : {}),
        channel: input.channel,
        ts: nextTs(),
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        user: input.user,
        ...(fromBot ? { bot_id: bot.botId, app_id: bot.appId } : {}),
        team: workspace.teamId,
        ...contentOf(input),
        ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
        ...(input.files === undefined ? {} : { files: input.files }),
      };
      store(message, 'posted');
      if (threadTs !== undefined) refreshParent(input.channel, threadTs);
      return message;
    },
    get: (channel, ts) => channels.get(channel)?.get(ts),
    edit(channel, ts, edit) {
      const current = require(channel, ts);
      const next: Writable<StandInMessage> = { ...current, edited: { user: bot.userId, ts: nextTs() } };
      if (edit.text !== undefined) next.text = edit.text;
      if (edit.blocks !== undefined) next.blocks = edit.blocks;
      else if (edit.text !== undefined) delete next.blocks;
      if (edit.attachments !== undefined) next.attachments = edit.attachments;
      if (edit.metadata !== undefined) next.metadata = edit.metadata;
      store(next, 'updated');
      return next;
    },
    remove(channel, ts) {
      const message = require(channel, ts);
      channels.get(channel)?.delete(ts);
      events.emit('message', { kind: 'deleted', channel, ts });
      if (message.thread_ts !== undefined && message.thread_ts !== ts)
        refreshParent(channel, message.thread_ts);
    },
    list: (channel) => [...(channels.get(channel)?.values() ?? [])],
    thread(channel, ts) {
      const parent = channels.get(channel)?.get(ts);
      if (parent === undefined) return [];
      const root = parent.thread_ts ?? parent.ts;
      return [...channelMap(channel).values()].filter((m) => m.ts === root || m.thread_ts === root);
    },
    postEphemeral(input) {
      const ephemeral: StandInEphemeral = { ...input, ts: nextTs() };
      ephemerals.push(ephemeral);
      events.emit('message', { kind: 'ephemeral_posted', ephemeral });
      return ephemeral;
    },
    ephemeral: (user, ts) => ephemerals.find((e) => e.user === user && e.ts === ts),
    replaceEphemeral(user, ts, content) {
      const index = requireEphemeral(user, ts);
      const { blocks: _b, text: _t, ...rest } = ephemerals[index] as StandInEphemeral;
      const ephemeral: StandInEphemeral = { ...rest, ...contentOf(content), source: 'response_url' };
      ephemerals[index] = ephemeral;
      events.emit('message', { kind: 'ephemeral_updated', ephemeral });
      return ephemeral;
    },
    removeEphemeral(user, ts) {
      const index = requireEphemeral(user, ts);
      const [removed] = ephemerals.splice(index, 1);
      if (removed !== undefined)
        events.emit('message', { kind: 'ephemeral_deleted', channel: removed.channel, user, ts });
    },
    ephemerals: (user) => ephemerals.filter((e) => user === undefined || e.user === user),
    reset() {
      channels = new Map();
      ephemerals = [];
    },
  };
};
