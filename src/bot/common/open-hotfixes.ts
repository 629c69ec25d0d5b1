import type { Person } from '../../domain/hotfix/people.ts';
import { personKey } from '../../domain/hotfix/people.ts';
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

/** Someone requested, wrote or is a resource of the hotfix. */
const involves = (state: HotfixState, key: string): boolean =>
  personKey(state.requester) === key ||
  state.authors.includes(key as never) ||
  Object.values(state.plan.resources).some((people) => people.some((p) => personKey(p) === key));

/** What `status` without an id shows: the open hotfixes this person is part of, else all open ones. */
export const statusSelection = (
  open: readonly HotfixState[],
  person: Person,
): { readonly shown: readonly HotfixState[]; readonly mine: boolean } => {
  const mine = open.filter((s) => involves(s, personKey(person)));
  return mine.length > 0 ? { shown: mine, mine: true } : { shown: open, mine: false };
};
