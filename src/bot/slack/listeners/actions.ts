import type { App, BlockAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import { breachCount, unobservedChecks } from '../../../domain/hotfix/queries.ts';
import { breachRollbackReason } from '../../common/actions.ts';
import { readChecklistChange, readDocsChange, renderCard } from '../blocks/card.ts';
import {
  renderAcceptBreachesModal,
  renderCancelModal,
  renderIssueChangeModal,
  renderIssueModal,
  renderLessonsModal,
  renderRejectModal,
  renderRollbackModal,
} from '../blocks/modals.ts';
import type { BotDeps } from '../deps.ts';
import { ackThenClaim } from '../once-per-delivery.ts';
import type { ActionKey, ActionValue } from '../ids.ts';
import {
  actionOf,
  issueIdOf,
  parseActionValue,
  parseChecklistBlockId,
  parseDocsBlockId,
  voteIdOf,
} from '../ids.ts';
import { readRecord } from '../../common/record.ts';
import { recordSummary } from '../record.ts';
import { asJson } from '../web-api-json.ts';
import { publishHome } from './home.ts';
import type { Tell } from './shared.ts';
import {
  cancelFormRefusal,
  cardOptions,
  execute,
  existing,
  explain,
  openModal,
  openPlanEditor,
  privateReplies,
  slackPerson,
} from './shared.ts';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Where the click happened: the message (channel, ts) for a card or thread button, nothing for Home. */
const originOf = (body: BlockAction) => {
  const channel = body.channel?.id ?? body.container.channel_id;
  const ts = body.message?.ts ?? body.container.message_ts;
  return { ...(channel ? { channel } : {}), ...(ts && !body.container.is_ephemeral ? { ts } : {}) };
};

/**
 * The boxes the clicked card showed ticked: the `initial_options` of that element in the message Slack sends
 * back with the click. Undefined when the message is not there (an ephemeral card).
 */
const shownTicked = (body: BlockAction, blockId: string, actionId: string): string[] | undefined => {
  const blocks = (body.message as { blocks?: unknown } | undefined)?.blocks;
  if (!Array.isArray(blocks)) return undefined;
  type Box = { action_id?: string; initial_options?: { value?: string }[] };
  const block = (blocks as { block_id?: string; elements?: Box[] }[]).find((b) => b.block_id === blockId);
  const element = block?.elements?.find((e) => e.action_id === actionId);
  if (!element) return undefined;
  return (element.initial_options ?? []).map((o) => o.value ?? '');
};

const STALE =
  '🔄 That button is not one of this card’s (it may be from an older version of hotfix). Nothing was changed.';

/**
 * Buttons and checkboxes on the card, the thread and Home. Each acks first, reads what the person saw from
 * the element (hotfix, plan hash, role, step, vote), and sends one command through the handler; a refusal or
 * a repeat is answered privately and changes nothing.
 */
export const registerActions = (app: App, deps: BotDeps): void => {
  const routes = new Map<ActionKey, (args: ActionArgs) => Promise<void>>();
  const on = (key: ActionKey, listener: (args: ActionArgs) => Promise<void>) => routes.set(key, listener);

  const setup = (args: ActionArgs) => {
    const { body, client, respond } = args;
    const origin = originOf(body);
    const tell = privateReplies({
      client,
      user: body.user.id,
      respond: body.response_url ? respond : undefined,
      channel: origin.channel,
      log: deps.log,
    });
    return {
      by: slackPerson(deps.policy(), body.user.id, body.user.name ?? body.user.username),
      origin,
      tell,
    };
  };

  /** A button whose value must parse; `needs` lists the fields this button must carry. */
  const onButton = (
    key: ActionKey,
    needs: readonly (keyof ActionValue)[],
    handle: (value: ActionValue, ctx: ReturnType<typeof setup> & { args: ActionArgs }) => Promise<void>,
  ) => {
    on(key, async (typed) => {
      if (!(await ackThenClaim(deps, typed))) return;
      const ctx = { ...setup(typed), args: typed };
      const action = typed.action;
      const value = action.type === 'button' ? parseActionValue(action.value) : null;
      if (value === null || needs.some((field) => value[field] === undefined)) return ctx.tell(STALE);
      try {
        await handle(value, ctx);
      } catch (error) {
        await ctx.tell(explain(deps, value.h, { type: 'RequestDeploy' }, error));
      }
      // A click on the Home tab: redraw it, so what was just done leaves the person's to-do list.
      if (typed.body.view?.type === 'home') await publishHome(deps, typed.client, typed.body.user.id);
    });
  };

  const send = (hotfixId: string, command: HotfixCommand, tell: Tell) =>
    execute(deps, hotfixId, command, tell);

  /** Reading a hotfix can fail too (Redis away): the person hears it instead of silence. */
  const guarded = async (tell: Tell, hotfixId: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      await tell(explain(deps, hotfixId, { type: 'TickChecklistItem' }, error));
    }
  };

  onButton('approve', ['v', 'r'], async (v, { by, tell }) => {
    await send(v.h, { type: 'ApprovePlan', by, role: v.r ?? '', planHash: v.v ?? '' }, tell);
  });

  onButton('reject', ['v', 'r'], async (v, { tell, origin, args }) => {
    const state = await existing(deps, v.h, tell);
    if (!state) return;
    if (state.planHash !== v.v)
      return tell('🔄 The plan changed since this card was drawn; look at the new one before rejecting it.');
    await openModal(
      args.client,
      args.body.trigger_id,
      renderRejectModal({ hotfixId: v.h, planHash: state.planHash, role: v.r ?? '', origin }),
      tell,
      deps.log,
    );
  });

  onButton('deploy', ['v'], async (v, { by, tell }) => {
    const done = await send(v.h, { type: 'RequestDeploy', by, planHash: v.v ?? '' }, tell);
    if (done) await tell(`🚀 Deploy of ${v.h} requested: its card shows every step as it runs.`);
  });

  onButton('editPlan', ['v'], (v, { tell, origin, args }) =>
    openPlanEditor(deps, {
      client: args.client,
      triggerId: args.body.trigger_id,
      hotfixId: v.h,
      origin,
      tell,
    }),
  );

  onButton('cancel', ['v'], async (v, { by, tell, origin, args }) => {
    const state = await existing(deps, v.h, tell);
    if (!state) return;
    const refused = cancelFormRefusal(deps, state, by);
    if (refused !== null) return tell(refused);
    await openModal(
      args.client,
      args.body.trigger_id,
      renderCancelModal({ hotfixId: v.h, planHash: state.planHash, origin }),
      tell,
      deps.log,
    );
  });

  onButton('proposeRollback', [], async (v, { tell, origin, args }) => {
    await openModal(
      args.client,
      args.body.trigger_id,
      renderRollbackModal({ hotfixId: v.h, origin }),
      tell,
      deps.log,
    );
  });

  onButton('logIssue', [], async (v, { tell, origin, args }) => {
    await openModal(
      args.client,
      args.body.trigger_id,
      renderIssueModal({ hotfixId: v.h, origin }),
      tell,
      deps.log,
    );
  });

  onButton('lessons', [], async (v, { tell, origin, args }) => {
    const state = await existing(deps, v.h, tell);
    if (!state) return;
    await openModal(
      args.client,
      args.body.trigger_id,
      renderLessonsModal({ hotfixId: v.h, origin, noted: state.lessons.map((l) => l.text) }),
      tell,
      deps.log,
    );
  });

  onButton('signOff', ['r'], async (v, { by, tell }) => {
    await send(v.h, { type: 'SignOff', by, role: v.r ?? '' }, tell);
  });

  onButton('acceptBreaches', ['r'], async (v, { tell, origin, args }) => {
    const state = await existing(deps, v.h, tell);
    if (!state) return;
    await openModal(
      args.client,
      args.body.trigger_id,
      renderAcceptBreachesModal({
        hotfixId: v.h,
        role: v.r ?? '',
        breaches: breachCount(state),
        unobserved: unobservedChecks(state),
        origin,
      }),
      tell,
      deps.log,
    );
  });

  onButton('rollBackBreaches', [], async (v, { by, tell }) => {
    const state = await existing(deps, v.h, tell);
    if (!state) return;
    const done = await send(
      v.h,
      { type: 'ProposeRollback', by, trigger: 'failed_check', reason: breachRollbackReason(state) },
      tell,
    );
    if (done) await tell(`🗳️ Rollback vote opened in ${v.h}'s thread; your proposal counts for it.`);
  });

  onButton('close', [], async (v, { by, tell }) => {
    await send(v.h, { type: 'CloseHotfix', by }, tell);
  });

  onButton('record', [], async (v, { tell }) => {
    const read = await readRecord(deps, v.h);
    await tell(read === null ? `🔎 There is no hotfix ${v.h}.` : recordSummary(read));
  });

  for (const [key, outcome] of [
    ['confirmStep', 'confirmed'],
    ['failStep', 'failed'],
  ] as const)
    onButton(key, ['v', 'run'], async (v, { by, tell }) => {
      await send(v.h, { type: 'ConfirmManualStep', by, runId: v.run ?? '', step: v.v ?? '', outcome }, tell);
    });

  onButton('retryStep', ['v', 'run'], async (v, { by, tell }) => {
    const done = await send(
      v.h,
      { type: 'RetryStep', by, runId: v.run ?? '', step: v.v ?? '', reason: 'retried from Slack' },
      tell,
    );
    if (done) await tell(`🔁 Retrying: the run goes on from that step in ${v.h}'s thread.`);
  });

  onButton('skipStep', ['v', 'run'], async (v, { by, tell }) => {
    await send(
      v.h,
      {
        type: 'SkipStep',
        by,
        runId: v.run ?? '',
        step: v.v ?? '',
        reason: `skipped from Slack by ${by.name ?? by.id}`,
      },
      tell,
    );
  });

  for (const [key, choice] of [
    ['voteFor', 'for'],
    ['voteAgainst', 'against'],
  ] as const)
    onButton(key, ['v'], async (v, { by, tell }) => {
      const voteId = voteIdOf(v);
      if (voteId === null) return tell(STALE);
      await send(v.h, { type: 'CastVote', by, voteId, choice }, tell);
    });

  // A logged issue's buttons open a small form: a note to resolve it, its workaround, why it is reopened.
  for (const [key, change] of [
    ['resolveIssue', 'resolve'],
    ['workaroundIssue', 'workaround'],
    ['reopenIssue', 'reopen'],
  ] as const)
    onButton(key, ['v'], async (v, { tell, origin, args }) => {
      const issueId = issueIdOf(v);
      if (issueId === null) return tell(STALE);
      const state = await existing(deps, v.h, tell);
      if (!state) return;
      const issue = state.issues.find((i) => i.id === issueId);
      if (!issue) return tell(STALE);
      // The message keeps its buttons once the hotfix ends: say so before a form is filled in for nothing.
      if (state.phase === 'closed' || state.phase === 'cancelled')
        return tell(`⏸️ ${state.id} is ${state.phase}; its issues can no longer change.`);
      await openModal(
        args.client,
        args.body.trigger_id,
        renderIssueChangeModal(change, {
          hotfixId: state.id,
          issueId,
          issueText: issue.text,
          ...(issue.workaround ? { workaround: issue.workaround.text } : {}),
          origin,
        }),
        tell,
        deps.log,
      );
    });

  // Checkboxes carry no value of ours: the block id names the hotfix and checklist page, and the payload
  // lists the boxes now ticked. Each difference from the recorded state is one command.
  on('tick', async (typed) => {
    if (!(await ackThenClaim(deps, typed))) return;
    const { by, tell } = setup(typed);
    const { action } = typed;
    const where = parseChecklistBlockId(action.block_id);
    await guarded(tell, where?.hotfixId ?? '', async () => {
      if (action.type !== 'checkboxes' || where === null) return tell(STALE);
      const state = await existing(deps, where.hotfixId, tell);
      if (!state) return;
      const selected = action.selected_options.map((o) => o.value ?? '');
      const { tick, untick } = readChecklistChange(
        state,
        deps.policy(),
        where.checklist,
        where.page,
        selected,
        shownTicked(typed.body, action.block_id, action.action_id),
      );
      let refused = tick.length + untick.length === 0;
      for (const item of tick)
        refused =
          !(await send(
            state.id,
            { type: 'TickChecklistItem', by, checklist: where.checklist, item },
            tell,
          )) || refused;
      for (const item of untick)
        refused =
          !(await send(
            state.id,
            { type: 'UntickChecklistItem', by, checklist: where.checklist, item },
            tell,
          )) || refused;
      if (refused) await redrawCard(typed, state.id);
    });
  });

  on('docs', async (typed) => {
    if (!(await ackThenClaim(deps, typed))) return;
    const { by, tell } = setup(typed);
    const { action } = typed;
    const where = parseDocsBlockId(action.block_id);
    await guarded(tell, where?.hotfixId ?? '', async () => {
      if (action.type !== 'checkboxes' || where === null) return tell(STALE);
      const state = await existing(deps, where.hotfixId, tell);
      if (!state) return;
      const changes = readDocsChange(
        state,
        action.selected_options.map((o) => o.value ?? ''),
        shownTicked(typed.body, action.block_id, action.action_id),
      );
      let refused = changes.length === 0;
      for (const { item, done } of changes)
        refused =
          !(await send(state.id, { type: 'TickDocumentationUpdate', by, item, done }, tell)) || refused;
      if (refused) await redrawCard(typed, state.id);
    });
  });

  /**
   * After a refused tick, Slack still shows the box as the person clicked it: redraw the card they clicked
   * with new block ids (a fresh revision), which makes Slack drop their local change.
   */
  const redrawCard = async (args: ActionArgs, hotfixId: string) => {
    const { body, client } = args;
    const channel = body.channel?.id ?? body.container.channel_id;
    const ts = body.message?.ts ?? body.container.message_ts;
    if (!channel || !ts || body.container.is_ephemeral) return;
    try {
      const state = await deps.handler.state(hotfixId);
      const revision = `${state.version}.${deps.clock.now().getTime().toString(36)}`;
      const card = renderCard(state, await cardOptions(deps, state, revision));
      await client.chat.update({ channel, ts, text: card.text, blocks: asJson(card.blocks) });
    } catch (error) {
      deps.log.warn(
        { hotfixId, err: explain(deps, hotfixId, { type: 'TickChecklistItem' }, error) },
        'redraw failed',
      );
    }
  };

  // One Bolt listener routes every action of ours. Bolt runs each registered listener's middleware chain for
  // every request before the matching one acks, so a listener per button made every ack pay for ~20 of them.
  app.action(/^hotfix_/, async (args) => {
    const typed = args as unknown as ActionArgs;
    const key = actionOf(typed.action.action_id);
    const route = key === null ? undefined : routes.get(key);
    if (route) return route(typed);
    if (await ackThenClaim(deps, typed)) await setup(typed).tell(STALE);
  });
};
