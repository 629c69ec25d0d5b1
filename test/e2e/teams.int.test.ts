import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderHotfixCard } from '../../src/bot/teams/cards/card.ts';
import { SHOW_RECORD } from '../../src/bot/teams/cards/record.ts';
import type { Delivered, StandInActivity } from '../../src/teams-stand-in/index.ts';
import { threadConversationId } from '../../src/teams-stand-in/state.ts';
import { validateCard } from '../bot/teams/cards/validate-card.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { Card, TeamsWorld } from './teams-flow.ts';
import {
  ALICE,
  BOB,
  BOT_TOKEN,
  CAROL,
  DAVE,
  INCIDENTS,
  VALID_PLAN,
  actionsOf,
  cardOf,
  firstSummary,
  noticeOf,
  startTeamsWorld,
  waitFor,
} from './teams-flow.ts';

const redisServer = useRedisServer();
let world: TeamsWorld;
/** Cards the bot answered directly (invoke answers, dialogs), checked with every card it sent after each test. */
const answered: unknown[] = [];

beforeAll(async () => {
  world = await startTeamsWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => world?.close());

afterEach(() => {
  for (const card of [...answered.splice(0), ...world.sentCards()]) expect(validateCard(card)).toEqual([]);
  // Authenticated mode: every call the bot made to the Bot Connector carried its token.
  expect(world.standIn.calls.every((call) => call.token === BOT_TOKEN)).toBe(true);
  // No test inherits the channel's spent rate budget (the whole flow sends ~60 calls in 30 s): each one's
  // refusals are the ones it injects.
  world.standIn.clearRateWindows();
});

type DialogAnswer = { task: { type: string; value: { title: string; card: { content: Card } } | string } };

const dialogOf = (delivered: Delivered): Card | undefined => {
  const { task } = delivered.body as DialogAnswer;
  if (task.type !== 'continue' || typeof task.value === 'string') return undefined;
  answered.push(task.value.card.content);
  return task.value.card.content;
};

/** An `Action.Execute` answer: the clicked card drawn again for the clicker. */
const answer = (delivered: Delivered): Card => {
  expect(delivered.status).toBe(200);
  const body = delivered.body as { statusCode: number; type: string; value: Card };
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  answered.push(body.value);
  return body.value;
};

const botActivities = () => world.standIn.activities(INCIDENTS).filter((a) => a.author === 'bot');

/** `@hotfix start INC-42` in the incident channel and a click on the answer's button: the plan dialog. */
const openPlanDialog = async (user: string) => {
  const mention = await world.delivery.mention({ user, text: 'start INC-42', channel: INCIDENTS });
  expect(mention.status).toBe(200);
  const reply = await waitFor('the answer to @hotfix start', () =>
    botActivities().find((a) => a.threadId === mention.activity.id && a.id !== mention.activity.id),
  );
  answered.push(cardOf(reply));
  const button = cardOf(reply).actions?.[0];
  const fetched = await world.delivery.submit({ user, activityId: reply.id, action: button?.title ?? '' });
  const dialog = dialogOf(fetched);
  if (!dialog) throw new Error(`no dialog: ${JSON.stringify(fetched.body)}`);
  return { replyId: reply.id, dialog, data: dialog.actions?.[0]?.data ?? {} };
};

/** A valid plan submitted through the dialog; the new hotfix's id once its thread is open. */
const startHotfix = async (user = ALICE): Promise<string> => {
  const { replyId, data } = await openPlanDialog(user);
  const submitted = await world.delivery.taskSubmit({
    user,
    activityId: replyId,
    data: { ...data, ...VALID_PLAN },
  });
  expect(submitted.body).toMatchObject({ task: { type: 'message' } });
  const hotfixId = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0];
  if (!hotfixId) throw new Error(`no hotfix id in ${JSON.stringify(submitted.body)}`);
  await waitFor(`${hotfixId}'s thread`, () => world.root(hotfixId), 30_000);
  return hotfixId;
};

const rootId = (hotfixId: string) => {
  const root = world.root(hotfixId);
  if (!root) throw new Error(`no thread for ${hotfixId}`);
  return root.id;
};

/** Ticks every readiness item with its own toggle button, on the card as the thread shows it each time. */
const tickAll = async (hotfixId: string, user: string) => {
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const)
    for (let index = 0; index < count; index++) {
      const card = answer(
        await world.click({
          user,
          activityId: rootId(hotfixId),
          verb: 'hotfix.toggle-item',
          match: { checklist, index },
        }),
      );
      expect(noticeOf(card)).toBeUndefined();
    }
};

const count = async (hotfixId: string, type: string) =>
  (await world.eventTypes(hotfixId)).filter((t) => t === type).length;

const hasVerb = (card: Card, verb: string) => actionsOf(card).some((a) => a.verb === verb);

/** The thread as people read it: every reply once, in the order of the events, none lost or doubled. */
const expectThreadExact = async (hotfixId: string) => {
  const { summaries } = await world.expectedReplies(hotfixId);
  await waitFor(
    `${hotfixId}'s thread to catch up`,
    () => world.replies(hotfixId).length >= summaries.length,
    60_000,
  );
  expect(world.replies(hotfixId).map(firstSummary)).toEqual(summaries);
};

/** The card in the thread's root, edited in place, is the hotfix's last state drawn. */
const expectCardCurrent = async (hotfixId: string) => {
  const { state } = await world.expectedReplies(hotfixId);
  const options = { policy: world.settings.policy, timezone: 'UTC', lockHolders: {} };
  await world.rootWhen(hotfixId, 'the last state', (card) =>
    isDeepStrictEqual(card, renderHotfixCard(state, { ...options, now: new Date() }).card),
  );
};

describe('Teams end to end: hotfix serve (workers, notifier) with people acting in Teams', () => {
  it('runs a hotfix from @hotfix start to the record in the thread: dialog error, toggles, refusals, approvals, deploy, manual confirm, failed verification, rollback vote, sign-offs', async () => {
    // The plan dialog; a field left empty keeps it open with the error under that field, and starts nothing.
    const { replyId, dialog, data } = await openPlanDialog(ALICE);
    expect(JSON.stringify(dialog)).toContain('INC-42');
    const invalid = dialogOf(
      await world.delivery.taskSubmit({
        user: ALICE,
        activityId: replyId,
        data: { ...data, ...VALID_PLAN, plan_version: '' },
      }),
    );
    if (!invalid) throw new Error('the dialog closed on a field error');
    const body = invalid.body;
    const field = body.findIndex((e) => e.id === 'plan_version');
    const next = body.findIndex((e, i) => i > field && String(e.type).startsWith('Input.'));
    const under = body.slice(field + 1, next).map((e) => String(e.text ?? ''));
    expect(under.some((t) => t.startsWith('⚠️'))).toBe(true);
    expect(body.filter((e) => String(e.text ?? '').startsWith('⚠️'))).toHaveLength(1);
    expect(
      world.standIn.activities(INCIDENTS).filter((a) => a.threadId === a.id && a.author === 'bot'),
    ).toEqual([]);

    // Valid: the dialog closes and the notifier opens the hotfix's thread with its card.
    const submitted = await world.delivery.taskSubmit({
      user: ALICE,
      activityId: replyId,
      data: { ...data, ...VALID_PLAN },
    });
    expect(submitted.body).toMatchObject({
      task: { type: 'message', value: expect.stringContaining('HF-') },
    });
    const id = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0] ?? '';
    const root = await waitFor('the card thread', () => world.root(id), 30_000);
    expect(cardOf(root).body.length).toBeGreaterThan(0);

    // The start line calls on the approvers by mention: Bob (technical) and Carol (management), not Alice.
    const startLine = await world.replyWhen(id, 'the start line', (r) => firstSummary(r).startsWith('🔥'));
    const entities = (
      cardOf(startLine) as { msteams?: { entities?: { text: string; mentioned: { id: string } }[] } }
    ).msteams?.entities;
    expect(entities?.map((e) => e.mentioned.id).sort()).toEqual([BOB, CAROL].sort());
    for (const e of entities ?? []) expect(JSON.stringify(cardOf(startLine).body)).toContain(e.text);

    await tickAll(id, ALICE);
    expect(await count(id, 'ChecklistItemTicked')).toBe(3);
    await world.rootWhen(id, 'every item ticked', (card) =>
      actionsOf(card)
        .filter((a) => a.verb === 'hotfix.toggle-item')
        .every((a) => a.data?.ticked === true),
    );

    // Alice wrote the plan: refused on her answer card alone; nothing recorded, nothing said in the thread.
    const repliesBefore = world.replies(id).length;
    const self = answer(
      await world.click({
        user: ALICE,
        activityId: root.id,
        verb: 'hotfix.approve',
        match: { role: 'technical' },
      }),
    );
    expect(noticeOf(self)).toMatch(/🔒.*Nothing was changed/);
    expect(await count(id, 'PlanApproved')).toBe(0);
    expect(JSON.stringify(world.root(id)?.activity)).not.toContain('Nothing was changed');
    expect(world.replies(id).slice(repliesBefore).map(firstSummary).join('\n')).not.toContain(
      'Nothing was changed',
    );

    for (const [user, role] of [
      [BOB, 'technical'],
      [CAROL, 'management'],
    ] as const) {
      const approved = answer(
        await world.click({ user, activityId: root.id, verb: 'hotfix.approve', match: { role } }),
      );
      expect(noticeOf(approved)).toBeUndefined();
    }
    expect(await count(id, 'PlanApproved')).toBe(2);

    // The card offers Deploy once the notifier has drawn the approvals, and no Approve or Reject any more.
    await world.rootWhen(
      id,
      'Deploy offered, no approval buttons',
      (card) =>
        hasVerb(card, 'hotfix.deploy') && !hasVerb(card, 'hotfix.approve') && !hasVerb(card, 'hotfix.reject'),
    );
    // Carol approved for management, but deploying is technical's (policy.deployers' default).
    expect(
      noticeOf(answer(await world.click({ user: CAROL, activityId: root.id, verb: 'hotfix.deploy' }))),
    ).toContain('Only technical can deploy; you are management.');
    expect(await world.eventTypes(id)).not.toContain('DeployRequested');
    expect(
      noticeOf(answer(await world.click({ user: ALICE, activityId: root.id, verb: 'hotfix.deploy' }))),
    ).toBe(undefined);

    // The manual step's prompt in the thread: Dave (business) may not confirm it; Bob (technical) does.
    const prompt = await world.replyWhen(id, 'the manual step prompt', (r) =>
      hasVerb(cardOf(r), 'hotfix.step-confirm'),
    );
    // The automated step before it ran and is shown on the card: neither its start nor its success is a thread
    // reply, nor are the ticks or the lock (thread.step_lines is off). Nor is the manual step's start: its
    // prompt is where who may confirm it is mentioned (Alice and Bob, technical).
    expect(await world.eventTypes(id)).toContain('StepSucceeded');
    const sofar = world.replies(id).map(firstSummary);
    expect(sofar.filter((s) => /Started \w+ step/.test(s))).toEqual([]);
    const mentioned = (cardOf(prompt) as { msteams?: { entities?: { mentioned: { id: string } }[] } }).msteams
      ?.entities;
    expect(mentioned?.map((e) => e.mentioned.id).sort()).toEqual([ALICE, BOB].sort());
    expect(sofar.join('\n')).not.toMatch(/“deploy”|succeeded|ticked|Lock granted/);
    const refused = answer(
      await world.click({ user: DAVE, activityId: prompt.id, verb: 'hotfix.step-confirm' }),
    );
    expect(noticeOf(refused)).toContain('Nothing was changed');
    expect(await count(id, 'ManualStepConfirmed')).toBe(0);
    // The card links to the prompt (its deep link) and carries its buttons: Bob confirms there, and gets the
    // card back (not the prompt), drawn after his confirmation.
    await world.rootWhen(
      id,
      'links the prompt',
      (card) =>
        JSON.stringify(card).includes(`/${encodeURIComponent(prompt.id)}?parentMessageId=`) &&
        hasVerb(card, 'hotfix.step-confirm'),
    );
    const confirmed = answer(
      await world.click({ user: BOB, activityId: root.id, verb: 'hotfix.step-confirm' }),
    );
    expect(noticeOf(confirmed)).toBeUndefined();
    expect(JSON.stringify(confirmed)).toContain('Deploy run');
    expect(hasVerb(confirmed, 'hotfix.step-confirm')).toBe(false);
    // The prompt in the thread is edited for everyone: who confirmed, and no buttons any more.
    await waitFor('the prompt answered', () => {
      const now = world.standIn.activity(prompt.id);
      return (
        now &&
        !hasVerb(cardOf(now), 'hotfix.step-confirm') &&
        JSON.stringify(cardOf(now)).includes('Bob Baker')
      );
    });

    // Verification fails: the policy proposes a rollback, and its vote appears in the thread.
    const vote = await world.replyWhen(id, 'the rollback vote', (r) => hasVerb(cardOf(r), 'hotfix.vote-for'));
    expect(await readFile(world.stepLog, 'utf8')).toMatch(/deploy 1 end[\s\S]*verify 1 failed/);
    expect(await world.eventTypes(id)).toContain('RollbackProposed');

    // Ballots: Dave may not vote (business); Bob votes for; Carol (management, required) passes it.
    const daveVote = answer(await world.click({ user: DAVE, activityId: vote.id, verb: 'hotfix.vote-for' }));
    expect(noticeOf(daveVote)).toContain('Nothing was changed');
    // Bob votes on the card, which links to the vote: he gets the card back, still linking to the open vote.
    const voteLink = `/${encodeURIComponent(vote.id)}?parentMessageId=`;
    await world.rootWhen(
      id,
      'links the vote',
      (card) => JSON.stringify(card).includes(voteLink) && hasVerb(card, 'hotfix.vote-for'),
    );
    const onCard = answer(await world.click({ user: BOB, activityId: root.id, verb: 'hotfix.vote-for' }));
    expect(noticeOf(onCard)).toBeUndefined();
    expect(JSON.stringify(onCard)).toContain(voteLink);
    const cast = answer(await world.click({ user: CAROL, activityId: vote.id, verb: 'hotfix.vote-for' }));
    expect(noticeOf(cast)).toBeUndefined();
    await waitFor(
      'rolled back',
      async () => (await world.eventTypes(id)).includes('RollbackFinished'),
      30_000,
    );
    expect(await readFile(world.stepLog, 'utf8')).toContain('revert 1 end');
    await waitFor('the vote closed in the thread', () => {
      const now = world.standIn.activity(vote.id);
      return now && !hasVerb(cardOf(now), 'hotfix.vote-for') && /passed$/.test(String(now.activity.summary));
    });

    // Sign-offs by the right people (Dave may not sign off as technical), then Close.
    await world.rootWhen(id, 'sign-off offered', (card) => hasVerb(card, 'hotfix.sign-off'));
    const wrongRole = answer(
      await world.click({
        user: DAVE,
        activityId: root.id,
        verb: 'hotfix.sign-off',
        match: { role: 'technical' },
      }),
    );
    expect(noticeOf(wrongRole)).toContain('Nothing was changed');
    expect(
      noticeOf(
        answer(
          await world.click({
            user: BOB,
            activityId: root.id,
            verb: 'hotfix.sign-off',
            match: { role: 'technical' },
          }),
        ),
      ),
    ).toBeUndefined();
    await world.rootWhen(id, 'business sign-off offered', (card) =>
      actionsOf(card).some((a) => a.verb === 'hotfix.sign-off' && a.data?.role === 'business'),
    );
    expect(
      noticeOf(
        answer(
          await world.click({
            user: DAVE,
            activityId: root.id,
            verb: 'hotfix.sign-off',
            match: { role: 'business' },
          }),
        ),
      ),
    ).toBeUndefined();
    await world.rootWhen(id, 'Close offered', (card) => hasVerb(card, 'hotfix.close'));
    // Dave signed off for business, but closing is technical's (policy.closers' default).
    expect(
      noticeOf(answer(await world.click({ user: DAVE, activityId: root.id, verb: 'hotfix.close' }))),
    ).toContain('Only technical can close; you are business.');
    expect(await world.eventTypes(id)).not.toContain('HotfixClosed');
    expect(
      noticeOf(answer(await world.click({ user: ALICE, activityId: root.id, verb: 'hotfix.close' }))),
    ).toBe(undefined);

    // The record closes the thread in one reply: its summary, and the whole Markdown record behind a button.
    const record = await world.replyWhen(id, 'the record', (r) =>
      firstSummary(r).startsWith(`Deployment record of ${id}:`),
    );
    expect(firstSummary(record)).toMatch(/Rolled back/i);
    const [showRecord, ...others] = cardOf(record).actions ?? [];
    expect(others).toEqual([]);
    expect(showRecord).toMatchObject({ type: 'Action.ShowCard', title: SHOW_RECORD });
    expect(JSON.stringify(showRecord)).toMatch(/Deployment Documentation[^]*Fix the checkout total rounding/);

    // The card shows the last state, edited in place (one root, never a second thread).
    await world.rootWhen(id, 'closed', (card) => JSON.stringify(card).includes('Closed'));
    await expectCardCurrent(id);
    expect(
      world.standIn.activities(INCIDENTS).filter((a) => a.threadId === a.id && firstSummary(a).includes(id)),
    ).toHaveLength(1);
    await expectThreadExact(id);

    // Cancelling the closed hotfix is refused at once, in the domain's words: no form button to click first.
    const cancel = await world.delivery.mention({ user: BOB, text: `cancel ${id}`, channel: INCIDENTS });
    const refusal = await waitFor('the answer to @hotfix cancel', () =>
      botActivities().find((a) => a.threadId === cancel.activity.id && a.id !== cancel.activity.id),
    );
    expect(refusal.activity.text).toContain(`${id} is closed; nothing more can change.`);
    expect(refusal.activity.attachments ?? []).toEqual([]);
  }, 120_000);

  it('a monitoring breach whose vote fails: Accept per sign-off role and Roll back on the card, accepted through dialogs', async () => {
    const id = await startHotfix();
    const root = rootId(id);
    await tickAll(id, ALICE);
    for (const [user, role] of [
      [BOB, 'technical'],
      [CAROL, 'management'],
    ] as const)
      answer(await world.click({ user, activityId: root, verb: 'hotfix.approve', match: { role } }));
    await world.rootWhen(id, 'Deploy offered', (card) => hasVerb(card, 'hotfix.deploy'));
    // Verification passes this time; the services answer the monitor's first probe with a breach.
    const failAgain = await world.passVerification();
    try {
      world.health.breach(id, 1);
      answer(await world.click({ user: ALICE, activityId: root, verb: 'hotfix.deploy' }));
      const prompt = await world.replyWhen(id, 'the manual step prompt', (r) =>
        hasVerb(cardOf(r), 'hotfix.step-confirm'),
      );
      answer(await world.click({ user: BOB, activityId: prompt.id, verb: 'hotfix.step-confirm' }));
      // The breach's vote: Carol (management, required) votes against, so it fails.
      const vote = await world.replyWhen(id, 'the rollback vote', (r) =>
        hasVerb(cardOf(r), 'hotfix.vote-against'),
      );
      answer(await world.click({ user: CAROL, activityId: vote.id, verb: 'hotfix.vote-against' }));
      await waitFor('the vote failed', async () => (await world.eventTypes(id)).includes('VoteFailed'));
    } finally {
      await failAgain();
    }

    // The window closes with its breach: the card asks for a decision, with Accept per role and Roll back.
    const review = await world.rootWhen(
      id,
      'breaches to decide',
      (card) =>
        JSON.stringify(card).includes('Monitoring found 1 breach') &&
        actionsOf(card).some((a) => a.title === 'Accept and keep as Business…'),
    );
    const reviewCard = cardOf(review);
    expect(JSON.stringify(reviewCard)).toContain('accept and keep, or roll back');
    expect(hasVerb(reviewCard, 'hotfix.roll-back-breaches')).toBe(true);
    expect(hasVerb(reviewCard, 'hotfix.sign-off')).toBe(false);

    /** Opens the Accept dialog of `role` from the card and submits `reason`. */
    const accept = async (user: string, role: string, reason: string) => {
      const fetched = await world.delivery.submit({
        user,
        activityId: root,
        action: `Accept and keep as ${role}…`,
      });
      const dialog = dialogOf(fetched);
      if (!dialog) throw new Error(`no dialog: ${JSON.stringify(fetched.body)}`);
      return world.delivery.taskSubmit({
        user,
        activityId: root,
        data: { ...(dialog.actions?.[0]?.data ?? {}), reason_text: reason },
      });
    };
    // Carol is not technical: the dialog stays open with the domain's reason, nothing is recorded.
    const refused = dialogOf(await accept(CAROL, 'Technical', 'fine by me'));
    expect(JSON.stringify(refused)).toContain('Only technical can accept the breaches as technical');
    expect(await count(id, 'BreachAcceptanceGiven')).toBe(0);

    expect((await accept(BOB, 'Technical', 'Error rate back under 1%')).body).toMatchObject({
      task: { type: 'message' },
    });
    await world.rootWhen(
      id,
      'technical accepted',
      (card) => !actionsOf(card).some((a) => a.title === 'Accept and keep as Technical…'),
    );
    expect((await accept(DAVE, 'Business', 'No customer complaints')).body).toMatchObject({
      task: { type: 'message', value: expect.stringContaining('is verified') },
    });
    await waitFor('breaches accepted', async () => (await world.eventTypes(id)).includes('BreachesAccepted'));
    await world.rootWhen(id, 'sign-off offered', (card) => hasVerb(card, 'hotfix.sign-off'));
    await world.replyWhen(id, 'the verified line', (r) =>
      /verified with 1 breach, accepted by Bob Baker \(technical\), Dave Dunn \(business\)/i.test(
        firstSummary(r),
      ),
    );
    await expectCardCurrent(id);
    await expectThreadExact(id);
  }, 120_000);

  it('counts concurrent identical Action.Execute invokes once: eight clicks of Approve at once, eight deliveries of one click at once', async () => {
    const id = await startHotfix();
    await tickAll(id, ALICE);
    const root = rootId(id);

    // Bob's Approve, clicked eight times before the first answer came back: one approval.
    const clicks = await Promise.all(
      Array.from({ length: 8 }, () =>
        world.click({ user: BOB, activityId: root, verb: 'hotfix.approve', match: { role: 'technical' } }),
      ),
    );
    const notices = clicks.map((c) => noticeOf(answer(c)));
    expect(notices.filter((n) => n === undefined)).toHaveLength(1);
    for (const notice of notices.filter((n) => n !== undefined))
      expect(notice).toContain('You already approved');
    expect(await count(id, 'PlanApproved')).toBe(1);

    // Carol's click, delivered eight times at once (one activity id, as Teams retries it): one approval.
    const carolApprove = actionsOf(cardOf(world.standIn.activity(root) as StandInActivity)).find(
      (a) => a.verb === 'hotfix.approve' && a.data?.role === 'management',
    );
    const probe = await world.click({
      user: CAROL,
      activityId: root,
      verb: 'hotfix.approve',
      match: { role: 'technical' },
    });
    expect(noticeOf(answer(probe))).toContain('Nothing was changed');
    const value = probe.activity.value as { action: Record<string, unknown> };
    const once = {
      ...probe.activity,
      id: `${String(probe.activity.id)}-management`,
      value: { ...value, action: { ...value.action, data: carolApprove?.data } },
    };
    const deliveries = await Promise.all(
      Array.from({ length: 8 }, () => world.delivery.raw({ activity: once })),
    );
    const carol = deliveries.map((d) => noticeOf(answer(d)));
    expect(carol.filter((n) => n === undefined)).toHaveLength(1);
    for (const notice of carol.filter((n) => n !== undefined)) expect(notice).toContain('already handled');
    expect(await count(id, 'PlanApproved')).toBe(2);

    // The thread says each approval once.
    await world.rootWhen(id, 'Deploy offered', (card) => hasVerb(card, 'hotfix.deploy'));
    await expectThreadExact(id);
  }, 60_000);

  it('a 429 storm in the incident channel while a hotfix starts and moves: the card and the thread catch up exactly once it passes', async () => {
    const { replyId, data } = await openPlanDialog(ALICE);
    // From here the bot's calls in the channel are refused for a while (Retry-After: 1 s), its threads too.
    const storm = 10;
    const before = world.standIn.calls.length;
    world.standIn.failNext({ status: 429, retryAfter: 1 }, { conversation: INCIDENTS }, storm);
    const submitted = await world.delivery.taskSubmit({
      user: ALICE,
      activityId: replyId,
      data: { ...data, ...VALID_PLAN },
    });
    const id = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0] ?? '';
    const root = (await waitFor(`${id}'s thread`, () => world.root(id), 30_000)).id;

    await tickAll(id, ALICE);
    for (const [user, role] of [
      [BOB, 'technical'],
      [CAROL, 'management'],
    ] as const)
      expect(
        noticeOf(
          answer(await world.click({ user, activityId: root, verb: 'hotfix.approve', match: { role } })),
        ),
      ).toBeUndefined();
    // A typed command during the storm: logged, and Bob is told so.
    const issue = await world.delivery.mention({
      user: BOB,
      text: `issue ${id} checkout slow`,
      channel: INCIDENTS,
    });
    expect(issue.status).toBe(200);
    await waitFor('the issue logged', async () => (await count(id, 'IssueLogged')) === 1);
    const told = await waitFor(
      'the answer to Bob',
      () => botActivities().find((a) => a.threadId === issue.activity.id && a.id !== issue.activity.id),
      30_000,
    );
    expect(told.activity.text).toBe(`Bob Baker — 📝 Logged on ${id}.`);

    // Every refusal was met, then waited out: nothing lost, nothing doubled, the card on the last state.
    await waitFor(
      'the storm to pass',
      () => world.standIn.calls.slice(before).filter((c) => c.status === 429).length >= storm,
      30_000,
    );
    await expectThreadExact(id);
    await expectCardCurrent(id);
    expect(
      world.standIn.activities(INCIDENTS).filter((a) => a.threadId === a.id && firstSummary(a).includes(id)),
    ).toHaveLength(1);
  }, 90_000);

  it('a typed command whose answer Teams refuses: recorded once, and never answered with "went wrong while recording"', async () => {
    const id = await startHotfix();
    // Teams refuses the bot's answer to Bob's command (the thread was, say, deleted meanwhile).
    const off = world.standIn.on('posted', (activity) => {
      if (activity.author === BOB)
        world.standIn.failNext(
          { status: 404, code: 'ConversationNotFound' },
          { conversation: threadConversationId(INCIDENTS, activity.id) },
        );
    });
    let issue: Delivered;
    try {
      issue = await world.delivery.mention({
        user: BOB,
        text: `issue ${id} checkout slow`,
        channel: INCIDENTS,
      });
    } finally {
      off();
    }
    await waitFor('the command handled', () => world.handled(issue.activity));
    expect(await count(id, 'IssueLogged')).toBe(1);
    expect(
      world.standIn.calls
        .filter((c) => c.conversation === threadConversationId(INCIDENTS, String(issue.activity.id)))
        .map((c) => c.status),
    ).toEqual([404]);
  }, 60_000);
});
