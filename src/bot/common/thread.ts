import type { Config } from '../../config/load.ts';
import type { Ask, Call, Wanted } from '../../domain/hotfix/attention.ts';
import { callOf } from '../../domain/hotfix/attention.ts';
import { describeEvent, reminderHeadline, stepOf } from '../../domain/hotfix/describe-event.ts';
import type { EventOf, HotfixEvent, HotfixEventType } from '../../domain/hotfix/events.ts';
import type { Person } from '../../domain/hotfix/people.ts';
import { displayName } from '../../domain/hotfix/people.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { Tally } from '../../domain/hotfix/queries.ts';
import { ballotsOf, runById, tally, undecidedVoters } from '../../domain/hotfix/queries.ts';
import type { Ballot, HotfixState, IssueState, Run, StepState, Vote } from '../../domain/hotfix/state.ts';
import type { Inline } from './text.ts';
import type { Times } from './times.ts';
import type { CommandEvent } from '../../notify/notifier.ts';

export type { CommandEvent };

/** The emoji that opens each thread line. */
export const EVENT_EMOJI: Readonly<Record<HotfixEventType, string>> = {
  HotfixStarted: '🔥',
  PlanEdited: '✏️',
  ApprovalsVoided: '♻️',
  ChecklistItemTicked: '☑️',
  ChecklistItemUnticked: '⬜',
  PlanApproved: '👍',
  PlanRejected: '👎',
  HotfixCancelled: '🚫',
  DeployRequested: '🚀',
  LockGranted: '🔒',
  LockRefused: '⛔',
  PipelineStarted: '🏁',
  StepStarted: '▶️',
  StepInterrupted: '💥',
  StepSucceeded: '✅',
  StepFailed: '❌',
  StepSkipped: '⏭️',
  StepReopened: '🔁',
  ManualStepConfirmed: '✋',
  StagePassed: '🟩',
  StageFailed: '🟥',
  GatePassed: '🚦',
  GateFailed: '🛑',
  PipelineAborted: '⏹️',
  MonitoringStarted: '👀',
  MonitorCheckPassed: '💚',
  MonitorCheckBreached: '⚠️',
  MonitoringWindowClosed: '🔭',
  BreachAcceptanceGiven: '🤝',
  BreachesAccepted: '✅',
  RollbackProposed: '🗳️',
  VoteCast: '🗳️',
  VotePassed: '✅',
  VoteFailed: '❎',
  VoteExpired: '⌛',
  RollbackStarted: '⏪',
  RollbackFinished: '↩️',
  RollbackFailed: '🆘',
  IssueLogged: '🐞',
  IssueResolved: '✔️',
  WorkaroundSet: '🩹',
  IssueReopened: '🔄',
  ObservationNoted: '📝',
  DocumentationUpdateTicked: '📚',
  LessonsLearnedNoted: '🎓',
  SignedOff: '🖊️',
  ReminderSent: '⏰',
  HotfixClosed: '🏁',
};

/** Events that say what happened rather than what someone did: their line names no actor. */
const OUTCOMES: ReadonlySet<HotfixEventType> = new Set<HotfixEventType>([
  'ApprovalsVoided',
  'LockGranted',
  'LockRefused',
  'PipelineStarted',
  'StepInterrupted',
  'StepSucceeded',
  'StepFailed',
  'StagePassed',
  'StageFailed',
  'GatePassed',
  'GateFailed',
  'MonitoringStarted',
  'MonitorCheckBreached',
  'MonitoringWindowClosed',
  'BreachesAccepted',
  'VotePassed',
  'VoteFailed',
  'VoteExpired',
  'RollbackStarted',
  'RollbackFinished',
  'RollbackFailed',
  'ReminderSent',
]);

/** What a thread line says, before any platform's markup. */
export interface ThreadLine {
  readonly emoji: string;
  /** Plain text, capitalized when the line names no actor. */
  readonly description: string;
  /** Who did it; null for an outcome or the system. */
  readonly actor: Person | null;
  /** Step output to show under the line: a failed step's (when it printed anything) or a dry run's. */
  readonly output: string | null;
}

/**
 * The thread line for one event, read against the state just before it: one per milestone (`describeEvent`),
 * one per step start; null for events not worth a line (a monitor check that passed).
 */
export const threadLine = (event: HotfixEvent, before: HotfixState): ThreadLine | null => {
  let description: string | null;
  if (event.type === 'StepStarted') {
    const step = stepOf(before, event.runId, event.step);
    const what = step ? `${step.stage} step “${step.name}” (${step.service})` : `step ${event.step}`;
    description = `started ${what}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
  } else if (event.type === 'MonitorCheckPassed') {
    description = null;
  } else if (event.type === 'ReminderSent') {
    // Who is missing is said by the line's mentions.
    description = reminderHeadline(event, before);
  } else {
    description = describeEvent(event, before);
  }
  if (description === null) return null;
  const actor = event.by.platform !== 'system' && !OUTCOMES.has(event.type) ? event.by : null;
  // A failed step's output says why; a dry run's (the playground rehearsing a team's config, see
  // src/jobs/steps/dry-run.ts) is all there is to see of the step: what would have run.
  const dryRun = event.type === 'StepSucceeded' && event.dryRun === true;
  const output = (event.type === 'StepFailed' && event.output.trim() !== '') || dryRun ? event.output : null;
  return {
    emoji: EVENT_EMOJI[event.type],
    description: actor ? description : description.charAt(0).toUpperCase() + description.slice(1),
    actor,
    output,
  };
};

/** What a line's mentions are asked for, before the names. */
export const CALL_LABELS: Readonly<Record<Ask, string>> = {
  approve: 'Waiting for your approval',
  vote: 'Your vote, please',
  confirm: 'Waiting for one of you to confirm',
  sign_off: 'Waiting for your sign-off',
};

/** A line names at most this many people; the rest are counted. */
export const MAX_CALLED = 30;

/**
 * One human as a platform shows them: their identity there, and their name (configured or known) if any. One
 * with neither is left out of a line rather than shown as another platform's raw id (the role form names
 * nobody).
 */
export const calledOn = (
  wanted: Wanted,
  platform: Person['platform'],
): { readonly on: Person | undefined; readonly name: string | undefined } => {
  const on = wanted.identities.find((p) => p.platform === platform);
  const named = wanted.identities.find((p) => p.name !== undefined);
  return { on, name: named ? displayName(named) : undefined };
};

/** The people of a call a line names, and how many more it only counts. */
export const calledPeople = (call: Call): { readonly shown: readonly Wanted[]; readonly more: number } => ({
  shown: call.people.slice(0, MAX_CALLED),
  more: Math.max(0, call.people.length - MAX_CALLED),
});

/** A rollback vote as its thread message and the card read it, before any markup. */
export interface VoteProgress {
  readonly tally: Tally;
  /** Open and not past its expiry: ballots are still taken. */
  readonly open: boolean;
  /** Its status: open with expiry, expired but not closed yet, or how and when it closed. */
  readonly status: string;
  /** Eligible people who have not voted. */
  readonly waiting: number;
  /** The first ballots cast, oldest first, and how many more there are. */
  readonly ballots: readonly Ballot[];
  readonly moreBallots: number;
  /** The one-line summary (notification text): tally against quorum, roles still needed, status. */
  readonly summary: string;
}

/** Ballots a vote's message lists by name; the rest are counted. */
const MAX_BALLOTS_SHOWN = 25;

export const voteProgress = (hotfixId: string, vote: Vote, policy: Policy, t: Times): VoteProgress => {
  const tl = tally(vote, policy);
  const expired = t.now.getTime() >= Date.parse(vote.expiresAt);
  const status =
    vote.status === 'open'
      ? expired
        ? `⌛ expired at ${t.at(vote.expiresAt)}; closing`
        : `open · expires ${t.at(vote.expiresAt)} (${t.rel(vote.expiresAt)})`
      : `${vote.status === 'passed' ? '✅ passed — rolling back' : vote.status === 'failed' ? '❎ failed' : '⌛ expired'}${
          vote.closedAt ? ` at ${t.at(vote.closedAt)}` : ''
        }`;
  const missing = tl.missingRoles.length > 0 ? `, needs ${tl.missingRoles.join(', ')}` : '';
  const ballots = [...ballotsOf(vote, policy).values()].sort((a, b) => a.at.localeCompare(b.at));
  return {
    tally: tl,
    open: vote.status === 'open' && !expired,
    status,
    ballots: ballots.slice(0, MAX_BALLOTS_SHOWN),
    moreBallots: Math.max(0, ballots.length - MAX_BALLOTS_SHOWN),
    waiting: undecidedVoters(vote, policy).length,
    summary: `Rollback vote #${vote.id} on ${hotfixId}: ${tl.for} for, ${tl.against} against (quorum ${policy.rollback.vote.quorum}${missing}) — ${vote.status}`,
  };
};

/** A manual step's `manual:` text (what to check before confirming), for its prompt in the thread. */
export const manualInstruction = (
  config: Pick<Config, 'services'>,
  state: HotfixState,
  runId: string,
  stepKey: string,
): string | undefined => {
  const run = runById(state, runId);
  const planned = run?.steps.find((s) => s.key === stepKey);
  if (!run || !planned) return undefined;
  // The text recorded when the run started; today's config only for runs recorded without it (schema v1).
  const spec = planned.spec ?? config.services[planned.service]?.[run.kind][planned.stage][planned.index];
  return spec?.kind === 'manual' && spec.name === planned.name ? spec.manual : undefined;
};

/** A manual step no longer waiting: confirmed, failed or skipped (by whom, when, with their note), or not started. */
export const manualStepStatus = (run: Run, step: StepState, t: Times, inline: Inline): string => {
  const decided = step.decidedBy ? ` by ${inline.person(step.decidedBy)}` : '';
  const when = step.finishedAt ? ` at ${t.at(step.finishedAt)}` : '';
  const note = step.note ? `: ${inline.text(step.note, 500)}` : '';
  switch (step.status) {
    case 'succeeded':
      return `✅ Confirmed${decided}${when}${note}`;
    case 'failed':
      return `❌ Marked failed${decided}${when}${step.error ? `: ${inline.text(step.error, 500)}` : note}`;
    case 'skipped':
      return `⏭️ Skipped${decided}${when}${note}`;
    default:
      return `⏳ Not started yet (${inline.text(run.id, 60)} is ${run.status})`;
  }
};

/** Where an answered manual step's prompt, a vote's message or the record live in a hotfix's thread. */
export const stepMessageKey = (runId: string, step: string): string => `step:${runId}:${step}`;
export const voteMessageKey = (voteId: number): string => `vote:${voteId}`;
export const issueMessageKey = (issueId: number): string => `issue:${issueId}`;

/** The event that logged an issue, rebuilt from the state: the issue's message opens with its line. */
export const issueLoggedEvent = (issue: IssueState): EventOf<'IssueLogged'> => ({
  type: 'IssueLogged',
  at: issue.loggedAt,
  by: issue.loggedBy,
  issueId: issue.id,
  text: issue.text,
});

/**
 * A logged issue's status, for its thread message and `issues <id>`: open, open again (who reopened it, when,
 * why) or resolved (by whom, when, the note); then its workaround (what, by whom, when) when it has one.
 */
export const issueStatusLines = (issue: IssueState, t: Times, inline: Inline): string[] => {
  const note = (text: string | undefined) => (text ? `: ${inline.text(text, 500)}` : '');
  const reopened = issue.reopenings?.at(-1);
  const status = issue.resolved
    ? `✅ Resolved by ${inline.person(issue.resolved.by)} at ${t.at(issue.resolved.at)}${note(issue.resolved.note)}`
    : reopened
      ? `🔄 Open again: reopened by ${inline.person(reopened.by)} at ${t.at(reopened.at)}${note(reopened.reason)}`
      : '🟠 Open';
  const workaround = issue.workaround
    ? [
        `🩹 Workaround by ${inline.person(issue.workaround.by)} at ${t.at(issue.workaround.at)}: ${inline.text(issue.workaround.text, 500)}`,
      ]
    : [];
  return [status, ...workaround];
};

/**
 * Besides its line, what an event changes in the hotfix's thread: a manual step's prompt (posted when the step
 * starts; redrawn when it is answered, if it was posted), the rollback vote's message (posted, then redrawn
 * with each ballot and when it closes), a logged issue's message (its line, with its status and actions;
 * redrawn when it changes), or the record once the hotfix is closed; null for nothing more.
 */
export type ThreadFollowUp =
  | {
      readonly kind: 'step-prompt';
      readonly runId: string;
      readonly step: string;
      readonly ifPosted: boolean;
    }
  | { readonly kind: 'vote'; readonly voteId: number }
  /**
   * A logged issue's message: posted in place of the line when the issue is logged (`opens`), redrawn (if
   * it was posted) when it is resolved, worked around or reopened, after that change's own line.
   */
  | { readonly kind: 'issue'; readonly issueId: number; readonly opens: boolean }
  | { readonly kind: 'record' }
  | null;

export const threadFollowUp = (event: HotfixEvent, after: HotfixState): ThreadFollowUp => {
  const manual = (runId: string, step: string) =>
    runById(after, runId)?.steps.find((s) => s.key === step)?.kind === 'manual';
  switch (event.type) {
    case 'StepStarted':
      return manual(event.runId, event.step)
        ? { kind: 'step-prompt', runId: event.runId, step: event.step, ifPosted: false }
        : null;
    case 'ManualStepConfirmed':
    case 'StepSucceeded':
    case 'StepFailed':
    case 'StepSkipped':
      return manual(event.runId, event.step)
        ? { kind: 'step-prompt', runId: event.runId, step: event.step, ifPosted: true }
        : null;
    case 'RollbackProposed':
    case 'VoteCast':
    case 'VotePassed':
    case 'VoteFailed':
    case 'VoteExpired':
      return { kind: 'vote', voteId: event.voteId };
    case 'IssueLogged':
      return { kind: 'issue', issueId: event.issueId, opens: true };
    case 'IssueResolved':
    case 'WorkaroundSet':
    case 'IssueReopened':
      return { kind: 'issue', issueId: event.issueId, opens: false };
    case 'HotfixClosed':
      return { kind: 'record' };
    default:
      return null;
  }
};

/**
 * Whether an event's follow-up opens a thread message the card links to and shows the buttons of (a manual
 * step's prompt, a vote): the card drawn for that event came before the message, so it is drawn again after.
 */
export const opensPrompt = (event: HotfixEvent, next: ThreadFollowUp): boolean =>
  (next?.kind === 'step-prompt' && !next.ifPosted) ||
  (next?.kind === 'vote' && event.type === 'RollbackProposed');

/**
 * Events a quiet thread leaves to the card (config `thread.step_lines: false`): the card shows them, edited in
 * place, and a line each would notify the thread's followers for nothing they must see or do.
 */
const CARD_ONLY: ReadonlySet<HotfixEventType> = new Set<HotfixEventType>([
  'HotfixStarted',
  'ChecklistItemTicked',
  'ChecklistItemUnticked',
  'DocumentationUpdateTicked',
  'LockGranted',
  'PipelineStarted',
  'StepStarted',
  'StepSucceeded',
  'StepSkipped',
  'ManualStepConfirmed',
  'VoteCast',
]);

/** Which lines a thread shows: config `thread.step_lines`. */
export interface LineChoice {
  readonly stepLines: boolean;
}

/** One line of a thread message: the event, the state just before it (what its line reads), the line. */
export interface MessageLine {
  readonly event: HotfixEvent;
  readonly before: HotfixState;
  readonly line: ThreadLine;
}

/** A thread message: the lines of one command's events, and who they call on. */
export interface ThreadMessage {
  readonly lines: readonly MessageLine[];
  /** One call per distinct ask, in the order the events made them; each human in the first only. */
  readonly calls: readonly Call[];
}

/**
 * Whether an event gets a line in the thread: it has one (`threadLine`), it is not an issue's logging (whose
 * message is its line), and it is not left to the card (unless it calls on people: a line is where they are
 * mentioned). `call` is the call the surface would show under it.
 */
export const showsLine = (item: CommandEvent, call: Call | null, choice: LineChoice): ThreadLine | null => {
  const next = threadFollowUp(item.event, item.after);
  if (next?.kind === 'issue' && next.opens) return null;
  // A dry run's success keeps its line: its output (what would have run) is all there is to see of the step.
  const dryRun = item.event.type === 'StepSucceeded' && item.event.dryRun === true;
  if (!choice.stepLines && CARD_ONLY.has(item.event.type) && call === null && !dryRun) return null;
  return threadLine(item.event, item.before);
};

/**
 * Who a manual step's prompt calls on: those who may confirm it, from the step's start (null for any other
 * event). The prompt is where they are mentioned, on both platforms.
 */
export const promptCallOf = (item: CommandEvent, policy: Policy): Call | null => {
  const call = item.event.type === 'StepStarted' ? callOf(item.event, item, policy) : null;
  return call?.ask === 'confirm' ? call : null;
};

/**
 * Who an event's thread line calls on (`callOf`), except a manual step's start: its prompt, posted next,
 * mentions who can confirm it, so the line does not as well (and in a quiet thread there is no such line).
 */
export const lineCallOf = (item: CommandEvent, policy: Policy): Call | null =>
  promptCallOf(item, policy) === null ? callOf(item.event, item, policy) : null;

/** Merges calls: one per ask (first seen first), each human named once, in the first call that wants them. */
export const mergeCalls = (calls: readonly (Call | null)[]): Call[] => {
  const named = new Set<string>();
  const byAsk = new Map<Ask, Wanted[]>();
  for (const call of calls) {
    if (!call) continue;
    const people = byAsk.get(call.ask) ?? [];
    for (const wanted of call.people) {
      if (named.has(wanted.key)) continue;
      named.add(wanted.key);
      people.push(wanted);
    }
    byAsk.set(call.ask, people);
  }
  return [...byAsk].filter(([, people]) => people.length > 0).map(([ask, people]) => ({ ask, people }));
};

/**
 * The message an event posts in the thread, given it and the later events of its command whose lines no
 * message carries yet (`command[0]` is the event): one message per command, posted with its first event that
 * shows a line and carrying the lines of all of them; null when this event shows no line (a later one of the
 * command posts the message, or none does). `callOf` is the surface's call for an event.
 */
export const threadMessage = (
  command: readonly CommandEvent[],
  callOf: (item: CommandEvent) => Call | null,
  choice: LineChoice,
): ThreadMessage | null => {
  const shown = command.flatMap((item) => {
    const call = callOf(item);
    const line = showsLine(item, call, choice);
    return line ? [{ item, line, call }] : [];
  });
  if (shown.length === 0 || shown[0]?.item !== command[0]) return null;
  return {
    lines: shown.map(({ item, line }) => ({ event: item.event, before: item.before, line })),
    calls: mergeCalls(shown.map((s) => s.call)),
  };
};
