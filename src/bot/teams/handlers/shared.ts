import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { CommandOutcome, NoticeWording } from '../../common/run-command.ts';
import {
  cancelFormNotice,
  explainFailure,
  runCommand as runSharedCommand,
} from '../../common/run-command.ts';
import { refusalText, repeatText } from '../../common/wording.ts';
import type { InvokeAnswer, TeamsActivity } from '../activity.ts';
import type { AdaptiveCard, TeamsCard } from '../cards/adaptive.ts';
import type { CardOptions } from '../cards/card.ts';
import type { TeamsDialog } from '../cards/dialogs.ts';
import type { TeamsBotDeps, TeamsMessage } from '../deps.ts';

/** What the person hears on Teams when nothing changed: the shared plain text. */
const TEAMS_WORDING: NoticeWording = {
  refusal: refusalText,
  repeat: repeatText,
  failureLog: 'teams command failed',
};

export type Outcome = CommandOutcome;

/** The text for a command that threw: the domain's reason, or a generic line (the error is logged). */
export const explain = (
  deps: Pick<TeamsBotDeps, 'log'>,
  hotfixId: string,
  command: Pick<HotfixCommand, 'type'>,
  error: unknown,
): string => explainFailure(deps.log, TEAMS_WORDING, hotfixId, command, error);

/** Runs one command through the command handler; a refusal or a repeat comes back as the person's notice. */
export const runCommand = (
  deps: Pick<TeamsBotDeps, 'handler' | 'log'>,
  hotfixId: string,
  command: HotfixCommand,
): Promise<Outcome> => runSharedCommand(deps, TEAMS_WORDING, hotfixId, command);

/** Why the cancel form is not offered now (the domain's refusal, or already cancelled), or null to offer it. */
export const cancelFormRefusal = (
  deps: Pick<TeamsBotDeps, 'policy'>,
  state: HotfixState,
  by: Person,
): string | null => cancelFormNotice(TEAMS_WORDING, state, by, deps.policy());

export const noSuchHotfix = (hotfixId: string): string =>
  `🔎 There is no hotfix ${hotfixId}. @hotfix list shows the open ones.`;

/** The hotfix, or null when it does not exist. */
export const existingState = async (
  deps: Pick<TeamsBotDeps, 'handler'>,
  hotfixId: string,
): Promise<HotfixState | null> => {
  const state = await deps.handler.state(hotfixId);
  return state.phase === 'none' ? null : state;
};

/**
 * The hotfix card's options for a state: policy, time zone, now, the locks other hotfixes hold and the links to
 * the prompts that wait (when known).
 */
export const cardOptions = async (
  deps: Pick<TeamsBotDeps, 'config' | 'policy' | 'clock' | 'lockHolders' | 'promptLinks'>,
  state: HotfixState,
): Promise<CardOptions> => ({
  policy: deps.policy(),
  timezone: deps.config().timezone,
  now: deps.clock.now(),
  // Other hotfixes' locks show (and hold Deploy back) only while this one is planned: no read otherwise.
  lockHolders: state.phase === 'planned' ? await deps.lockHolders(state.plan.services) : {},
  ...(deps.promptLinks ? { links: await deps.promptLinks(state) } : {}),
});

/** The Bot Framework attachment of an Adaptive Card. */
export const cardAttachment = (card: AdaptiveCard) => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: card,
});

/** A card as a message: no text beside it, so Teams keeps it one activity. */
export const cardMessage = ({ card, summary }: TeamsCard): TeamsMessage => ({
  type: 'message',
  summary,
  attachments: [cardAttachment(card)],
});

/**
 * A plain-text answer to the person who typed or clicked. Teams has no message only one person sees in a
 * channel: in a 1:1 chat it is simply the bot's answer; in a channel it goes into the thread the person wrote
 * in, addressed to them by name (no @mention, so nobody is pinged).
 */
export const answerText = (activity: TeamsActivity, text: string): TeamsMessage => {
  const personal = activity.conversation.conversationType === 'personal';
  const name = activity.from.name?.trim();
  const addressed = personal || !name ? text : `${name.slice(0, 80)} — ${text}`;
  return { type: 'message', text: addressed, textFormat: 'plain' };
};

/** An `Action.Execute` answer: this card replaces the clicked one for the clicker alone. */
export const cardAnswer = (card: AdaptiveCard): InvokeAnswer => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
});

/** An invoke's answer that shows `text` to the person who clicked, in the form that invoke expects. */
export const messageAnswer = (name: string | undefined, text: string): InvokeAnswer | undefined => {
  switch (name) {
    case 'adaptiveCard/action':
      return {
        status: 200,
        body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
      };
    case 'task/fetch':
    case 'task/submit':
      return { status: 200, body: { task: { type: 'message', value: text } } };
    default:
      return undefined;
  }
};

/** Opens a dialog (`task/fetch`) or keeps it open with its errors (`task/submit`). */
export const dialogAnswer = (dialog: TeamsDialog, size: 'medium' | 'large'): InvokeAnswer => ({
  status: 200,
  body: {
    task: {
      type: 'continue',
      value: { title: dialog.title, card: cardAttachment(dialog.card), width: size, height: size },
    },
  },
});
