import type { KnownBlock, View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import { identify } from '../../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { Handled } from '../../../service/handler.ts';
import type { CardOptions } from '../blocks/card.ts';
import { renderPlanModal } from '../blocks/modals.ts';
import type { BotDeps } from '../deps.ts';
import { refusalText, repeatText } from '../replies.ts';
import { asJson } from '../web-api-json.ts';
import { platformChoice } from '../../common/forms.ts';
import { PHASE_LABELS } from '../../common/labels.ts';
import type { NoticeWording } from '../../common/run-command.ts';
import { cancelFormNotice, explainFailure, runCommand } from '../../common/run-command.ts';

/** A private answer to the person who acted. */
export interface Reply {
  readonly text: string;
  readonly blocks?: KnownBlock[];
}
export type Tell = (reply: string | Reply) => Promise<void>;

/**
 * The person behind a Slack payload, as the config knows them: with hotfix.yml's persons form, their handle
 * and configured name (the same person they are on Teams); else Slack's name, display only, never identity.
 */
export const slackPerson = (policy: Pick<Policy, 'people'>, id: string, name?: string): Person =>
  identify(policy, { platform: 'slack', id, ...(name ? { name } : {}) });

const asReply = (reply: string | Reply): Reply => (typeof reply === 'string' ? { text: reply } : reply);

type Respond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: KnownBlock[];
}) => Promise<unknown>;

/**
 * Where a private answer goes: through the interaction's response_url when it has one (slash commands and
 * message buttons), else as an ephemeral in the channel the interaction came from, else as a direct message
 * from the bot (Home tab buttons, modals opened from Home).
 */
export const privateReplies = (input: {
  readonly client: WebClient;
  readonly user: string;
  readonly respond?: Respond | undefined;
  readonly channel?: string | undefined;
  readonly log: BotDeps['log'];
}): Tell => {
  const { client, user, respond, channel, log } = input;
  return async (reply) => {
    const { text, blocks } = asReply(reply);
    try {
      if (respond) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text,
          ...(blocks ? { blocks } : {}),
        });
      } else if (channel) {
        await client.chat.postEphemeral({
          channel,
          user,
          text,
          ...(blocks ? { blocks: asJson(blocks) } : {}),
        });
      } else {
        await client.chat.postMessage({ channel: user, text, ...(blocks ? { blocks } : {}) });
      }
    } catch (error) {
      log.warn({ user, err: String(error) }, 'could not answer privately');
    }
  };
};

/** What the person hears on Slack when nothing changed: the shared text escaped for mrkdwn. */
const SLACK_WORDING: NoticeWording = {
  refusal: refusalText,
  repeat: repeatText,
  failureLog: 'command failed',
};

/**
 * Runs one command through the command handler and answers the person when it changed nothing: a refusal
 * with the domain's reason, a repeat with what was already done. Null unless something was recorded.
 */
export const execute = async (
  deps: Pick<BotDeps, 'handler' | 'log'>,
  hotfixId: string,
  command: HotfixCommand,
  tell: Tell,
): Promise<Handled | null> => {
  const outcome = await runCommand(deps, SLACK_WORDING, hotfixId, command);
  if (outcome.recorded) return outcome.handled;
  await tell(outcome.notice);
  return null;
};

/** The private message for a command that threw. */
export const explain = (
  deps: Pick<BotDeps, 'log'>,
  hotfixId: string,
  command: Pick<HotfixCommand, 'type'>,
  error: unknown,
): string => explainFailure(deps.log, SLACK_WORDING, hotfixId, command, error);

/** Why the cancel form is not offered now (the domain's refusal, or already cancelled), or null to open it. */
export const cancelFormRefusal = (
  deps: Pick<BotDeps, 'policy'>,
  state: HotfixState,
  by: Person,
): string | null => cancelFormNotice(SLACK_WORDING, state, by, deps.policy());

/** Opens a modal with the interaction's trigger id (valid 3 s): done right after the ack. */
export const openModal = async (
  client: WebClient,
  triggerId: string,
  view: View,
  tell: Tell,
  log: BotDeps['log'],
): Promise<void> => {
  try {
    await client.views.open({ trigger_id: triggerId, view: asJson(view) });
  } catch (error) {
    log.warn({ err: String(error) }, 'views.open failed');
    await tell('⚠️ Slack would not open the form (it may have taken too long). Please try again.');
  }
};

/**
 * The card options for a state: policy, time zone, now, the locks other hotfixes hold and the links to the
 * prompts that wait (when known).
 */
export const cardOptions = async (
  deps: Pick<BotDeps, 'config' | 'policy' | 'clock' | 'lockHolders' | 'promptLinks'>,
  state: HotfixState,
  revision?: string,
): Promise<CardOptions> => ({
  policy: deps.policy(),
  timezone: deps.config().timezone,
  now: deps.clock.now(),
  lockHolders: await deps.lockHolders(state.plan.services),
  ...(revision ? { revision } : {}),
  ...(deps.promptLinks ? { links: await deps.promptLinks(state) } : {}),
});

/** A hotfix that exists, or a private "no such hotfix" answer and null. */
export const existing = async (
  deps: Pick<BotDeps, 'handler'>,
  hotfixId: string,
  tell: Tell,
): Promise<HotfixState | null> => {
  const state = await deps.handler.state(hotfixId);
  if (state.phase !== 'none') return state;
  await tell(`🔎 There is no hotfix ${hotfixId}. \`/hotfix list\` shows the open ones.`);
  return null;
};

/** `/hotfix edit` and the card's Edit plan button: the plan form prefilled, while the hotfix is planning. */
export const openPlanEditor = async (
  deps: Pick<BotDeps, 'handler' | 'config' | 'policy' | 'log'>,
  input: {
    readonly client: WebClient;
    readonly triggerId: string;
    readonly hotfixId: string;
    readonly origin: { readonly channel?: string; readonly ts?: string };
    readonly tell: Tell;
  },
): Promise<void> => {
  const state = await existing(deps, input.hotfixId, input.tell);
  if (!state) return;
  if (state.phase !== 'planned')
    return input.tell(
      `⏸️ ${state.id} is ${PHASE_LABELS[state.phase].toLowerCase()}: its plan can only change while planning.`,
    );
  await openModal(
    input.client,
    input.triggerId,
    renderPlanModal({
      services: Object.keys(deps.config().services),
      people: deps.policy().people,
      initial: state.plan,
      hotfixId: state.id,
      origin: input.origin,
      platforms: platformChoice(deps.config(), state),
    }),
    input.tell,
    deps.log,
  );
};
