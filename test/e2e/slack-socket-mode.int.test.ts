import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import {
  ALICE,
  APP_TOKEN,
  BOB,
  INCIDENTS,
  TOKEN,
  input,
  planValues,
  startSlackWorld,
  waitFor,
} from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld(redisServer().url, () => redisServer().connect(), { socketMode: true });
}, 30_000);
afterAll(async () => world?.close());

describe('the Slack bot in Socket Mode (SLACK_APP_TOKEN): Slack’s requests come over the app’s socket', () => {
  it('connects with the app-level token, then answers commands, modals, clicks and events over it', async () => {
    // The socket was opened with the app-level token, at SLACK_API_URL like every other call.
    const opened = world.standIn.callsTo('apps.connections.open');
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((call) => call.token === APP_TOKEN && call.status === 200)).toBe(true);

    // A slash command opens the plan form; a field error comes back in the envelope's acknowledgement.
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-42' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    const invalid = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues({ plan_version: input('') }),
    });
    expect(invalid.errors).toHaveProperty('plan_version');
    const submitted = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues(),
    });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.view).toBeUndefined();
    const posted = await waitFor('the card', () =>
      world.standIn.messages(INCIDENTS).find((m) => /HF-\d+ ·/.test(m.text)),
    );
    const id = /HF-\d+/.exec(posted.text)?.[0] ?? '';

    // Clicks: Alice's own approval is refused privately; Bob's is recorded.
    await world.slack.act({ user: ALICE, channel: INCIDENTS, ts: posted.ts, actionId: 'hotfix_approve' });
    await waitFor('the refusal', () =>
      world.ephemerals(ALICE).some((t) => /wrote this plan/.test(t) && t.includes('Nothing was changed')),
    );
    expect(await world.eventTypes(id)).not.toContain('PlanApproved');
    await world.slack.act({ user: BOB, channel: INCIDENTS, ts: posted.ts, actionId: 'hotfix_approve' });
    await waitFor('Bob’s approval', async () => (await world.eventTypes(id)).includes('PlanApproved'));

    // Events API: opening the Home tab publishes it.
    const homeOpened = { type: 'app_home_opened', user: BOB, tab: 'home', channel: 'D0BOB' };
    const homeDelivery = await world.slack.event({ user: BOB, event: homeOpened });
    const home = await waitFor('the Home tab', () => world.standIn.views.home(BOB));
    expect(JSON.stringify(home.view.blocks)).toContain(id);
    // The same envelope again (retry_attempt 1) is not handled twice. Alice's new event, sent after it, is
    // claimed after it (one Redis connection, in order), so once hers is published Bob's retry was dropped.
    const publishesFor = (user: string) =>
      world.standIn.callsTo('views.publish').filter((call) => call.args.user_id === user).length;
    const [bobBefore, aliceBefore] = [publishesFor(BOB), publishesFor(ALICE)];
    await world.slack.retry(homeDelivery, 1, 'timeout');
    await world.slack.event({ user: ALICE, event: { ...homeOpened, user: ALICE, channel: 'D0ALICE' } });
    await waitFor('Alice’s Home', () => publishesFor(ALICE) > aliceBefore);
    expect(publishesFor(BOB)).toBe(bobBefore);

    // Web API calls still use the bot token; the HTTP request URL is not served in Socket Mode.
    expect(world.standIn.callsTo('chat.postMessage').every((call) => call.token === TOKEN)).toBe(true);
    expect((await fetch(world.url, { method: 'POST', body: 'payload=%7B%7D' })).status).toBe(404);
  });
});
