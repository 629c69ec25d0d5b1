import { MethodError } from '../args.ts';
import type { ChannelInfo, Clock, Workspace, WorkspaceUser } from '../types.ts';
import type { Ids } from './ids.ts';

interface ChannelRecord {
  readonly id: string;
  readonly name: string;
  readonly is_private: boolean;
  readonly is_im: boolean;
  readonly user?: string;
  readonly created: number;
  readonly creator: string;
  readonly members: Set<string>;
}

export interface WorkspaceState {
  readonly workspace: Workspace;
  user(id: string): WorkspaceUser | undefined;
  isKnownUser(id: string): boolean;
  /** By id, `#name` or name; a user id resolves to the bot's DM with that user, if open. */
  channel(ref: string): ChannelInfo | undefined;
  /** Like `channel`, but opens a DM for a user id and throws `channel_not_found`. */
  requireChannel(ref: string): ChannelInfo;
  channels(): ChannelInfo[];
  /** A channel (not a DM) with exactly this name. */
  channelNamed(name: string): ChannelInfo | undefined;
  isMember(channel: string, user: string): boolean;
  createChannel(name: string, isPrivate: boolean): ChannelInfo;
  addMembers(channel: string, users: readonly string[]): ChannelInfo;
  openDm(user: string): ChannelInfo;
  reset(): void;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

const info = (record: ChannelRecord): ChannelInfo => ({
  id: record.id,
  name: record.name,
  is_private: record.is_private,
  is_im: record.is_im,
  ...(record.user === undefined ? {} : { user: record.user }),
  created: record.created,
  creator: record.creator,
  members: [...record.members],
});

export const createWorkspaceState = (deps: {
  readonly workspace: Workspace;
  readonly ids: Ids;
  readonly clock: Clock;
}): WorkspaceState => {
  const { workspace, ids, clock } = deps;
  const bot = workspace.bot.userId;
  const users = new Map(workspace.users.map((user) => [user.id, user]));
  const startedAt = seconds(clock.now());
  let channels = new Map<string, ChannelRecord>();
  let dms = new Map<string, string>();

  const init = () => {
    channels = new Map(
      workspace.channels.map((channel) => [
        channel.id,
        {
          id: channel.id,
          name: channel.name,
          is_private: channel.is_private ?? false,
          is_im: false,
          created: startedAt,
          creator: workspace.users[0]?.id ?? bot,
          members: new Set([
            ...(channel.members ?? workspace.users.map((user) => user.id)),
            ...(channel.botMember === false ? [] : [bot]),
          ]),
        },
      ]),
    );
    dms = new Map();
  };
  init();

  const taken = (id: string) => channels.has(id);
  const byName = (name: string) => [...channels.values()].find((c) => !c.is_im && c.name === name);

  const openDm = (user: string): ChannelInfo => {
    const existing = dms.get(user);
    const record = existing === undefined ? undefined : channels.get(existing);
    if (record !== undefined) return info(record);
    const created: ChannelRecord = {
      id: ids.next('D', taken),
      name: user,
      is_private: true,
      is_im: true,
      user,
      created: seconds(clock.now()),
      creator: bot,
      members: new Set([user, bot]),
    };
    channels.set(created.id, created);
    dms.set(user, created.id);
    return info(created);
  };

  /** With `open`, a user id opens the bot's DM with that user (as chat.postMessage does). */
  const resolve = (ref: string, open: boolean): ChannelRecord | undefined => {
    const direct = channels.get(ref) ?? byName(ref.startsWith('#') ? ref.slice(1) : ref);
    if (direct !== undefined || !users.has(ref)) return direct;
    const dm = dms.get(ref);
    if (dm !== undefined) return channels.get(dm);
    return open ? channels.get(openDm(ref).id) : undefined;
  };

  const requireRecord = (ref: string) => {
    const record = resolve(ref, true);
    if (record === undefined) throw new MethodError('channel_not_found');
    return record;
  };

  return {
    workspace,
    user: (id) => users.get(id),
    isKnownUser: (id) => users.has(id) || id === bot,
    channel: (ref) => {
      const record = resolve(ref, false);
      return record === undefined ? undefined : info(record);
    },
    requireChannel: (ref) => info(requireRecord(ref)),
    channels: () => [...channels.values()].map(info),
    channelNamed: (name) => {
      const record = byName(name);
      return record === undefined ? undefined : info(record);
    },
    isMember: (channel, user) => channels.get(channel)?.members.has(user) ?? false,
    createChannel(name, isPrivate) {
      const record: ChannelRecord = {
        id: ids.next(isPrivate ? 'G' : 'C', taken),
        name,
        is_private: isPrivate,
        is_im: false,
        created: seconds(clock.now()),
        creator: bot,
        members: new Set([bot]),
      };
      channels.set(record.id, record);
      return info(record);
    },
    addMembers(channel, added) {
      const record = requireRecord(channel);
      for (const user of added) record.members.add(user);
      return info(record);
    },
    openDm,
    reset: init,
  };
};
