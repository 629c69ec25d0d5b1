import type { KnownBlock } from '@slack/types';
import { humanize, trimOutput } from '../../../domain/hotfix/format.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import { holdersOf } from '../../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { StoredEvent } from '../../../service/ports.ts';
import type { Call, Wanted } from '../../../domain/hotfix/attention.ts';
import { issueActions, manualStepActions, voteActions } from '../../common/actions.ts';
import {
  CALL_LABELS,
  calledOn,
  calledPeople,
  issueLoggedEvent,
  issueStatusLines,
  manualStepStatus,
  threadLine,
  voteProgress,
} from '../../common/thread.ts';
import type { ThreadLine, ThreadMessage } from '../../common/thread.ts';
import { times } from '../../common/times.ts';
import { plural } from '../../common/text.ts';
import { BLOCKS } from '../ids.ts';
import type { SlackMessage } from './common.ts';
import { actionButtons, roleLabel, SLACK_INLINE, stepLabel } from './common.ts';
import { LIMITS, RENDER_BUDGET, totalStrings } from './limits.ts';
import { codeBlock, escapeMrkdwn, md, mention, truncate, userText } from './text.ts';

export interface ThreadOptions {
  /** IANA zone of the time printed on each line (config `timezone`). */
  readonly timezone: string;
  /** The people the line calls on (`callOf`): mentioned under it. */
  readonly call?: Call | null;
}

/** A mention of one called human: `<@U…>` on Slack, their name when they have no Slack id. */
const slackCall = (wanted: Wanted): string[] => {
  const { on, name } = calledOn(wanted, 'slack');
  return on ? [mention(on)] : name === undefined ? [] : [escapeMrkdwn(name)];
};

/** The line under a thread line naming who it calls on, or null when it calls nobody. */
export const callLine = (call: Call | null | undefined): string | null => {
  if (!call) return null;
  const { shown, more } = calledPeople(call);
  return `👋 ${CALL_LABELS[call.ask]}: ${shown.flatMap(slackCall).join(' ')}${more > 0 ? ` +${more} more` : ''}`;
};

/** Slack caps a section's text at 3000; a line keeps some room for its emoji, actor and time. */
const LINE_MAX = 2800;
const OUTPUT_MAX = 1800;

/** A thread line as blocks (`suffix` keeps block ids unique in a message of several) and notification text. */
const drawLine = (
  line: ThreadLine,
  at: string,
  timezone: string,
  called: string | null,
  suffix = '',
): SlackMessage => {
  const time = times(timezone, new Date(at)).at(at);
  const head = `${line.emoji} ${line.actor ? `${mention(line.actor)} ` : ''}${userText(line.description, LINE_MAX)} · _${time}_${
    called ? `\n${called}` : ''
  }`;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: `${BLOCKS.line}${suffix}`, text: md(head, LIMITS.sectionText) },
  ];
  if (line.output !== null)
    blocks.push({
      type: 'section',
      block_id: `${BLOCKS.output}${suffix}`,
      text: md(codeBlock(trimOutput(line.output), OUTPUT_MAX), LIMITS.sectionText),
    });
  const text = truncate(
    `${line.emoji} ${line.actor ? `${escapeMrkdwn(displayName(line.actor))} ` : ''}${userText(line.description, LINE_MAX, true)}`,
    LINE_MAX,
  );
  return { text, blocks };
};

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
  const line = threadLine(stored.event, before);
  return line === null ? null : drawLine(line, stored.event.at, options.timezone, callLine(options.call));
};

/**
 * One command's thread message (`threadMessage`): its lines one under the other, each as `renderThreadLine`
 * draws it, with who they call on under the last. Lines past Slack's size budget are counted, not drawn: the
 * card shows them.
 */
export const renderThreadMessage = (
  message: ThreadMessage,
  options: Pick<ThreadOptions, 'timezone'>,
): SlackMessage => {
  const calls = message.calls.flatMap((c) => callLine(c) ?? []).join('\n') || null;
  const last = message.lines.length - 1;
  const drawn: SlackMessage[] = [];
  let budget = RENDER_BUDGET.messageStrings;
  for (const [i, { event, line }] of message.lines.entries()) {
    const next = drawLine(
      line,
      event.at,
      options.timezone,
      i === last ? calls : null,
      i === 0 ? '' : `:${i}`,
    );
    const cost = totalStrings(next.blocks);
    // The first line is always drawn (it fits on its own, as a single line always has).
    if (i > 0 && (cost > budget || drawn.length >= MAX_LINES_IN_MESSAGE)) break;
    budget -= cost;
    drawn.push(next);
  }
  const more = message.lines.length - drawn.length;
  const blocks = drawn.flatMap((d) => d.blocks);
  if (more > 0)
    blocks.push({
      type: 'context',
      block_id: `${BLOCKS.line}:more`,
      elements: [md(`+${plural(more, 'more line')}: see the card${calls ? `\n${calls}` : ''}`)],
    });
  return { text: truncate(drawn.map((d) => d.text).join('\n'), LIMITS.messageText), blocks };
};

/** Slack allows 50 blocks a message; a line takes up to two. */
const MAX_LINES_IN_MESSAGE = 20;

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
  // One mention per human: their Slack id when they have one, their configured name when they are only on
  // Teams (the role form names nobody, so its Teams ids are left out rather than shown as ids). On Slack this
  // prompt is where a waiting step calls on them (its thread line does not), so they are notified once.
  const people = options.policy
    ? [...holdersOf(options.policy, roles.length > 0 ? roles : Object.keys(options.policy.people)).values()]
        .flatMap((ids) => {
          const shown = ids.find((p) => p.platform === 'slack') ?? ids.find((p) => p.name !== undefined);
          return shown === undefined ? [] : [mention(shown)];
        })
        .slice(0, 15)
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
    const status = manualStepStatus(run, step, t, SLACK_INLINE);
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
  const {
    tally: tl,
    open,
    status,
    waiting,
    ballots,
    moreBallots,
    summary,
  } = voteProgress(state.id, vote, policy, t);
  const { quorum, require, eligible } = policy.rollback.vote;
  const head = `🗳️ *Rollback vote #${vote.id}* on ${userText(state.id, 60, true)} — ${humanize(vote.trigger)}${
    vote.automatic ? ' (proposed automatically)' : ` (proposed by ${mention(vote.proposedBy)})`
  } at ${t.at(vote.proposedAt)}\n>${userText(vote.reason, 1500).replace(/\n/g, '\n>')}`;
  const required =
    require.length === 0
      ? 'none'
      : require.map((r) => `${tl.missingRoles.includes(r) ? '⏳' : '✅'} ${roleLabel(r)}`).join(' · ');
  const fields = [
    `*For*\n${tl.for} of quorum ${quorum}${tl.for >= quorum ? ' ✅' : ''}`,
    `*Against*\n${tl.against}`,
    `*Required roles*\n${required}`,
    `*Status*\n${status}`,
  ];
  const ballotText = ballots
    .map(
      (b) =>
        `${b.choice === 'for' ? '✅' : '❌'} ${mention(b.by)}${b.roles.length > 0 ? ` (${b.roles.join(', ')})` : ''}`,
    )
    .join(' · ');
  const more = moreBallots > 0 ? ` · +${moreBallots} more` : '';
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
  return { text: truncate(escapeMrkdwn(summary), LINE_MAX), blocks };
};

export interface IssueMessageOptions {
  readonly timezone: string;
}

/**
 * A logged issue in the hotfix thread: the line that logged it (who, what, when), its status (open, resolved
 * by whom with the note, reopened by whom and why) and workaround, and its actions: Resolve and Workaround
 * while open, Reopen once resolved. Redrawn in place whenever the issue changes. Its text is the logging line's.
 */
export const renderIssueMessage = (
  state: HotfixState,
  issueId: number,
  options: IssueMessageOptions,
): SlackMessage => {
  const issue = state.issues.find((i) => i.id === issueId);
  if (!issue) {
    const text = `⚠️ ${userText(state.id, 60, true)} has no issue #${issueId}.`;
    return { text, blocks: [{ type: 'section', block_id: BLOCKS.issue, text: md(text) }] };
  }
  const logged = issueLoggedEvent(issue);
  const line = renderThreadLine(
    { hotfixId: state.id, position: 0, event: logged, prevHash: '', hash: '' },
    state,
    options,
  );
  const t = times(options.timezone, new Date(issue.loggedAt));
  const blocks: KnownBlock[] = [
    ...(line?.blocks ?? []),
    {
      type: 'context',
      block_id: `${BLOCKS.issue}:status`,
      elements: [md(issueStatusLines(issue, t, SLACK_INLINE).join('\n'))],
    },
  ];
  const actions = issueActions(state, issue);
  if (actions.length > 0)
    blocks.push({ type: 'actions', block_id: BLOCKS.issueActions, elements: actionButtons(actions) });
  return { text: line?.text ?? `Issue #${issue.id}`, blocks };
};

/** `/hotfix issues <id>`: every issue of a hotfix with its status and workaround, oldest first. */
export const issueListText = (state: HotfixState, options: IssueMessageOptions & { now: Date }): string => {
  const id = userText(state.id, 60, true);
  if (state.issues.length === 0)
    return `No issue is logged on ${id}. \`${escapeMrkdwn(`/hotfix issue ${state.id} <text>`)}\` logs one.`;
  const t = times(options.timezone, options.now);
  const shown = state.issues.slice(0, ISSUES_LISTED);
  const items = shown.map(
    (i) =>
      `*#${i.id}* ${userText(i.text, 300, true)} — ${mention(i.loggedBy)} ${t.at(i.loggedAt)}\n${issueStatusLines(
        i,
        t,
        SLACK_INLINE,
      )
        .map((l) => `   ${l}`)
        .join('\n')}`,
  );
  const more = state.issues.length - shown.length;
  const open = state.issues.filter((i) => !i.resolved).length;
  return truncate(
    [
      `*Issues of ${id}*: ${open} open, ${state.issues.length - open} resolved`,
      ...items,
      ...(more > 0 ? [`_+${more} more in the deployment record_`] : []),
      `_\`${escapeMrkdwn(`/hotfix issue resolve|workaround|reopen ${state.id} <n> …`)}\` changes one._`,
    ].join('\n'),
    LIMITS.messageText,
  );
};

/** Issues one `/hotfix issues` reply lists; the record has them all. */
const ISSUES_LISTED = 30;
