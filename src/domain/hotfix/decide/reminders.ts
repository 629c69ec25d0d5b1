import { reminderDelay, stillMissing } from '../reminders.ts';
import type { Handler } from './scope.ts';
import { requireSystem } from './scope.ts';

/**
 * Reminders: the timer asks, the decider sends one only while it is needed and not yet sent, naming who is
 * still missing; round 2 also calls on the policy's escalation role.
 */
export const sendReminder: Handler<'SendReminder'> = (command, { state, ctx, h, emit }) => {
  requireSystem(command.by, h);
  const { about, subject, round } = command;
  const sent = (r: 1 | 2) =>
    state.reminders.some((s) => s.about === about && s.subject === subject && s.round === r);
  if (sent(round) || (round === 2 && !sent(1))) return [];
  const reminders = ctx.policy.reminders;
  if (reminderDelay(reminders, about) === undefined) return [];
  const missing = stillMissing(state, ctx.policy, ctx.now, about, subject);
  if (missing.length === 0) return [];
  const escalatedTo = round === 2 ? reminders?.escalateTo : undefined;
  return emit({
    type: 'ReminderSent',
    about,
    subject,
    round,
    // One identity per human: the renderers find their ids on each platform through the policy.
    missing: missing.flatMap((w) => w.identities.slice(0, 1)),
    ...(escalatedTo === undefined ? {} : { escalatedTo }),
  });
};
