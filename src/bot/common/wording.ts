import type { HotfixCommand } from '../../domain/hotfix/commands.ts';
import type { RuleCode } from '../../domain/hotfix/errors.ts';
import type { HotfixEvent } from '../../domain/hotfix/events.ts';
import { shownOnlyEdit } from '../../domain/hotfix/events.ts';

/**
 * What the bot says to the person who asked, as plain text: each edge makes it safe for its own markup (Slack
 * escapes it for mrkdwn), since a refusal may quote what was typed.
 */

/** How each refusal opens: the domain's message says what and why; the prefix says how bad it is. */
const REFUSAL_EMOJI: Readonly<Record<RuleCode, string>> = {
  not_found: '🔎',
  already_exists: 'ℹ️',
  invalid_plan: '✋',
  invalid_input: '✋',
  not_in_role: '🔒',
  self_approval: '🔒',
  one_role_per_person: '🔒',
  stale_plan: '🔄',
  wrong_phase: '⏸️',
  gates_not_met: '🚧',
  unknown_item: '🔄',
  unknown_step: '🔄',
  stale_step: '🔄',
  unknown_issue: '🔎',
  unknown_vote: '🔎',
  vote_closed: '⏸️',
  not_eligible: '🔒',
  outcome_unknown: '⏸️',
  signoffs_missing: '🚧',
  unknown_run: '🔄',
};

/** A refusal from the domain, as the person who asked sees it; nothing was changed. */
export const refusalText = (code: RuleCode, message: string): string =>
  `${REFUSAL_EMOJI[code]} ${message}${code === 'stale_plan' || code === 'stale_step' ? ' (the card you used was out of date; it shows the latest now)' : ''} Nothing was changed.`;

/** What a person hears when their command repeated something already done (a double click, a retry). */
export const repeatText = (hotfixId: string, command: HotfixCommand): string => {
  switch (command.type) {
    case 'ApprovePlan':
      return `You already approved ${hotfixId} as ${command.role}.`;
    case 'RejectPlan':
      return `You already rejected ${hotfixId}'s plan as ${command.role}.`;
    case 'TickChecklistItem':
      return `“${command.item}” is already ticked.`;
    case 'UntickChecklistItem':
      return `“${command.item}” is already unticked.`;
    case 'RequestDeploy':
      return `${hotfixId} is already deploying.`;
    case 'CastVote':
      return `Your ${command.choice} vote on rollback vote #${command.voteId} is already counted.`;
    case 'SignOff':
      return `You already signed ${hotfixId} off as ${command.role}.`;
    case 'ConfirmManualStep':
      return `That step was already answered.`;
    case 'CloseHotfix':
      return `${hotfixId} is already closed.`;
    case 'CancelHotfix':
      return `${hotfixId} is already cancelled.`;
    case 'TickDocumentationUpdate':
      return `That documentation update is already ${command.done ? 'ticked' : 'unticked'}.`;
    case 'ResolveIssue':
      return `Issue #${command.issueId} of ${hotfixId} is already resolved.`;
    case 'ReopenIssue':
      return `Issue #${command.issueId} of ${hotfixId} is already open.`;
    case 'SetWorkaround':
      return `Issue #${command.issueId} of ${hotfixId} already has that workaround.`;
    default:
      return `Nothing to change on ${hotfixId}: that was already done.`;
  }
};

/** What the editor of a plan hears once the edit is recorded: whether the approvals given so far still count. */
export const planUpdatedText = (hotfixId: string, events: readonly HotfixEvent[]): string => {
  const edit = events.find((e) => e.type === 'PlanEdited');
  const consequence = events.some((e) => e.type === 'ApprovalsVoided')
    ? '; its approvals were voided and must be given again'
    : edit && shownOnlyEdit(edit)
      ? ': only where it is shown changed, so its approvals stand'
      : '';
  return `📝 Plan of ${hotfixId} updated${consequence}.`;
};

export const INTERNAL_ERROR =
  '⚠️ Something went wrong on our side while recording that. Please try again in a moment; if it keeps failing, tell whoever runs hotfix.';

/** The help's opening line and closing note, around the command list (`usageLines`). */
export const HELP_INTRO = 'hotfix runs an urgent production fix from plan to signed record.';
export const HELP_NOTE =
  'The card in the incident channel carries the checklists, approvals and buttons; its thread carries every step.';
