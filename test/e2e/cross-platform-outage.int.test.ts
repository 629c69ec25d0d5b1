import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PHASE_EMOJI, PHASE_LABELS } from '../../src/bot/common/labels.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { CrossPlatformWorld } from './cross-platform-flow.ts';
import {
  PEOPLE,
  milestonesOf,
  slackButton,
  startCrossPlatformWorld,
  startInSlack,
  tickAllInSlack,
  waitFor,
} from './cross-platform-flow.ts';
import * as slackFlow from './slack-flow.ts';
import { blockText } from './slack-flow.ts';
import * as teamsFlow from './teams-flow.ts';
import type { Card } from './teams-flow.ts';
import { actionsOf, firstSummary, noticeOf } from './teams-flow.ts';

const redisServer = useRedisServer();
let world: CrossPlatformWorld;
const { alice, bob, carol } = PEOPLE;

beforeAll(async () => {
  world = await startCrossPlatformWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => world?.close());
// A test that failed mid-outage leaves none behind for the next.
afterEach(async () => {
  world.slack.standIn.clearFailures();
  await world.teams.standIn.up();
});

const hasVerb = (card: Card, verb: string) => actionsOf(card).some((a) => a.verb === verb);

const approveInSlack = async (id: string, user: string, label: string) => {
  const card = await world.slack.cardWhen(id, `${label} offered`, (c) => blockText(c).includes(label));
  await world.slack.delivery.act({
    user,
    channel: slackFlow.INCIDENTS,
    ts: card.ts,
    actionId: slackButton(card, label),
  });
};

/** Every milestone line the stream owes, in order and once each, in this thread's texts. */
const caughtUp = async (id: string, texts: () => string[]) => {
  const expected = await world.expectedLines(id);
  const lines = milestonesOf(texts(), expected);
  return lines.length === expected.length ? { lines, expected } : undefined;
};

const teamsRoots = (id: string) =>
  world.teams.standIn
    .activities(teamsFlow.INCIDENTS)
    .filter((a) => a.author === 'bot' && a.threadId === a.id && firstSummary(a).includes(` ${id} ·`));

describe('one platform down while the other keeps working', () => {
  it.each([
    ['refuses connections', 'refuse'],
    ['answers 503 to every call', '503'],
  ] as const)(
    "Teams' connector %s for a while: Slack keeps up, Teams catches up line for line when it returns",
    async (_, mode) => {
      const id = await startInSlack(world);
      const root = await waitFor(`${id}'s Teams thread`, () => world.teams.root(id), 30_000);
      await waitFor('the first line in Teams', () => world.teams.replies(id).length > 0, 30_000);
      const teamsBefore = world.teams.replies(id).length;
      const cardVersions = root.history.length;

      await world.teams.standIn.down({ mode });
      // Readiness and approvals in Slack while Teams is down, and a second hotfix started.
      await tickAllInSlack(world, id, alice.slack);
      await approveInSlack(id, bob.slack, 'Approve as Technical');
      await approveInSlack(id, carol.slack, 'Approve as Management');
      const second = await startInSlack(world);

      // Slack's thread and card keep up during the outage.
      const slackDuring = await waitFor('Slack caught up during the outage', () =>
        caughtUp(id, () => world.slackTexts(id)),
      );
      expect(slackDuring.lines.join('\n')).toMatch(/approved/);
      await world.slack.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
      // Teams got nothing: no new reply, no card edit, no thread for the second hotfix.
      expect(world.teams.replies(id)).toHaveLength(teamsBefore);
      expect(world.teams.root(id)?.history).toHaveLength(cardVersions);
      expect(world.teams.root(second)).toBeUndefined();

      await world.teams.standIn.up();
      // Teams' thread catches up: every line, in order, once; the card shows the latest state.
      const teamsAfter = await waitFor(
        'Teams caught up',
        () => caughtUp(id, () => world.teamsTexts(id)),
        30_000,
      );
      expect(teamsAfter.lines).toEqual(teamsAfter.expected);
      expect(world.teamsTexts(id).filter((t, i, all) => all.indexOf(t) !== i)).toEqual([]);
      await world.teams.rootWhen(id, 'Deploy offered', (card) => hasVerb(card, 'hotfix.deploy'));
      // The hotfix started during the outage gets its one thread, with its lines.
      await waitFor(`${second}'s Teams thread`, () => world.teams.root(second), 30_000);
      await waitFor(
        `${second} caught up in Teams`,
        () => caughtUp(second, () => world.teamsTexts(second)),
        30_000,
      );
      expect(teamsRoots(second)).toHaveLength(1);
    },
    120_000,
  );

  it.each([
    ['answers 503', { status: 503 }],
    ['rate-limits every call (429)', { status: 429, retryAfter: 1 }],
  ] as const)(
    'Slack %s for a while: Teams keeps up, Slack catches up line for line when it returns',
    async (_, failure) => {
      const id = await startInSlack(world);
      await waitFor(`${id}'s Teams thread`, () => world.teams.root(id), 30_000);
      await waitFor('Slack caught up', () => caughtUp(id, () => world.slackTexts(id)));
      const slackBefore = world.slack.thread(id).length;
      const slackCard = JSON.stringify(world.slack.card(id));

      world.slack.standIn.failNext('*', failure, Number.POSITIVE_INFINITY);
      // Readiness and approvals from Teams while Slack is down.
      for (const [checklist, index] of [
        ['code_readiness', 0],
        ['code_readiness', 1],
        ['environment_readiness', 0],
      ] as const) {
        const delivered = await world.teams.click({
          user: bob.teams,
          activityId: world.teams.root(id)?.id ?? '',
          verb: 'hotfix.toggle-item',
          match: { checklist, index },
        });
        expect(noticeOf((delivered.body as { value: Card }).value)).toBeUndefined();
      }
      for (const [user, role] of [
        [bob.teams, 'technical'],
        [carol.teams, 'management'],
      ] as const) {
        const delivered = await world.teams.click({
          user,
          activityId: world.teams.root(id)?.id ?? '',
          verb: 'hotfix.approve',
          match: { role },
        });
        expect(noticeOf((delivered.body as { value: Card }).value)).toBeUndefined();
      }
      const teamsDuring = await waitFor(
        'Teams caught up during the outage',
        () => caughtUp(id, () => world.teamsTexts(id)),
        30_000,
      );
      expect(teamsDuring.lines.join('\n')).toMatch(/approved/);
      expect(world.slack.thread(id)).toHaveLength(slackBefore);
      expect(JSON.stringify(world.slack.card(id))).toBe(slackCard);

      // The Slack notifier did try (the card first, then the lines), and was refused.
      await waitFor('a refused Slack post', () =>
        world.slack.standIn.calls.some(
          (call) => call.method.startsWith('chat.') && call.status === failure.status,
        ),
      );
      world.slack.standIn.clearFailures();
      const slackAfter = await waitFor(
        'Slack caught up',
        () => caughtUp(id, () => world.slackTexts(id)),
        30_000,
      );
      expect(slackAfter.lines).toEqual(slackAfter.expected);
      expect(world.slackTexts(id).filter((t, i, all) => all.indexOf(t) !== i)).toEqual([]);
      const { phase } = await world.state(id);
      await world.slack.cardWhen(
        id,
        'the latest state',
        (c) =>
          blockText(c).includes('hotfix_deploy') &&
          blockText(c).includes(`${PHASE_EMOJI[phase]} ${id} · INC-42 · ${PHASE_LABELS[phase]}`),
      );
    },
    120_000,
  );
});
