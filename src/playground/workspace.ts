import type { Config } from '../config/schema.ts';
import type { SlackStandInOptions } from '../slack-stand-in/index.ts';

/** Someone the playground can act as: a Slack member of the config, with the roles it gives them. */
export interface Person {
  readonly id: string;
  /** Derived from the id (`U0ALICE` → `alice`): the config holds no names. */
  readonly name: string;
  readonly roles: readonly string[];
}

export interface PlaygroundWorkspace {
  /** For `createSlackStandIn({ workspace })`. */
  readonly workspace: SlackStandInOptions['workspace'];
  /** Everyone in the config's `people`, in the order they first appear, with all their roles. */
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

/**
 * The stand-in workspace for a config: a team, the bot, one user per Slack member id in `people`, and the
 * incident channel (everyone a member). Names are derived from ids, made unique if two ids would collide.
 */
export const workspaceFromConfig = (
  config: Pick<Config, 'people' | 'slack'>,
  options: { readonly teamName?: string; readonly channelName?: string } = {},
): PlaygroundWorkspace => {
  const roles = new Map<string, string[]>();
  for (const [role, members] of Object.entries(config.people))
    for (const id of members.slack) {
      const held = roles.get(id) ?? [];
      if (!held.includes(role)) held.push(role);
      roles.set(id, held);
    }
  const taken = new Set<string>();
  const people: Person[] = [...roles].map(([id, held]) => {
    const base = nameFromId(id);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    return { id, name, roles: held };
  });
  const channel = config.slack?.incident_channel ?? DEFAULT_CHANNEL;
  return {
    workspace: {
      teamId: PLAYGROUND_TEAM,
      teamName: options.teamName ?? 'Hotfix playground',
      domain: 'hotfix-playground',
      users: people.map((p) => ({ id: p.id, name: p.name, real_name: capitalize(p.name) })),
      channels: [{ id: channel, name: options.channelName ?? 'incidents' }],
    },
    people,
    channel,
  };
};
