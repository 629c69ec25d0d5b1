import type { KnownBlock } from '@slack/types';
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
import { BLOCKS } from '../ids.ts';
import type { SlackMessage } from './common.ts';
import { actionButtons, roleLabel, stepLabel } from './common.ts';
import { LIMITS } from './limits.ts';
import { codeBlock, escapeMrkdwn, md, mention, plural, times, truncate, userText } from './text.ts';

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

/** Slack caps a section's text at 3000; a line keeps some room for its emoji, actor and time. */
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
const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The thread line for one stored event, read against the state just before it: one line per milestone
 * (`describeEvent` with an emoji, the actor and the time), a code block with the trimmed output for a failed
 * step, a line for each step start; null for events not worth a line (a monitor check that passed).
 */
export const renderThreadLine = (
  stored: StoredEvent,
  before: HotfixState,
  options: ThreadOptions,
): SlackMessage | null => {
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
  const clock = times(options.timezone, new Date(event.at));
  const time = clock.at(event.at);
  const actor = hasActor(event.type, event.by);
  if (!actor) description = capitalized(description);
  const line = `${EVENT_EMOJI[event.type]} ${actor ? `${mention(event.by)} ` : ''}${userText(description, LINE_MAX)} · _${time}_`;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.line, text: md(line, LIMITS.sectionText) },
  ];
  // A failed step's output says why; a dry run's (the playground rehearsing a team's config, see
  // src/jobs/steps/dry-run.ts) is all there is to see of the step: what would have run.
  const dryRun = event.type === 'StepSucceeded' && event.dryRun === true;
  if ((event.type === 'StepFailed' && event.output.trim() !== '') || dryRun)
    blocks.push({
      type: 'section',
      block_id: BLOCKS.output,
      text: md(codeBlock(trimOutput(event.output), OUTPUT_MAX), LIMITS.sectionText),
    });
  const text = truncate(
    `${EVENT_EMOJI[event.type]} ${actor ? `${escapeMrkdwn(displayName(event.by))} ` : ''}${userText(description, LINE_MAX, true)}`,
    LINE_MAX,
  );
  return { text, blocks };
};

export interface ManualStepOptions {
  /** With the policy, the prompt mentions the people who may confirm (they get a notification). */
  readonly policy?: Policy;
  /** The step's `manual:` text from config: what to check before confirming. */
  readonly instruction?: string;
  readonly timezone?: string;
  readonly now?: Date;
}

/**
 * The thread message asking for a manual step: what to check, who may answer, Confirm / Fail buttons while
 * the step waits; once it is answered (or if it never started), the same message without buttons says so.
 */
export const renderManualStepPrompt = (
  state: HotfixState,
  runId: string,
  stepKey: string,
  options: ManualStepOptions = {},
): SlackMessage => {
  const run = state.runs.find((r) => r.id === runId);
  const step = run?.steps.find((s) => s.key === stepKey);
  if (!run || !step) {
    const text = `⚠️ ${userText(state.id, 60, true)} has no step ${userText(stepKey, 200, true)} in run ${userText(runId, 60, true)}.`;
    return { text, blocks: [{ type: 'section', block_id: BLOCKS.step, text: md(text) }] };
  }
  const t = times(
    options.timezone ?? 'UTC',
    options.now ?? new Date(step.finishedAt ?? step.startedAt ?? run.startedAt),
  );
  const label = stepLabel(step, 150);
  const roles = step.roles.length > 0 ? step.roles : [];
  const whoRoles = roles.length > 0 ? roles.map(roleLabel).join(' or ') : 'anyone with a role';
  const people = options.policy
    ? [...membersOf(options.policy, roles.length > 0 ? roles : Object.keys(options.policy.people))]
        .filter((k) => k.startsWith('slack:'))
        .slice(0, 15)
        .map((k) => `<@${k.slice('slack:'.length)}>`)
    : [];
  const instruction = options.instruction
    ? `\n>${userText(options.instruction, 1500).replace(/\n/g, '\n>')}`
    : '';
  const blocks: KnownBlock[] = [];
  let text: string;
  if (step.status === 'running') {
    text = `✋ Manual step waiting: ${label}`;
    blocks.push({
      type: 'section',
      block_id: BLOCKS.step,
      text: md(
        `✋ *Manual step* ${label} of ${userText(state.id, 60, true)} is waiting for ${whoRoles}${
          people.length > 0 ? ` (${people.join(' ')})` : ''
        } to confirm.${instruction}`,
      ),
    });
    blocks.push({
      type: 'actions',
      block_id: BLOCKS.stepActions,
      elements: actionButtons(manualStepActions(state.id, run, step)),
    });
  } else {
    const decided = step.decidedBy ? ` by ${mention(step.decidedBy)}` : '';
    const when = step.finishedAt ? ` at ${t.at(step.finishedAt)}` : '';
    const note = step.note ? `: ${userText(step.note, 500, true)}` : '';
    const status =
      step.status === 'succeeded'
        ? `✅ Confirmed${decided}${when}${note}`
        : step.status === 'failed'
          ? `❌ Marked failed${decided}${when}${step.error ? `: ${userText(step.error, 500, true)}` : note}`
          : step.status === 'skipped'
            ? `⏭️ Skipped${decided}${when}${note}`
            : `⏳ Not started yet (${run.id} is ${run.status})`;
    text = `Manual step ${label}: ${status}`;
    blocks.push({
      type: 'section',
      block_id: BLOCKS.step,
      text: md(`✋ *Manual step* ${label}\n${status}${instruction}`),
    });
  }
  return { text: truncate(text, LINE_MAX), blocks };
};

export interface VoteMessageOptions {
  readonly policy: Policy;
  readonly now: Date;
  readonly timezone?: string;
}

const MAX_BALLOTS_SHOWN = 25;

/**
 * The rollback vote in the hotfix thread: reason, live tally against quorum, required roles and expiry, each
 * ballot, and For / Against buttons while the vote is open and not past its expiry.
 */
export const renderVoteMessage = (
  state: HotfixState,
  voteId: number,
  options: VoteMessageOptions,
): SlackMessage => {
  const vote = state.votes.find((v) => v.id === voteId);
  if (!vote) {
    const text = `⚠️ ${userText(state.id, 60, true)} has no rollback vote #${voteId}.`;
    return { text, blocks: [{ type: 'section', block_id: BLOCKS.vote, text: md(text) }] };
  }
  const { policy, now } = options;
  const t = times(options.timezone ?? 'UTC', now);
  const tl = tally(vote, policy);
  const { quorum, require, eligible } = policy.rollback.vote;
  const expired = now.getTime() >= Date.parse(vote.expiresAt);
  const open = vote.status === 'open' && !expired;
  const head = `🗳️ *Rollback vote #${vote.id}* on ${userText(state.id, 60, true)} — ${humanize(vote.trigger)}${
    vote.automatic ? ' (proposed automatically)' : ` (proposed by ${mention(vote.proposedBy)})`
  } at ${t.at(vote.proposedAt)}\n>${userText(vote.reason, 1500).replace(/\n/g, '\n>')}`;
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
  const fields = [
    `*For*\n${tl.for} of quorum ${quorum}${tl.for >= quorum ? ' ✅' : ''}`,
    `*Against*\n${tl.against}`,
    `*Required roles*\n${required}`,
    `*Status*\n${status}`,
  ];
  const ballots = Object.values(vote.ballots).sort((a, b) => a.at.localeCompare(b.at));
  const ballotText = ballots
    .slice(0, MAX_BALLOTS_SHOWN)
    .map(
      (b) =>
        `${b.choice === 'for' ? '✅' : '❌'} ${mention(b.by)}${b.roles.length > 0 ? ` (${b.roles.join(', ')})` : ''}`,
    )
    .join(' · ');
  const more = ballots.length > MAX_BALLOTS_SHOWN ? ` · +${ballots.length - MAX_BALLOTS_SHOWN} more` : '';
  const voters = membersOf(policy, eligible);
  const waiting = [...voters].filter((k) => !(k in vote.ballots)).length;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.vote, text: md(head) },
    {
      type: 'section',
      block_id: `${BLOCKS.vote}:tally`,
      fields: fields.map((f) => md(f, LIMITS.sectionFieldText)),
    },
    {
      type: 'context',
      block_id: `${BLOCKS.vote}:ballots`,
      elements: [
        md(
          `${ballots.length === 0 ? 'No votes yet' : `${ballotText}${more}`} · eligible: ${eligible.map(roleLabel).join(', ')}${
            open ? ` · ${plural(waiting, 'person', 'people')} yet to vote` : ''
          }`,
        ),
      ],
    },
  ];
  const ballotActions = voteActions(state.id, vote, now);
  if (ballotActions.length > 0)
    blocks.push({ type: 'actions', block_id: BLOCKS.voteActions, elements: actionButtons(ballotActions) });
  const missing = tl.missingRoles.length > 0 ? `, needs ${tl.missingRoles.join(', ')}` : '';
  const text = `Rollback vote #${vote.id} on ${state.id}: ${tl.for} for, ${tl.against} against (quorum ${quorum}${missing}) — ${vote.status}`;
  return { text: truncate(escapeMrkdwn(text), LINE_MAX), blocks };
};
