import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  INCIDENTS,
  blockText,
  planValues,
  startSlackWorld,
  waitFor,
} from './slack-flow.ts';

const redisServer = useRedisServer();
const worlds: SlackWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

const step = (name: string) =>
  `{ name: ${name}, run: [test/fixtures/pipeline/step.sh, ${name}], secret_env: [STEP_LOG, STEP_FAIL] }`;

/** Six automated steps over the three stages and a manual one: the pipeline of issue 16's count. */
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

const startWorld = async (extra = '') => {
  const world = await startSlackWorld(redisServer().url, () => redisServer().connect(), {
    config: (text) => `${sixStepsAndAManualOne(text)}${extra}`,
  });
  worlds.push(world);
  return world;
};

/** A hotfix started through the real command and modal, its checklists ticked and its plan approved. */
const approvedHotfix = async (world: SlackWorld): Promise<string> => {
  const before = world.standIn.messages(INCIDENTS).length;
  await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-42' });
  const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
  await world.slack.submitView({ user: ALICE, viewId: modal.view.id, values: planValues() });
  world.standIn.views.clear(ALICE);
  const posted = await waitFor('the card', () =>
    world.standIn
      .messages(INCIDENTS)
      .slice(before)
      .find((m) => /HF-\d+ ·/.test(m.text)),
  );
  const id = /HF-\d+/.exec(posted.text)?.[0] ?? '';
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const)
    await act(world, id, ALICE, 'hotfix_tick', {
      blockPrefix: `hotfix_checklist:${id}:${checklist}:0`,
      selected: Array.from({ length: count }, (_, i) => String(i)),
    });
  await world.cardWhen(id, 'checklists ticked', (c) => blockText(c).includes('2/2 ✅'));
  await act(world, id, BOB, 'hotfix_approve');
  await act(world, id, CAROL, 'hotfix_approve:1');
  await world.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
  return id;
};

/** A click on the card (in the block whose id starts with `blockPrefix`, when given). */
const act = async (
  world: SlackWorld,
  id: string,
  user: string,
  actionId: string,
  { blockPrefix, selected }: { blockPrefix?: string; selected?: string[] } = {},
) => {
  const card = world.card(id);
  if (!card) throw new Error(`no card for ${id}`);
  const blockId = blockPrefix
    ? (card.blocks ?? [])
        .map((b) => (b as { block_id?: string }).block_id ?? '')
        .find((b) => b.startsWith(blockPrefix))
    : undefined;
  await world.slack.act({
    user,
    channel: INCIDENTS,
    ts: card.ts,
    actionId,
    ...(blockId ? { blockId } : {}),
    ...(selected ? { selected } : {}),
  });
};

/** The button on the card whose text is `label`. */
const actionLabelled = (card: StandInMessage | undefined, label: string): string | undefined =>
  (card?.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id?: string; text?: { text?: string } }[] }).elements ?? [])
    .find((e) => e.text?.text === label)?.action_id;

/** Deploy, the manual step confirmed, monitoring, both sign-offs and the close: until the record is posted. */
const deployToRecord = async (world: SlackWorld, id: string) => {
  await act(world, id, ALICE, 'hotfix_deploy');
  const prompt = await waitFor(
    'the manual step prompt',
    () => world.thread(id).find((m) => blockText(m).includes('hotfix_step_confirm')),
    20_000,
  );
  await world.slack.act({ user: BOB, channel: INCIDENTS, ts: prompt.ts, actionId: 'hotfix_step_confirm' });
  // The prompt itself says who confirmed: no line of its own.
  await waitFor('the prompt answered', () =>
    /Confirmed by/.test(blockText(world.standIn.message(INCIDENTS, prompt.ts)!)),
  );
  await waitFor(
    'verified',
    async () => (await world.eventTypes(id)).includes('MonitoringWindowClosed'),
    20_000,
  );
  await world.cardWhen(id, 'sign-off offered', (c) => blockText(c).includes('hotfix_sign_off'));
  await act(world, id, BOB, 'hotfix_sign_off');
  const business = await world.cardWhen(id, 'business sign-off', (c) =>
    blockText(c).includes('Sign off as Business'),
  );
  await act(world, id, DAVE, actionLabelled(business, 'Sign off as Business') ?? 'hotfix_sign_off');
  await world.cardWhen(id, 'Close offered', (c) => blockText(c).includes('hotfix_close'));
  await act(world, id, ALICE, 'hotfix_close');
  await waitFor('the record file', () =>
    world.standIn.files().find((f) => f.name.startsWith(id) && f.completed),
  );
  await world.cardWhen(id, 'closed', (c) => c.text.includes('Closed'));
  // The last post (the record's message) is in: the thread is complete.
  await waitFor('the record in the thread', () =>
    world.thread(id).some((m) => m.text.includes(`Deployment record of ${id}`)),
  );
};

describe('a quiet thread: what people must see or act on, one message per command', () => {
  it('a hotfix of six steps and a manual step posts at most 15 messages in its thread; a failure still posts its output', async () => {
    const world = await startWorld();
    const id = await approvedHotfix(world);
    await deployToRecord(world, id);
    const thread = world.thread(id);
    const texts = thread.map((m) => m.text);
    // Measured: 13 (the start calling the approvers, two approvals, the deploy, three stages with their gates
    // and the start of monitoring, the manual step's prompt, the window closed, two sign-offs, the close, the
    // record); the issue counted 33 before the thread was quiet.
    expect(thread.length, texts.join('\n')).toBeLessThanOrEqual(15);
    const all = thread.map(blockText).join('\n');
    // Left to the card: no step starts or successes, no ticks, no lock.
    expect(all).not.toMatch(/started (preparation|execution|verification) step/);
    expect(all).not.toMatch(/\b(succeeded|ticked|lock granted)\b/i);
    // The card has them: every step with its outcome.
    const card = blockText(world.card(id)!);
    for (const name of ['backup', 'snapshot', 'migrate', 'deploy', 'smoke', 'warm', 'orders'])
      expect(card).toContain(name);
    // What people must see is there: approvals, stages and gates, the sign-offs, the close.
    for (const milestone of ['approved', 'stage passed', 'gate passed', 'signed off', 'closed'])
      expect(all.toLowerCase()).toContain(milestone);
    // A stage and the gate after it came as one message.
    expect(thread.some((m) => /stage passed[\s\S]*gate passed/i.test(m.text))).toBe(true);

    // A step that fails: its line and its output are in the thread.
    await writeFile(join(dirname(world.stepLog), 'fail'), 'migrate\n');
    const failing = await approvedHotfix(world);
    await act(world, failing, ALICE, 'hotfix_deploy');
    const failure = await waitFor(
      'the failure with its output',
      () => world.thread(failing).find((m) => blockText(m).includes('migrate failed on purpose')),
      20_000,
    );
    expect(failure.text).toMatch(/migrate/);
    await writeFile(join(dirname(world.stepLog), 'fail'), '');
  }, 90_000);

  it('thread.step_lines: true brings a line back for every step start and success, ticks and the lock', async () => {
    const world = await startWorld('\nthread: { step_lines: true }\n');
    const id = await approvedHotfix(world);
    await deployToRecord(world, id);
    const thread = world.thread(id);
    const all = thread.map(blockText).join('\n');
    for (const name of ['backup', 'snapshot', 'migrate', 'deploy', 'smoke', 'warm'])
      expect(all).toMatch(new RegExp(`started \\w+ step “${name}”`, 'i'));
    expect(all).toMatch(/ticked/);
    expect(thread.length).toBeGreaterThan(15);
  }, 90_000);
});
