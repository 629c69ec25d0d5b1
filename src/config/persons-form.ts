import { Document, isMap, isPair } from 'yaml';
import type { Config } from './schema.ts';
import { ROLE_NAME_PATTERN } from './schema.ts';

/** What `hotfix config check` says about a role-form `people` that lists both Slack and Teams ids. */
export interface PersonsFormAdvice {
  readonly warning: string;
  /** `people:` in the persons form, one person per id, ready to paste over the old section. */
  readonly yaml: string;
}

/** A handle from an id: `U0TECH1` → `tech1`, `29:1aAliceAad` → `teams-aliceaad` (the last 8); letters and digits only. */
const handleFrom = (platform: 'slack' | 'teams', id: string): string => {
  if (platform === 'slack') {
    const rest = id.replace(/^[UW]0?/, '').toLowerCase();
    return ROLE_NAME_PATTERN.test(rest) ? rest : `u${rest}`;
  }
  const rest = id
    .replace(/^\d+:/, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase()
    .slice(-8);
  return `teams-${rest === '' ? 'person' : rest}`;
};

/**
 * The role form cannot say that a Slack id and a Teams id are the same human, so with ids on both platforms
 * such a human counts as two people to every rule. Undefined when there is nothing to warn about.
 */
export const personsFormAdvice = (
  config: Pick<Config, 'people' | 'directory'>,
): PersonsFormAdvice | undefined => {
  if (config.directory.length > 0) return undefined;
  const roles = Object.values(config.people);
  if (!roles.some((r) => r.slack.length > 0) || !roles.some((r) => r.teams.length > 0)) return undefined;

  const persons = new Map<string, { roles: string[]; slack?: string; teams?: string }>();
  const handleOf = new Map<string, string>();
  for (const platform of ['slack', 'teams'] as const)
    for (const [role, members] of Object.entries(config.people))
      for (const id of members[platform]) {
        let handle = handleOf.get(`${platform}:${id}`);
        if (handle === undefined) {
          const base = handleFrom(platform, id);
          handle = base;
          for (let n = 2; persons.has(handle); n++) handle = `${base}-${n}`;
          handleOf.set(`${platform}:${id}`, handle);
          persons.set(handle, { roles: [], [platform]: id });
        }
        const person = persons.get(handle);
        if (person !== undefined && !person.roles.includes(role)) person.roles.push(role);
      }

  const doc = new Document({ people: Object.fromEntries(persons) });
  const people = doc.get('people');
  if (isMap(people))
    for (const pair of people.items) if (isPair(pair) && isMap(pair.value)) pair.value.flow = true;
  return {
    warning:
      'people lists Slack and Teams ids by role, so a human with an id on each platform counts as two people: ' +
      'they could approve twice, or approve from one platform the plan they wrote on the other. Name each human ' +
      'once instead (the persons form below). It has one person per id, since the role form cannot say who is ' +
      'who: merge the entries of one human into one (a handle, their roles, their slack and teams ids).',
    yaml: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
  };
};
