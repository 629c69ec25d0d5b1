import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  INCIDENTS,
  blockText,
  input,
  planValues,
  startSlackWorld,
  waitFor,
} from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => world?.close());

const startHotfix = async (): Promise<string> => {
  const before = world.standIn.messages(INCIDENTS).length;
  await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-77' });
  const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
  await world.slack.submitView({ user: ALICE, viewId: modal.view.id, values: planValues() });
  const posted = await waitFor('the card', () =>
    world.standIn
      .messages(INCIDENTS)
      .slice(before)
      .find((m) => /HF-\d+ ·/.test(m.text)),
  );
  return /HF-\d+/.exec(posted.text)?.[0] ?? '';
};

/** A click on the hotfix card (not on a thread message). */
const clickCard = (hotfixId: string, user: string, actionId: string) => {
  const card = world.card(hotfixId);
  if (!card) throw new Error(`no card for ${hotfixId}`);
  return world.slack.act({ user, channel: INCIDENTS, ts: card.ts, actionId });
};

/** Ready to deploy: every box ticked, approved by technical and management. */
const approvedHotfix = async (): Promise<string> => {
  const id = await startHotfix();
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const) {
    const card = world.card(id);
    const blockId = (card?.blocks ?? [])
      .map((b) => (b as { block_id?: string }).block_id ?? '')
      .find((block) => block.startsWith(`hotfix_checklist:${id}:${checklist}:0`));
    await world.slack.act({
      user: ALICE,
      channel: INCIDENTS,
      ts: card?.ts ?? '',
      actionId: 'hotfix_tick',
      ...(blockId ? { blockId } : {}),
      selected: Array.from({ length: count }, (_, i) => String(i)),
    });
  }
  await world.cardWhen(id, 'approve offered', (c) => blockText(c).includes('hotfix_approve'));
  await clickCard(id, BOB, 'hotfix_approve');
  await clickCard(id, CAROL, 'hotfix_approve:1');
  await world.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
  return id;
};

/** The message a Slack permalink on the card points at, found in the stand-in by its channel and ts. */
const linkedMessage = (card: StandInMessage, label: string): StandInMessage | undefined => {
  const link = new RegExp(`<(https://[^|>]+)\\|${label}>`).exec(blockText(card))?.[1];
  const parts = link ? /\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})\b/.exec(link) : null;
  if (!parts) return undefined;
  const [, channel = '', seconds = '', micros = ''] = parts;
  return world.standIn.message(channel, `${seconds}.${micros}`);
};

const count = async (hotfixId: string, type: string) =>
  (await world.eventTypes(hotfixId)).filter((t) => t === type).length;

describe('the card links to the prompts that wait and carries their buttons (Slack)', () => {
  it('links a waiting manual step and an open vote to their messages; clicks on the card count once', async () => {
    const id = await approvedHotfix();
    await clickCard(id, ALICE, 'hotfix_deploy');

    // The card is drawn before the prompt exists; once it is posted, the card links to it.
    const card = await world.cardWhen(
      id,
      'links the prompt',
      (c) => linkedMessage(c, 'open the prompt') !== undefined,
    );
    const prompt = linkedMessage(card, 'open the prompt');
    expect(prompt?.thread_ts).toBe(card.ts);
    expect(blockText(prompt as StandInMessage)).toContain('Manual step');
    expect(blockText(prompt as StandInMessage)).toContain('hotfix_step_confirm');
    expect(blockText(card)).toContain('waiting for technical to confirm — <https://');
    // The prompt's buttons are on the card too, with the same values.
    const confirmOn = (m: StandInMessage) =>
      (m.blocks ?? [])
        .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
        .find((e) => e.action_id === 'hotfix_step_confirm')?.value;
    expect(confirmOn(card)).toBeDefined();
    expect(confirmOn(card)).toBe(confirmOn(prompt as StandInMessage));

    // A card drawn for one person (`/hotfix status`) links to the prompt too.
    await world.slack.command({ user: CAROL, channel: INCIDENTS, text: `status ${id}` });
    await waitFor('the status card links the prompt', () =>
      world.standIn
        .ephemerals(CAROL)
        .some((e) => JSON.stringify(e.blocks ?? []).includes(`/p${prompt?.ts.replace('.', '')}`)),
    );

    // Dave (business) may not confirm: refused privately, as on the prompt.
    await clickCard(id, DAVE, 'hotfix_step_confirm');
    await waitFor('Dave refused', () =>
      world.ephemerals(DAVE).some((t) => t.includes('Nothing was changed')),
    );
    expect(await count(id, 'ManualStepConfirmed')).toBe(0);

    // Bob double-clicks Confirm on the card: one confirmation; the second click is told it was done.
    await clickCard(id, BOB, 'hotfix_step_confirm');
    await clickCard(id, BOB, 'hotfix_step_confirm');
    await waitFor('confirmed', async () => (await count(id, 'ManualStepConfirmed')) === 1);
    await waitFor('the repeat told', () => world.ephemerals(BOB).length > 0);
    expect(await count(id, 'ManualStepConfirmed')).toBe(1);

    // The prompt in the thread is edited to say who confirmed, and loses its buttons; so does the card.
    await waitFor('the prompt edited', () => {
      const now = world.standIn.message(INCIDENTS, prompt?.ts ?? '');
      return now && !blockText(now).includes('hotfix_step_confirm') && blockText(now).includes(`<@${BOB}>`);
    });
    await world.cardWhen(id, 'no step buttons', (c) => !blockText(c).includes('hotfix_step_confirm'));

    // Then a rollback vote (the deploy holds the only service's lock, so on the same hotfix).
    await world.cardWhen(id, 'rollback offered', (c) => blockText(c).includes('hotfix_propose_rollback'));
    await clickCard(id, BOB, 'hotfix_propose_rollback');
    const modal = await waitFor('the rollback modal', () => world.standIn.views.top(BOB));
    await world.slack.submitView({
      user: BOB,
      viewId: modal.view.id,
      values: {
        reason_trigger: { value: { type: 'static_select', selected_option: { value: 'data_issue' } } },
        reason_text: input('Refund totals are off by a cent'),
      },
    });

    const voteCard = await world.cardWhen(
      id,
      'links the vote',
      (c) => linkedMessage(c, 'vote in the thread') !== undefined && blockText(c).includes('hotfix_vote_for'),
    );
    const vote = linkedMessage(voteCard, 'vote in the thread');
    expect(vote?.thread_ts).toBe(voteCard.ts);
    expect(blockText(vote as StandInMessage)).toContain('Rollback vote #1');
    expect(blockText(voteCard)).toContain('hotfix_vote_against');

    // Carol (management, required) votes For on the card, twice: one ballot, and it passes the vote.
    const ballots = await count(id, 'VoteCast');
    await clickCard(id, CAROL, 'hotfix_vote_for');
    await clickCard(id, CAROL, 'hotfix_vote_for');
    await waitFor('the vote passed', async () => (await count(id, 'VotePassed')) === 1);
    expect(await count(id, 'VoteCast')).toBe(ballots + 1);

    // The vote message in the thread is edited with the result and no buttons; the card drops them too.
    await waitFor('the vote message closed', () => {
      const now = world.standIn.message(INCIDENTS, vote?.ts ?? '');
      return now && !blockText(now).includes('hotfix_vote_for') && /passed/.test(blockText(now));
    });
    await world.cardWhen(id, 'no ballot buttons', (c) => !blockText(c).includes('hotfix_vote_for'));
    // Each link was asked of Slack once, however often the card was drawn.
    expect(world.standIn.callsTo('chat.getPermalink')).toHaveLength(2);
  }, 60_000);
});
