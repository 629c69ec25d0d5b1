import type { Person, PersonKey } from '../../domain/hotfix/people.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import { keyOf, resolveKey } from '../../domain/hotfix/policy.ts';
import { isOpen } from '../../domain/hotfix/queries.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { CommandHandler } from '../../service/handler.ts';
import type { EventStore } from '../../service/ports.ts';

/** The open hotfixes, as their states now. */
export const openHotfixes = async (deps: {
  readonly store: Pick<EventStore, 'listOpen'>;
  readonly handler: Pick<CommandHandler, 'state'>;
}): Promise<HotfixState[]> => {
  const ids = await deps.store.listOpen();
  const states = await Promise.all(ids.map((id) => deps.handler.state(id)));
  return states.filter(isOpen);
};

/** Someone requested, wrote or is a resource of the hotfix (from whichever platform). */
const involves = (state: HotfixState, key: PersonKey, policy: Pick<Policy, 'people'>): boolean =>
  keyOf(policy, state.requester) === key ||
  state.authors.some((a) => resolveKey(policy, a) === key) ||
  Object.values(state.plan.resources).some((people) => people.some((p) => keyOf(policy, p) === key));

/** What `status` without an id shows: the open hotfixes this person is part of, else all open ones. */
export const statusSelection = (
  open: readonly HotfixState[],
  person: Person,
  policy: Pick<Policy, 'people'>,
): { readonly shown: readonly HotfixState[]; readonly mine: boolean } => {
  const mine = open.filter((s) => involves(s, keyOf(policy, person), policy));
  return mine.length > 0 ? { shown: mine, mine: true } : { shown: open, mine: false };
};
