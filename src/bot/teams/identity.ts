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

// Entra object ids are GUIDs, which Teams sends in lower case and people may paste in upper case.
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The config's person behind `from`: `people.<role>.teams` lists Entra object ids (`from.aadObjectId`, the same
 * in every client and tenant) or, as the config schema allows, Teams user ids (`29:…`). The person carries the
 * config's own spelling of the id, so the domain's role checks see the same key. The name is display only.
 */
export const identifyTeamsSender = (people: Config['people'], from: TeamsSender): TeamsIdentity => {
  const candidates = [from.aadObjectId, from.id].filter((id): id is string => id !== undefined && id !== '');
  for (const candidate of candidates) {
    const listed = Object.values(people)
      .flatMap((members) => members.teams)
      .find((id) => same(id, candidate));
    if (listed === undefined) continue;
    const roles = Object.entries(people)
      .filter(([, members]) => members.teams.includes(listed))
      .map(([role]) => role);
    return {
      known: true,
      person: { platform: 'teams', id: listed, ...(from.name ? { name: from.name } : {}) },
      roles,
    };
  }
  const asked = from.aadObjectId ?? from.id;
  return {
    known: false,
    refusal: `You are not in hotfix.yml, so hotfix cannot act for you. Ask whoever runs hotfix to add your Entra object id (${asked}) under people.<role>.teams.`,
  };
};
