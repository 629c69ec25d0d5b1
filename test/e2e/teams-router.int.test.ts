import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../src/main/serve.ts';
import { startAppServer } from '../../src/main/serve.ts';
import { loadSettings } from '../../src/main/runtime.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import type {
  Delivered,
  StandInActivity,
  TeamsDelivery,
  TeamsStandIn,
} from '../../src/teams-stand-in/index.ts';
import { createTeamsDelivery, createTeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { SHOW_RECORD } from '../../src/bot/teams/cards/record.ts';
import { validateCard } from '../bot/teams/cards/validate-card.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';

const APP_ID = '0b7d5e2a-6c1f-4d3b-8a9e-5f2c7d1e3a40';
const BOT_TOKEN = 'teams-router-e2e-token';
const GENERAL = '19:general7e6d5c4b3a21@thread.tacv2';
const INCIDENTS = '19:incidents1a2b3c4d5e6f@thread.tacv2';
/** Alice (technical) plans; Bob (technical) and Carol (management) approve; Dave is in the team, not in hotfix.yml. */
const ALICE = '11111111-aaaa-4aaa-8aaa-111111111111';
const BOB = '22222222-bbbb-4bbb-8bbb-222222222222';
const CAROL = '33333333-cccc-4ccc-8ccc-333333333333';
const DAVE = '44444444-dddd-4ddd-8ddd-444444444444';

const CONFIG = `
timezone: UTC
teams: { incident_channel: '${INCIDENTS}' }
people:
  technical: { teams: [${ALICE}, ${BOB}] }
  management: { teams: [${CAROL}] }
policy:
  approvals: { technical: 1, management: 1 }
checklists:
  code_readiness: [Tests passed, Code reviewed]
  environment_readiness: [Tool access]
services:
  api:
    deploy:
      execution:
        - { name: deploy, run: [test/fixtures/pipeline/step.sh, deploy] }
    rollback:
      execution:
        - { name: revert, run: [test/fixtures/pipeline/step.sh, revert] }
`;

const redisServer = useRedisServer();
let standIn: TeamsStandIn;
let delivery: TeamsDelivery;
let app: AppServer;
let dir: string;
let prefix: string;
let store: ReturnType<typeof createRedisEventStore>;
/** Every card the bot answered or posted, to check each against the schema and Teams' host config. */
const cards: unknown[] = [];

beforeAll(async () => {
  standIn = createTeamsStandIn({
    tenant: {
      tenantId: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a',
      bot: { appId: APP_ID },
      team: { id: GENERAL, name: 'Payments', aadGroupId: '55555555-eeee-4eee-8eee-555555555555' },
      channels: [{ id: INCIDENTS, name: 'incidents' }],
      users: [
        { aadObjectId: ALICE, name: 'Alice Archer', email: 'alice@example.com' },
        { aadObjectId: BOB, name: 'Bob Baker', email: 'bob@example.com' },
        { aadObjectId: CAROL, name: 'Carol Cruz', email: 'carol@example.com' },
        { aadObjectId: DAVE, name: 'Dave Dunn', email: 'dave@example.com' },
      ],
    },
    botToken: BOT_TOKEN,
  });
  await standIn.start();
  dir = await mkdtemp(join(tmpdir(), 'hotfix-teams-router-'));
  await writeFile(join(dir, 'hotfix.yml'), CONFIG);
  prefix = uniquePrefix('teams-router');
  const settings = await loadSettings({
    PORT: String(await freePort()),
    REDIS_URL: redisServer().url,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: join(dir, 'hotfix.yml'),
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    HOTFIX_TEAMS_OPENID_METADATA_URL: standIn.openIdMetadataUrl,
    LOG_LEVEL: 'silent',
  });
  app = await startAppServer({
    settings,
    processEnv: {},
    botToken: '',
    teams: { outboundToken: BOT_TOKEN },
    worker: false,
    notifier: false,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
  });
  delivery = createTeamsDelivery({ standIn, url: `http://127.0.0.1:${app.port}/api/messages` });
  store = createRedisEventStore({ redis: redisServer().connect(), prefix, auditKey: TEST_AUDIT_KEY });
}, 30_000);

afterAll(async () => {
  await app?.close();
  await standIn?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Every card a test saw (answers, replies, dialogs) must be one Teams renders.
afterEach(() => {
  const seen = cards.splice(0);
  expect(seen.length).toBeGreaterThan(0);
  for (const card of seen) expect(validateCard(card)).toEqual([]);
});

const eventTypes = async (hotfixId: string) => (await store.load(hotfixId)).events.map((e) => e.event.type);

interface Card {
  readonly body: unknown[];
  readonly actions?: { type: string; title: string; data?: Record<string, unknown> }[];
}

/** The bot's activities in a conversation after `since` of them. */
const botActivities = (conversation: string) =>
  standIn.activities(conversation).filter((a) => a.author === 'bot');

const cardOf = (activity: StandInActivity): Card => {
  const [attachment] = (activity.activity.attachments ?? []) as { content: Card }[];
  if (!attachment) throw new Error(`activity ${activity.id} holds no card`);
  cards.push(attachment.content);
  return attachment.content;
};

/** Waits for the bot's next activity in `conversation` that `probe` accepts (after `seen` of them). */
const nextBotActivity = (conversation: string, seen: number, probe: (a: StandInActivity) => boolean) =>
  waitFor('the bot to answer', () => botActivities(conversation).slice(seen).find(probe));

/** An `Action.Execute` answer's card (`value`), kept for the validity check. */
const answeredCard = (answer: Delivered): Card => {
  expect(answer.status).toBe(200);
  const body = answer.body as { statusCode: number; type: string; value: Card };
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  cards.push(body.value);
  return body.value;
};

const noticeOf = (card: Card): string | undefined => {
  const [first] = card.body as { type: string; style?: string; items?: { text: string }[] }[];
  return first?.type === 'Container' && first.style === 'attention' ? first.items?.[0]?.text : undefined;
};

/** `@hotfix status <id>` in the channel: the hotfix card, posted in the thread for buttons to be clicked on. */
const statusCard = async (hotfixId: string, user = ALICE): Promise<StandInActivity> => {
  const seen = botActivities(INCIDENTS).length;
  expect((await delivery.mention({ user, text: `status ${hotfixId}`, channel: INCIDENTS })).status).toBe(200);
  const posted = await nextBotActivity(INCIDENTS, seen, (a) => a.activity.attachments !== undefined);
  cardOf(posted);
  return posted;
};

type DialogAnswer = { task: { type: string; value: { title: string; card: { content: Card } } | string } };

/** Opens the plan dialog from `@hotfix start` and returns the submit's data and the start card's id. */
const openPlanDialog = async (user = ALICE) => {
  const seen = botActivities(INCIDENTS).length;
  await delivery.mention({ user, text: 'start INC-42', channel: INCIDENTS });
  const start = await nextBotActivity(INCIDENTS, seen, (a) => a.activity.attachments !== undefined);
  const button = cardOf(start).actions?.[0];
  expect(button).toMatchObject({ type: 'Action.Submit', data: { msteams: { type: 'task/fetch' } } });
  const fetched = await delivery.submit({ user, activityId: start.id, action: button?.title ?? '' });
  const answer = fetched.body as DialogAnswer;
  expect(answer.task.type).toBe('continue');
  if (typeof answer.task.value === 'string') throw new Error('no dialog');
  const dialog = answer.task.value.card.content;
  cards.push(dialog);
  return { startId: start.id, dialog, submitData: dialog.actions?.[0]?.data ?? {} };
};

const validPlan = {
  plan_issue_id: 'INC-42',
  plan_version: '2.4.1',
  plan_previous_version: '2.4.0',
  plan_summary: 'Fix the checkout total rounding',
  plan_severity: 'high',
  plan_services: 'api',
  plan_code_changes: 'PR #981 rounding fix',
};

/** A plan dialog submitted valid: the new hotfix's id. */
const startHotfix = async (): Promise<{ hotfixId: string; submitted: Delivered }> => {
  const { startId, submitData } = await openPlanDialog();
  const submitted = await delivery.taskSubmit({
    user: ALICE,
    activityId: startId,
    data: { ...submitData, ...validPlan },
  });
  const answer = submitted.body as DialogAnswer;
  expect(answer.task.type).toBe('message');
  const hotfixId = /HF-\d+/.exec(String(answer.task.value))?.[0] ?? '';
  expect(hotfixId).not.toBe('');
  return { hotfixId, submitted };
};

const tickAll = async (cardId: string) => {
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const)
    for (let index = 0; index < count; index++) {
      // Teams merges a card's inputs over the button's data: the same toggle, aimed at each item.
      const card = answeredCard(
        await delivery.execute({
          user: ALICE,
          activityId: cardId,
          verb: 'hotfix.toggle-item',
          inputs: { checklist, index, ticked: false },
        }),
      );
      expect(noticeOf(card)).toBeUndefined();
    }
};

describe('Teams router, end to end through /api/messages', () => {
  it('runs a hotfix from @hotfix start to deploy: dialog with a field error, toggles, a refused self-approval, approvals (a double click counted once), deploy', async () => {
    const { startId, dialog, submitData } = await openPlanDialog();
    expect(JSON.stringify(dialog)).toContain('INC-42');
    expect(submitData).toMatchObject({ verb: 'hotfix.submit-form', form: 'plan' });

    // A field left empty: the dialog stays open with the error under it, and nothing is started.
    const invalid = await delivery.taskSubmit({
      user: ALICE,
      activityId: startId,
      data: { ...submitData, ...validPlan, plan_version: '' },
    });
    const kept = invalid.body as DialogAnswer;
    expect(kept.task.type).toBe('continue');
    if (typeof kept.task.value === 'string') throw new Error('the dialog closed');
    cards.push(kept.task.value.card.content);
    expect(JSON.stringify(kept.task.value.card.content)).toMatch(/⚠️[^"]*version/i);
    expect(await store.listOpen()).toEqual([]);

    // Valid: the hotfix starts and the dialog closes with a message; submitting the same dialog again (a
    // double click, another activity id) lands on the same hotfix.
    const valid = await delivery.taskSubmit({
      user: ALICE,
      activityId: startId,
      data: { ...submitData, ...validPlan },
    });
    expect(valid.body).toMatchObject({ task: { type: 'message', value: expect.stringContaining('HF-') } });
    const hotfixId = /HF-\d+/.exec(JSON.stringify(valid.body))?.[0] ?? '';
    await delivery.taskSubmit({ user: ALICE, activityId: startId, data: { ...submitData, ...validPlan } });
    expect(await store.listOpen()).toEqual([hotfixId]);
    expect(await eventTypes(hotfixId)).toEqual(['HotfixStarted']);

    const card = await statusCard(hotfixId);
    await tickAll(card.id);
    expect((await eventTypes(hotfixId)).filter((t) => t === 'ChecklistItemTicked')).toHaveLength(3);

    // Alice wrote the plan: her approval is refused, shown on her answer card alone.
    const selfApproval = answeredCard(
      await delivery.execute({
        user: ALICE,
        activityId: card.id,
        verb: 'hotfix.approve',
        inputs: { role: 'technical' },
      }),
    );
    expect(noticeOf(selfApproval)).toMatch(/🔒.*Nothing was changed/);
    expect(standIn.activity(card.id)?.history).toEqual([]);
    expect(await eventTypes(hotfixId)).not.toContain('PlanApproved');

    // Bob double-clicks Approve: two invokes at once, one approval; the second hears it was already given.
    const [first, second] = await Promise.all(
      [1, 2].map(() =>
        delivery.execute({
          user: BOB,
          activityId: card.id,
          verb: 'hotfix.approve',
          inputs: { role: 'technical' },
        }),
      ),
    );
    const notices = [answeredCard(first as Delivered), answeredCard(second as Delivered)].map(noticeOf);
    expect(notices.filter((n) => n === undefined)).toHaveLength(1);
    expect(notices.find((n) => n !== undefined)).toContain('You already approved');
    const carol = await delivery.execute({
      user: CAROL,
      activityId: card.id,
      verb: 'hotfix.approve',
      inputs: { role: 'management' },
    });
    expect(noticeOf(answeredCard(carol))).toBeUndefined();
    expect((await eventTypes(hotfixId)).filter((t) => t === 'PlanApproved')).toHaveLength(2);

    // Teams delivers Carol's click again (same activity id): no second effect, the current card for her.
    const again = await delivery.raw({ activity: carol.activity });
    expect(noticeOf(answeredCard(again))).toContain('already handled');
    expect((await eventTypes(hotfixId)).filter((t) => t === 'PlanApproved')).toHaveLength(2);

    // The gates hold: a fresh card offers Deploy (behind its confirmation), and the click requests it.
    const ready = await statusCard(hotfixId);
    const deployed = answeredCard(
      await delivery.execute({ user: ALICE, activityId: ready.id, verb: 'hotfix.deploy' }),
    );
    expect(noticeOf(deployed)).toBeUndefined();
    expect(await eventTypes(hotfixId)).toContain('DeployRequested');
  });

  it('gives a redelivered dialog submission no second effect', async () => {
    const { hotfixId, submitted } = await startHotfix();
    const open = await store.listOpen();
    const again = await delivery.raw({ activity: submitted.activity });
    expect(again.body).toMatchObject({
      task: { type: 'message', value: expect.stringContaining('already') },
    });
    expect(await store.listOpen()).toEqual(open);
    expect(await eventTypes(hotfixId)).toEqual(['HotfixStarted']);
  });

  it('refuses someone who is not in hotfix.yml, on the card and in the thread, and changes nothing', async () => {
    const { hotfixId } = await startHotfix();
    const card = await statusCard(hotfixId);
    const refused = answeredCard(
      await delivery.execute({ user: DAVE, activityId: card.id, verb: 'hotfix.toggle-item' }),
    );
    expect(noticeOf(refused)).toContain('not in hotfix.yml');
    expect(noticeOf(refused)).toContain(DAVE);
    const seen = botActivities(INCIDENTS).length;
    await delivery.mention({ user: DAVE, text: `issue ${hotfixId} it is broken`, channel: INCIDENTS });
    const told = await nextBotActivity(INCIDENTS, seen, (a) => typeof a.activity.text === 'string');
    expect(told.activity.text).toMatch(/^Dave Dunn — You are not in hotfix\.yml/);
    expect(told.activity.text).not.toContain('<at>');
    expect(await eventTypes(hotfixId)).toEqual(['HotfixStarted']);
  });

  it('answers typed commands: issue, list in a 1:1 chat, record as one card, a usage problem', async () => {
    const { hotfixId } = await startHotfix();
    let seen = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `issue ${hotfixId} checkout slow`, channel: INCIDENTS });
    const logged = await nextBotActivity(INCIDENTS, seen, () => true);
    expect(logged.activity.text).toBe(`Bob Baker — 📝 Logged on ${hotfixId}.`);
    expect(await eventTypes(hotfixId)).toContain('IssueLogged');

    await delivery.personal({ user: BOB, text: 'list' });
    const chat = standIn.personalConversation(BOB).id;
    const list = await waitFor('the list', () => botActivities(chat).at(0));
    expect(JSON.stringify(cardOf(list))).toContain(hotfixId);

    seen = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `record ${hotfixId}`, channel: INCIDENTS });
    const record = await nextBotActivity(INCIDENTS, seen, () => true);
    expect(JSON.stringify(cardOf(record).body)).toContain('Deployment record');
    expect(cardOf(record).actions).toEqual([
      expect.objectContaining({ type: 'Action.ShowCard', title: SHOW_RECORD }),
    ]);
    expect(JSON.stringify(cardOf(record).actions)).toContain('monospace');

    await delivery.mention({ user: BOB, text: 'frobnicate', channel: INCIDENTS });
    const usage = await nextBotActivity(INCIDENTS, seen + 1, () => true);
    expect(usage.activity.text).toContain("I don't know `@hotfix frobnicate`");
    // The record was one message: the next one is the answer to the next command.
    expect(botActivities(INCIDENTS).slice(seen)).toEqual([record, usage]);
  });

  it("does the same through a button's Action.Submit fallback, answering a refusal in the thread", async () => {
    const { hotfixId } = await startHotfix();
    const card = await statusCard(hotfixId);
    const seen = botActivities(INCIDENTS).length;
    const self = await delivery.submit({ user: ALICE, activityId: card.id, action: 'Approve as Technical' });
    expect(self.status).toBe(200);
    const told = await nextBotActivity(INCIDENTS, seen, () => true);
    expect(told.activity.text).toMatch(/^Alice Archer — 🔒 .*Nothing was changed\.$/);
    await delivery.submit({ user: BOB, activityId: card.id, action: 'Approve as Technical' });
    await waitFor('Bob’s approval', async () => (await eventTypes(hotfixId)).includes('PlanApproved'));
  });

  it('gives a redelivered typed command no second effect', async () => {
    const { hotfixId } = await startHotfix();
    const seen = botActivities(INCIDENTS).length;
    const first = await delivery.mention({ user: BOB, text: `issue ${hotfixId} first`, channel: INCIDENTS });
    await nextBotActivity(INCIDENTS, seen, () => true);
    expect((await delivery.raw({ activity: first.activity })).status).toBe(200);
    // A later command is handled after the redelivery was looked at: by then a second effect would show.
    await delivery.mention({ user: BOB, text: `issue ${hotfixId} second`, channel: INCIDENTS });
    await waitFor('the second issue', async () =>
      (await store.load(hotfixId)).events.some((e) => JSON.stringify(e.event).includes('second')),
    );
    // Its answer is posted after the issue is stored: wait for it rather than race it.
    await waitFor('the answer to the second', () => botActivities(INCIDENTS).length >= seen + 2);
    const issues = (await store.load(hotfixId)).events.filter((e) => e.event.type === 'IssueLogged');
    expect(issues.map((e) => JSON.stringify(e.event).includes('first'))).toEqual([true, false]);
    expect(
      botActivities(INCIDENTS)
        .slice(seen)
        .map((a) => a.activity.text),
    ).toEqual([`Bob Baker — 📝 Logged on ${hotfixId}.`, `Bob Baker — 📝 Logged on ${hotfixId}.`]);
  });

  it('refuses a cancel before its dialog opens once the hotfix cannot be cancelled, even from an older button', async () => {
    const { hotfixId } = await startHotfix();
    // While planning, @hotfix cancel offers the dialog's button.
    const seen = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `cancel ${hotfixId}`, channel: INCIDENTS });
    const offer = await nextBotActivity(INCIDENTS, seen, (a) => a.activity.attachments !== undefined);
    const button = cardOf(offer).actions?.[0];
    expect(button?.title).toBe('Cancel hotfix');
    // Cancelled with a typed reason; then the older button and a new @hotfix cancel are answered at once.
    const typed = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `cancel ${hotfixId} duplicate`, channel: INCIDENTS });
    await nextBotActivity(INCIDENTS, typed, (a) => String(a.activity.text).includes('is cancelled'));
    const fetched = await delivery.submit({ user: BOB, activityId: offer.id, action: button?.title ?? '' });
    expect((fetched.body as DialogAnswer).task).toEqual({
      type: 'message',
      value: `${hotfixId} is already cancelled.`,
    });
    const again = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `cancel ${hotfixId}`, channel: INCIDENTS });
    const answer = await nextBotActivity(INCIDENTS, again, () => true);
    expect(answer.activity.attachments ?? []).toEqual([]);
    expect(answer.activity.text).toContain(`${hotfixId} is already cancelled.`);
    expect((await eventTypes(hotfixId)).filter((t) => t === 'HotfixCancelled')).toHaveLength(1);
  });

  it('rejects through the reject dialog, and opens the rollback dialog from a typed rollback without a trigger', async () => {
    const { hotfixId } = await startHotfix();
    const card = await statusCard(hotfixId);
    const fetched = await delivery.submit({ user: BOB, activityId: card.id, action: 'Reject as Technical…' });
    const answer = fetched.body as DialogAnswer;
    if (typeof answer.task.value === 'string') throw new Error(answer.task.value);
    const dialog = answer.task.value.card.content;
    cards.push(dialog);
    const data = dialog.actions?.[0]?.data ?? {};
    expect(data).toMatchObject({ form: 'reject', hotfixId, role: 'technical' });
    const empty = await delivery.taskSubmit({
      user: BOB,
      activityId: card.id,
      data: { ...data, reason_text: '' },
    });
    expect(empty.body).toMatchObject({ task: { type: 'continue' } });
    const rejected = await delivery.taskSubmit({
      user: BOB,
      activityId: card.id,
      data: { ...data, reason_text: 'No rollback plan for the database' },
    });
    expect(rejected.body).toMatchObject({
      task: { type: 'message', value: expect.stringContaining('rejected') },
    });
    expect(await eventTypes(hotfixId)).toContain('PlanRejected');

    const seen = botActivities(INCIDENTS).length;
    await delivery.mention({ user: BOB, text: `rollback ${hotfixId} it looks wrong`, channel: INCIDENTS });
    const prompt = await nextBotActivity(INCIDENTS, seen, () => true);
    const button = cardOf(prompt).actions?.[0];
    const rollback = await delivery.submit({ user: BOB, activityId: prompt.id, action: button?.title ?? '' });
    const opened = rollback.body as DialogAnswer;
    if (typeof opened.task.value === 'string') throw new Error(opened.task.value);
    cards.push(opened.task.value.card.content);
    expect(opened.task.value.card.content.actions?.[0]?.data).toMatchObject({ form: 'rollback', hotfixId });
  });
});
