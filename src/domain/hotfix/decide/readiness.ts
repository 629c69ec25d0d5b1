import type { CommandOf } from '../commands.ts';
import { refuse } from '../errors.ts';
import type { DerivedItemSource } from '../policy.ts';
import { derivedSource } from '../queries.ts';
import type { Handler, Scope } from './scope.ts';
import { findItem, PHASES_BEFORE_DEPLOY, requirePerson, requirePhase } from './scope.ts';

/** The readiness checklists: ticked by people, or by the workers when an item's automatic check passes. */

export const tickChecklistItem: Handler<'TickChecklistItem'> = (command, scope) => {
  const { state, ctx, h, emit } = scope;
  const automatic = command.by.platform === 'system';
  if (!automatic) requirePerson(command.by, ctx, h);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Readiness checklists are frozen once deploy is requested.');
  const item = findItem(state, command.checklist, command.item);
  refuseDerived(command, scope, item.label);
  if (item.ticked !== null) return [];
  return emit({
    type: 'ChecklistItemTicked',
    checklist: command.checklist,
    item: item.label,
    automatic,
    ...(command.evidence === undefined ? {} : { evidence: command.evidence }),
  });
};

export const untickChecklistItem: Handler<'UntickChecklistItem'> = (command, scope) => {
  const { state, ctx, h, emit } = scope;
  if (command.by.platform !== 'system') requirePerson(command.by, ctx, h);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Readiness checklists are frozen once deploy is requested.');
  const item = findItem(state, command.checklist, command.item);
  refuseDerived(command, scope, item.label);
  if (item.ticked === null) return [];
  return emit({ type: 'ChecklistItemUnticked', checklist: command.checklist, item: item.label });
};

const FOLLOWS: Readonly<Record<DerivedItemSource, string>> = { approvals: 'the approvals' };
const TICKED_WHEN: Readonly<Record<DerivedItemSource, string>> = {
  approvals: 'it is ticked while the plan has every approval it needs and unticked when it has not',
};

/** A derived item (hotfix.yml `{ item, from: approvals }`) follows what it is derived from; nobody ticks it. */
function refuseDerived(
  command: CommandOf<'TickChecklistItem'> | CommandOf<'UntickChecklistItem'>,
  { ctx, h }: Scope,
  label: string,
): void {
  const source = derivedSource(ctx.policy, command.checklist, label);
  if (source !== undefined)
    refuse(
      'invalid_input',
      `“${label}” follows ${FOLLOWS[source]} of ${h}: ${TICKED_WHEN[source]}, never by hand.`,
    );
}
