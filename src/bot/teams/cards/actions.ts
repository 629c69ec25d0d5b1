import type { HotfixAction } from '../../common/actions.ts';
import { byPriority } from '../../common/actions.ts';
import type { ActionData } from '../verbs.ts';
import { FORMS, VERBS } from '../verbs.ts';
import type { CardAction } from './adaptive.ts';
import { execute, fitActions, MAX_ACTIONS, openForm, showCard, text } from './adaptive.ts';
import { userText } from './text.ts';

const missing = (what: string, action: HotfixAction): never => {
  throw new Error(`${action.kind} of ${action.data.hotfixId} has no ${what}`);
};

/** The Teams button data of an action: its verb, and what the person saw when it was drawn. */
const dataOf = (action: HotfixAction, onCard: boolean): ActionData => {
  const { hotfixId, planHash, role, runId, stepKey, voteId, issueId } = action.data;
  // A prompt's button on the hotfix card: the clicker gets the card back, not the prompt.
  const where = onCard ? { onCard: true as const } : {};
  const plan = () => planHash ?? missing('plan hash', action);
  const step = () => ({
    hotfixId,
    runId: runId ?? missing('run', action),
    step: stepKey ?? missing('step', action),
  });
  const vote = () => ({ hotfixId, voteId: voteId ?? missing('vote', action), ...where });
  const issue = () => ({ verb: VERBS.openForm, hotfixId, issue: issueId ?? missing('issue', action) });
  switch (action.kind) {
    case 'approve':
      return { verb: VERBS.approve, hotfixId, planHash: plan(), role: role ?? missing('role', action) };
    case 'reject':
      return {
        verb: VERBS.openForm,
        form: FORMS.reject,
        hotfixId,
        planHash: plan(),
        role: role ?? missing('role', action),
      };
    case 'deploy':
      return { verb: VERBS.deploy, hotfixId, planHash: plan() };
    case 'edit':
      return { verb: VERBS.openForm, form: FORMS.plan, hotfixId, planHash: plan() };
    case 'cancel':
      return { verb: VERBS.openForm, form: FORMS.cancel, hotfixId, planHash: plan() };
    case 'rollback':
      return { verb: VERBS.openForm, form: FORMS.rollback, hotfixId };
    case 'issue':
      return { verb: VERBS.openForm, form: FORMS.issue, hotfixId };
    case 'lessons':
      return { verb: VERBS.openForm, form: FORMS.lessons, hotfixId };
    case 'sign-off':
      return { verb: VERBS.signOff, hotfixId, role: role ?? missing('role', action) };
    case 'close':
      return { verb: VERBS.close, hotfixId };
    case 'record':
      return { verb: VERBS.record, hotfixId };
    case 'retry':
      return { verb: VERBS.retryStep, ...step() };
    case 'skip':
      return { verb: VERBS.skipStep, ...step() };
    case 'confirm-step':
      return { verb: VERBS.confirmStep, ...step(), ...where };
    case 'fail-step':
      return { verb: VERBS.failStep, ...step(), ...where };
    case 'vote-for':
      return { verb: VERBS.voteFor, ...vote() };
    case 'vote-against':
      return { verb: VERBS.voteAgainst, ...vote() };
    case 'resolve-issue':
      return { ...issue(), form: FORMS.resolveIssue };
    case 'workaround-issue':
      return { ...issue(), form: FORMS.workaround };
    case 'reopen-issue':
      return { ...issue(), form: FORMS.reopenIssue };
    case 'accept-breaches':
      return {
        verb: VERBS.openForm,
        form: FORMS.acceptBreaches,
        hotfixId,
        role: role ?? missing('role', action),
      };
    case 'roll-back-breaches':
      return { verb: VERBS.rollBackBreaches, hotfixId };
    default: {
      const never: never = action.kind;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
};

/**
 * An action as a Teams button: a dialog opener (`task/fetch`) for the forms, an `Action.Execute` otherwise.
 * Teams has no confirmation on a button, so an action that asks first sits behind a ShowCard that says
 * what it will do, with the button that does it.
 */
const buttonOf = (action: HotfixAction, onCard: boolean): CardAction => {
  const data = dataOf(action, onCard);
  if (data.verb === VERBS.openForm) return openForm(`${action.label}…`, data);
  if (!action.confirm) return execute(action.label, data);
  return showCard(
    `${action.label}…`,
    [text(userText(action.confirm.text, 600))],
    [execute(action.confirm.ok, data)],
  );
};

/** An action as a button on a thread message (a manual step's prompt, a vote, an issue). */
export const teamsAction = (action: HotfixAction): CardAction => buttonOf(action, false);

/** An action as a button on the hotfix card (a prompt's buttons there redraw the card for the clicker). */
export const cardButton = (action: HotfixAction): CardAction => buttonOf(action, true);

/**
 * The card's own actions (at its foot): all of them when they fit Teams' six, else the five that matter
 * most now and a "More…" with the rest.
 */
export const footActions = (actions: readonly HotfixAction[]): CardAction[] => {
  if (actions.length <= MAX_ACTIONS) return actions.map(cardButton);
  const { shown, overflow } = byPriority(actions, MAX_ACTIONS - 1);
  return [...shown.map(cardButton), showCard('More…', [], fitActions(overflow.map(cardButton)))];
};
