import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { parseCommandText } from '../common/command-text.ts';
import type { InvokeAnswer, TeamsActivity } from './activity.ts';
import { ConnectorCallError } from './connector-error.ts';
import type { TeamsBotDeps } from './deps.ts';
import { createActionHandler } from './handlers/actions.ts';
import { createTypedCommands, TEAMS_COMMAND } from './handlers/commands.ts';
import { createDialogHandler } from './handlers/dialogs.ts';
import { messageAnswer } from './handlers/shared.ts';

export { TEAMS_COMMAND, teamsHelpText } from './handlers/commands.ts';

/** Handles one activity; an invoke's answer is what Teams shows the person who clicked. */
export type TeamsRoute = (activity: TeamsActivity) => Promise<InvokeAnswer | undefined>;

export const ALREADY_SUBMITTED = '🔁 That dialog was already submitted; nothing was done twice.';

const mentionSchema = z.looseObject({
  type: z.literal('mention'),
  mentioned: z.looseObject({ id: z.string() }),
  text: z.string(),
});

/**
 * The message's text without the bot's own mentions (`<at>hotfix</at>`), as the mention entities name them:
 * what TurnContext.removeRecipientMention does, on plain JSON.
 */
export const textWithoutBotMention = (activity: TeamsActivity): string => {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mention = mentionSchema.safeParse(entity);
    if (mention.success && mention.data.mentioned.id === activity.recipient.id && mention.data.text !== '')
      text = text.split(mention.data.text).join(' ');
  }
  return text.trim();
};

/**
 * The claim key of an activity: Teams delivers an activity again with the same id when the bot was slow or
 * unreachable. Ids are unique within a conversation, so the key names both (hashed: ids are up to 1 KB each).
 */
const activityKey = (activity: TeamsActivity): string | null =>
  activity.id === undefined
    ? null
    : createHash('sha256').update(`${activity.conversation.id}\n${activity.id}`).digest('base64url');

/** How long, in all, the answer to a message may wait out Teams' 429s (the message was acked long before). */
export const REPLY_PATIENCE_MS = 20_000;

/**
 * `reply` that waits out a 429 (its Retry-After) and tries again, within REPLY_PATIENCE_MS: in a busy channel
 * (the notifier's cards and lines share its rate windows) a person's answer must not be dropped.
 */
const patientReply =
  (reply: TeamsBotDeps['reply']): TeamsBotDeps['reply'] =>
  async (activity, message) => {
    for (let waited = 0; ;) {
      try {
        return await reply(activity, message);
      } catch (error) {
        if (!(error instanceof ConnectorCallError) || error.status !== 429) throw error;
        const wait = error.retryAfterMs ?? 1000;
        if (waited + wait > REPLY_PATIENCE_MS) throw error;
        waited += wait;
        await sleep(wait);
      }
    }
  };

/**
 * The Teams router, SDK-free (plain JSON activities from the transport): typed `@hotfix …` commands, card
 * buttons (`Action.Execute` invokes and their `Action.Submit` fallback) and dialogs (`task/fetch`,
 * `task/submit`), each reaching the one command handler. An activity that changes something is claimed by its
 * id first, so a redelivery has no second effect. Other activities (members added, reactions…) get no answer.
 */
export const createTeamsRouter = (deps: TeamsBotDeps): TeamsRoute => {
  // Messages (typed commands, the Action.Submit fallback) were acked at once: their answers can wait out a 429.
  // An invoke's answer is due within Teams' ~5 s, so what it posts fails fast.
  const acked = { ...deps, reply: patientReply(deps.reply) };
  const commands = createTypedCommands(acked);
  const actions = createActionHandler(deps);
  const fallback = createActionHandler(acked);
  const dialogs = createDialogHandler(deps);

  /**
   * Runs `work` unless the activity was claimed before, in which case `repeated` answers it. When the claim
   * cannot be taken (Redis away) the work runs anyway: the domain refuses a repeat by itself.
   */
  const once = async <T>(
    activity: TeamsActivity,
    work: () => Promise<T>,
    repeated: () => Promise<T>,
  ): Promise<T> => {
    const key = activityKey(activity);
    if (key === null) return work();
    let claimed: boolean;
    try {
      claimed = await deps.claimActivity(key);
    } catch (error) {
      deps.log.warn({ key, err: String(error) }, 'could not claim the teams activity; handling it');
      return work();
    }
    if (!claimed) {
      deps.log.info({ key, type: activity.type, name: activity.name }, 'repeated teams activity ignored');
      return repeated();
    }
    const result = await work();
    // Not awaited: the claim already turns a redelivery away; `done` only keeps it longer than the claim's life.
    void deps
      .activityDone(key)
      .catch((error: unknown) =>
        deps.log.warn({ key, err: String(error) }, 'could not mark the teams activity handled'),
      );
    return result;
  };

  const onMessage = (activity: TeamsActivity): Promise<void> => {
    const text = textWithoutBotMention(activity);
    // A card's Action.Submit (the fallback of its buttons) arrives as a message carrying `value`.
    if (activity.value !== undefined && text === '') return fallback.submit(activity);
    return commands.handle(activity, parseCommandText(text, TEAMS_COMMAND));
  };

  return async (activity) => {
    await deps
      .learnFrom?.(activity)
      .catch((error: unknown) =>
        deps.log.warn({ type: activity.type, err: String(error) }, 'could not learn from the teams activity'),
      );
    if (activity.type === 'message') {
      await once(
        activity,
        () => onMessage(activity),
        async () => undefined,
      );
      return undefined;
    }
    if (activity.type !== 'invoke') return undefined;
    switch (activity.name) {
      case 'adaptiveCard/action':
        return once(
          activity,
          () => actions.execute(activity),
          () => actions.repeated(activity),
        );
      // Opening a dialog changes nothing: a redelivered fetch opens it again.
      case 'task/fetch':
        return dialogs.fetch(activity);
      case 'task/submit':
        return once(
          activity,
          () => dialogs.submit(activity),
          async () => messageAnswer('task/submit', ALREADY_SUBMITTED),
        );
      default:
        return undefined;
    }
  };
};
