import type { Wanted } from './attention.ts';
import { confirmers, missingApprovers, missingSigners, missingVoters } from './attention.ts';
import type { EventOf, HotfixEvent, ReminderAbout } from './events.ts';
import { shownOnlyEdit } from './events.ts';
import type { Policy, Reminders } from './policy.ts';
import { approvalGate, outcome, runById } from './queries.ts';
import type { HotfixState } from './state.ts';

/** A manual step's reminder subject: the run, the step and the attempt that waits (a retried step waits anew). */
export const manualStepSubject = (runId: string, step: string, attempt: number): string =>
  `${runId}/${step}/${attempt}`;

const parseManualStepSubject = (subject: string) => {
  const first = subject.indexOf('/');
  const last = subject.lastIndexOf('/');
  if (first < 0 || last <= first) return undefined;
  return {
    runId: subject.slice(0, first),
    step: subject.slice(first + 1, last),
    attempt: Number(subject.slice(last + 1)),
  };
};

/** The manual step a reminder subject names, if the run still has it. */
export const reminderStep = (state: HotfixState, subject: string) => {
  const parsed = parseManualStepSubject(subject);
  const run = parsed && runById(state, parsed.runId);
  const step = run?.steps.find((s) => s.key === parsed?.step);
  return run && step && parsed ? { run, step, attempt: parsed.attempt } : undefined;
};

/** How long after its moment a reminder of this kind goes out (for a vote: before its expiry); off when absent. */
export const reminderDelay = (reminders: Reminders | undefined, about: ReminderAbout) => {
  const ms = {
    approval: reminders?.approvalMs,
    manual_step: reminders?.manualStepMs,
    vote: reminders?.voteMs,
    signoff: reminders?.signoffMs,
  }[about];
  return ms !== undefined && ms > 0 ? ms : undefined;
};

/**
 * Who a reminder would call on now: nobody once it is no longer needed (approved, confirmed, voted, signed,
 * the phase moved on, or the subject is not the current one: an edited plan, a later attempt, another outcome).
 */
export const stillMissing = (
  state: HotfixState,
  policy: Policy,
  now: Date,
  about: ReminderAbout,
  subject: string,
): Wanted[] => {
  switch (about) {
    case 'approval': {
      if (state.phase !== 'planned' || state.planHash !== subject) return [];
      const gate = approvalGate(state, policy);
      // A rejected plan waits for an edit, not for more approvals.
      return gate.ok || gate.rejectedBy.length > 0 ? [] : missingApprovers(state, policy);
    }
    case 'manual_step': {
      const found = reminderStep(state, subject);
      if (!found) return [];
      const { run, step, attempt } = found;
      const waiting =
        run.status === 'running' &&
        step.kind === 'manual' &&
        step.status === 'running' &&
        step.attempt === attempt;
      return waiting ? confirmers(step, policy) : [];
    }
    case 'vote': {
      const vote = state.votes.find((v) => String(v.id) === subject);
      if (!vote || vote.status !== 'open' || now.getTime() >= Date.parse(vote.expiresAt)) return [];
      return missingVoters(vote, policy);
    }
    case 'signoff':
      return outcome(state) === subject && !state.closed ? missingSigners(state, policy) : [];
    default: {
      const unknown: never = about;
      return unknown;
    }
  }
};

/** A reminder to schedule: about what, which round, and when it is due (ISO 8601). */
export interface DueReminder {
  readonly about: ReminderAbout;
  readonly subject: string;
  readonly round: 1 | 2;
  readonly at: string;
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * The reminders a command's events call for, when the policy has reminders of their kind: a plan started or
 * edited (approval), a manual step waiting (confirmation), a vote opened (before its expiry), the outcome
 * becoming known (sign-offs), and a first reminder sent (the escalating second round; votes get one round).
 */
export const remindersDue = (
  before: HotfixState,
  events: readonly HotfixEvent[],
  after: HotfixState,
  reminders: Reminders | undefined,
): DueReminder[] => {
  if (reminders === undefined) return [];
  const due: DueReminder[] = [];
  const add = (about: ReminderAbout, subject: string, round: 1 | 2, from: string) => {
    const ms = reminderDelay(reminders, about);
    if (ms !== undefined) due.push({ about, subject, round, at: plus(from, ms) });
  };
  const manualWaits = (event: EventOf<'StepStarted'>) =>
    runById(after, event.runId)?.steps.find((s) => s.key === event.step)?.kind === 'manual';
  for (const event of events) {
    switch (event.type) {
      case 'HotfixStarted':
        add('approval', event.planHash, 1, event.at);
        break;
      case 'PlanEdited':
        // Only where it is shown changed: the reminder scheduled for this hash still stands.
        if (!shownOnlyEdit(event)) add('approval', event.planHash, 1, event.at);
        break;
      case 'StepStarted':
        if (manualWaits(event))
          add('manual_step', manualStepSubject(event.runId, event.step, event.attempt), 1, event.at);
        break;
      case 'RollbackProposed': {
        const ms = reminderDelay(reminders, 'vote');
        const at = ms === undefined ? undefined : Date.parse(event.expiresAt) - ms;
        if (at !== undefined && at > Date.parse(event.at))
          due.push({
            about: 'vote',
            subject: String(event.voteId),
            round: 1,
            at: new Date(at).toISOString(),
          });
        break;
      }
      case 'ReminderSent':
        if (event.round === 1 && event.about !== 'vote' && reminders.escalateTo !== undefined)
          add(event.about, event.subject, 2, event.at);
        break;
      default:
        break;
    }
  }
  const settled = outcome(after);
  const last = events.at(-1);
  if (last && settled !== null && outcome(before) === null && !after.closed)
    add('signoff', settled, 1, last.at);
  return due;
};
