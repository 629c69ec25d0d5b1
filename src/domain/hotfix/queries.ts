import type { Checklist } from './events.ts';
import { CHECKLISTS } from './events.ts';
import type { Person, PersonKey, Role } from './people.ts';
import type { DerivedItemSource, Policy } from './policy.ts';
import { keyOf, membersOf } from './policy.ts';
import type {
  Approval,
  Ballot,
  ChecklistItemState,
  HotfixState,
  Outcome,
  Rejection,
  Run,
  StepState,
  Vote,
} from './state.ts';
import { standingOf } from './state.ts';

export interface ApprovalGate {
  readonly ok: boolean;
  /** Per role: how many distinct approvals the current plan has, and how many the policy needs. */
  readonly roles: readonly { readonly role: Role; readonly have: number; readonly need: number }[];
  readonly rejectedBy: readonly Role[];
}

/**
 * The latest of each human's stamped entries, keyed under the policy. The fold keeps one entry per recorded
 * key; a human recorded under two keys (a platform id before the config named them, their handle after)
 * may have two, and the later one stands.
 */
const latestPerPerson = <T extends { readonly by: Person; readonly at: string }>(
  entries: readonly T[],
  policy: Pick<Policy, 'people'>,
): Map<PersonKey, T> => {
  const latest = new Map<PersonKey, T>();
  for (const entry of entries) {
    const key = keyOf(policy, entry.by);
    const prior = latest.get(key);
    if (prior === undefined || prior.at <= entry.at) latest.set(key, entry);
  }
  return latest;
};

/** The current plan's standing answers, one per human: an approval, or a rejection, whichever came last. */
export const currentAnswers = (
  state: HotfixState,
  policy: Pick<Policy, 'people'>,
): { readonly approvals: readonly Approval[]; readonly rejections: readonly Rejection[] } => {
  const current = <T extends { readonly planHash: string }>(entries: readonly T[]) =>
    entries.filter((e) => e.planHash === state.planHash);
  const standing = [
    ...latestPerPerson(
      [
        ...current(state.approvals).map((approval) => ({ by: approval.by, at: approval.at, approval })),
        ...current(state.rejections).map((rejection) => ({ by: rejection.by, at: rejection.at, rejection })),
      ],
      policy,
    ).values(),
  ];
  return {
    approvals: standing.flatMap((s) => ('approval' in s ? [s.approval] : [])),
    rejections: standing.flatMap((s) => ('rejection' in s ? [s.rejection] : [])),
  };
};

/** What the approval gate reads of the policy. */
export type ApprovalPolicy = Pick<Policy, 'people' | 'approvals'>;

export const approvalGate = (state: HotfixState, policy: ApprovalPolicy): ApprovalGate => {
  const current = currentAnswers(state, policy);
  const roles = Object.entries(policy.approvals).map(([role, need]) => ({
    role,
    need,
    have: new Set(current.approvals.filter((a) => a.role === role).map((a) => keyOf(policy, a.by))).size,
  }));
  const rejectedBy = current.rejections.map((r) => r.role);
  return { ok: rejectedBy.length === 0 && roles.every((r) => r.have >= r.need), roles, rejectedBy };
};

export interface ReadinessGate {
  readonly ok: boolean;
  readonly done: number;
  readonly total: number;
  readonly missing: readonly string[];
}

/** What the readiness checklists read of the policy: derived items follow the approval gate. */
export type ReadinessPolicy = ApprovalPolicy & Pick<Policy, 'derivedItems'>;

/** A checklist item as everyone sees it: a derived item is ticked by what it follows, never by a person. */
export interface ChecklistItemView extends ChecklistItemState {
  /** What ticks it (hotfix.yml `{ item, from }`); absent for an item people or an automatic check tick. */
  readonly derivedFrom?: DerivedItemSource;
}

/** What ticks this item, if the policy derives it. Own keys only: an item may be called "constructor". */
export const derivedSource = (
  policy: Pick<Policy, 'derivedItems'>,
  checklist: Checklist,
  label: string,
): DerivedItemSource | undefined => {
  const derived = policy.derivedItems[checklist];
  return Object.hasOwn(derived, label) ? derived[label] : undefined;
};

/** Who a derived tick is by: no person, the approvals. */
export const APPROVALS_ACTOR: Person = { platform: 'system', id: 'approvals', name: 'approvals' };

/**
 * The tick a derived item shows: the approval gate met, at the last approval that counts (or when the hotfix
 * started, when the policy asks for none). Computed, never recorded, so it cannot disagree with the
 * approvals: an edit that voids them unticks it, a rejection too.
 */
const derivedTick = (
  state: HotfixState,
  policy: ReadinessPolicy,
  source: DerivedItemSource,
): ChecklistItemState['ticked'] => {
  switch (source) {
    case 'approvals': {
      const gate = approvalGate(state, policy);
      if (!gate.ok) return null;
      const counted = currentAnswers(state, policy).approvals.filter((a) =>
        Object.hasOwn(policy.approvals, a.role),
      );
      const at = counted.map((a) => a.at).reduce((a, b) => (a >= b ? a : b), state.startedAt);
      const evidence = gate.roles.map((r) => `${r.role} ${r.have}/${r.need}`).join(', ');
      return { by: APPROVALS_ACTOR, at, automatic: true, ...(evidence === '' ? {} : { evidence }) };
    }
    default: {
      const unknown: never = source;
      return unknown;
    }
  }
};

/** A checklist's items with derived ones resolved: what cards, the readiness gate and the record show. */
export const checklistItems = (
  state: HotfixState,
  policy: ReadinessPolicy,
  checklist: Checklist,
): ChecklistItemView[] =>
  state.checklists[checklist].map((item) => {
    const source = derivedSource(policy, checklist, item.label);
    return source === undefined
      ? item
      : { label: item.label, derivedFrom: source, ticked: derivedTick(state, policy, source) };
  });

export const readinessGate = (state: HotfixState, policy: ReadinessPolicy): ReadinessGate => {
  const items = CHECKLISTS.flatMap((c) => checklistItems(state, policy, c));
  const missing = items.filter((i) => i.ticked === null).map((i) => i.label);
  return { ok: missing.length === 0, done: items.length - missing.length, total: items.length, missing };
};

/** Deploy is offered when the current plan is approved and readiness is complete (the lock is checked on request). */
export const canRequestDeploy = (state: HotfixState, policy: Policy): boolean =>
  state.phase === 'planned' && approvalGate(state, policy).ok && readinessGate(state, policy).ok;

export const currentRun = (state: HotfixState): Run | undefined => state.runs.at(-1);

export const runById = (state: HotfixState, runId: string): Run | undefined =>
  state.runs.find((r) => r.id === runId);

export const isFinished = (step: StepState): boolean =>
  step.status === 'succeeded' || step.status === 'skipped' || step.status === 'failed';

/** The first step of a run not recorded as finished: where a (resumed) pipeline continues. */
export const nextStep = (run: Run): StepState | undefined => run.steps.find((s) => !isFinished(s));

export const openVote = (state: HotfixState): Vote | undefined =>
  state.votes.find((v) => v.status === 'open');

export interface Tally {
  readonly for: number;
  readonly against: number;
  /** Required roles with no eligible voter in favour yet. */
  readonly missingRoles: readonly Role[];
  readonly passed: boolean;
  /** It can no longer pass, whoever still votes. */
  readonly hopeless: boolean;
}

/** Each human's ballot, under the policy's keys: one per human, a changed vote replacing the earlier one. */
export const ballotsOf = (vote: Vote, policy: Policy): ReadonlyMap<PersonKey, Ballot> =>
  latestPerPerson(Object.values(vote.ballots), policy);

/** The ballot this person cast (from whichever platform), if any. */
export const ballotOf = (vote: Vote, policy: Policy, who: Person): Ballot | undefined =>
  ballotsOf(vote, policy).get(keyOf(policy, who));

/** The people who may vote and have not. */
export const undecidedVoters = (vote: Vote, policy: Policy): PersonKey[] => {
  const ballots = ballotsOf(vote, policy);
  return [...membersOf(policy, policy.rollback.vote.eligible)].filter((k) => !ballots.has(k));
};

export const tally = (vote: Vote, policy: Policy): Tally => {
  const { quorum, require } = policy.rollback.vote;
  const byPerson = ballotsOf(vote, policy);
  const ballots = [...byPerson.values()];
  const inFavour = ballots.filter((b) => b.choice === 'for');
  const against = ballots.filter((b) => b.choice === 'against');
  const missingRoles = require.filter((role) => !inFavour.some((b) => b.roles.includes(role)));
  const undecided = undecidedVoters(vote, policy);
  const roleStillPossible = (role: Role) =>
    [...membersOf(policy, [role])].some((k) => undecided.includes(k) || byPerson.get(k)?.choice === 'for');
  return {
    for: inFavour.length,
    against: against.length,
    missingRoles,
    passed: inFavour.length >= quorum && missingRoles.length === 0,
    hopeless: inFavour.length + undecided.length < quorum || !missingRoles.every(roleStillPossible),
  };
};

/** The outcome, once it is known: nothing running, no vote open. */
export const outcome = (state: HotfixState): Outcome | null => {
  if (state.closed) return state.closed.outcome;
  if (openVote(state)) return null;
  const standing = standingOf(state.phase);
  return standing === 'cancelled' || standing === 'in_progress' ? null : standing;
};

export const missingSignoffs = (state: HotfixState, policy: Policy): Role[] =>
  policy.signoffs.filter((role) => !(role in state.signoffs));

/**
 * Who decides on a monitoring window's breaches: the sign-off roles, else those who may close the hotfix
 * (whose default is the technical role), else anyone with a role.
 */
export const breachDeciders = (policy: Policy): readonly Role[] => {
  if (policy.signoffs.length > 0) return policy.signoffs;
  return policy.closers.length > 0 ? policy.closers : Object.keys(policy.people);
};

/** Breaches recorded in the monitoring window. */
export const breachCount = (state: HotfixState): number =>
  Object.values(state.monitoring?.checks ?? {}).reduce((sum, c) => sum + c.breaches, 0);

/** The checks a closed monitoring window never heard from: no round passed or breached while it was open. */
export const unobservedChecks = (state: HotfixState): readonly string[] =>
  state.monitoring?.closed?.unobserved ?? [];

/** How many unobserved checks a sentence names before `and 2 more`. */
const NAMED_UNOBSERVED = 3;

/**
 * What a window that needs a decision closed with: `1 breach`, `payments-api/Health never reporting`, or both
 * joined by `and`. `name` escapes a check's name for where the words go.
 */
export const findings = (
  breaches: number,
  unobserved: readonly string[],
  name: (check: string) => string = (check) => check,
): string => {
  const counted = `${breaches} ${breaches === 1 ? 'breach' : 'breaches'}`;
  if (unobserved.length === 0) return counted;
  const named = unobserved.slice(0, NAMED_UNOBSERVED).map(name);
  const more = unobserved.length - named.length;
  const list =
    more > 0
      ? `${named.join(', ')} and ${more} more`
      : `${named.slice(0, -1).join(', ')}${named.length > 1 ? ' and ' : ''}${named[named.length - 1] ?? ''}`;
  return breaches === 0 ? `${list} never reporting` : `${counted} and ${list} never reporting`;
};

/**
 * {@link findings} as a verb phrase after "Monitoring" or "The monitoring window": `found 1 breach`, or
 * `closed with payments-api/Health never reporting` (and its breaches) when a check never reported.
 */
export const windowFindings = (
  breaches: number,
  unobserved: readonly string[],
  name?: (check: string) => string,
): string => `${unobserved.length === 0 ? 'found' : 'closed with'} ${findings(breaches, unobserved, name)}`;

/** {@link windowFindings} of the hotfix's closed window. */
export const reviewFindings = (state: HotfixState, name?: (check: string) => string): string =>
  windowFindings(breachCount(state), unobservedChecks(state), name);

/** The deciding roles that have not accepted the breaches yet. */
export const missingBreachAcceptances = (state: HotfixState, policy: Policy): Role[] =>
  breachDeciders(policy).filter((role) => !(role in (state.breachAcceptances ?? {})));

export const isOpen = (state: HotfixState): boolean =>
  state.phase !== 'none' && state.phase !== 'closed' && state.phase !== 'cancelled';

/** Whether any of the run's production-facing steps (after preparation) has begun. */
export const touchedProduction = (run: Run): boolean =>
  run.steps.some((s) => s.stage !== 'preparation' && s.status !== 'pending');

/**
 * Whether the hotfix still holds the deploy lock on its services: from the grant until the outcome is settled
 * (verified with no vote open, rolled back, rollback failed), or until it is closed or cancelled. A deploy that
 * failed in preparation never touched production, so it frees the services at once; one that failed later keeps
 * them until the team decides (rollback or close), so nobody deploys on top of a broken release.
 */
export const holdsLock = (state: HotfixState): boolean => {
  if (state.lock.status !== 'granted') return false;
  switch (state.phase) {
    case 'rolled_back':
    case 'rollback_failed':
    case 'cancelled':
    case 'closed':
      return false;
    case 'verified':
      return openVote(state) !== undefined;
    case 'deploy_failed': {
      const deploy = state.runs.findLast((r) => r.kind === 'deploy');
      return deploy !== undefined && touchedProduction(deploy);
    }
    default:
      return true;
  }
};
