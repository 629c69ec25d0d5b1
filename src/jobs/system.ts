import type { Person } from '../domain/hotfix/people.ts';

/** The actor the workers record pipeline results as. */
export const WORKER: Person = { platform: 'system', id: 'worker' };
export const MONITOR: Person = { platform: 'system', id: 'monitor' };
export const CHECKER: Person = { platform: 'system', id: 'checker' };
export const TIMER: Person = { platform: 'system', id: 'timer' };
