import { z } from 'zod';
import type { Config } from '../../config/load.ts';
import { parseCommandText, usageLine, usageLines } from '../common/command-text.ts';
import type { InvokeAnswer, TeamsActivity } from './activity.ts';
import { identifyTeamsSender } from './identity.ts';

/** How people call the bot in Teams: by mentioning it (in a 1:1 chat, without). */
export const TEAMS_COMMAND = '@hotfix';

export interface TeamsRouterDeps {
  readonly people: () => Config['people'];
  /** Answers in the conversation the activity came from. */
  reply(activity: TeamsActivity, text: string): Promise<void>;
}

/** Handles one activity; an invoke's answer is what Teams shows the person who clicked. */
export type TeamsRoute = (activity: TeamsActivity) => Promise<InvokeAnswer | undefined>;

export const NOT_YET_TEXT =
  'hotfix in Teams answers help only for now: hotfixes are run from Slack until the rest of the Teams bot lands.';

/** The help, in Teams markdown: one line per subcommand. */
export const teamsHelpText = (): string =>
  [
    'hotfix runs an urgent production fix: plan, approvals, deploy, monitoring, rollback and the signed record.',
    '',
    ...usageLines(TEAMS_COMMAND).map(([usage, what]) => `- \`${usage}\` — ${what}`),
  ].join('\n');

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

/** An invoke's answer that shows `text` to the person who clicked, in the form that invoke expects. */
const invokeMessage = (name: string | undefined, text: string): InvokeAnswer | undefined => {
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

/**
 * The first Teams router: `@hotfix help` answers with the help; other commands, buttons and dialogs answer
 * that they are not available yet (someone not in hotfix.yml is told so instead). Other activities
 * (members added, reactions…) get no answer.
 */
export const createTeamsRouter = (deps: TeamsRouterDeps): TeamsRoute => {
  const refusalFor = (activity: TeamsActivity): string | undefined => {
    const identity = identifyTeamsSender(deps.people(), activity.from);
    return identity.known ? undefined : identity.refusal;
  };
  return async (activity) => {
    if (activity.type === 'invoke') return invokeMessage(activity.name, refusalFor(activity) ?? NOT_YET_TEXT);
    if (activity.type !== 'message') return undefined;
    // A card's Action.Submit (the fallback of its buttons) arrives as a message carrying `value`.
    if (activity.value !== undefined && textWithoutBotMention(activity) === '') {
      await deps.reply(activity, refusalFor(activity) ?? NOT_YET_TEXT);
      return undefined;
    }
    const command = parseCommandText(textWithoutBotMention(activity), TEAMS_COMMAND);
    if (command.kind === 'help') await deps.reply(activity, teamsHelpText());
    else if (command.kind === 'usage')
      await deps.reply(activity, `${command.problem}\n\n${usageLine(TEAMS_COMMAND)}`);
    else await deps.reply(activity, refusalFor(activity) ?? NOT_YET_TEXT);
    return undefined;
  };
};
