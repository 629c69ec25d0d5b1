import type { App } from '@slack/bolt';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import { planFieldProblem } from '../../../domain/hotfix/plan.ts';
import { renderCard } from '../blocks/card.ts';
import { renderCancelModal, renderPlanModal, renderRollbackModal } from '../blocks/modals.ts';
import type { HotfixSubcommand } from '../../common/command-text.ts';
import { issueChangeCommand, parseCommandText, rollbackTriggerOf } from '../../common/command-text.ts';
import type { BotDeps } from '../deps.ts';
import { ackThenClaim } from '../once-per-delivery.ts';
import { COMMAND } from '../ids.ts';
import { openHotfixes, statusSelection } from '../../common/open-hotfixes.ts';
import { readRecord } from '../../common/record.ts';
import { platformChoice } from '../../common/forms.ts';
import { recordSummary } from '../record.ts';
import { issueListText } from '../blocks/thread.ts';
import type { HotfixListOptions } from '../replies.ts';
import { helpMessage, hotfixListText, refusalText, usageText } from '../replies.ts';
import type { Tell } from './shared.ts';
import {
  cardOptions,
  execute,
  existing,
  explain,
  openModal,
  openPlanEditor,
  privateReplies,
  slackPerson,
} from './shared.ts';

/** `/hotfix …`: acks at once, then answers privately or opens the modal with the trigger id. */
export const registerCommand = (app: App, deps: BotDeps): void => {
  app.command(COMMAND, async ({ ack, context, command, client, respond }) => {
    if (!(await ackThenClaim(deps, { ack, context }))) return;
    const by = slackPerson(deps.policy(), command.user_id, command.user_name);
    const tell = privateReplies({ client, user: command.user_id, respond, log: deps.log });
    const origin = { channel: command.channel_id };
    const sub = parseCommandText(command.text);
    try {
      await run(sub);
    } catch (error) {
      await tell(explain(deps, 'hotfixId' in sub ? (sub.hotfixId ?? '') : '', { type: 'LogIssue' }, error));
    }

    async function run(sub: HotfixSubcommand): Promise<void> {
      switch (sub.kind) {
        case 'help':
          return tell(helpMessage());
        case 'usage':
          return tell(usageText(sub));
        case 'start': {
          const problem = sub.issueId
            ? planFieldProblem('issueId', sub.issueId, deps.policy().planFields)
            : null;
          if (problem !== null) return tell(refusalText('invalid_plan', problem));
          const config = deps.config();
          return openModal(
            client,
            command.trigger_id,
            renderPlanModal({
              services: Object.keys(config.services),
              people: deps.policy().people,
              ...(sub.issueId ? { issueId: sub.issueId } : {}),
              origin,
              platforms: platformChoice(config, { requester: { platform: 'slack' } }),
            }),
            tell,
            deps.log,
          );
        }
        case 'edit':
          return openPlanEditor(deps, {
            client,
            triggerId: command.trigger_id,
            hotfixId: sub.hotfixId,
            origin,
            tell,
          });
        case 'status': {
          if (sub.hotfixId) return showStatus(sub.hotfixId, tell);
          const { shown } = statusSelection(await openHotfixes(deps), by, deps.policy());
          if (shown.length === 0) return tell('No hotfix is open. `/hotfix start` plans one.');
          if (shown.length === 1 && shown[0]) return showStatus(shown[0].id, tell);
          return tell(listReply(shown, { footer: '`/hotfix status <id>` shows one.' }));
        }
        case 'list': {
          const open = await openHotfixes(deps);
          if (open.length === 0) return tell('No hotfix is open. `/hotfix start` plans one.');
          const locks = await deps.lockHolders([...new Set(open.flatMap((s) => s.plan.services))]);
          return tell(listReply(open, { title: 'Open hotfixes', locks }));
        }
        case 'issue': {
          if (!(await existing(deps, sub.hotfixId, tell))) return;
          const done = await execute(deps, sub.hotfixId, { type: 'LogIssue', by, text: sub.text }, tell);
          if (done) await tell(`📝 Logged on ${sub.hotfixId}.`);
          return;
        }
        case 'issues': {
          const state = await existing(deps, sub.hotfixId, tell);
          if (!state) return;
          return tell(issueListText(state, { timezone: deps.config().timezone, now: deps.clock.now() }));
        }
        case 'issue-resolve':
        case 'issue-workaround':
        case 'issue-reopen': {
          if (!(await existing(deps, sub.hotfixId, tell))) return;
          const { command, done } = issueChangeCommand(sub, by);
          if (await execute(deps, sub.hotfixId, command, tell)) await tell(done);
          return;
        }
        case 'rollback': {
          if (!(await existing(deps, sub.hotfixId, tell))) return;
          const picked = rollbackTriggerOf(sub.reason);
          if (picked === null)
            return openModal(
              client,
              command.trigger_id,
              renderRollbackModal({ hotfixId: sub.hotfixId, reason: sub.reason, origin }),
              tell,
              deps.log,
            );
          const done = await execute(deps, sub.hotfixId, { type: 'ProposeRollback', by, ...picked }, tell);
          if (done)
            await tell(`🗳️ Rollback vote opened in ${sub.hotfixId}'s thread; your proposal counts for it.`);
          return;
        }
        case 'cancel': {
          const state = await existing(deps, sub.hotfixId, tell);
          if (!state) return;
          if (sub.reason === undefined)
            return openModal(
              client,
              command.trigger_id,
              renderCancelModal({ hotfixId: state.id, planHash: state.planHash, origin }),
              tell,
              deps.log,
            );
          const done = await execute(deps, state.id, { type: 'CancelHotfix', by, reason: sub.reason }, tell);
          if (done) await tell(`🚫 ${state.id} is cancelled.`);
          return;
        }
        case 'record': {
          const read = await readRecord(deps, sub.hotfixId);
          if (read === null) return tell(`🔎 There is no hotfix ${sub.hotfixId}.`);
          return tell(recordSummary(read));
        }
      }
    }
  });

  /** A list in the config's time zone, as of now. */
  const listReply = (states: readonly HotfixState[], options: Omit<HotfixListOptions, 'timezone' | 'now'>) =>
    hotfixListText(states, { ...options, timezone: deps.config().timezone, now: deps.clock.now() });

  const showStatus = async (hotfixId: string, tell: Tell): Promise<void> => {
    const state = await existing(deps, hotfixId, tell);
    if (!state) return;
    const card = renderCard(state, await cardOptions(deps, state));
    await tell({ text: card.text, blocks: card.blocks });
  };
};
