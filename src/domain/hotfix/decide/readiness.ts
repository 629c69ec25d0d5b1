import type { Handler } from './scope.ts';
import { findItem, PHASES_BEFORE_DEPLOY, requirePerson, requirePhase } from './scope.ts';

/** The readiness checklists: ticked by people, or by the workers when an item's automatic check passes. */

export const tickChecklistItem: Handler<'TickChecklistItem'> = (command, { state, ctx, h, emit }) => {
  const automatic = command.by.platform === 'system';
  if (!automatic) requirePerson(command.by, ctx, h);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Readiness checklists are frozen once deploy is requested.');
  const item = findItem(state, command.checklist, command.item);
  if (item.ticked !== null) return [];
  return emit({
    type: 'ChecklistItemTicked',
    checklist: command.checklist,
    item: item.label,
    automatic,
    ...(command.evidence === undefined ? {} : { evidence: command.evidence }),
  });
};

export const untickChecklistItem: Handler<'UntickChecklistItem'> = (command, { state, ctx, h, emit }) => {
  if (command.by.platform !== 'system') requirePerson(command.by, ctx, h);
  requirePhase(state, PHASES_BEFORE_DEPLOY, 'Readiness checklists are frozen once deploy is requested.');
  const item = findItem(state, command.checklist, command.item);
  if (item.ticked === null) return [];
  return emit({ type: 'ChecklistItemUnticked', checklist: command.checklist, item: item.label });
};
