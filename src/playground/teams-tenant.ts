import { createHash } from 'node:crypto';
import type { TeamsStandInOptions } from '../teams-stand-in/index.ts';
import type { Person } from './workspace.ts';

/** The playground's Teams incident channel when the config has no `teams` section. */
export const DEFAULT_TEAMS_CHANNEL = '19:incidents@thread.tacv2';
/** The team's General channel (its id is the team's): never the incident channel. */
const GENERAL = '19:playground-general@thread.tacv2';
const TENANT_ID = '00000000-0000-4000-8000-0000000f1a59';
const BOT_APP_ID = '00000000-0000-4000-8000-0000000b0700';
const TEAM_GROUP_ID = '00000000-0000-4000-8000-0000000c0de0';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Teams id of a person of the switcher, when the config gives them one. */
export const teamsIdOf = (person: Person): string | undefined =>
  person.teamsId === undefined || person.teamsId === '' ? undefined : person.teamsId;

/** A stable GUID for a `29:…` id, which a stand-in user still needs as its Entra object id. */
const guidFor = (id: string): string => {
  const hex = createHash('sha256').update(id).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export interface PlaygroundTenant {
  readonly tenant: TeamsStandInOptions['tenant'];
  /** People whose Teams id the stand-in cannot hold (neither an Entra object id nor a `29:` id): not in Teams. */
  readonly skipped: readonly { readonly person: Person; readonly id: string }[];
}

/**
 * The Bot Connector stand-in's tenant for the playground: a team with the incident channel and one user per
 * person of the switcher who has a Teams id. An Entra object id (a GUID) is the user's `aadObjectId`; a `29:`
 * id is their Teams user id (the bot matches either against the config).
 */
export const teamsTenantFor = (people: readonly Person[], channel: string): PlaygroundTenant => {
  const skipped: { person: Person; id: string }[] = [];
  const users = people.flatMap((person, i) => {
    const id = teamsIdOf(person);
    if (id === undefined) return [];
    const email = `${person.name.replace(/[^A-Za-z0-9._-]/g, '') || `person${i + 1}`}@playground.example`;
    const name = person.displayName || person.name;
    if (GUID.test(id)) return [{ aadObjectId: id.toLowerCase(), name, email }];
    if (/^29:\S+$/.test(id)) return [{ aadObjectId: guidFor(id), id, name, email }];
    skipped.push({ person, id });
    return [];
  });
  return {
    tenant: {
      tenantId: TENANT_ID,
      bot: { appId: BOT_APP_ID, name: 'hotfix' },
      team: { id: GENERAL, name: 'Hotfix playground', aadGroupId: TEAM_GROUP_ID },
      channels: channel === GENERAL ? [] : [{ id: channel, name: 'incidents' }],
      users,
    },
    skipped,
  };
};
