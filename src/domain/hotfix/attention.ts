import type { HotfixEvent, ReminderAbout } from './events.ts';
import type { Person, PersonKey, Role } from './people.ts';
import type { Policy } from './policy.ts';
import { holdersOf, keyOf, resolveKey } from './policy.ts';
import {
  approvalGate,
  currentAnswers,
  missingSignoffs,
  outcome,
  runById,
  undecidedVoters,
} from './queries.ts';
import type { HotfixState, StepState, Vote } from './state.ts';

/** A human the hotfix needs now, with their identities on each platform (as the policy lists them). */
export interface Wanted {
  readonly key: PersonKey;
  readonly identities: readonly Person[];
}

/** What the people are wanted for. */
export type Ask = 'approve' | 'vote' | 'confirm' | 'sign_off';

/** Who a thread line calls on, and for what: one entry per human, whatever roles or platforms they have. */
export interface Call {
  readonly ask: Ask;
  readonly people: readonly Wanted[];
}

type PeoplePolicy = Pick<Policy, 'people'>;

const wantedOf = (holders: ReadonlyMap<PersonKey, readonly Person[]>, skip: ReadonlySet<PersonKey>) =>
  [...holders].filter(([key]) => !skip.has(key)).map(([key, identities]) => ({ key, identities }));

/** Everyone holding one of `roles`, one entry per human, leaving out `skip`. */
export const wantedIn = (
  policy: PeoplePolicy,
  roles: readonly Role[],
  skip: ReadonlySet<PersonKey> = new Set(),
): Wanted[] => wantedOf(holdersOf(policy, roles), skip);

/** A recorded person with every identity the policy knows for them (just themselves when it knows none). */
export const wantedPerson = (policy: PeoplePolicy, who: Person): Wanted => {
  const key = keyOf(policy, who);
  return { key, identities: holdersOf(policy, Object.keys(policy.people)).get(key) ?? [who] };
};

/**
 * Who can approve the current plan and has not: the holders of every approving role still short of
 * approvals, minus its authors (unless self-approval is on) and minus anyone who already answered it.
 */
export const missingApprovers = (state: HotfixState, policy: Policy): Wanted[] => {
  const gate = approvalGate(state, policy);
  const short = gate.roles.filter((r) => r.have < r.need).map((r) => r.role);
  const answers = currentAnswers(state, policy);
  const skip = new Set<PersonKey>([
    ...(policy.selfApproval ? [] : state.authors.map((a) => resolveKey(policy, a))),
    ...[...answers.approvals, ...answers.rejections].map((a) => keyOf(policy, a.by)),
  ]);
  return wantedIn(policy, short, skip);
};

/** Who may still vote on `vote`, leaving out `also` (a proposer whose ballot is cast with the proposal). */
export const missingVoters = (vote: Vote, policy: Policy, also?: Person): Wanted[] => {
  const undecided = new Set(undecidedVoters(vote, policy));
  const skip = new Set<PersonKey>(also && also.platform !== 'system' ? [keyOf(policy, also)] : []);
  return wantedIn(policy, policy.rollback.vote.eligible).filter(
    (w) => undecided.has(w.key) && !skip.has(w.key),
  );
};

/** Who can confirm a manual step: its roles' people, else everyone with a role. */
export const confirmers = (step: Pick<StepState, 'roles'>, policy: Policy): Wanted[] =>
  wantedIn(policy, step.roles.length > 0 ? step.roles : Object.keys(policy.people));

/** The people of the sign-off roles not signed yet, minus anyone who already signed for another role. */
export const missingSigners = (state: HotfixState, policy: Policy): Wanted[] => {
  const signed = new Set(Object.values(state.signoffs).map((s) => keyOf(policy, s.by)));
  return wantedIn(policy, missingSignoffs(state, policy), signed);
};

/** The states around one event: just before it, just after it, and once the command that caused it is done. */
export interface EventStates {
  readonly before: HotfixState;
  readonly after: HotfixState;
  /**
   * After the last event of the same command. A deploy that fails may open a vote in the same step, so its
   * outcome is known only if it still is once the command's events are all in.
   */
  readonly decided: HotfixState;
}

/**
 * Who an event's thread line calls on, or null: the approvers when a plan is ready for approval (started, or
 * edited so approvals were voided), the voters when a vote opens, who can confirm a manual step when it waits,
 * the sign-off roles when the outcome becomes known, and whoever a reminder names. It depends on the stream
 * only, so a line drawn twice names the same people; a line is posted once, so nobody is called twice for it.
 */
export const callOf = (event: HotfixEvent, states: EventStates, policy: Policy): Call | null => {
  const { before, after, decided } = states;
  const call = (ask: Ask, people: readonly Wanted[]): Call | null =>
    people.length === 0 ? null : { ask, people };
  switch (event.type) {
    case 'HotfixStarted':
    case 'ApprovalsVoided':
      return call('approve', missingApprovers(after, policy));
    case 'RollbackProposed': {
      const vote = after.votes.find((v) => v.id === event.voteId);
      return vote ? call('vote', missingVoters(vote, policy, event.automatic ? undefined : event.by)) : null;
    }
    case 'StepStarted': {
      const step = runById(after, event.runId)?.steps.find((s) => s.key === event.step);
      return step?.kind === 'manual' ? call('confirm', confirmers(step, policy)) : null;
    }
    case 'ReminderSent': {
      const missing = event.missing.map((p) => wantedPerson(policy, p));
      const named = new Set(missing.map((w) => w.key));
      const escalation = event.escalatedTo === undefined ? [] : wantedIn(policy, [event.escalatedTo], named);
      return call(REMINDER_ASKS[event.about], [...missing, ...escalation]);
    }
    default:
      return outcomeBecameKnown(before, after, decided)
        ? call('sign_off', missingSigners(after, policy))
        : null;
  }
};

/** The event made the outcome known, and the rest of its command left it known (no vote opened after it). */
export const outcomeBecameKnown = (before: HotfixState, after: HotfixState, decided: HotfixState): boolean =>
  outcome(before) === null && outcome(after) !== null && outcome(decided) !== null && !after.closed;

const REMINDER_ASKS: Readonly<Record<ReminderAbout, Ask>> = {
  approval: 'approve',
  manual_step: 'confirm',
  vote: 'vote',
  signoff: 'sign_off',
};

/**
 * The index of the last event the command behind `events[i]` appended: a command's events are appended
 * together and share their time and actor.
 */
export const lastOfCommand = (events: readonly HotfixEvent[], i: number): number => {
  const first = events[i];
  let last = i;
  while (first !== undefined) {
    const next = events[last + 1];
    if (next?.at !== first.at || next.by.platform !== first.by.platform || next.by.id !== first.by.id) break;
    last++;
  }
  return last;
};
