import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
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

/** Starts a hotfix through the real command and modal; returns its id. */
const startHotfix = async (user = ALICE): Promise<string> => {
  const before = world.standIn.messages(INCIDENTS).length;
  const command = await world.slack.command({ user, channel: INCIDENTS, text: 'start INC-42' });
  expect(command.status).toBe(200);
  const modal = await waitFor('the plan modal', () => world.standIn.views.top(user));
  const submitted = await world.slack.submitView({ user, viewId: modal.view.id, values: planValues() });
  expect(submitted.errors).toBeUndefined();
  const posted = await waitFor('the card', () =>
    world.standIn
      .messages(INCIDENTS)
      .slice(before)
      .find((m) => /HF-\d+ ·/.test(m.text)),
  );
  return /HF-\d+/.exec(posted.text)?.[0] ?? '';
};

const click = async (hotfixId: string, user: string, actionId: string, blockPrefix?: string) => {
  const card = world.card(hotfixId);
  if (!card) throw new Error(`no card for ${hotfixId}`);
  const blockId = blockPrefix
    ? (card.blocks ?? [])
        .map((b) => (b as { block_id?: string }).block_id ?? '')
        .find((id) => id.startsWith(blockPrefix))
    : undefined;
  return world.slack.act({
    user,
    channel: INCIDENTS,
    ts: card.ts,
    actionId,
    ...(blockId ? { blockId } : {}),
  });
};

const tickAll = async (hotfixId: string, user: string) => {
  for (const [checklist, count] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const) {
    const card = world.card(hotfixId);
    if (!card) throw new Error('no card');
    const blockId = (card.blocks ?? [])
      .map((b) => (b as { block_id?: string }).block_id ?? '')
      .find((id) => id.startsWith(`hotfix_checklist:${hotfixId}:${checklist}:0`));
    await world.slack.act({
      user,
      channel: INCIDENTS,
      ts: card.ts,
      actionId: 'hotfix_tick',
      ...(blockId ? { blockId } : {}),
      selected: Array.from({ length: count }, (_, i) => String(i)),
    });
  }
};

const approve = (hotfixId: string, user: string, index: number) =>
  click(hotfixId, user, index === 0 ? 'hotfix_approve' : `hotfix_approve:${index}`);

describe('the Slack bot end to end: signed requests into the real app, Slack played by the stand-in', () => {
  it('runs a hotfix from /hotfix start to the signed record', async () => {
    // Field errors come back under the field, and nothing is started.
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    const invalid = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues({ plan_version: input('') }),
    });
    expect(invalid.errors).toHaveProperty('plan_version');
    world.standIn.views.clear(ALICE);

    const id = await startHotfix();
    expect(id).toMatch(/^HF-\d+$/);
    await tickAll(id, ALICE);
    // Both ticks recorded (each click is acked before it is): the events read below must not gain one later.
    // The first list's "2/2 ✅" alone does not say so.
    await world.cardWhen(id, 'checklists ticked', (c) => blockText(c).includes('3/3 ✅ complete'));

    // Alice wrote the plan: her approval is refused privately and changes nothing.
    const eventsBefore = await world.eventTypes(id);
    await approve(id, ALICE, 0);
    await waitFor('the refusal', () =>
      world.ephemerals(ALICE).some((t) => /wrote this plan/.test(t) && t.includes('Nothing was changed')),
    );
    expect(await world.eventTypes(id)).toEqual(eventsBefore);

    // Carol is not technical: refused too.
    await approve(id, CAROL, 0);
    await waitFor('the role refusal', () =>
      world.ephemerals(CAROL).some((t) => t.includes('Nothing was changed')),
    );

    const approval = await approve(id, BOB, 0);
    await approve(id, CAROL, 1);
    // Clicks are acked before they are recorded.
    const approvals = async () => (await world.eventTypes(id)).filter((t) => t === 'PlanApproved').length;
    await waitFor('both approvals', async () => (await approvals()) === 2);
    // Slack redelivers Bob's click (a late ack): no second effect, not even a second message.
    const ephemeralsBefore = world.standIn.ephemerals(BOB).length;
    const typesBefore = await world.eventTypes(id);
    const retried = await world.slack.retry(approval, 1);
    expect(retried.status).toBe(200);
    // A new click Bob makes after that (on the card as he saw it: the approved card has no Approve any more)
    // is claimed after the retry was (both claims go down one Redis connection, in order), and is answered
    // as a repeat: that answer is the only new message he gets.
    const payload = JSON.parse(new URLSearchParams(approval.request.body).get('payload') ?? '{}') as Record<
      string,
      unknown
    >;
    await world.slack.raw({
      body: new URLSearchParams({
        payload: JSON.stringify({ ...payload, trigger_id: `${String(payload.trigger_id)}-again` }),
      }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    await waitFor(
      'the answer to his new click',
      () => world.standIn.ephemerals(BOB).length > ephemeralsBefore,
    );
    expect(world.standIn.ephemerals(BOB)).toHaveLength(ephemeralsBefore + 1);
    expect(await world.eventTypes(id)).toEqual(typesBefore);

    // The gate is complete: Deploy comes, Approve and Reject go.
    await world.cardWhen(
      id,
      'Deploy offered, no approval buttons',
      (c) =>
        blockText(c).includes('hotfix_deploy') &&
        !blockText(c).includes('hotfix_approve') &&
        !blockText(c).includes('hotfix_reject'),
    );
    // Carol approves for management but does not deploy (policy.deployers defaults to technical).
    const beforeDeploy = await world.eventTypes(id);
    await click(id, CAROL, 'hotfix_deploy');
    await waitFor('the deploy refusal', () =>
      world
        .ephemerals(CAROL)
        .some(
          (t) =>
            t.includes('Only technical can deploy; you are management.') && t.includes('Nothing was changed'),
        ),
    );
    expect(await world.eventTypes(id)).toEqual(beforeDeploy);
    await click(id, ALICE, 'hotfix_deploy');

    // The manual verification step waits in the thread for a technical person.
    const prompt = await waitFor('the manual step prompt', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_step_confirm')),
    );
    await world.slack.act({ user: DAVE, channel: INCIDENTS, ts: prompt.ts, actionId: 'hotfix_step_confirm' });
    await waitFor('Dave refused', () =>
      world.ephemerals(DAVE).some((t) => t.includes('Nothing was changed')),
    );
    await world.slack.act({ user: BOB, channel: INCIDENTS, ts: prompt.ts, actionId: 'hotfix_step_confirm' });

    await waitFor(
      'verified',
      async () => (await world.eventTypes(id)).includes('MonitoringWindowClosed'),
      20_000,
    );
    expect(await readFile(world.stepLog, 'utf8')).toMatch(/backup 1 start[\s\S]*deploy 1 start/);

    await world.cardWhen(id, 'sign-off offered', (c) => blockText(c).includes('hotfix_sign_off'));

    // Post-deploy: the documentation-update checklist and a lessons-learned note, both in the record.
    const withDocs = world.card(id);
    const docsBlock = (withDocs?.blocks ?? [])
      .map((b) => (b as { block_id?: string }).block_id ?? '')
      .find((blockId) => blockId.startsWith('hotfix_docs:'));
    await world.slack.act({
      user: BOB,
      channel: INCIDENTS,
      ts: withDocs?.ts ?? '',
      actionId: 'hotfix_docs',
      ...(docsBlock ? { blockId: docsBlock } : {}),
      selected: ['system.changes_applied', 'process.lessons_learned'],
    });
    await click(id, BOB, 'hotfix_lessons');
    const lessons = await waitFor('the lessons modal', () => world.standIn.views.top(BOB));
    await world.slack.submitView({
      user: BOB,
      viewId: lessons.view.id,
      values: { lessons_text: input('Round money in one place, with tests for half-cents') },
    });
    await waitFor('docs and lessons recorded', async () => {
      const types = await world.eventTypes(id);
      return (
        types.filter((t) => t === 'DocumentationUpdateTicked').length === 2 &&
        types.includes('LessonsLearnedNoted')
      );
    });
    await click(id, BOB, 'hotfix_sign_off');
    await world.cardWhen(id, 'business sign-off', (c) => blockText(c).includes('Sign off as Business'));
    const signBusiness = world.card(id);
    const index = (signBusiness?.blocks ?? [])
      .flatMap((b) => (b as { elements?: { action_id?: string; text?: { text?: string } }[] }).elements ?? [])
      .find((e) => e.text?.text === 'Sign off as Business')?.action_id;
    await click(id, DAVE, index ?? 'hotfix_sign_off');
    await world.cardWhen(id, 'Close offered', (c) => blockText(c).includes('hotfix_close'));
    // Dave signs off for business but does not close (policy.closers defaults to technical).
    await click(id, DAVE, 'hotfix_close');
    await waitFor('the close refusal', () =>
      world.ephemerals(DAVE).some((t) => t.includes('Only technical can close; you are business.')),
    );
    expect(await world.eventTypes(id)).not.toContain('HotfixClosed');
    await click(id, ALICE, 'hotfix_close');

    // The record lands in the thread as a Markdown file, and /hotfix record returns it.
    // Completed: its bytes arrived and it was shared (the entry exists from the upload URL's request on).
    const file = await waitFor('the record file', () =>
      world.standIn.files().find((f) => f.name.startsWith(id) && f.completed),
    );
    expect(file.content.toString()).toContain('Deployment');
    expect(file.content.toString()).toContain('Round money in one place');
    await world.cardWhen(id, 'closed', (c) => c.text.includes('Closed'));
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: `record ${id}` });
    await waitFor('the record reply', () =>
      world.ephemerals(DAVE).some((t) => t.includes(`Deployment record of ${id}: ✅ Deployed`)),
    );

    // Cancelling a closed hotfix is refused at once, in the domain's words: no form to fill in first.
    const formsBefore = world.standIn.callsTo('views.open').length;
    await world.slack.command({ user: BOB, channel: INCIDENTS, text: `cancel ${id}` });
    await waitFor('the cancel refusal', () =>
      world.ephemerals(BOB).some((t) => t.includes(`${id} is closed; nothing more can change.`)),
    );
    expect(world.standIn.callsTo('views.open')).toHaveLength(formsBefore);

    // The thread tells what people must see: approvals, stages and gates, the manual step, monitoring,
    // sign-offs; the rest (ticks, each step) was on the card, edited in place, and is in the record.
    const thread = world
      .thread(id)
      .map((m) => m.text)
      .join('\n');
    for (const milestone of [
      'approved',
      'stage passed',
      'gate passed',
      'smoke',
      'monitoring',
      'signed off',
      'closed',
    ])
      expect(thread.toLowerCase()).toContain(milestone.toLowerCase());
    for (const detail of ['Tests passed', 'backup', 'deploy', 'smoke'])
      expect(file.content.toString()).toContain(detail);
  }, 60_000);

  it('rolls back by a vote in the thread', async () => {
    const id = await startHotfix();
    await tickAll(id, ALICE);
    await approve(id, BOB, 0);
    await approve(id, CAROL, 1);
    await world.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
    await click(id, ALICE, 'hotfix_deploy');
    await world.cardWhen(id, 'rollback offered', (c) => blockText(c).includes('hotfix_propose_rollback'));
    await click(id, BOB, 'hotfix_propose_rollback');
    const modal = await waitFor('the rollback modal', () => world.standIn.views.top(BOB));
    await world.slack.submitView({
      user: BOB,
      viewId: modal.view.id,
      values: {
        reason_trigger: { value: { type: 'static_select', selected_option: { value: 'data_issue' } } },
        reason_text: input('Totals are off by a cent on refunds'),
      },
    });
    const vote = await waitFor('the vote message', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_vote_for')),
    );
    // Slack rate-limits the card edits for a while: the rollback goes on, and the card catches up after.
    world.standIn.failNext('chat.update', { status: 429, retryAfter: 1 }, 3);
    // Management must vote for it: Carol's vote passes it (Bob's proposal counts for it).
    await world.slack.act({ user: CAROL, channel: INCIDENTS, ts: vote.ts, actionId: 'hotfix_vote_for' });
    await waitFor(
      'rolled back',
      async () => (await world.eventTypes(id)).includes('RollbackFinished'),
      20_000,
    );
    expect(await readFile(world.stepLog, 'utf8')).toContain('revert 1 end');
    await world.cardWhen(id, 'rolled back', (c) => c.text.includes('Rolled back'));
    // Deploy has started, so cancel is refused before any form opens.
    const formsBefore = world.standIn.callsTo('views.open').length;
    await world.slack.command({ user: BOB, channel: INCIDENTS, text: `cancel ${id}` });
    await waitFor('the cancel refusal', () =>
      world.ephemerals(BOB).some((t) => t.includes(`${id} is rolled back. Deploy has started`)),
    );
    expect(world.standIn.callsTo('views.open')).toHaveLength(formsBefore);
    // The vote message is edited too: its result, and no buttons any more.
    await waitFor('the vote message closed', () => {
      const now = world.standIn.message(INCIDENTS, vote.ts);
      return now && !blockText(now).includes('hotfix_vote_for') && /passed/.test(blockText(now));
    });
  }, 60_000);

  it('a monitoring breach whose vote fails waits for the sign-off roles to accept it, then the record says so', async () => {
    const id = await startHotfix();
    await tickAll(id, ALICE);
    await approve(id, BOB, 0);
    await approve(id, CAROL, 1);
    await world.cardWhen(id, 'Deploy offered', (c) => blockText(c).includes('hotfix_deploy'));
    // The services answer the monitor's first probe with a 503 and a high error rate, then recover.
    world.health.breach(id, 1);
    await click(id, ALICE, 'hotfix_deploy');
    const prompt = await waitFor('the manual step prompt', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_step_confirm')),
    );
    await world.slack.act({ user: BOB, channel: INCIDENTS, ts: prompt.ts, actionId: 'hotfix_step_confirm' });

    // The breach opens a rollback vote (on_failure: propose); Carol (management, required) votes against.
    const vote = await waitFor('the vote message', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_vote_against')),
    );
    await world.slack.act({ user: CAROL, channel: INCIDENTS, ts: vote.ts, actionId: 'hotfix_vote_against' });
    await waitFor('the vote failed', async () => (await world.eventTypes(id)).includes('VoteFailed'));

    // The window closes with its breach: no outcome yet, the card asks the sign-off roles to decide.
    const review = await world.cardWhen(
      id,
      'breaches to decide',
      (c) =>
        blockText(c).includes('Monitoring found 1 breach') && blockText(c).includes('hotfix_accept_breaches'),
    );
    expect(blockText(review)).toContain('accept and keep, or roll back');
    expect(blockText(review)).toContain('hotfix_roll_back_breaches');
    expect(blockText(review)).not.toContain('hotfix_sign_off');
    expect((await world.eventTypes(id)).filter((t) => t === 'MonitorCheckBreached')).toHaveLength(1);

    // The buttons show to everyone; the domain refuses Carol (not technical), under the field.
    await click(id, CAROL, 'hotfix_accept_breaches');
    const refused = await waitFor('the accept modal', () => world.standIn.views.top(CAROL));
    const answer = await world.slack.submitView({
      user: CAROL,
      viewId: refused.view.id,
      values: { reason_text: input('looks fine to me') },
    });
    expect(JSON.stringify(answer.errors)).toContain('Only technical can accept the breaches as technical');
    world.standIn.views.clear(CAROL);

    // Bob accepts as technical, Dave as business: the hotfix is verified.
    await click(id, BOB, 'hotfix_accept_breaches');
    const bobs = await waitFor('the accept modal', () => world.standIn.views.top(BOB));
    expect(
      (
        await world.slack.submitView({
          user: BOB,
          viewId: bobs.view.id,
          values: { reason_text: input('Error rate back under 1% since the second round') },
        })
      ).errors,
    ).toBeUndefined();
    await world.cardWhen(id, 'business still to accept', (c) =>
      blockText(c).includes('Accept and keep as Business'),
    );
    const index = (world.card(id)?.blocks ?? [])
      .flatMap((b) => (b as { elements?: { action_id?: string; text?: { text?: string } }[] }).elements ?? [])
      .find((e) => e.text?.text === 'Accept and keep as Business')?.action_id;
    await click(id, DAVE, index ?? 'hotfix_accept_breaches');
    const daves = await waitFor('the accept modal', () => world.standIn.views.top(DAVE));
    await world.slack.submitView({
      user: DAVE,
      viewId: daves.view.id,
      values: { reason_text: input('No customer complaints') },
    });
    await waitFor('breaches accepted', async () => (await world.eventTypes(id)).includes('BreachesAccepted'));

    // Sign-offs and close as usual; the record says how it was verified, and what monitoring measured.
    await world.cardWhen(id, 'sign-off offered', (c) => blockText(c).includes('hotfix_sign_off'));
    await click(id, BOB, 'hotfix_sign_off');
    await world.cardWhen(id, 'business sign-off', (c) => blockText(c).includes('Sign off as Business'));
    const signIndex = (world.card(id)?.blocks ?? [])
      .flatMap((b) => (b as { elements?: { action_id?: string; text?: { text?: string } }[] }).elements ?? [])
      .find((e) => e.text?.text === 'Sign off as Business')?.action_id;
    await click(id, DAVE, signIndex ?? 'hotfix_sign_off');
    await world.cardWhen(id, 'Close offered', (c) => blockText(c).includes('hotfix_close'));
    await click(id, ALICE, 'hotfix_close');
    const file = await waitFor('the record file', () =>
      world.standIn.files().find((f) => f.name.startsWith(id) && f.completed),
    );
    const record = file.content.toString();
    expect(record).toMatch(
      /- \*\*Status:\*\* Deployed — verified with 1 breach, accepted by .+ \(technical\), .+ \(business\)/,
    );
    expect(record).toContain('Error rate back under 1% since the second round');
    expect(record).toContain('No customer complaints');
    expect(record).toContain('Performance over the monitoring window (min / median / max):');
    expect(record).toMatch(
      /\| api\/health \| \d+ \| \d+ \| 1 \| [\d.]+ \/ [\d.]+ \/ [\d.]+ ms \| 200, 503 \| `error_rate` 0\.01 \/ [\d.]+ \/ 0\.4 \|/,
    );
  }, 60_000);

  it('refuses a click on a stale card after a plan edit, and shows what waits on a person in App Home', async () => {
    const id = await startHotfix();
    const approval = await approve(id, CAROL, 1);
    // The ack comes before the approval is recorded (Slack hears back first).
    await waitFor('the approval', async () => (await world.eventTypes(id)).includes('PlanApproved'));
    // Bob completes the gate: Approve and Reject leave the card.
    await approve(id, BOB, 0);
    await world.cardWhen(id, 'no approval buttons', (c) => !blockText(c).includes('hotfix_approve'));

    // Alice edits the plan: Carol's approval is voided.
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: `edit ${id}` });
    const modal = await waitFor('the edit modal', () => world.standIn.views.top(ALICE));
    const edited = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: { plan_summary: input('Fix the checkout total rounding, refunds too') },
    });
    expect(edited.errors).toBeUndefined();
    await waitFor('approvals voided', async () => (await world.eventTypes(id)).includes('ApprovalsVoided'));
    // The edit voided both approvals: the buttons are back.
    await world.cardWhen(
      id,
      'approval buttons back',
      (c) => blockText(c).includes('hotfix_approve') && blockText(c).includes('hotfix_reject'),
    );

    // The same click on the card as it was before the edit, delivered anew: refused as stale, nothing changes.
    const payload = JSON.parse(new URLSearchParams(approval.request.body).get('payload') ?? '{}') as Record<
      string,
      unknown
    >;
    const stale = { ...payload, trigger_id: `${String(payload.trigger_id)}-again` };
    const before = await world.eventTypes(id);
    const answer = await world.slack.raw({
      body: new URLSearchParams({ payload: JSON.stringify(stale) }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(answer.status).toBe(200);
    await waitFor('the stale refusal', () => world.ephemerals(CAROL).some((t) => t.includes('out of date')));
    expect(await world.eventTypes(id)).toEqual(before);

    // A button of ours the bot does not know (an older version's): a private answer, nothing changes.
    const [clicked] = payload.actions as Record<string, unknown>[];
    const unknown = {
      ...payload,
      trigger_id: `${String(payload.trigger_id)}-unknown`,
      actions: [{ ...clicked, action_id: 'hotfix_no_such_button' }],
    };
    await world.slack.raw({
      body: new URLSearchParams({ payload: JSON.stringify(unknown) }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    await waitFor('the unknown button answered', () =>
      world.ephemerals(CAROL).some((t) => t.includes('not one of this card')),
    );
    expect(await world.eventTypes(id)).toEqual(before);

    // Home: Carol's approval is waiting on her again.
    await world.slack.event({
      user: CAROL,
      event: { type: 'app_home_opened', user: CAROL, tab: 'home', channel: 'D0CAROL' },
    });
    const home = await waitFor('the Home tab', () => world.standIn.views.home(CAROL));
    expect(JSON.stringify(home.view.blocks)).toContain(id);
    expect(JSON.stringify(home.view.blocks)).toContain('hotfix_approve');

    // Carol approves from Home: the approval is recorded and her Home no longer asks for it.
    const button = (
      home.view.blocks as unknown as {
        block_id?: string;
        elements?: { action_id?: string; value?: string }[];
      }[]
    )
      .flatMap((b) => (b.elements ?? []).map((e) => ({ block: b.block_id, ...e })))
      .find((e) => e.action_id?.startsWith('hotfix_approve') && e.value?.includes('"management"'));
    await world.slack.act({
      user: CAROL,
      viewId: home.view.id,
      actionId: button?.action_id ?? 'missing',
      ...(button?.block ? { blockId: button.block } : {}),
    });
    await waitFor(
      'the approval from Home',
      async () => (await world.eventTypes(id)).filter((t) => t === 'PlanApproved').length === 3,
    );
    // Nothing else waits on Carol (management): the redrawn Home offers no approval.
    await waitFor('Home redrawn', () => {
      const now = world.standIn.views.home(CAROL);
      return now && !JSON.stringify(now.view.blocks).includes('hotfix_approve');
    });
  }, 30_000);

  it('answers forged and stale signatures with 401 and changes nothing', async () => {
    // What a forged request could change: a modal opened, a private answer, anything sent on the person's behalf.
    const seen = () => ({
      views: world.standIn.callsTo('views.open').length,
      ephemerals: world.standIn.ephemerals(ALICE).length,
      responses: world.standIn.calls.filter((c) => c.kind === 'response_url').length,
    });
    const before = seen();
    const body = new URLSearchParams({
      command: '/hotfix',
      text: 'start',
      user_id: ALICE,
      team_id: 'T0HOTFIX',
      channel_id: INCIDENTS,
      trigger_id: world.standIn.newTriggerId(ALICE),
      response_url: world.standIn.newResponseUrl({ channel: INCIDENTS, user: ALICE }),
    }).toString();
    const forged = await world.slack.raw({
      body,
      contentType: 'application/x-www-form-urlencoded',
      secret: 'not-the-secret',
    });
    expect(forged.status).toBe(401);
    const stale = await world.slack.raw({
      body,
      contentType: 'application/x-www-form-urlencoded',
      timestamp: Math.floor(new Date().getTime() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(world.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.status).toBe(401);
    expect(seen()).toEqual(before);
    // The same request signed with the app's secret is taken: the plan form opens.
    const signed = await world.slack.raw({ body, contentType: 'application/x-www-form-urlencoded' });
    expect(signed.status).toBe(200);
    await waitFor('the plan form', () => seen().views > before.views);
    world.standIn.views.clear(ALICE);
  });

  it('answers unknown subcommands and ids privately with the usage line', async () => {
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: 'deploy-everything' });
    await waitFor('usage', () =>
      world.ephemerals(DAVE).some((t) => t.includes('I don’t know') || t.includes("I don't know")),
    );
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: 'status HF-999' });
    await waitFor('no such hotfix', () => world.ephemerals(DAVE).some((t) => t.includes('no hotfix HF-999')));
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: 'edit banana' });
    await waitFor('bad id', () => world.ephemerals(DAVE).some((t) => t.includes('not a hotfix id')));
  });
});
