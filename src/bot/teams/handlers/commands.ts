import { planFieldProblem } from '../../../domain/hotfix/plan.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { HotfixSubcommand } from '../../common/command-text.ts';
import { issueChangeCommand, rollbackTriggerOf, usageLines, usageReply } from '../../common/command-text.ts';
import { openHotfixes, statusSelection } from '../../common/open-hotfixes.ts';
import { readRecord } from '../../common/record.ts';
import { refusalText } from '../../common/wording.ts';
import type { TeamsActivity } from '../activity.ts';
import { ConnectorCallError } from '../connector-error.ts';
import { renderHotfixCard } from '../cards/card.ts';
import { renderFormButton } from '../cards/form-button.ts';
import { renderHotfixList } from '../cards/hotfix-list.ts';
import { renderRecord } from '../cards/record.ts';
import { renderIssueList } from '../cards/thread.ts';
import type { TeamsBotDeps } from '../deps.ts';
import { identifyTeamsSender } from '../identity.ts';
import { FORMS, VERBS } from '../verbs.ts';
import {
  answerText,
  cancelFormRefusal,
  cardMessage,
  cardOptions,
  existingState,
  explain,
  noSuchHotfix,
  runCommand,
} from './shared.ts';

/** How people call the bot in Teams: by mentioning it (in a 1:1 chat, without). */
export const TEAMS_COMMAND = '@hotfix';

/** The help, in Teams markdown: one line per subcommand. */
export const teamsHelpText = (): string =>
  [
    'hotfix runs an urgent production fix: plan, approvals, deploy, monitoring, rollback and the signed record.',
    '',
    ...usageLines(TEAMS_COMMAND).map(([usage, what]) => `- \`${usage}\` — ${what}`),
  ].join('\n');

const NONE_OPEN = `No hotfix is open. ${TEAMS_COMMAND} start plans one.`;

/**
 * `@hotfix …` typed in a channel or a 1:1 chat. A typed message cannot open a dialog, so the commands that
 * need a form answer with a card whose button opens it; the others act at once. Answers go to the
 * conversation the person wrote in (see `answerText`); cards (status, list, record) are posted there too.
 */
export const createTypedCommands = (deps: TeamsBotDeps) => {
  const say = (activity: TeamsActivity, text: string) => deps.reply(activity, answerText(activity, text));

  const showStatus = async (activity: TeamsActivity, hotfixId: string) => {
    const state = await existingState(deps, hotfixId);
    if (state === null) return say(activity, noSuchHotfix(hotfixId));
    await deps.reply(activity, cardMessage(renderHotfixCard(state, await cardOptions(deps, state))));
  };

  const showList = async (activity: TeamsActivity, states: readonly HotfixState[], title: string) => {
    const locks = await deps.lockHolders([...new Set(states.flatMap((s) => s.plan.services))]);
    await deps.reply(
      activity,
      cardMessage(
        renderHotfixList(states, {
          title,
          timezone: deps.config().timezone,
          now: deps.clock.now(),
          locks,
          footer: `${TEAMS_COMMAND} status <id> shows one.`,
        }),
      ),
    );
  };

  /** Runs a command for a typed subcommand; the person hears the refusal, or `done` once recorded. */
  const act = async (
    activity: TeamsActivity,
    hotfixId: string,
    command: Parameters<typeof runCommand>[2],
    done: string,
  ) => {
    const outcome = await runCommand(deps, hotfixId, command);
    await say(activity, outcome.recorded ? done : outcome.notice);
  };

  const run = async (activity: TeamsActivity, sub: HotfixSubcommand, by: Person): Promise<void> => {
    switch (sub.kind) {
      case 'help':
        return deps.reply(activity, { type: 'message', text: teamsHelpText(), textFormat: 'markdown' });
      case 'usage':
        return say(activity, usageReply(sub));
      case 'start': {
        const problem = sub.issueId
          ? planFieldProblem('issueId', sub.issueId, deps.policy().planFields)
          : null;
        if (problem !== null) return say(activity, refusalText('invalid_plan', problem));
        const card = renderFormButton(
          sub.issueId ? `Plan a hotfix for ${sub.issueId}.` : 'Plan a new hotfix.',
          'Open the plan form',
          { verb: VERBS.openForm, form: FORMS.plan, ...(sub.issueId ? { issueId: sub.issueId } : {}) },
        );
        return deps.reply(activity, cardMessage(card));
      }
      case 'edit': {
        const state = await existingState(deps, sub.hotfixId);
        if (state === null) return say(activity, noSuchHotfix(sub.hotfixId));
        if (state.phase !== 'planned')
          return say(activity, `⏸️ ${state.id} is past planning: its plan can only change while planning.`);
        const card = renderFormButton(`Edit the plan of ${state.id}.`, 'Edit plan', {
          verb: VERBS.openForm,
          form: FORMS.plan,
          hotfixId: state.id,
          planHash: state.planHash,
        });
        return deps.reply(activity, cardMessage(card));
      }
      case 'status': {
        if (sub.hotfixId) return showStatus(activity, sub.hotfixId);
        const { shown, mine } = statusSelection(await openHotfixes(deps), by, deps.policy());
        if (shown.length === 0) return say(activity, NONE_OPEN);
        if (shown.length === 1 && shown[0]) return showStatus(activity, shown[0].id);
        return showList(activity, shown, mine ? 'Your open hotfixes' : 'Open hotfixes');
      }
      case 'list': {
        const open = await openHotfixes(deps);
        if (open.length === 0) return say(activity, NONE_OPEN);
        return showList(activity, open, 'Open hotfixes');
      }
      case 'issue': {
        if ((await existingState(deps, sub.hotfixId)) === null)
          return say(activity, noSuchHotfix(sub.hotfixId));
        return act(
          activity,
          sub.hotfixId,
          { type: 'LogIssue', by, text: sub.text },
          `📝 Logged on ${sub.hotfixId}.`,
        );
      }
      case 'issues': {
        const state = await existingState(deps, sub.hotfixId);
        if (state === null) return say(activity, noSuchHotfix(sub.hotfixId));
        const list = renderIssueList(state, { timezone: deps.config().timezone, now: deps.clock.now() });
        return deps.reply(activity, cardMessage(list));
      }
      case 'issue-resolve':
      case 'issue-workaround':
      case 'issue-reopen': {
        if ((await existingState(deps, sub.hotfixId)) === null)
          return say(activity, noSuchHotfix(sub.hotfixId));
        const { command, done } = issueChangeCommand(sub, by);
        return act(activity, sub.hotfixId, command, done);
      }
      case 'rollback': {
        if ((await existingState(deps, sub.hotfixId)) === null)
          return say(activity, noSuchHotfix(sub.hotfixId));
        const picked = rollbackTriggerOf(sub.reason);
        if (picked === null) {
          const card = renderFormButton(
            `Which kind of trouble calls for rolling ${sub.hotfixId} back? Pick the trigger in the form (or type ${TEAMS_COMMAND} rollback ${sub.hotfixId} critical|data|performance|business <reason>).`,
            'Propose rollback',
            { verb: VERBS.openForm, form: FORMS.rollback, hotfixId: sub.hotfixId },
          );
          return deps.reply(activity, cardMessage(card));
        }
        return act(
          activity,
          sub.hotfixId,
          { type: 'ProposeRollback', by, ...picked },
          `🗳️ Rollback vote opened in ${sub.hotfixId}'s thread; your proposal counts for it.`,
        );
      }
      case 'cancel': {
        const state = await existingState(deps, sub.hotfixId);
        if (state === null) return say(activity, noSuchHotfix(sub.hotfixId));
        const refused = cancelFormRefusal(deps, state, by);
        if (refused !== null) return say(activity, refused);
        if (sub.reason === undefined) {
          const card = renderFormButton(`Cancel ${state.id}? Say why in the form.`, 'Cancel hotfix', {
            verb: VERBS.openForm,
            form: FORMS.cancel,
            hotfixId: state.id,
            planHash: state.planHash,
          });
          return deps.reply(activity, cardMessage(card));
        }
        return act(
          activity,
          state.id,
          { type: 'CancelHotfix', by, reason: sub.reason },
          `🚫 ${state.id} is cancelled.`,
        );
      }
      case 'record': {
        const read = await readRecord(deps, sub.hotfixId);
        if (read === null) return say(activity, noSuchHotfix(sub.hotfixId));
        return deps.reply(activity, cardMessage(renderRecord(read)));
      }
      default: {
        const never: never = sub;
        throw new Error(`unknown subcommand ${JSON.stringify(never)}`);
      }
    }
  };

  return {
    /** A typed `@hotfix …` (the mention already stripped). Help and usage answer anyone; the rest need a role. */
    async handle(activity: TeamsActivity, sub: HotfixSubcommand): Promise<void> {
      const sender = identifyTeamsSender(deps.config(), activity.from);
      if (sub.kind !== 'help' && sub.kind !== 'usage' && !sender.known) return say(activity, sender.refusal);
      const by: Person = sender.known ? sender.person : { platform: 'teams', id: activity.from.id };
      try {
        await run(activity, sub, by);
      } catch (error) {
        // The answer could not be posted (the command may well be recorded): another post would fail alike, and
        // "went wrong while recording" would be untrue.
        if (error instanceof ConnectorCallError) {
          deps.log.warn(
            { kind: sub.kind, status: error.status, err: error.message },
            'could not answer in Teams',
          );
          return;
        }
        await say(
          activity,
          explain(deps, 'hotfixId' in sub ? (sub.hotfixId ?? '') : '', { type: 'LogIssue' }, error),
        );
      }
    },
  };
};
