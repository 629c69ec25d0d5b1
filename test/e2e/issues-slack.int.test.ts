import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/bot/common/record.ts';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  BOB,
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
const startHotfix = async (): Promise<string> => {
  const before = world.standIn.messages(INCIDENTS).length;
  await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-77' });
  const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
  const submitted = await world.slack.submitView({
    user: ALICE,
    viewId: modal.view.id,
    values: planValues(),
  });
  expect(submitted.errors).toBeUndefined();
  const posted = await waitFor('the card', () =>
    world.standIn
      .messages(INCIDENTS)
      .slice(before)
      .find((m) => /HF-\d+ ·/.test(m.text)),
  );
  return /HF-\d+/.exec(posted.text)?.[0] ?? '';
};

const count = async (hotfixId: string, type: string) =>
  (await world.eventTypes(hotfixId)).filter((t) => t === type).length;

/** The issue's message in the thread, as the stand-in holds it now. */
const issueMessage = (ts: string): StandInMessage => {
  const message = world.standIn.message(INCIDENTS, ts);
  if (!message) throw new Error(`no message ${ts}`);
  return message;
};

/** A person clicks one of the issue message's buttons; the form it opens. */
const clickForForm = async (user: string, ts: string, actionId: string) => {
  const opened = world.standIn.callsTo('views.open').length;
  await world.slack.act({ user, channel: INCIDENTS, ts, actionId });
  await waitFor(`the form of ${actionId}`, () => world.standIn.callsTo('views.open').length > opened);
  return waitFor('the modal', () => world.standIn.views.top(user));
};

describe('the issue log from Slack: logged, resolved from its thread message, worked around, reopened', () => {
  it('keeps every change attributed, shows it on the issue message and the card, and in the record', async () => {
    const id = await startHotfix();

    // Logged by a command: the thread gets the issue's message, with its buttons.
    await world.slack.command({
      user: DAVE,
      channel: INCIDENTS,
      text: `issue ${id} Refund emails arrive late`,
    });
    await waitFor('logged', () => world.ephemerals(DAVE).some((t) => t.includes(`Logged on ${id}`)));
    const logged = await waitFor('the issue message', () =>
      world.thread(id).find((m) => blockText(m).includes('hotfix_issue_resolve')),
    );
    expect(logged.text).toContain('logged issue #1: Refund emails arrive late');
    expect(blockText(logged)).toContain('🟠 Open');
    expect(blockText(logged)).toContain('hotfix_issue_workaround');
    await world.cardWhen(id, 'one open issue', (c) => blockText(c).includes('1 open, 0 resolved'));

    // Bob double-clicks Resolve, and Alice clicks it too: each gets the form; the first to submit resolves it.
    await clickForForm(BOB, logged.ts, 'hotfix_issue_resolve');
    const bobs = await clickForForm(BOB, logged.ts, 'hotfix_issue_resolve');
    const alices = await clickForForm(ALICE, logged.ts, 'hotfix_issue_resolve');
    expect(JSON.stringify(bobs.view.blocks)).toContain('Refund emails arrive late');
    const resolved = await world.slack.submitView({
      user: BOB,
      viewId: bobs.view.id,
      values: { issue_note: input('Mail queue drained; new mails go out at once') },
    });
    expect(resolved.errors).toBeUndefined();
    const again = await world.slack.submitView({
      user: ALICE,
      viewId: alices.view.id,
      values: { issue_note: input('Fixed') },
    });
    expect(Object.values(again.errors ?? {}).join()).toContain('already recorded');
    // Slack redelivers Bob's submission: still one resolution.
    await world.slack.retry(resolved, 1);
    await waitFor('resolved', async () => (await count(id, 'IssueResolved')) === 1);

    // The same message, redrawn in place: who resolved it, with the note; Reopen instead of Resolve.
    await waitFor('the message says resolved', () => {
      const now = issueMessage(logged.ts);
      return (
        blockText(now).includes('Resolved by <@U0BOB>') && blockText(now).includes('hotfix_issue_reopen')
      );
    });
    expect(blockText(issueMessage(logged.ts))).toContain('Mail queue drained; new mails go out at once');
    expect(blockText(issueMessage(logged.ts))).not.toContain('hotfix_issue_resolve');
    await world.cardWhen(id, 'resolved on the card', (c) => blockText(c).includes('0 open, 1 resolved'));

    // A workaround by command; bad input is answered privately and specifically.
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: `issue workaround ${id} 7 resend` });
    await waitFor('unknown issue', () =>
      world.ephemerals(DAVE).some((t) => t.includes(`${id} has no issue #7; its only issue is #1.`)),
    );
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: `issue workaround ${id} 1` });
    await waitFor('missing text', () =>
      world.ephemerals(DAVE).some((t) => t.includes('What is the workaround for issue #1?')),
    );
    await world.slack.command({ user: DAVE, channel: INCIDENTS, text: 'issue workaround HF-999 1 resend' });
    await waitFor('unknown hotfix', () => world.ephemerals(DAVE).some((t) => t.includes('no hotfix HF-999')));
    await world.slack.command({
      user: DAVE,
      channel: INCIDENTS,
      text: `issue workaround ${id} 1 Support resends the email from the admin page`,
    });
    await waitFor('workaround set', () =>
      world.ephemerals(DAVE).some((t) => t.includes(`Workaround noted for issue #1 of ${id}`)),
    );
    await waitFor('the message shows the workaround', () =>
      blockText(issueMessage(logged.ts)).includes('Workaround by <@U0DAVE>'),
    );

    // Reopened from its message, with a reason.
    const reopen = await clickForForm(DAVE, logged.ts, 'hotfix_issue_reopen');
    const reopened = await world.slack.submitView({
      user: DAVE,
      viewId: reopen.view.id,
      values: { issue_note: input('Two customers still wait for theirs') },
    });
    expect(reopened.errors).toBeUndefined();
    await waitFor('the message says open again', () => {
      const now = blockText(issueMessage(logged.ts));
      return now.includes('Open again: reopened by <@U0DAVE>') && now.includes('hotfix_issue_resolve');
    });
    await world.cardWhen(id, 'open again on the card', (c) => blockText(c).includes('1 open, 0 resolved'));

    // Each change also has its line in the thread; the issue's message stays the only one with buttons.
    const thread = world
      .thread(id)
      .map((m) => m.text)
      .join('\n');
    expect(thread).toContain('resolved issue #1: Mail queue drained');
    expect(thread).toContain('set a workaround for issue #1: Support resends the email');
    expect(thread).toContain('reopened issue #1: Two customers still wait');
    expect(world.thread(id).filter((m) => blockText(m).includes('hotfix_issue_'))).toHaveLength(1);

    // `/hotfix issues` lists it with its status.
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: `issues ${id}` });
    await waitFor('the issue list', () =>
      world.ephemerals(ALICE).some((t) => t.includes(`Issues of ${id}`) && t.includes('Open again')),
    );

    // The record: who logged, resolved, worked around and reopened it, when, with the note and the reason.
    const store = createRedisEventStore({
      redis: redisServer().connect(),
      prefix: world.prefix,
      auditKey: TEST_AUDIT_KEY,
    });
    const read = await readRecord(
      { store, config: () => ({ timezone: 'UTC' }), policy: () => ({ signoffs: [], people: {} }) },
      id,
    );
    const row = read?.markdown.split('\n').find((l) => l.startsWith('| 1 | Refund emails arrive late'));
    expect(row).toMatch(/\| dave, \S+ \S+ \| reopened, workaround set \|/);
    expect(row).toMatch(/resolved by bob, \S+ \S+: Mail queue drained; new mails go out at once;/);
    expect(row).toMatch(/reopened by dave, \S+ \S+: Two customers still wait for theirs \|$/);
    expect(read?.markdown).toMatch(/- #1: Support resends the email from the admin page \(dave, \S+ \S+\)/);
    expect(await count(id, 'IssueResolved')).toBe(1);

    // Once the hotfix is cancelled, its issue message's buttons say so instead of opening a form.
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: `cancel ${id} superseded` });
    await waitFor('cancelled', async () => (await world.eventTypes(id)).includes('HotfixCancelled'));
    const forms = world.standIn.callsTo('views.open').length;
    await world.slack.act({ user: BOB, channel: INCIDENTS, ts: logged.ts, actionId: 'hotfix_issue_resolve' });
    await waitFor('the refusal', () =>
      world.ephemerals(BOB).some((t) => t.includes(`${id} is cancelled; its issues can no longer change`)),
    );
    expect(world.standIn.callsTo('views.open')).toHaveLength(forms);
  }, 60_000);
});
