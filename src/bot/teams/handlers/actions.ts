import { z } from 'zod';
import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import { displayName } from '../../../domain/hotfix/people.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import { breachRollbackReason } from '../../common/actions.ts';
import { readRecord } from '../../common/record.ts';
import { manualInstruction } from '../../common/thread.ts';
import type { InvokeAnswer, TeamsActivity } from '../activity.ts';
import type { AdaptiveCard } from '../cards/adaptive.ts';
import { renderHotfixCard } from '../cards/card.ts';
import { withNotice } from '../cards/notice.ts';
import { renderRecord } from '../cards/record.ts';
import { renderManualStepPrompt, renderVoteMessage } from '../cards/thread.ts';
import type { TeamsBotDeps } from '../deps.ts';
import { identifyTeamsSender } from '../identity.ts';
import type { ActionData } from '../verbs.ts';
import { parseActionData, VERBS } from '../verbs.ts';
import {
  answerText,
  cardAnswer,
  cardMessage,
  cardOptions,
  existingState,
  explain,
  messageAnswer,
  noSuchHotfix,
  runCommand,
} from './shared.ts';

/** A button that does one thing (not one that opens or submits a dialog). */
type ButtonData = Exclude<ActionData, { verb: 'hotfix.open-form' | 'hotfix.submit-form' }>;
/** A button that sends a command (Record only reads). */
type CommandButton = Exclude<ButtonData, { verb: 'hotfix.record' }>;

export const STALE_BUTTON =
  '🔄 That button is not one hotfix can read (it may be from an older version of hotfix). Nothing was changed.';
export const ALREADY_HANDLED = '🔁 That click was already handled; nothing was done twice.';
export const RECORD_POSTED = '📄 The deployment record is posted in this conversation.';

/** `value` of an `adaptiveCard/action` invoke: the clicked `Action.Execute`'s verb and data. */
const executeValueSchema = z.looseObject({
  action: z.looseObject({ verb: z.string().max(200), data: z.unknown() }),
});

const isButton = (data: ActionData): data is ButtonData =>
  data.verb !== VERBS.openForm && data.verb !== VERBS.submitForm;

/** The button data of an invoke, checked: the verb Teams names must be the one the data carries. */
const executedButton = (activity: TeamsActivity): ButtonData | null => {
  const value = executeValueSchema.safeParse(activity.value);
  if (!value.success) return null;
  const data = parseActionData(value.data.action.data);
  return data !== null && data.verb === value.data.action.verb && isButton(data) ? data : null;
};

/**
 * Card buttons: an `Action.Execute` (invoke `adaptiveCard/action`) or its `Action.Submit` fallback (a message
 * carrying the data as `value`). Each sends one command through the handler; the clicker gets the card they
 * clicked drawn again from the state after it, with the reason on top when nothing changed (a refusal, a
 * repeat). Everyone else's card changes only when the notifier updates it after a real change.
 */
export const createActionHandler = (deps: TeamsBotDeps) => {
  /** The card the button sat on, as the state now is: the hotfix card, a manual step's prompt or a vote. */
  const cardFor = async (data: ButtonData, state: HotfixState): Promise<AdaptiveCard> => {
    const timezone = deps.config().timezone;
    const now = deps.clock.now();
    if ('onCard' in data && data.onCard === true)
      return renderHotfixCard(state, await cardOptions(deps, state)).card;
    switch (data.verb) {
      case VERBS.confirmStep:
      case VERBS.failStep: {
        const instruction = manualInstruction(deps.config(), state, data.runId, data.step);
        return renderManualStepPrompt(state, data.runId, data.step, {
          timezone,
          now,
          ...(instruction ? { instruction } : {}),
        }).card;
      }
      case VERBS.voteFor:
      case VERBS.voteAgainst:
        return renderVoteMessage(state, data.voteId, { policy: deps.policy(), now, timezone }).card;
      default:
        return renderHotfixCard(state, await cardOptions(deps, state)).card;
    }
  };

  const postRecord = async (activity: TeamsActivity, hotfixId: string): Promise<string | null> => {
    const read = await readRecord(deps, hotfixId);
    if (read === null) return noSuchHotfix(hotfixId);
    await deps.reply(activity, cardMessage(renderRecord(read)));
    return RECORD_POSTED;
  };

  /** The command a button sends, or the reason it cannot be sent (a stale checklist index). */
  const commandOf = (data: CommandButton, by: Person, state: HotfixState): HotfixCommand | string => {
    switch (data.verb) {
      case VERBS.approve:
        return { type: 'ApprovePlan', by, role: data.role, planHash: data.planHash };
      case VERBS.toggleItem: {
        const item = state.checklists[data.checklist][data.index];
        if (item === undefined)
          return '🔄 That checklist item is no longer on the plan (the card was out of date). Nothing was changed.';
        // What the card showed decides: a Tick on a card drawn before someone else ticked is a repeat, not an untick.
        return data.ticked
          ? { type: 'UntickChecklistItem', by, checklist: data.checklist, item: item.label }
          : { type: 'TickChecklistItem', by, checklist: data.checklist, item: item.label };
      }
      case VERBS.deploy:
        return { type: 'RequestDeploy', by, planHash: data.planHash };
      case VERBS.toggleDoc:
        return { type: 'TickDocumentationUpdate', by, item: data.doc, done: !data.ticked };
      case VERBS.signOff:
        return { type: 'SignOff', by, role: data.role };
      case VERBS.close:
        return { type: 'CloseHotfix', by };
      case VERBS.confirmStep:
      case VERBS.failStep:
        return {
          type: 'ConfirmManualStep',
          by,
          runId: data.runId,
          step: data.step,
          outcome: data.verb === VERBS.confirmStep ? 'confirmed' : 'failed',
        };
      case VERBS.retryStep:
        return { type: 'RetryStep', by, runId: data.runId, step: data.step, reason: 'retried from Teams' };
      case VERBS.skipStep:
        return {
          type: 'SkipStep',
          by,
          runId: data.runId,
          step: data.step,
          reason: `skipped from Teams by ${displayName(by)}`,
        };
      case VERBS.rollBackBreaches:
        return { type: 'ProposeRollback', by, trigger: 'failed_check', reason: breachRollbackReason(state) };
      case VERBS.voteFor:
      case VERBS.voteAgainst:
        return {
          type: 'CastVote',
          by,
          voteId: data.voteId,
          choice: data.verb === VERBS.voteFor ? 'for' : 'against',
        };
      default: {
        const never: never = data;
        throw new Error(`unknown button ${JSON.stringify(never)}`);
      }
    }
  };

  /**
   * Does what the button says for the person who clicked: the notice they should see (null: it was recorded,
   * the refreshed card says enough) and the state after it (the one it was decided on, when nothing changed).
   */
  const perform = async (
    activity: TeamsActivity,
    data: ButtonData,
    state: HotfixState,
  ): Promise<{ notice: string | null; state: HotfixState }> => {
    const sender = identifyTeamsSender(deps.config(), activity.from);
    if (!sender.known) return { notice: sender.refusal, state };
    if (data.verb === VERBS.record) return { notice: await postRecord(activity, data.hotfixId), state };
    const command = commandOf(data, sender.person, state);
    if (typeof command === 'string') return { notice: command, state };
    const outcome = await runCommand(deps, data.hotfixId, command);
    return outcome.recorded
      ? { notice: null, state: outcome.handled.state }
      : { notice: outcome.notice, state };
  };

  /** The clicked card drawn for the clicker from `state`, with `notice` on top when there is one. */
  const drawn = async (
    data: ButtonData,
    state: HotfixState,
    notice: string | null,
  ): Promise<InvokeAnswer> => {
    const card = await cardFor(data, state);
    return cardAnswer(notice === null ? card : withNotice(card, notice));
  };

  /** The clicked card drawn again from the stored state (a repeat: this process may not have seen the first). */
  const refreshed = async (data: ButtonData, notice: string): Promise<InvokeAnswer> => {
    const state = await existingState(deps, data.hotfixId);
    if (state === null) return messageAnswer('adaptiveCard/action', notice) as InvokeAnswer;
    return drawn(data, state, notice);
  };

  return {
    /** An `adaptiveCard/action` invoke: the answer is the clicker's card. */
    async execute(activity: TeamsActivity): Promise<InvokeAnswer> {
      const data = executedButton(activity);
      if (data === null) return messageAnswer('adaptiveCard/action', STALE_BUTTON) as InvokeAnswer;
      try {
        const state = await existingState(deps, data.hotfixId);
        if (state === null)
          return messageAnswer('adaptiveCard/action', noSuchHotfix(data.hotfixId)) as InvokeAnswer;
        // The answer is drawn from the state the command produced (or was refused on): no second read.
        const done = await perform(activity, data, state);
        return await drawn(data, done.state, done.notice);
      } catch (error) {
        const notice = explain(deps, data.hotfixId, { type: 'TickChecklistItem' }, error);
        return messageAnswer('adaptiveCard/action', notice) as InvokeAnswer;
      }
    },

    /** A redelivered `adaptiveCard/action`: nothing is done again; the clicker sees the current card. */
    async repeated(activity: TeamsActivity): Promise<InvokeAnswer> {
      const data = executedButton(activity);
      if (data === null) return messageAnswer('adaptiveCard/action', STALE_BUTTON) as InvokeAnswer;
      return refreshed(data, ALREADY_HANDLED);
    },

    /**
     * The `Action.Submit` fallback (clients without Universal Actions): a message whose `value` is the button's
     * data. The same command; a refusal or repeat is answered as a typed command's is.
     */
    async submit(activity: TeamsActivity): Promise<void> {
      const data = parseActionData(activity.value);
      if (data === null || !isButton(data)) return deps.reply(activity, answerText(activity, STALE_BUTTON));
      let notice: string | null;
      try {
        const state = await existingState(deps, data.hotfixId);
        notice = state === null ? noSuchHotfix(data.hotfixId) : (await perform(activity, data, state)).notice;
      } catch (error) {
        notice = explain(deps, data.hotfixId, { type: 'TickChecklistItem' }, error);
      }
      if (notice !== null && notice !== RECORD_POSTED)
        await deps.reply(activity, answerText(activity, notice));
    },
  };
};
