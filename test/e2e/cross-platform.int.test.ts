import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS_FIELD } from '../../src/bot/common/forms.ts';
import { PHASE_EMOJI, PHASE_LABELS } from '../../src/bot/common/labels.ts';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import type { StandInActivity } from '../../src/teams-stand-in/index.ts';
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
import { blockText } from './slack-flow.ts';
import * as slackFlow from './slack-flow.ts';
import * as teamsFlow from './teams-flow.ts';
import type { Card } from './teams-flow.ts';
import { actionsOf, cardOf, noticeOf } from './teams-flow.ts';

const redisServer = useRedisServer();
let world: CrossPlatformWorld;
const { alice, bob, carol, dave } = PEOPLE;

beforeAll(async () => {
  // The persons form: each of the four is one person with a Slack and a Teams id.
  world = await startCrossPlatformWorld(redisServer().url, () => redisServer().connect(), {
    form: 'persons',
  });
}, 30_000);
afterAll(async () => world?.close());

const clickSlack = async (hotfixId: string, user: string, label: string) => {
  const card = world.slack.card(hotfixId);
  if (!card) throw new Error(`no Slack card for ${hotfixId}`);
  return world.slack.delivery.act({
    user,
    channel: slackFlow.INCIDENTS,
    ts: card.ts,
    actionId: slackButton(card, label),
  });
};

/** A Teams click on the hotfix's card; its answer card (for the clicker only). */
const clickTeams = async (
  hotfixId: string,
  user: string,
  verb: string,
  match: Record<string, unknown> = {},
  activityId = world.teams.root(hotfixId)?.id ?? '',
): Promise<Card> => {
  const delivered = await world.teams.click({ user, activityId, verb, match });
  expect(delivered.status).toBe(200);
  return (delivered.body as { value: Card }).value;
};

const hasVerb = (card: Card, verb: string) => actionsOf(card).some((a) => a.verb === verb);

/** The card's header, the same line on both platforms: phase emoji, id, issue, phase. */
const slackHeader = (message: StandInMessage | undefined) =>
  (message?.blocks ?? [])
    .map((b) => b as { type: string; text?: { text: string } })
    .find((b) => b.type === 'header')?.text?.text;
const teamsHeader = (activity: StandInActivity | undefined): string | undefined => {
  const first = (value: unknown): string | undefined => {
    if (Array.isArray(value)) return value.map(first).find((t) => t !== undefined);
    if (typeof value !== 'object' || value === null) return undefined;
    const element = value as { type?: string; text?: string; items?: unknown };
    return element.type === 'TextBlock' ? element.text : first(element.items);
  };
  return activity ? first(cardOf(activity).body) : undefined;
};

const count = async (hotfixId: string, type: string) =>
  (await world.eventTypes(hotfixId)).filter((t) => t === type).length;

describe('one hotfix on Slack and Teams at once, through both stand-ins', () => {
  it('started in Slack, driven from both: the same thread lines reach both threads and the cards converge', async () => {
    const id = await startInSlack(world);
    // Its card opens in Teams' incident channel too.
    const root = await waitFor(`${id}'s Teams thread`, () => world.teams.root(id), 30_000);

    // Alice ticks the readiness lists in Slack; the Teams card shows them ticked.
    await tickAllInSlack(world, id, alice.slack);
    await waitFor('the three ticks', async () => (await count(id, 'ChecklistItemTicked')) === 3);
    await world.teams.rootWhen(id, 'every item ticked', (card) =>
      actionsOf(card)
        .filter((a) => a.verb === 'hotfix.toggle-item')
        .every((a) => a.data?.ticked === true),
    );

    // Alice wrote the plan in Slack: she is the same person in Teams, where her approval is refused too.
    expect(noticeOf(await clickTeams(id, alice.teams, 'hotfix.approve', { role: 'technical' }))).toMatch(
      /wrote this plan[\s\S]*Nothing was changed/,
    );
    // Refusals across platforms: Dave (business) in Teams may not approve as technical; Carol (management) in
    // Slack may not either. Each is told on their own platform, and nothing is recorded.
    expect(noticeOf(await clickTeams(id, dave.teams, 'hotfix.approve', { role: 'technical' }))).toContain(
      'Nothing was changed',
    );
    await clickSlack(id, carol.slack, 'Approve as Technical');
    await waitFor('Carol refused in Slack', () =>
      world.slack.ephemerals(carol.slack).some((t) => t.includes('Nothing was changed')),
    );
    expect(await count(id, 'PlanApproved')).toBe(0);

    // Bob approves in Teams, Carol in Slack.
    expect(
      noticeOf(await clickTeams(id, bob.teams, 'hotfix.approve', { role: 'technical' })),
    ).toBeUndefined();
    await world.slack.cardWhen(id, 'management approval offered', (c) =>
      blockText(c).includes('Approve as Management'),
    );
    await clickSlack(id, carol.slack, 'Approve as Management');
    await waitFor('both approvals', async () => (await count(id, 'PlanApproved')) === 2);

    // Alice deploys from Slack; Bob confirms the manual step from Teams' thread.
    await world.slack.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
    await world.slack.delivery.act({
      user: alice.slack,
      channel: slackFlow.INCIDENTS,
      ts: world.slack.card(id)?.ts ?? '',
      actionId: 'hotfix_deploy',
    });
    const prompt = await world.teams.replyWhen(id, 'the manual step prompt', (r) =>
      hasVerb(cardOf(r), 'hotfix.step-confirm'),
    );
    const slackPrompt = await waitFor("the prompt in Slack's thread", () =>
      world.slack.thread(id).find((m) => blockText(m).includes('hotfix_step_confirm')),
    );
    expect(noticeOf(await clickTeams(id, bob.teams, 'hotfix.step-confirm', {}, prompt.id))).toBeUndefined();
    // Slack's copy of the prompt is answered too: no buttons any more.
    await waitFor("Slack's prompt answered", () => {
      const now = world.slack.standIn.message(slackFlow.INCIDENTS, slackPrompt.ts);
      return now && !blockText(now).includes('hotfix_step_confirm');
    });
    await waitFor('the smoke step confirmed', async () => (await count(id, 'ManualStepConfirmed')) === 1);

    // Bob proposes a rollback from Teams (his ballot is for); Carol passes it from Slack's thread.
    const proposed = await world.teams.delivery.mention({
      user: bob.teams,
      text: `rollback ${id} data Totals are off by a cent on refunds`,
      channel: teamsFlow.INCIDENTS,
    });
    expect(proposed.status).toBe(200);
    const vote = await waitFor("the vote in Slack's thread", () =>
      world.slack.thread(id).find((m) => blockText(m).includes('hotfix_vote_for')),
    );
    // Bob's ballot (cast with his proposal in Teams) is his only one: the same click in Slack adds none.
    const ballots = await count(id, 'VoteCast');
    const answers = world.slack.ephemerals(bob.slack).length;
    await world.slack.delivery.act({
      user: bob.slack,
      channel: slackFlow.INCIDENTS,
      ts: vote.ts,
      actionId: 'hotfix_vote_for',
    });
    await waitFor('the answer to Bob in Slack', () => world.slack.ephemerals(bob.slack).length > answers);
    expect(await count(id, 'VoteCast')).toBe(ballots);
    await world.slack.delivery.act({
      user: carol.slack,
      channel: slackFlow.INCIDENTS,
      ts: vote.ts,
      actionId: 'hotfix_vote_for',
    });
    await waitFor(
      'rolled back',
      async () => (await world.eventTypes(id)).includes('RollbackFinished'),
      30_000,
    );
    expect(await readFile(world.stepLog, 'utf8')).toContain('revert 1 end');
    // Both platforms' vote messages end passed, without buttons.
    await waitFor('the votes closed on both', () => {
      const slackVote = world.slack.standIn.message(slackFlow.INCIDENTS, vote.ts);
      const teamsVote = world.teams
        .replies(id)
        .find((r) => String(r.history[0]?.activity.summary ?? r.activity.summary).includes('vote'));
      return (
        slackVote &&
        !blockText(slackVote).includes('hotfix_vote_for') &&
        teamsVote &&
        !hasVerb(cardOf(teamsVote), 'hotfix.vote-for')
      );
    });

    // Sign-offs: Bob (technical) in Slack, Dave (business) in Teams; Alice closes from Slack.
    await world.slack.cardWhen(id, 'sign-off offered', (c) => blockText(c).includes('Sign off as Technical'));
    await clickSlack(id, bob.slack, 'Sign off as Technical');
    await world.teams.rootWhen(id, 'business sign-off offered', (card) =>
      actionsOf(card).some((a) => a.verb === 'hotfix.sign-off' && a.data?.role === 'business'),
    );
    expect(
      noticeOf(await clickTeams(id, dave.teams, 'hotfix.sign-off', { role: 'business' })),
    ).toBeUndefined();
    await world.slack.cardWhen(id, 'Close offered', (c) => blockText(c).includes('hotfix_close'));
    await world.slack.delivery.act({
      user: alice.slack,
      channel: slackFlow.INCIDENTS,
      ts: world.slack.card(id)?.ts ?? '',
      actionId: 'hotfix_close',
    });
    await waitFor('closed', async () => (await world.eventTypes(id)).includes('HotfixClosed'));

    // The record in both threads: a file in Slack, the summary with the Markdown record behind a button in Teams.
    await waitFor('the record file in Slack', () =>
      world.slack.standIn.files().find((f) => f.name.startsWith(id) && f.completed),
    );
    await world.teams.replyWhen(id, 'the record', (r) =>
      String(r.history[0]?.activity.summary ?? r.activity.summary).startsWith(`Deployment record of ${id}:`),
    );

    // The same milestone lines, in the same order, once each, on both threads.
    const expected = await world.expectedLines(id);
    expect(expected.length).toBeGreaterThan(20);
    await waitFor(
      'every line in Slack',
      () => milestonesOf(world.slackTexts(id), expected).length >= expected.length,
    );
    await waitFor(
      'every line in Teams',
      () => milestonesOf(world.teamsTexts(id), expected).length >= expected.length,
    );
    expect(milestonesOf(world.slackTexts(id), expected)).toEqual(expected);
    expect(milestonesOf(world.teamsTexts(id), expected)).toEqual(expected);

    // Both cards converge on the closed state.
    const { phase } = await world.state(id);
    const header = `${PHASE_EMOJI[phase]} ${id} · INC-42 · ${PHASE_LABELS[phase]}`;
    await waitFor(
      'both cards closed',
      () => slackHeader(world.slack.card(id)) === header && teamsHeader(world.teams.root(id)) === header,
    );
    expect(root.id).toBe(world.teams.root(id)?.id);
  }, 120_000);

  it('a hotfix shown in Slack only gets no Teams card; an edit that checks Teams opens it with the whole thread and keeps its approvals, one that unchecks it retires the card', async () => {
    const boxes = (...platforms: string[]) => ({
      [PLATFORMS_FIELD]: {
        value: { type: 'checkboxes', selected_options: platforms.map((value) => ({ value })) },
      },
    });
    const id = await startInSlack(world, alice.slack, boxes('slack'));
    /** Teams' notifier has looked at the whole stream and passed the hotfix over. */
    const passedOver = async () => {
      const version = (await world.eventTypes(id)).length;
      return version > 0 && Number((await world.progress('teams', id)).hidden ?? 0) >= version;
    };
    await tickAllInSlack(world, id, alice.slack);
    await waitFor('the three ticks', async () => (await count(id, 'ChecklistItemTicked')) === 3);
    // Approved in Slack, the only place that shows it.
    await clickSlack(id, bob.slack, 'Approve as Technical');
    await world.slack.cardWhen(id, 'management approval offered', (c) =>
      blockText(c).includes('Approve as Management'),
    );
    await clickSlack(id, carol.slack, 'Approve as Management');
    await waitFor('both approvals', async () => (await count(id, 'PlanApproved')) === 2);
    await waitFor('Teams passing it over', passedOver);
    expect(world.teams.root(id)).toBeUndefined();
    expect(world.slack.thread(id).length).toBeGreaterThan(0);

    /** Alice edits the plan in Slack with these boxes checked. */
    const edit = async (...platforms: string[]) => {
      const edits = await count(id, 'PlanEdited');
      world.slack.standIn.views.clear(alice.slack);
      await world.slack.delivery.command({
        user: alice.slack,
        channel: slackFlow.INCIDENTS,
        text: `edit ${id}`,
      });
      const modal = await waitFor('the edit modal', () => world.slack.standIn.views.top(alice.slack));
      const submitted = await world.slack.delivery.submitView({
        user: alice.slack,
        viewId: modal.view.id,
        values: boxes(...platforms),
      });
      expect(submitted.errors).toBeUndefined();
      await waitFor('the edit', async () => (await count(id, 'PlanEdited')) === edits + 1);
      return modal;
    };

    // The edit form shows Slack alone checked; checking Teams opens its card with the thread from the start.
    const modal = await edit('slack', 'teams');
    const box = (
      modal.view.blocks as unknown as {
        block_id?: string;
        element?: { initial_options?: { value: string }[] };
      }[]
    ).find((b) => b.block_id === PLATFORMS_FIELD);
    expect(box?.element?.initial_options?.map((o) => o.value)).toEqual(['slack']);
    // Where it is shown is no part of what was approved: the approvals stand, and Alice is told so.
    await waitFor('Alice told', () =>
      world.slack.ephemerals(alice.slack).some((t) => t.includes('its approvals stand')),
    );
    expect(await count(id, 'ApprovalsVoided')).toBe(0);
    const root = await waitFor(`${id}'s Teams thread`, () => world.teams.root(id), 30_000);
    // The Teams card, new, offers Deploy: Bob's and Carol's approvals count there too.
    await world.teams.rootWhen(id, 'Deploy offered', (card) => hasVerb(card, 'hotfix.deploy'));
    const expected = await world.expectedLines(id);
    await waitFor(
      'Teams caught up',
      () => milestonesOf(world.teamsTexts(id), expected).length === expected.length,
    );
    expect(milestonesOf(world.teamsTexts(id), expected)).toEqual(expected);
    expect(expected.join('\n')).toMatch(/ticked/);
    expect(expected.join('\n')).toMatch(/only where it is shown changed, so its approvals stand/);
    expect(expected.join('\n')).not.toMatch(/void/i);

    // Unchecked again: the Teams card is drawn once more, saying where to follow the hotfix, then left alone.
    await edit('slack');
    const retired = await world.teams.rootWhen(id, 'retired', (card) =>
      JSON.stringify(card).includes(`${id} is now followed in Slack`),
    );
    expect(actionsOf(cardOf(retired))).toEqual([]);
    expect((await world.state(id)).approvals).toHaveLength(2);
    const replies = world.teams.replies(id).length;
    const drawn = retired.history.length;
    await world.slack.delivery.command({
      user: bob.slack,
      channel: slackFlow.INCIDENTS,
      text: `issue ${id} Refund totals still off in one report`,
    });
    await waitFor('the issue in Slack', () =>
      world.slack.thread(id).some((m) => m.text.includes('Refund totals')),
    );
    await waitFor('Teams passing it over', passedOver);
    expect(world.teams.replies(id)).toHaveLength(replies);
    expect(world.teams.root(id)?.history).toHaveLength(drawn);
    expect(root.id).toBe(retired.id);
  }, 120_000);

  it("a hotfix planned in Teams' dialog with only Teams checked gets no Slack card", async () => {
    const mention = await world.teams.delivery.mention({
      user: carol.teams,
      text: 'start INC-7',
      channel: teamsFlow.INCIDENTS,
    });
    const reply = await waitFor(
      'the answer to @hotfix start',
      () =>
        world.teams.standIn
          .activities(teamsFlow.INCIDENTS)
          .find(
            (a) => a.author === 'bot' && a.threadId === mention.activity.id && a.id !== mention.activity.id,
          ),
      // The first @hotfix of a suite loads the Teams edge in its thread: slow on a loaded machine.
      30_000,
    );
    const fetched = await world.teams.delivery.submit({
      user: carol.teams,
      activityId: reply.id,
      action: cardOf(reply).actions?.[0]?.title ?? '',
    });
    const { task } = fetched.body as { task: { value: { card: { content: Card } } } };
    const dialog = task.value.card.content;
    // The boxes are checked as the hotfix would show by default: on both.
    expect(JSON.stringify(dialog.body)).toContain('"id":"plan_platforms"');
    expect(
      (dialog.body as { id?: string; value?: string }[]).find((e) => e.id === PLATFORMS_FIELD)?.value,
    ).toBe('slack,teams');
    const submitted = await world.teams.delivery.taskSubmit({
      user: carol.teams,
      activityId: reply.id,
      data: { ...(dialog.actions?.[0]?.data ?? {}), ...teamsFlow.VALID_PLAN, [PLATFORMS_FIELD]: 'teams' },
    });
    const id = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0] ?? '';
    expect(id).toMatch(/^HF-\d+$/);
    await waitFor(`${id}'s Teams thread`, () => world.teams.root(id), 30_000);
    await waitFor('Slack passing it over', async () => {
      const version = (await world.eventTypes(id)).length;
      return Number((await world.progress('slack', id)).hidden ?? 0) >= version;
    });
    expect(world.slack.card(id)).toBeUndefined();
    expect((await world.state(id)).plan.platforms).toEqual(['teams']);
  }, 60_000);
});
