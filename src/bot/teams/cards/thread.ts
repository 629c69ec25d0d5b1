import { humanize, trimOutput } from '../../../domain/hotfix/format.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { StoredEvent } from '../../../service/ports.ts';
import { issueActions, manualStepActions, voteActions } from '../../common/actions.ts';
import { plural } from '../../common/text.ts';
import type { Call } from '../../../domain/hotfix/attention.ts';
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
import { teamsAction } from './actions.ts';
import type { CardElement, MentionEntity, TeamsCard } from './adaptive.ts';
import { CARD_BUDGET_BYTES, card, cardBytes, text } from './adaptive.ts';
import {
  bold,
  CARD_INLINE,
  escapeCardMarkdown,
  lines,
  personName,
  plainText,
  roleLabel,
  stepLabel,
  userText,
} from './text.ts';

export interface ThreadOptions {
  /** IANA zone of the time printed on each line (config `timezone`). */
  readonly timezone: string;
  /** The people the line calls on (`callOf`): mentioned under it. */
  readonly call?: Call | null;
}

/** A name as a mention's text: no Markdown or tag characters, which would break `<at>…</at>`. */
const mentionName = (name: string): string =>
  plainText(name, 60)
    .replace(/[<>&*_[\]`~\\#]/g, '')
    .trim() || 'someone';

/**
 * The text under a thread line naming who it calls on, with a mention entity for each who is on Teams (their
 * name in plain text otherwise), or null when it calls nobody.
 */
export const callMentions = (
  call: Call | null | undefined,
): { readonly markdown: string; readonly entities: MentionEntity[] } | null => {
  if (!call) return null;
  const { shown, more } = calledPeople(call);
  const entities: MentionEntity[] = [];
  const parts = shown.flatMap((wanted) => {
    const { on, name } = calledOn(wanted, 'teams');
    if (on) {
      const label = mentionName(name ?? displayName(on));
      const tag = `<at>${label}</at>`;
      entities.push({ type: 'mention', text: tag, mentioned: { id: on.id, name: label } });
      return [tag];
    }
    if (name === undefined) return [];
    return [userText(name, 60, true)];
  });
  const tail = more > 0 ? ` +${more} more` : '';
  return {
    markdown: `👋 ${CALL_LABELS[call.ask]}: ${parts.join(', ')}${tail}`,
    entities,
  };
};

/** A line's text, and a failed step's output: enough to read in a thread, far below Teams' size limit. */
const LINE_MAX = 2800;
const OUTPUT_MAX = 1800;

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

/** A thread line's card elements (who it calls on under it) and its notification text. */
const drawLine = (
  line: ThreadLine,
  at: string,
  timezone: string,
  called: { readonly markdown: string } | null,
): { readonly body: CardElement[]; readonly summary: string } => {
  const time = times(timezone, new Date(at)).at(at);
  const body: CardElement[] = [
    text(
      `${line.emoji} ${line.actor ? `${bold(personName(line.actor))} ` : ''}${userText(line.description, LINE_MAX)} · ${time}`,
    ),
    ...(called ? [text(called.markdown)] : []),
  ];
  if (line.output !== null) body.push(outputBlock(line.output.slice(-OUTPUT_MAX * 4)));
  const summary = plainText(
    `${line.emoji} ${line.actor ? `${displayName(line.actor)} ` : ''}${line.description}`,
    LINE_MAX,
  );
  return { body, summary };
};

/** The card of a thread reply: its mention entities, when it mentions anyone, make the mentions notify. */
const lineCard = (body: readonly CardElement[], entities: readonly MentionEntity[]): TeamsCard['card'] => {
  const drawn = card(body);
  return entities.length > 0 ? { ...drawn, msteams: { width: 'Full', entities: [...entities] } } : drawn;
};

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
  const line = threadLine(stored.event, before);
  if (line === null) return null;
  const called = callMentions(options.call);
  const { body, summary } = drawLine(line, stored.event.at, options.timezone, called);
  return { card: lineCard(body, called?.entities ?? []), summary };
};

/** A reply carries at most this many lines; the card shows the rest. */
const MAX_LINES_IN_MESSAGE = 20;

/**
 * One command's thread reply (`threadMessage`): its lines one under the other, each as `renderThreadLine`
 * draws it, with who they call on under the last. Lines past Teams' size budget are counted, not drawn.
 */
export const renderThreadMessage = (
  message: ThreadMessage,
  options: Pick<ThreadOptions, 'timezone'>,
): TeamsCard => {
  const calls = message.calls.flatMap((c) => callMentions(c) ?? []);
  const called =
    calls.length > 0
      ? { markdown: calls.map((c) => c.markdown).join('\n\n'), entities: calls.flatMap((c) => c.entities) }
      : null;
  const last = message.lines.length - 1;
  const body: CardElement[] = [];
  const summaries: string[] = [];
  for (const [i, { event, line }] of message.lines.entries()) {
    const drawn = drawLine(line, event.at, options.timezone, i === last ? called : null);
    const fits =
      cardBytes(lineCard([...body, ...drawn.body], called?.entities ?? [])) <= CARD_BUDGET_BYTES / 2;
    // The first line is always drawn (it fits on its own, as a single line always has).
    if (i > 0 && (!fits || summaries.length >= MAX_LINES_IN_MESSAGE)) break;
    body.push(...drawn.body);
    summaries.push(drawn.summary);
  }
  const more = message.lines.length - summaries.length;
  if (more > 0)
    body.push(text(`+${plural(more, 'more line')}: see the card${called ? `\n\n${called.markdown}` : ''}`));
  return {
    card: lineCard(body, called?.entities ?? []),
    summary: plainText(summaries.join(' · '), LINE_MAX),
  };
};

export interface ManualStepOptions {
  /** The step's `manual:` text from config: what to check before confirming. */
  readonly instruction?: string;
  /**
   * Who may confirm, mentioned under the prompt while it waits (`callOf` the step's start): the prompt is
   * where they are called on, so the step's start needs no line of its own (as on Slack).
   */
  readonly call?: Call | null;
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
    const called = callMentions(options.call);
    const drawn = card(
      [
        text(
          `✋ ${bold('Manual step')} ${label} of ${userText(state.id, 60, true)} is waiting for ${whoRoles} to confirm.`,
        ),
        ...instruction,
        ...(called ? [text(called.markdown)] : []),
      ],
      manualStepActions(state.id, run, step).map(teamsAction),
    );
    return {
      card:
        called && called.entities.length > 0
          ? { ...drawn, msteams: { width: 'Full', entities: called.entities } }
          : drawn,
      summary: plainText(
        `✋ Manual step waiting: ${step.stage} · “${step.name}” (${step.service})`,
        LINE_MAX,
      ),
    };
  }
  const status = manualStepStatus(run, step, t, CARD_INLINE);
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
  const head = `🗳️ ${bold(`Rollback vote #${vote.id}`)} on ${userText(state.id, 60, true)} — ${humanize(vote.trigger)}${
    vote.automatic ? ' (proposed automatically)' : ` (proposed by ${personName(vote.proposedBy)})`
  } at ${t.at(vote.proposedAt)}`;
  const required =
    require.length === 0
      ? 'none'
      : require.map((r) => `${tl.missingRoles.includes(r) ? '⏳' : '✅'} ${roleLabel(r)}`).join(' · ');
  const ballotText = ballots
    .map(
      (b) =>
        `${b.choice === 'for' ? '✅' : '❌'} ${personName(b.by)}${b.roles.length > 0 ? ` (${b.roles.map(roleLabel).join(', ')})` : ''}`,
    )
    .join(' · ');
  const more = moreBallots > 0 ? ` · +${moreBallots} more` : '';
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
  return { card: card(body, actions), summary: plainText(summary, LINE_MAX) };
};

export interface IssueMessageOptions {
  readonly timezone: string;
}

/**
 * A logged issue in the hotfix thread, as on Slack: the line that logged it, its status (open, resolved by
 * whom with the note, reopened by whom and why) and workaround, and Resolve and Workaround while it is open,
 * Reopen once resolved (each opens a small dialog). Edited in place as the issue changes; its summary is the
 * logging line's.
 */
export const renderIssueMessage = (
  state: HotfixState,
  issueId: number,
  options: IssueMessageOptions,
): TeamsCard => {
  const issue = state.issues.find((i) => i.id === issueId);
  if (!issue) {
    const missing = `⚠️ ${state.id} has no issue #${issueId}.`;
    return { card: card([text(userText(missing, 300, true))]), summary: plainText(missing, 300) };
  }
  const line = renderThreadLine(
    { hotfixId: state.id, position: 0, event: issueLoggedEvent(issue), prevHash: '', hash: '' },
    state,
    options,
  );
  const t = times(options.timezone, new Date(issue.loggedAt));
  const status = text(lines(...issueStatusLines(issue, t, CARD_INLINE)), { isSubtle: true });
  return {
    card: card([...(line?.card.body ?? []), status], issueActions(state, issue).map(teamsAction)),
    summary: line?.summary ?? `Issue #${issue.id}`,
  };
};

/** Issues one `@hotfix issues` answer lists; the record has them all. */
const ISSUES_LISTED = 30;

/** `@hotfix issues <id>`: every issue of a hotfix with its status and workaround, oldest first. */
export const renderIssueList = (
  state: HotfixState,
  options: IssueMessageOptions & { readonly now: Date },
): TeamsCard => {
  const id = userText(state.id, 60, true);
  const open = state.issues.filter((i) => !i.resolved).length;
  const summary = `Issues of ${state.id}: ${open} open, ${state.issues.length - open} resolved`;
  if (state.issues.length === 0) {
    const none = `No issue is logged on ${state.id}. @hotfix issue ${state.id} <text> logs one.`;
    return { card: card([text(userText(none, 300, true))]), summary: plainText(none, 300) };
  }
  const t = times(options.timezone, options.now);
  const shown = state.issues.slice(0, ISSUES_LISTED);
  const more = state.issues.length - shown.length;
  return {
    card: card([
      text(`${bold(`Issues of ${id}`)}: ${open} open, ${state.issues.length - open} resolved`),
      ...shown.map((i) =>
        text(
          lines(
            `${bold(`#${i.id}`)} ${userText(i.text, 300, true)} — ${personName(i.loggedBy)} ${t.at(i.loggedAt)}`,
            ...issueStatusLines(i, t, CARD_INLINE),
          ),
        ),
      ),
      ...(more > 0 ? [text(`+${more} more in the deployment record`, { isSubtle: true })] : []),
      text(userText(`@hotfix issue resolve|workaround|reopen ${state.id} <n> … changes one.`, 300, true), {
        isSubtle: true,
        size: 'small',
      }),
    ]),
    summary: plainText(summary, 300),
  };
};
