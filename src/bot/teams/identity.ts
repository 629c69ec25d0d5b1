import type { Config } from '../../config/load.ts';
import type { Person, Role } from '../../domain/hotfix/people.ts';

/** Who acted in Teams, as the config knows them, or why they cannot act. */
export type TeamsIdentity =
  | { readonly known: true; readonly person: Person; readonly roles: readonly Role[] }
  | { readonly known: false; readonly refusal: string };

/** The sender of an activity as Teams describes it (`activity.from`). */
export interface TeamsSender {
  readonly id: string;
  readonly aadObjectId?: string | undefined;
  readonly name?: string | undefined;
}

/** What the config says about people: the role map, and the persons when hotfix.yml names them. */
export type TeamsPeople = Pick<Config, 'people'> & { readonly directory?: Config['directory'] };

// Entra object ids are GUIDs, which Teams sends in lower case and people may paste in upper case.
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The config's person behind `from`: hotfix.yml lists Entra object ids (`from.aadObjectId`, the same in every
 * client and tenant) or, as the config schema allows, Teams user ids (`29:…`), under `people.<handle>.teams`
 * (persons form) or `people.<role>.teams` (role form). The person carries the config's own spelling of the id,
 * so the domain's role checks see the same key; in the persons form also their handle and configured name, so
 * they are the same person they are on Slack. Otherwise Teams' name is display only.
 */
export const identifyTeamsSender = (config: TeamsPeople, from: TeamsSender): TeamsIdentity => {
  const candidates = [from.aadObjectId, from.id].filter((id): id is string => id !== undefined && id !== '');
  const directory = config.directory ?? [];
  for (const candidate of candidates) {
    if (directory.length > 0) {
      const entry = directory.find((p) => p.teams !== undefined && same(p.teams, candidate));
      if (entry?.teams === undefined) continue;
      return {
        known: true,
        person: { platform: 'teams', id: entry.teams, person: entry.handle, name: entry.name },
        roles: entry.roles,
      };
    }
    const listed = Object.values(config.people)
      .flatMap((members) => members.teams)
      .find((id) => same(id, candidate));
    if (listed === undefined) continue;
    const roles = Object.entries(config.people)
      .filter(([, members]) => members.teams.includes(listed))
      .map(([role]) => role);
    return {
      known: true,
      person: { platform: 'teams', id: listed, ...(from.name ? { name: from.name } : {}) },
      roles,
    };
  }
  const asked = from.aadObjectId ?? from.id;
  const where =
    directory.length > 0
      ? 'as people.<handle>.teams (your handle, or a new person with roles)'
      : 'under people.<role>.teams';
  return {
    known: false,
    refusal: `You are not in hotfix.yml, so hotfix cannot act for you. Ask whoever runs hotfix to add your Entra object id (${asked}) ${where}.`,
  };
};
