import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  INCIDENTS,
  STAKEHOLDERS,
  blockText,
  planValues,
  startSlackWorld,
  waitFor,
} from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;

/** The e2e config with a stakeholder channel and approval reminders after a second, escalated to business. */
const withPeople = (text: string) =>
  text
    .replace(
      `slack: { incident_channel: ${INCIDENTS} }`,
      `slack: { incident_channel: ${INCIDENTS}, notify: [${STAKEHOLDERS}] }`,
    )
    .replace('policy:\n', 'policy:\n  reminders: { approval: 1s, escalate_to: business }\n');

beforeAll(async () => {
  world = await startSlackWorld(redisServer().url, () => redisServer().connect(), { config: withPeople });
}, 30_000);
afterAll(async () => world?.close());

const mentions = (message: StandInMessage, user: string): number =>
  JSON.stringify(message.blocks ?? []).split(`<@${user}>`).length - 1;

const click = async (hotfixId: string, user: string, actionId: string) => {
  const card = world.card(hotfixId);
  if (!card) throw new Error(`no card for ${hotfixId}`);
  return world.slack.act({ user, channel: INCIDENTS, ts: card.ts, actionId });
};

describe('Slack: people are told when they are needed', () => {
  it('mentions approvers once, reminds and escalates, calls for sign-off, and tells stakeholders three times', async () => {
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-42' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    await world.slack.submitView({ user: ALICE, viewId: modal.view.id, values: planValues() });
    const card = await waitFor('the card', () =>
      world.standIn.messages(INCIDENTS).find((m) => /HF-\d+ ·/.test(m.text)),
    );
    const id = /HF-\d+/.exec(card.text)?.[0] ?? '';

    // The start line calls on Bob (technical) and Carol (management), once each; Alice wrote the plan.
    const started = await waitFor('the start line', () =>
      world.thread(id).find((m) => m.text.startsWith('🔥')),
    );
    expect(blockText(started)).toContain('Waiting for your approval');
    expect(mentions(started, BOB)).toBe(1);
    expect(mentions(started, CAROL)).toBe(1);
    expect(blockText(started)).not.toMatch(/approval: [^\n]*<@U0ALICE>/);

    // A second later nobody has approved: a reminder; then a second one, escalated to business (Dave).
    const first = await waitFor('the reminder', () =>
      world.thread(id).find((m) => m.text.startsWith('⏰') && !m.text.includes('again')),
    );
    expect(mentions(first, BOB)).toBe(1);
    expect(mentions(first, CAROL)).toBe(1);
    expect(mentions(first, DAVE)).toBe(0);
    const second = await waitFor('the escalated reminder', () =>
      world.thread(id).find((m) => m.text.startsWith('⏰') && m.text.includes('again')),
    );
    expect(blockText(second)).toContain('escalated to business');
    expect(mentions(second, DAVE)).toBe(1);

    await click(id, BOB, 'hotfix_approve');
    await click(id, CAROL, 'hotfix_approve:1');
    await waitFor(
      'both approvals',
      async () => (await world.eventTypes(id)).filter((t) => t === 'PlanApproved').length === 2,
    );
    for (const [checklist, count] of [
      ['code_readiness', 2],
      ['environment_readiness', 1],
    ] as const) {
      const current = world.card(id);
      const blockId = (current?.blocks ?? [])
        .map((b) => (b as { block_id?: string }).block_id ?? '')
        .find((b) => b.startsWith(`hotfix_checklist:${id}:${checklist}:0`));
      await world.slack.act({
        user: ALICE,
        channel: INCIDENTS,
        ts: current?.ts ?? '',
        actionId: 'hotfix_tick',
        ...(blockId ? { blockId } : {}),
        selected: Array.from({ length: count }, (_, i) => String(i)),
      });
    }
    await world.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
    await click(id, ALICE, 'hotfix_deploy');
    const prompt = await waitFor('the manual step prompt', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_step_confirm')),
    );
    await world.slack.act({ user: BOB, channel: INCIDENTS, ts: prompt.ts, actionId: 'hotfix_step_confirm' });
    await waitFor(
      'verified',
      async () => (await world.eventTypes(id)).includes('MonitoringWindowClosed'),
      20_000,
    );

    // The outcome calls on the sign-off roles: technical (Alice, Bob) and business (Dave), not Carol.
    const signOff = await waitFor('the sign-off call', () =>
      world.thread(id).find((m) => blockText(m).includes('Waiting for your sign-off')),
    );
    expect([ALICE, BOB, DAVE].map((u) => mentions(signOff, u))).toEqual([1, 1, 1]);
    expect(mentions(signOff, CAROL)).toBe(0);
    // Approval was asked once outside the reminders: a line is posted once, so nobody is called twice for it.
    expect(
      world
        .thread(id)
        .filter((m) => blockText(m).includes('Waiting for your approval') && !m.text.startsWith('⏰')),
    ).toHaveLength(1);

    // Stakeholders heard three things: the start, the deploy and the outcome, with a link to the thread.
    const notices = await waitFor('the outcome notice', () => {
      const posted = world.standIn.messages(STAKEHOLDERS);
      return posted.length >= 3 ? posted : undefined;
    });
    expect(notices.map((m) => m.text.split('\n')[0])).toEqual([
      `🔥 *Hotfix ${id} started: Fix the checkout total rounding*`,
      `🚀 *Hotfix ${id}: deploy started*`,
      `✅ *Hotfix ${id} is deployed and verified*`,
    ]);
    expect(notices[0]?.text).toMatch(
      /Severity: high · Services: api · Issue INC-42, version 2\.4\.1 · Led by/,
    );
    expect(notices[2]?.text).toMatch(
      /<https:\/\/[^|]+\/archives\/C0INCIDENTS\/p\d+\|Open the incident thread>/,
    );

    // A sign-off moves the hotfix on; the stakeholders hear nothing more.
    await world.cardWhen(id, 'sign-off offered', (c) => blockText(c).includes('hotfix_sign_off'));
    await click(id, BOB, 'hotfix_sign_off');
    await waitFor('the sign-off line', () => world.thread(id).some((m) => m.text.includes('signed off')));
    expect(world.standIn.messages(STAKEHOLDERS)).toHaveLength(3);
  }, 60_000);
});
