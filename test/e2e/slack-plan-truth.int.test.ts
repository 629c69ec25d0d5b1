import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  INCIDENTS,
  blockText,
  input,
  planValues,
  startSlackWorld,
  waitFor,
} from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;

/** The e2e config with "Approvals received" derived from the approval gate. */
const withDerivedItem = (text: string) =>
  text.replace(
    'code_readiness: [Tests passed, Code reviewed]',
    'code_readiness: [Tests passed, Code reviewed, { item: Approvals received, from: approvals }]',
  );

beforeAll(async () => {
  world = await startSlackWorld(redisServer().url, () => redisServer().connect(), {
    config: withDerivedItem,
  });
}, 30_000);
afterAll(async () => world?.close());

const cardOf = (hotfixId: string) => {
  const card = world.card(hotfixId);
  if (!card) throw new Error(`no card for ${hotfixId}`);
  return card;
};

/** Sets the selection of a checklist's first checkbox block, as Slack sends it: every box ticked now. */
const select = async (hotfixId: string, user: string, checklist: string, selected: string[]) => {
  const card = cardOf(hotfixId);
  const blockId = (card.blocks ?? [])
    .map((b) => (b as { block_id?: string }).block_id ?? '')
    .find((id) => id.startsWith(`hotfix_checklist:${hotfixId}:${checklist}:0`));
  await world.slack.act({
    user,
    channel: INCIDENTS,
    ts: card.ts,
    actionId: 'hotfix_tick',
    ...(blockId ? { blockId } : {}),
    selected,
  });
};

const click = (hotfixId: string, user: string, actionId: string) =>
  world.slack.act({ user, channel: INCIDENTS, ts: cardOf(hotfixId).ts, actionId });

describe('Slack: the plan and the readiness checklist tell the truth', () => {
  it('shows the risk and communication plan, and ticks "Approvals received" only by the approvals', async () => {
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-51' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues({
        plan_risk_level: { value: { type: 'static_select', selected_option: { value: 'high' } } },
        plan_risk_assessment: input('Touches the ledger; the backup restores in 5m'),
        plan_communication_plan: input('Status page at start and at the outcome'),
      }),
    });
    const first = await waitFor('the card', () =>
      world.standIn.messages(INCIDENTS).find((m) => /HF-\d+ ·/.test(m.text)),
    );
    const id = /HF-\d+/.exec(first.text)?.[0] ?? '';

    // The card shows the risk with its level and the communication plan.
    const card = await world.cardWhen(id, 'the risk', (c) => blockText(c).includes('*Risk*'));
    expect(blockText(card)).toContain('*high* — Touches the ledger; the backup restores in 5m');
    expect(blockText(card)).toContain('*Communication plan*');
    expect(blockText(card)).toContain('Status page at start and at the outcome');
    // The derived item says it ticks itself.
    expect(JSON.stringify(card.blocks)).toContain('Ticks itself when the approvals are in');

    // The two items a person ticks; then ticking the derived one by hand is refused and changes nothing.
    await select(id, ALICE, 'code_readiness', ['0', '1']);
    await select(id, ALICE, 'environment_readiness', ['0']);
    await waitFor(
      'three ticks',
      async () => (await world.eventTypes(id)).filter((t) => t === 'ChecklistItemTicked').length === 3,
    );
    const before = await world.eventTypes(id);
    await select(id, ALICE, 'code_readiness', ['0', '1', '2']);
    await waitFor('the refusal', () =>
      world.ephemerals(ALICE).some((t) => t.includes('follows the approvals')),
    );
    expect(await world.eventTypes(id)).toEqual(before);

    // The approvals tick it, and with it the readiness gate holds: Deploy is offered.
    await click(id, BOB, 'hotfix_approve');
    await click(id, CAROL, 'hotfix_approve:1');
    const ready = await world.cardWhen(
      id,
      'approved and ready',
      (c) => blockText(c).includes('hotfix_deploy') && JSON.stringify(c.blocks).includes('by approvals'),
    );
    expect(JSON.stringify(ready.blocks)).not.toContain('Ticks itself when the approvals are in');
    // Nothing was recorded for the derived item: it follows the approvals, it is not ticked.
    expect((await world.eventTypes(id)).filter((t) => t === 'ChecklistItemTicked')).toHaveLength(3);
  });
});
