import { describeEvent, stepOf } from '../../../domain/hotfix/describe-event.ts';
import type { HotfixEventType } from '../../../domain/hotfix/events.ts';
import { humanize, trimOutput } from '../../../domain/hotfix/format.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import { membersOf } from '../../../domain/hotfix/policy.ts';
import { tally } from '../../../domain/hotfix/queries.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { StoredEvent } from '../../../service/ports.ts';
import { manualStepActions, voteActions } from '../../common/actions.ts';
import { teamsAction } from './actions.ts';
import type { CardElement, TeamsCard } from './adaptive.ts';
import { card, text } from './adaptive.ts';
import {
  bold,
  escapeCardMarkdown,
  lines,
  personName,
  plainText,
  plural,
  roleLabel,
  stepLabel,
  times,
  userText,
} from './text.ts';

/** The emoji that opens each thread line (as on Slack). */
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
  ObservationNoted: '📝',
  DocumentationUpdateTicked: '📚',
  LessonsLearnedNoted: '🎓',
  SignedOff: '🖊️',
  HotfixClosed: '🏁',
};

export interface ThreadOptions {
  /** IANA zone of the time printed on each line (config `timezone`). */
  readonly timezone: string;
}

/** A line's text, and a failed step's output: enough to read in a thread, far below Teams' size limit. */
const LINE_MAX = 2800;
const OUTPUT_MAX = 1800;

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
  'VotePassed',
  'VoteFailed',
  'VoteExpired',
  'RollbackStarted',
  'RollbackFinished',
  'RollbackFailed',
]);

const hasActor = (type: HotfixEventType, by: Person): boolean =>
  by.platform !== 'system' && !OUTCOMES.has(type);
const capitalized = (line: string): string => line.charAt(0).toUpperCase() + line.slice(1);

/**
 * Step output in a monospace block: each line escaped, leading spaces kept (as no-break spaces), lines as
 * Markdown paragraphs so none runs into the next.
 */
const outputBlock = (output: string): CardElement =>
  text(
    lines(
      ...trimOutput(output)
        .split('\n')
        .map((l) => escapeCardMarkdown(l.slice(0, 300)) || '\u00a0'),
    ),
    {
      fontType: 'monospace',
      size: 'small',
    },
  );

/**
 * The thread reply for one stored event, read against the state just before it: the same milestones as on
 * Slack (`describeEvent` with an emoji, the actor and the time; a line per step start; a failed step's or a
 * dry run's output), null for events not worth a line (a monitor check that passed).
 */
export const renderThreadLine = (
  stored: StoredEvent,
  before: HotfixState,
  options: ThreadOptions,
): TeamsCard | null => {
  const { event } = stored;
  let description: string | null;
  if (event.type === 'StepStarted') {
    const step = stepOf(before, event.runId, event.step);
    const what = step ? `${step.stage} step “${step.name}” (${step.service})` : `step ${event.step}`;
    description = `started ${what}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
  } else if (event.type === 'MonitorCheckPassed') {
    description = null;
  } else {
    description = describeEvent(event, before);
  }
  if (description === null) return null;
  const time = times(options.timezone, new Date(event.at)).at(event.at);
  const actor = hasActor(event.type, event.by);
  if (!actor) description = capitalized(description);
  const emoji = EVENT_EMOJI[event.type];
  const body: CardElement[] = [
    text(
      `${emoji} ${actor ? `${bold(personName(event.by))} ` : ''}${userText(description, LINE_MAX)} · ${time}`,
    ),
  ];
  // A failed step's output says why; a dry run's (the playground rehearsing a team's config) is all there
  // is to see of the step: what would have run.
  const dryRun = event.type === 'StepSucceeded' && event.dryRun === true;
  if ((event.type === 'StepFailed' && event.output.trim() !== '') || dryRun)
    body.push(outputBlock(event.output.slice(-OUTPUT_MAX * 4)));
  const summary = plainText(`${emoji} ${actor ? `${displayName(event.by)} ` : ''}${description}`, LINE_MAX);
  return { card: card(body), summary };
};

export interface ManualStepOptions {
  /** The step's `manual:` text from config: what to check before confirming. */
  readonly instruction?: string;
  readonly timezone?: string;
  readonly now?: Date;
}

/**
 * The thread message asking for a manual step: what to check, who may answer, Confirm and Fail (behind a
 * ShowCard that says what failing does) while the step waits; once it is answered (or if it never started),
 * the same message without buttons says who answered and when.
 */
export const renderManualStepPrompt = (
  state: HotfixState,
  runId: string,
  stepKey: string,
  options: ManualStepOptions = {},
): TeamsCard => {
  const run = state.runs.find((r) => r.id === runId);
  const step = run?.steps.find((s) => s.key === stepKey);
  if (!run || !step) {
    const missing = `⚠️ ${state.id} has no step ${stepKey} in run ${runId}.`;
    return { card: card([text(userText(missing, 600, true))]), summary: plainText(missing, 600) };
  }
  const t = times(
    options.timezone ?? 'UTC',
    options.now ?? new Date(step.finishedAt ?? step.startedAt ?? run.startedAt),
  );
  const label = stepLabel(step, 150);
  const whoRoles = step.roles.length > 0 ? step.roles.map(roleLabel).join(' or ') : 'anyone with a role';
  const instruction = options.instruction
    ? [text(userText(options.instruction, 1500), { isSubtle: true })]
    : [];
  if (step.status === 'running') {
    return {
      card: card(
        [
          text(
            `✋ ${bold('Manual step')} ${label} of ${userText(state.id, 60, true)} is waiting for ${whoRoles} to confirm.`,
          ),
          ...instruction,
        ],
        manualStepActions(state.id, run, step).map(teamsAction),
      ),
      summary: plainText(
        `✋ Manual step waiting: ${step.stage} · “${step.name}” (${step.service})`,
        LINE_MAX,
      ),
    };
  }
  const decided = step.decidedBy ? ` by ${personName(step.decidedBy)}` : '';
  const when = step.finishedAt ? ` at ${t.at(step.finishedAt)}` : '';
  const note = step.note ? `: ${userText(step.note, 500, true)}` : '';
  const status =
    step.status === 'succeeded'
      ? `✅ Confirmed${decided}${when}${note}`
      : step.status === 'failed'
        ? `❌ Marked failed${decided}${when}${step.error ? `: ${userText(step.error, 500, true)}` : note}`
        : step.status === 'skipped'
          ? `⏭️ Skipped${decided}${when}${note}`
          : `⏳ Not started yet (${userText(run.id, 60, true)} is ${run.status})`;
  return {
    card: card([text(lines(`✋ ${bold('Manual step')} ${label}`, status)), ...instruction]),
    summary: plainText(`Manual step ${step.stage} · “${step.name}”: ${step.status}`, LINE_MAX),
  };
};

export interface VoteMessageOptions {
  readonly policy: Policy;
  readonly now: Date;
  readonly timezone?: string;
}

const MAX_BALLOTS_SHOWN = 25;

/**
 * The rollback vote in the hotfix thread: reason, live tally against quorum, required roles and expiry, each
 * ballot, and For / Against while the vote is open and not past its expiry; once closed, how it ended.
 */
export const renderVoteMessage = (
  state: HotfixState,
  voteId: number,
  options: VoteMessageOptions,
): TeamsCard => {
  const vote = state.votes.find((v) => v.id === voteId);
  if (!vote) {
    const missing = `⚠️ ${state.id} has no rollback vote #${voteId}.`;
    return { card: card([text(userText(missing, 300, true))]), summary: plainText(missing, 300) };
  }
  const { policy, now } = options;
  const t = times(options.timezone ?? 'UTC', now);
  const tl = tally(vote, policy);
  const { quorum, require, eligible } = policy.rollback.vote;
  const expired = now.getTime() >= Date.parse(vote.expiresAt);
  const open = vote.status === 'open' && !expired;
  const head = `🗳️ ${bold(`Rollback vote #${vote.id}`)} on ${userText(state.id, 60, true)} — ${humanize(vote.trigger)}${
    vote.automatic ? ' (proposed automatically)' : ` (proposed by ${personName(vote.proposedBy)})`
  } at ${t.at(vote.proposedAt)}`;
  const required =
    require.length === 0
      ? 'none'
      : require.map((r) => `${tl.missingRoles.includes(r) ? '⏳' : '✅'} ${roleLabel(r)}`).join(' · ');
  const status =
    vote.status === 'open'
      ? expired
        ? `⌛ expired at ${t.at(vote.expiresAt)}; closing`
        : `open · expires ${t.at(vote.expiresAt)} (${t.rel(vote.expiresAt)})`
      : `${vote.status === 'passed' ? '✅ passed — rolling back' : vote.status === 'failed' ? '❎ failed' : '⌛ expired'}${
          vote.closedAt ? ` at ${t.at(vote.closedAt)}` : ''
        }`;
  const ballots = Object.values(vote.ballots).sort((a, b) => a.at.localeCompare(b.at));
  const ballotText = ballots
    .slice(0, MAX_BALLOTS_SHOWN)
    .map(
      (b) =>
        `${b.choice === 'for' ? '✅' : '❌'} ${personName(b.by)}${b.roles.length > 0 ? ` (${b.roles.map(roleLabel).join(', ')})` : ''}`,
    )
    .join(' · ');
  const more = ballots.length > MAX_BALLOTS_SHOWN ? ` · +${ballots.length - MAX_BALLOTS_SHOWN} more` : '';
  const waiting = [...membersOf(policy, eligible)].filter((k) => !(k in vote.ballots)).length;
  const body: CardElement[] = [
    text(head),
    text(userText(vote.reason, 1500), { isSubtle: true }),
    text(
      lines(
        `${bold('For')} ${tl.for} of quorum ${quorum}${tl.for >= quorum ? ' ✅' : ''} · ${bold('Against')} ${tl.against}`,
        `${bold('Required roles')} ${required}`,
        `${bold('Status')} ${status}`,
      ),
    ),
    text(
      `${ballots.length === 0 ? 'No votes yet' : `${ballotText}${more}`} · eligible: ${eligible.map(roleLabel).join(', ')}${
        open ? ` · ${plural(waiting, 'person', 'people')} yet to vote` : ''
      }`,
      { isSubtle: true, size: 'small' },
    ),
  ];
  const actions = voteActions(state.id, vote, now).map(teamsAction);
  const missing = tl.missingRoles.length > 0 ? `, needs ${tl.missingRoles.join(', ')}` : '';
  return {
    card: card(body, actions),
    summary: plainText(
      `Rollback vote #${vote.id} on ${state.id}: ${tl.for} for, ${tl.against} against (quorum ${quorum}${missing}) — ${vote.status}`,
      LINE_MAX,
    ),
  };
};
