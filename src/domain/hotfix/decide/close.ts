import { refuse } from '../errors.ts';
import { displayName } from '../people.ts';
import { identify } from '../policy.ts';
import { missingSignoffs, outcome } from '../queries.ts';
import { breachDecisionPending } from './monitoring.ts';
import type { Handler } from './scope.ts';
import { requireActingRole, requirePerson } from './scope.ts';

/** The end: the sign-off roles sign the record once the outcome is known, then the hotfix closes. */

export const signOff: Handler<'SignOff'> = (command, { state, ctx, h, emit, same }) => {
  const roles = requirePerson(command.by, ctx, h);
  const { role } = command;
  if (!ctx.policy.signoffs.includes(role))
    refuse(
      'not_in_role',
      `${role} does not sign off hotfixes (sign-offs: ${ctx.policy.signoffs.join(', ')}).`,
    );
  const existing = state.signoffs[role];
  if (existing && same(existing.by, command.by)) return [];
  if (existing)
    return refuse(
      'wrong_phase',
      `${role} was already signed off by ${displayName(identify(ctx.policy, existing.by))}.`,
    );
  if (!roles.includes(role)) refuse('not_in_role', `Only ${role} can sign off as ${role}.`);
  const other = Object.entries(state.signoffs).find(([, s]) => same(s.by, command.by));
  if (other)
    refuse('one_role_per_person', `You already signed off as ${other[0]}; one person signs for one role.`);
  const pending = breachDecisionPending(state, ctx);
  if (pending !== null) refuse('outcome_unknown', pending);
  if (outcome(state) === null) refuse('outcome_unknown', `${h} can be signed off once its outcome is known.`);
  return emit({ type: 'SignedOff', role });
};

export const closeHotfix: Handler<'CloseHotfix'> = (command, { state, ctx, h, emit }) => {
  requireActingRole(command.by, ctx, h, ctx.policy.closers, 'close');
  const pending = breachDecisionPending(state, ctx);
  if (pending !== null) refuse('outcome_unknown', pending);
  if (outcome(state) === null) refuse('outcome_unknown', `${h} can be closed once its outcome is known.`);
  const missing = missingSignoffs(state, ctx.policy);
  if (missing.length > 0)
    refuse('signoffs_missing', `${h} still needs sign-off from: ${missing.join(', ')}.`);
  return emit({ type: 'HotfixClosed' });
};
