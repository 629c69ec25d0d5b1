import { afterAll, describe, expect, it } from 'vitest';
import { notifierKeys } from '../../src/notify/notifier.ts';
import type { Delivered, StandInActivity } from '../../src/teams-stand-in/index.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { Card, TeamsWorld } from './teams-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  GENERAL,
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
const worlds: TeamsWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

const step = (name: string) =>
  `{ name: ${name}, run: [test/fixtures/pipeline/step.sh, ${name}], secret_env: [STEP_LOG, STEP_FAIL] }`;

const AUTOMATED = ['backup', 'snapshot', 'migrate', 'deploy', 'smoke', 'warm'];

/** Six automated steps over the three stages and a manual one: the pipeline of issue 16's count (as on Slack). */
const sixStepsAndAManualOne = (text: string) =>
  text.replace(
    / {4}deploy:\n[\s\S]*?(?= {4}rollback:)/,
    `    deploy:
      preparation:
        - ${step('backup')}
        - ${step('snapshot')}
      execution:
        - ${step('migrate')}
        - ${step('deploy')}
      verification:
        - ${step('smoke')}
        - ${step('warm')}
        - { name: orders, manual: Place a test order, roles: [technical] }
`,
  );

const startWorld = async (more: (text: string) => string = (text) => text) => {
  const world = await startTeamsWorld(redisServer().url, () => redisServer().connect(), {
    config: (text) => more(sixStepsAndAManualOne(text)),
  });
  worlds.push(world);
  return world;
};

const hasVerb = (card: Card, verb: string) => actionsOf(card).some((a) => a.verb === verb);

/** A click that worked: answered with the card, no refusal on top. */
const worked = (delivered: Delivered): Delivered => {
  expect(delivered.status).toBe(200);
  expect(noticeOf((delivered.body as { value: Card }).value)).toBeUndefined();
  return delivered;
};

type DialogAnswer = { task: { type: string; value: { card: { content: Card } } | string } };

/** `@hotfix start INC-42`, the answer's button, a valid plan in the dialog: the hotfix's id once its thread is open. */
const startHotfix = async (world: TeamsWorld): Promise<string> => {
  const mention = await world.delivery.mention({ user: ALICE, text: 'start INC-42', channel: INCIDENTS });
  const reply = await waitFor('the answer to @hotfix start', () =>
    world.standIn
      .activities(INCIDENTS)
      .find((a) => a.author === 'bot' && a.threadId === mention.activity.id && a.id !== mention.activity.id),
  );
  const button = cardOf(reply).actions?.[0];
  const fetched = await world.delivery.submit({
    user: ALICE,
    activityId: reply.id,
    action: button?.title ?? '',
  });
  const { task } = fetched.body as DialogAnswer;
  if (typeof task.value === 'string') throw new Error(`no dialog: ${task.value}`);
  const submitted = await world.delivery.taskSubmit({
    user: ALICE,
    activityId: reply.id,
    data: { ...(task.value.card.content.actions?.[0]?.data ?? {}), ...VALID_PLAN },
  });
  const id = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0];
  if (!id) throw new Error(`no hotfix id in ${JSON.stringify(submitted.body)}`);
  await waitFor(`${id}'s thread`, () => world.root(id), 30_000);
  return id;
};

const rootId = (world: TeamsWorld, id: string) => {
  const root = world.root(id);
  if (!root) throw new Error(`no thread for ${id}`);
  return root.id;
};

/** Every readiness item ticked and the plan approved by Bob (technical) and Carol (management). */
const approve = async (world: TeamsWorld, id: string) => {
  const root = rootId(world, id);
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const)
    for (let index = 0; index < count; index++)
      worked(
        await world.click({
          user: ALICE,
          activityId: root,
          verb: 'hotfix.toggle-item',
          match: { checklist, index },
        }),
      );
  for (const [user, role] of [
    [BOB, 'technical'],
    [CAROL, 'management'],
  ] as const)
    worked(await world.click({ user, activityId: root, verb: 'hotfix.approve', match: { role } }));
  await world.rootWhen(id, 'Deploy offered', (card) => hasVerb(card, 'hotfix.deploy'));
};

/** Deploy, the manual step confirmed on its prompt, monitoring until the window closes. */
const deployAndVerify = async (world: TeamsWorld, id: string): Promise<Delivered> => {
  const deploy = worked(
    await world.click({ user: ALICE, activityId: rootId(world, id), verb: 'hotfix.deploy' }),
  );
  const prompt = await world.replyWhen(id, 'the manual step prompt', (r) =>
    hasVerb(cardOf(r), 'hotfix.step-confirm'),
  );
  worked(await world.click({ user: BOB, activityId: prompt.id, verb: 'hotfix.step-confirm' }));
  await waitFor(
    'verified',
    async () => (await world.eventTypes(id)).includes('MonitoringWindowClosed'),
    40_000,
  );
  await world.rootWhen(id, 'sign-off offered', (card) => hasVerb(card, 'hotfix.sign-off'));
  return deploy;
};

/** Both sign-offs and the close, until the record (the thread's last reply) is in. */
const signOffAndClose = async (world: TeamsWorld, id: string) => {
  const root = rootId(world, id);
  worked(
    await world.click({ user: BOB, activityId: root, verb: 'hotfix.sign-off', match: { role: 'technical' } }),
  );
  await world.rootWhen(id, 'business sign-off offered', (card) =>
    actionsOf(card).some((a) => a.verb === 'hotfix.sign-off' && a.data?.role === 'business'),
  );
  worked(
    await world.click({ user: DAVE, activityId: root, verb: 'hotfix.sign-off', match: { role: 'business' } }),
  );
  await world.rootWhen(id, 'Close offered', (card) => hasVerb(card, 'hotfix.close'));
  worked(await world.click({ user: ALICE, activityId: root, verb: 'hotfix.close' }));
  await world.replyWhen(id, 'the record', (r) => firstSummary(r).startsWith(`Deployment record of ${id}:`));
  await world.rootWhen(id, 'closed', (card) => JSON.stringify(card).includes('Closed'));
};

/** Every version of a reply (as first posted and as edited), as text. */
const everyVersion = (reply: StandInActivity): string =>
  [...reply.history.map((v) => v.activity), reply.activity].map((a) => JSON.stringify(a)).join('\n');

/** The replies the notifier owes the hotfix's events, each once, and no other. */
const expectThreadExact = async (world: TeamsWorld, id: string) => {
  const { summaries } = await world.expectedReplies(id);
  await waitFor(`${id}'s thread to catch up`, () => world.replies(id).length >= summaries.length, 60_000);
  expect(world.replies(id).map(firstSummary)).toEqual(summaries);
};

/** A whole hotfix, start to record, and its thread exactly as its events say; its id. */
const playWholeHotfix = async (world: TeamsWorld): Promise<string> => {
  const id = await startHotfix(world);
  await approve(world, id);
  await deployAndVerify(world, id);
  await signOffAndClose(world, id);
  await expectThreadExact(world, id);
  return id;
};

describe('Teams: a quiet thread, what people must see or act on, one reply per command', () => {
  it('a hotfix of six steps and a manual step posts at most 13 replies in its thread (as many as Slack), none of them an automated step', async () => {
    const world = await startWorld();
    const id = await playWholeHotfix(world);

    const replies = world.replies(id);
    const summaries = replies.map(firstSummary);
    // Measured: 13, as on Slack (the start calling the approvers, two approvals, the deploy, three stages with
    // their gates and the start of monitoring, the manual step's prompt mentioning who may confirm it, the
    // window closed, two sign-offs, the close, and the record: its summary with the Markdown behind a button).
    expect(replies.length, summaries.join('\n')).toBeLessThanOrEqual(13);
    // Left to the card: no automated step's start or success in any version of a line (the record, which
    // tells the whole story, aside); no ticks, no lock.
    const lines = replies
      .filter((r) => !firstSummary(r).startsWith(`Deployment record of ${id}`))
      .map(everyVersion)
      .join('\n');
    for (const name of AUTOMATED) expect(lines).not.toMatch(new RegExp(`step “${name}”`));
    expect(lines).not.toMatch(/\b(ticked|lock granted)\b/i);
    // The card has every step.
    const card = JSON.stringify(cardOf(world.root(id)!));
    for (const name of [...AUTOMATED, 'orders']) expect(card).toContain(name);
    // What people must see is there.
    const text = summaries.join('\n').toLowerCase();
    for (const milestone of ['approved', 'stage passed', 'gate passed', 'signed off', 'closed'])
      expect(text).toContain(milestone);
  }, 150_000);

  it('thread.step_lines: true brings a reply back for every step start and success', async () => {
    const world = await startWorld((text) => `${text}\nthread: { step_lines: true }\n`);
    const id = await playWholeHotfix(world);
    const replies = world.replies(id);
    const all = replies.map(firstSummary).join('\n');
    for (const name of AUTOMATED) {
      expect(all).toMatch(new RegExp(`Started \\w+ step “${name}”`));
      expect(all).toMatch(new RegExp(`step “${name}” \\(api\\) succeeded`));
    }
    expect(all).toMatch(/ticked/);
    expect(replies.length).toBeGreaterThan(15);
  }, 150_000);
});

describe('Teams: stakeholders (teams.notify) hear three things, each once', () => {
  it('the start, the deploy and the outcome with the incident thread linked; neither a redelivery nor a resync posts one again', async () => {
    const world = await startWorld((text) =>
      text.replace(
        `teams: { incident_channel: '${INCIDENTS}' }`,
        `teams: { incident_channel: '${INCIDENTS}', notify: ['${GENERAL}'] }`,
      ),
    );
    const notices = () => world.standIn.activities(GENERAL).filter((a) => a.author === 'bot');
    const id = await startHotfix(world);
    await approve(world, id);
    const deploy = await deployAndVerify(world, id);
    await waitFor('the outcome notice', () => notices().length >= 3);

    // Teams delivers the Deploy click again (same activity id): already handled, nothing recorded or posted.
    const again = await world.delivery.raw({ activity: deploy.activity });
    expect(noticeOf((again.body as { value: Card }).value)).toContain('already handled');
    expect((await world.eventTypes(id)).filter((t) => t === 'DeployRequested')).toHaveLength(1);

    // The notifier's progress is lost (as after Redis restored from an older file): the next sync replays
    // every event of the hotfix, and each notice is found already posted.
    const redis = redisServer().connect();
    const progress = notifierKeys(world.prefix, 'teams').progressKey(id);
    const version = (await world.eventTypes(id)).length;
    await waitFor(
      'the thread caught up',
      async () => Number(await redis.hget(progress, 'posted')) >= version,
    );
    await redis.hset(progress, { posted: 0, covered: 0 });
    await signOffAndClose(world, id);
    await expectThreadExact(world, id);
    redis.disconnect();

    const posted = notices();
    expect(posted.map(firstSummary)).toEqual([
      `🔥 Hotfix ${id} started: ${VALID_PLAN.plan_summary}`,
      `🚀 Hotfix ${id}: deploy started`,
      `✅ Hotfix ${id} is deployed and verified`,
    ]);
    // Each in a thread of its own, never edited.
    for (const notice of posted) {
      expect(notice.threadId).toBe(notice.id);
      expect(notice.history).toEqual([]);
    }
    expect(JSON.stringify(cardOf(posted[0]!))).toMatch(
      /Severity: high · Services: api · Issue INC-42, version 2\.4\.1 · Led by Alice Archer/,
    );
    // Only the outcome links the incident thread (its root, in the incident channel).
    const link = `https://teams.microsoft.com/l/message/${encodeURIComponent(INCIDENTS)}/${encodeURIComponent(rootId(world, id))}?parentMessageId=`;
    expect(JSON.stringify(cardOf(posted[2]!))).toContain(link);
    expect(JSON.stringify(cardOf(posted[2]!))).toContain('Open the incident thread');
    for (const notice of posted.slice(0, 2)) expect(JSON.stringify(cardOf(notice))).not.toContain(link);
  }, 150_000);
});
