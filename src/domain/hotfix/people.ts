/** Platform-neutral identity: Slack and Teams users both map into a Person. */
export type Platform = 'slack' | 'teams' | 'cli' | 'system';

export interface Person {
  readonly platform: Platform;
  readonly id: string;
  /** Display name when the edge knows it (Slack/Teams payloads carry one); never used for identity. */
  readonly name?: string;
}

export type Role = string;

/** A stable key for maps and comparisons: `slack:U123`. */
export type PersonKey = `${Platform}:${string}`;

export const personKey = (p: Pick<Person, 'platform' | 'id'>): PersonKey => `${p.platform}:${p.id}`;

export const samePerson = (a: Pick<Person, 'platform' | 'id'>, b: Pick<Person, 'platform' | 'id'>): boolean =>
  a.platform === b.platform && a.id === b.id;

/** The actor for things the system does on its own (workers, automatic checks, timers). */
export const systemActor = (id: 'worker' | 'monitor' | 'checker' | 'timer'): Person => ({
  platform: 'system',
  id,
});

export const displayName = (p: Person): string =>
  p.name ?? (p.platform === 'system' ? `hotfix ${p.id}` : p.id);
