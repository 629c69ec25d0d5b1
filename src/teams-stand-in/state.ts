import { createHash } from 'node:crypto';
import type { Events } from './events.ts';
import type {
  ActivityJson,
  Clock,
  RecordedCall,
  StandInActivity,
  StandInConversation,
  Tenant,
  TeamsUser,
} from './types.ts';

/** `19:…@thread.tacv2;messageid=N` → the channel and the thread's root. */
export const splitConversationId = (id: string): { readonly base: string; readonly thread?: string } => {
  const match = /^(.*);messageid=(\d+)$/.exec(id);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { base: match[1], thread: match[2] }
    : { base: id };
};

export const threadConversationId = (channel: string, root: string) => `${channel};messageid=${root}`;

/** What the connector stand-in remembers, behind one `reset`. */
export interface State {
  readonly clock: Clock;
  readonly tenant: Tenant;
  readonly events: Events;
  conversation(id: string): StandInConversation | undefined;
  conversations(): StandInConversation[];
  /** The 1:1 chat with a user, created on first use (Teams hands back the same id every time). */
  personal(user: TeamsUser): StandInConversation;
  user(ref: string): TeamsUser | undefined;
  /** The people of a conversation: the team for a channel, the user for a 1:1 chat. */
  members(conversation: StandInConversation): readonly TeamsUser[];
  post(input: {
    readonly conversation: StandInConversation;
    readonly threadId?: string;
    readonly author: string;
    readonly activity: ActivityJson;
  }): StandInActivity;
  update(activity: StandInActivity, content: ActivityJson): StandInActivity;
  activity(id: string): StandInActivity | undefined;
  /** In a base conversation, oldest first; for a channel, roots and replies together. */
  activities(conversation: string): StandInActivity[];
  /** A channel thread's root and replies, oldest first. */
  thread(channel: string, root: string): StandInActivity[];
  readonly calls: RecordedCall[];
  record(call: RecordedCall): void;
  reset(): void;
}

export const createState = (deps: {
  readonly tenant: Tenant;
  readonly clock: Clock;
  readonly events: Events;
  readonly maxRecordedCalls: number;
}): State => {
  const { tenant, clock, events } = deps;
  const channels = new Map<string, StandInConversation>(
    [tenant.team.id, ...tenant.channels.map((channel) => channel.id)].map((id) => [
      id,
      { id, kind: 'channel' as const },
    ]),
  );
  let personal = new Map<string, StandInConversation>();
  let activities = new Map<string, StandInActivity>();
  let lastId = 0;
  const calls: RecordedCall[] = [];

  // Teams' message ids are epoch milliseconds; strictly increasing keeps them unique and ordered.
  const nextId = () => {
    lastId = Math.max(lastId + 1, clock.now().getTime());
    return String(lastId);
  };

  const user = (ref: string) =>
    tenant.users.find((candidate) => candidate.aadObjectId === ref || candidate.id === ref);

  const conversation = (id: string) => {
    const { base } = splitConversationId(id);
    return channels.get(base) ?? [...personal.values()].find((chat) => chat.id === base);
  };

  return {
    clock,
    tenant,
    events,
    conversation,
    conversations: () => [...channels.values(), ...personal.values()],
    personal(person) {
      const existing = personal.get(person.aadObjectId);
      if (existing !== undefined) return existing;
      const hash = createHash('sha256')
        .update(`${tenant.bot.appId}/${person.aadObjectId}`)
        .digest('base64url');
      const created: StandInConversation = {
        id: `a:1${hash.slice(0, 60)}`,
        kind: 'personal',
        user: person.aadObjectId,
      };
      personal.set(person.aadObjectId, created);
      events.emit('conversation', created);
      return created;
    },
    user,
    members: (target) =>
      target.kind === 'channel'
        ? tenant.users
        : tenant.users.filter((candidate) => candidate.aadObjectId === target.user),
    post({ conversation: target, threadId, author, activity }) {
      const id = nextId();
      const createdAt = clock.now();
      const thread = target.kind === 'channel' ? (threadId ?? id) : undefined;
      const stored: StandInActivity = {
        id,
        conversation: target.id,
        ...(thread === undefined ? {} : { threadId: thread }),
        author,
        createdAt,
        activity: {
          ...activity,
          id,
          timestamp: createdAt.toISOString(),
          conversation: {
            ...(typeof activity.conversation === 'object' ? activity.conversation : {}),
            id: thread === undefined ? target.id : threadConversationId(target.id, thread),
          },
          ...(thread !== undefined && thread !== id ? { replyToId: thread } : {}),
        },
        history: [],
      };
      activities.set(id, stored);
      events.emit('posted', stored);
      return stored;
    },
    update(current, content) {
      const updatedAt = clock.now();
      const updated: StandInActivity = {
        ...current,
        updatedAt,
        activity: {
          ...content,
          id: current.id,
          timestamp: current.activity.timestamp,
          conversation: current.activity.conversation,
          ...(current.activity.replyToId === undefined ? {} : { replyToId: current.activity.replyToId }),
        },
        history: [
          ...current.history,
          { at: current.updatedAt ?? current.createdAt, activity: current.activity },
        ],
      };
      activities.set(current.id, updated);
      events.emit('updated', updated);
      return updated;
    },
    activity: (id) => activities.get(id),
    activities: (id) => {
      const { base } = splitConversationId(id);
      return [...activities.values()].filter((activity) => activity.conversation === base);
    },
    thread: (channel, root) =>
      [...activities.values()].filter(
        (activity) =>
          activity.conversation === splitConversationId(channel).base && activity.threadId === root,
      ),
    calls,
    record(call) {
      calls.push(call);
      if (calls.length > deps.maxRecordedCalls) calls.splice(0, calls.length - deps.maxRecordedCalls);
      events.emit('call', call);
    },
    reset() {
      personal = new Map();
      activities = new Map();
      calls.length = 0;
    },
  };
};
