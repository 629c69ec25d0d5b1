import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivered, StandInActivity } from '../../src/teams-stand-in/index.ts';
import { validateCard } from '../bot/teams/cards/validate-card.ts';
import { readable } from '../bot/teams/cards/helpers.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { Card, TeamsWorld } from './teams-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  INCIDENTS,
  VALID_PLAN,
  actionsOf,
  cardOf,
  firstSummary,
  startTeamsWorld,
  waitFor,
} from './teams-flow.ts';

const redisServer = useRedisServer();
let world: TeamsWorld;
/** Dialogs the bot answered directly, checked with every card it sent after each test. */
const answered: unknown[] = [];

beforeAll(async () => {
  world = await startTeamsWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => world?.close());
afterEach(() => {
  for (const card of [...answered.splice(0), ...world.sentCards()]) expect(validateCard(card)).toEqual([]);
});

type TaskAnswer = { task: { type: string; value: { card: { content: Card } } | string } };

const dialogOf = (delivered: Delivered): Card => {
  const { task } = delivered.body as TaskAnswer;
  if (task.type !== 'continue' || typeof task.value === 'string')
    throw new Error(`no dialog: ${JSON.stringify(delivered.body)}`);
  answered.push(task.value.card.content);
  return task.value.card.content;
};

const botActivities = () => world.standIn.activities(INCIDENTS).filter((a) => a.author === 'bot');

/** `@hotfix <text>` in the incident channel; the bot's answer in that post's thread. */
const say = async (user: string, text: string): Promise<StandInActivity> => {
  const posted = await world.delivery.mention({ user, text, channel: INCIDENTS });
  expect(posted.status).toBe(200);
  return waitFor(`the answer to @hotfix ${text}`, () =>
    botActivities().find((a) => a.threadId === posted.activity.id && a.id !== posted.activity.id),
  );
};

/** A new hotfix through `@hotfix start` and its plan dialog; its id once its thread is open. */
const startHotfix = async (): Promise<string> => {
  const reply = await say(ALICE, 'start INC-88');
  const button = cardOf(reply).actions?.[0];
  const dialog = dialogOf(
    await world.delivery.submit({ user: ALICE, activityId: reply.id, action: button?.title ?? '' }),
  );
  const submitted = await world.delivery.taskSubmit({
    user: ALICE,
    activityId: reply.id,
    data: { ...(dialog.actions?.[0]?.data ?? {}), ...VALID_PLAN },
  });
  const hotfixId = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0];
  if (!hotfixId) throw new Error(`no hotfix id in ${JSON.stringify(submitted.body)}`);
  await waitFor(`${hotfixId}'s thread`, () => world.root(hotfixId), 30_000);
  return hotfixId;
};

const count = async (hotfixId: string, type: string) =>
  (await world.eventTypes(hotfixId)).filter((t) => t === type).length;

/** The issue's message as Teams holds it now (edited in place). */
const issueCard = (activityId: string): Card => {
  const held = world.standIn.activity(activityId);
  if (!held) throw new Error(`no activity ${activityId}`);
  return cardOf(held);
};

describe('the issue log from Teams', () => {
  it('resolves an issue from its thread message’s dialog once, reopens it by @hotfix, and answers bad input', async () => {
    const id = await startHotfix();
    expect((await say(BOB, `issue ${id} Checkout is slow`)).activity.text).toContain(`Logged on ${id}`);

    // The issue's message in the thread is the line that logged it, with Resolve and Workaround.
    const message = await world.replyWhen(id, 'the issue message', (r) =>
      firstSummary(r).includes('logged issue #1: Checkout is slow'),
    );
    const titles = actionsOf(issueCard(message.id)).map((a) => a.title);
    expect(titles).toEqual(['✔️ Resolve…', '🩹 Workaround…']);
    expect(readable(issueCard(message.id))).toContain('🟠 Open');

    // Resolve opens a dialog with an optional note; submitted twice (a double click), it resolves once.
    const dialog = dialogOf(
      await world.delivery.submit({ user: CAROL, activityId: message.id, action: '✔️ Resolve…' }),
    );
    const submit = { ...(dialog.actions?.[0]?.data ?? {}), issue_note: 'Cache warmed up' };
    const done = await world.delivery.taskSubmit({ user: CAROL, activityId: message.id, data: submit });
    expect(done.body).toMatchObject({
      task: { type: 'message', value: `✔️ Issue #1 of ${id} is resolved.` },
    });
    const twice = await world.delivery.taskSubmit({ user: CAROL, activityId: message.id, data: submit });
    expect(readable(dialogOf(twice))).toContain('already recorded');
    expect(await count(id, 'IssueResolved')).toBe(1);

    // The message is edited in place: who resolved it, the note, and Reopen instead.
    await waitFor('the message says resolved', () =>
      readable(issueCard(message.id)).includes('✅ Resolved by Carol Cruz'),
    );
    expect(readable(issueCard(message.id))).toContain('Cache warmed up');
    expect(actionsOf(issueCard(message.id)).map((a) => a.title)).toEqual(['🔄 Reopen…']);
    await world.rootWhen(id, 'resolved on the card', (card) => readable(card).includes('0 open, 1 resolved'));

    // Typed: an unknown issue number names the ones there are; a reopen with its reason.
    expect((await say(BOB, `issue workaround ${id} 9 restart it`)).activity.text).toContain(
      `${id} has no issue #9; its only issue is #1.`,
    );
    expect((await say(BOB, `issue resolve ${id}`)).activity.text).toContain(
      `Which issue of ${id}? Give its number.`,
    );
    expect((await say(BOB, `issue reopen ${id} 1 Slow again at peak`)).activity.text).toContain(
      `Issue #1 of ${id} is open again.`,
    );
    await waitFor('the message says open again', () =>
      readable(issueCard(message.id)).includes('🔄 Open again: reopened by Bob Baker'),
    );
    expect((await say(BOB, `issue reopen ${id} 1`)).activity.text).toContain(
      `Issue #1 of ${id} is already open.`,
    );
    expect(await count(id, 'IssueReopened')).toBe(1);

    // The thread: one reply per event, the issue's message standing for the line that logged it.
    const { summaries } = await world.expectedReplies(id);
    await waitFor('the thread to catch up', () => world.replies(id).length >= summaries.length, 30_000);
    expect(world.replies(id).map(firstSummary)).toEqual(summaries);
  }, 60_000);
});
