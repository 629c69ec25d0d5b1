/** Platform-neutral identity: Slack and Teams users both map into a Person. */
export type Platform = 'slack' | 'teams' | 'cli' | 'system';

export interface Person {
  readonly platform: Platform;
  readonly id: string;
  /**
   * The config's handle for this human (hotfix.yml's persons form of `people`), the same whichever platform
   * they act from; absent when the config uses the role form or does not know them.
   */
  readonly person?: string;
  /** Display name: the configured one when the config names the person, else what the edge knows. */
  readonly name?: string;
}

export type Role = string;

/** A stable key for maps and comparisons: `person:alice` for a configured person, else `slack:U123`. */
export type PersonKey = `${Platform}:${string}` | `person:${string}`;

export const personKey = (p: Pick<Person, 'platform' | 'id' | 'person'>): PersonKey =>
  p.person === undefined ? `${p.platform}:${p.id}` : `person:${p.person}`;

export const samePerson = (
  a: Pick<Person, 'platform' | 'id' | 'person'>,
  b: Pick<Person, 'platform' | 'id' | 'person'>,
): boolean => personKey(a) === personKey(b);

/** The actor for things the system does on its own (workers, automatic checks, timers). */
export const systemActor = (id: 'worker' | 'monitor' | 'checker' | 'timer'): Person => ({
  platform: 'system',
  id,
});

export const displayName = (p: Person): string =>
  p.name ?? p.person ?? (p.platform === 'system' ? `hotfix ${p.id}` : p.id);
