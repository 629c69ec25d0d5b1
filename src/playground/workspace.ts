import type { Config } from '../config/schema.ts';
import type { SlackStandInOptions } from '../slack-stand-in/index.ts';

/** Someone the playground can act as: a person of the config, with the roles it gives them. */
export interface Person {
  /**
   * How the page tells people apart: their Slack member id, or, for someone only on Teams, their Teams id.
   * A Slack user of the stand-in workspace exactly when `slackId` is set.
   */
  readonly id: string;
  /** Short and unique: the config's handle, or (role form, which holds no names) derived from the id. */
  readonly name: string;
  /** As cards and records show them: the configured name, or the short name capitalised. */
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly slackId?: string;
  /** Their Teams id (Entra object id or 29:…) as the config spells it. */
  readonly teamsId?: string;
}

export interface PlaygroundWorkspace {
  /** For `createSlackStandIn({ workspace })`. */
  readonly workspace: SlackStandInOptions['workspace'];
  /**
   * Everyone in the config's `people`, in the order they first appear, with all their roles: one per person
   * in the persons form; in the role form one per id (it cannot say that a Slack and a Teams id are one human).
   */
  readonly people: readonly Person[];
  /** The incident channel's id (the config's, or a default when the config has no `slack` section). */
  readonly channel: string;
}

export const PLAYGROUND_TEAM = 'T0PLAYGROUND';
export const DEFAULT_CHANNEL = 'C0INCIDENTS';

/** `U0ALICE` → `alice`, `W012AB` → `12ab`: the id without its kind letter and a leading 0, lowercased. */
export const nameFromId = (id: string): string => {
  const rest = id.replace(/^[UW]/, '').replace(/^0(?=.)/, '');
  return (rest === '' ? id : rest).toLowerCase();
};

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** The role form: one person per id, named after it, made unique if two ids would collide. */
const peopleOfRoles = (people: Config['people']): Person[] => {
  const roles = new Map<string, { platform: 'slack' | 'teams'; roles: string[] }>();
  for (const platform of ['slack', 'teams'] as const)
    for (const [role, members] of Object.entries(people))
      for (const id of members[platform]) {
        const held = roles.get(id) ?? { platform, roles: [] };
        if (!held.roles.includes(role)) held.roles.push(role);
        roles.set(id, held);
      }
  const taken = new Set<string>();
  return [...roles].map(([id, held]) => {
    const base = nameFromId(id);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    return {
      id,
      name,
      displayName: capitalize(name),
      roles: held.roles,
      ...(held.platform === 'slack' ? { slackId: id } : { teamsId: id }),
    };
  });
};

const peopleOfDirectory = (directory: Config['directory']): Person[] =>
  directory.map(({ handle, name, roles, slack, teams }) => ({
    id: slack ?? teams ?? handle,
    name: handle,
    displayName: name,
    roles: [...roles],
    ...(slack === undefined ? {} : { slackId: slack }),
    ...(teams === undefined ? {} : { teamsId: teams }),
  }));

/**
 * The stand-in workspace for a config: a team, the bot, one user per person with a Slack member id, and the
 * incident channel (everyone a member).
 */
export const workspaceFromConfig = (
  config: Pick<Config, 'people' | 'slack'> & { readonly directory?: Config['directory'] },
  options: { readonly teamName?: string; readonly channelName?: string } = {},
): PlaygroundWorkspace => {
  const people =
    config.directory !== undefined && config.directory.length > 0
      ? peopleOfDirectory(config.directory)
      : peopleOfRoles(config.people);
  const channel = config.slack?.incident_channel ?? DEFAULT_CHANNEL;
  return {
    workspace: {
      teamId: PLAYGROUND_TEAM,
      teamName: options.teamName ?? 'Hotfix playground',
      domain: 'hotfix-playground',
      users: people.flatMap((p) =>
        p.slackId === undefined ? [] : [{ id: p.slackId, name: p.name, real_name: p.displayName }],
      ),
      channels: [{ id: channel, name: options.channelName ?? 'incidents' }],
    },
    people,
    channel,
  };
};
