import { z } from 'zod';
import { MethodError, integer, parseArgs } from '../args.ts';
import type { State } from '../state/store.ts';
import type { Workspace, WorkspaceUser } from '../types.ts';
import type { MethodTable } from './method.ts';

const userInfoArgs = z.looseObject({ user: z.string().optional() });
const listArgs = z.looseObject({ limit: integer.optional(), cursor: z.string().optional() });

const profile = (user: WorkspaceUser, workspace: Workspace) => ({
  real_name: user.real_name,
  real_name_normalized: user.real_name,
  display_name: user.name,
  display_name_normalized: user.name,
  ...(user.email === undefined ? {} : { email: user.email }),
  team: workspace.teamId,
});

export const userObject = (user: WorkspaceUser, workspace: Workspace) => ({
  id: user.id,
  team_id: workspace.teamId,
  name: user.name,
  deleted: false,
  real_name: user.real_name,
  tz: user.tz ?? 'UTC',
  is_admin: false,
  is_owner: false,
  is_bot: false,
  is_app_user: false,
  profile: profile(user, workspace),
});

const botUserObject = (workspace: Workspace) => ({
  id: workspace.bot.userId,
  team_id: workspace.teamId,
  name: workspace.bot.name,
  deleted: false,
  real_name: workspace.bot.name,
  is_admin: false,
  is_owner: false,
  is_bot: true,
  is_app_user: false,
  profile: {
    real_name: workspace.bot.name,
    display_name: '',
    bot_id: workspace.bot.botId,
    api_app_id: workspace.bot.appId,
    team: workspace.teamId,
  },
});

/**
 * Cursor paging as Slack does it: an opaque `next_cursor`, empty on the last page. `limit` 0 (the default)
 * returns everything.
 */
export const page = <T>(items: readonly T[], limit = 0, cursor = '') => {
  const start =
    cursor === ''
      ? 0
      : Number(
          Buffer.from(cursor, 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        );
  if (!Number.isInteger(start) || start < 0) throw new MethodError('invalid_cursor');
  const end = limit > 0 ? start + limit : items.length;
  const next = end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : '';
  return { items: items.slice(start, end), response_metadata: { next_cursor: next } };
};

const requireUser = (state: State, id: string | undefined) => {
  const user = id === undefined ? undefined : state.workspace.user(id);
  if (user === undefined) throw new MethodError('user_not_found');
  return user;
};

export const workspaceMethods: MethodTable = {
  'auth.test': (_args, { state }) => {
    const { workspace } = state.workspace;
    return {
      url: `https://${workspace.domain}.slack.com/`,
      team: workspace.teamName,
      user: workspace.bot.name,
      team_id: workspace.teamId,
      user_id: workspace.bot.userId,
      bot_id: workspace.bot.botId,
      is_enterprise_install: false,
    };
  },

  'users.info': (raw, { state }) => {
    const args = parseArgs(userInfoArgs, raw);
    const { workspace } = state.workspace;
    if (args.user === workspace.bot.userId) return { user: botUserObject(workspace) };
    return { user: userObject(requireUser(state, args.user), workspace) };
  },

  'users.list': (raw, { state }) => {
    const args = parseArgs(listArgs, raw);
    const { workspace } = state.workspace;
    const members = [...workspace.users.map((user) => userObject(user, workspace)), botUserObject(workspace)];
    const { items, response_metadata } = page(members, args.limit, args.cursor);
    return { members: items, cache_ts: Math.floor(state.clock.now().getTime() / 1000), response_metadata };
  },
};
