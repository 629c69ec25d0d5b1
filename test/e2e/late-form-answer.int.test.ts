import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import { ALICE, INCIDENTS, input, planValues, startSlackWorld, waitFor } from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => world?.close());

describe('a modal submission decided after the front stopped waiting', () => {
  it('closes the form, then tells the person privately why it was not accepted', async () => {
    await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'start INC-7' });
    const modal = await waitFor('the plan modal', () => world.standIn.views.top(ALICE));
    // In time, a refusal shows under the field, and only there.
    const onTime = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues({ plan_version: input('') }),
    });
    expect(onTime.errors).toHaveProperty('plan_version');
    // Redis holds every write (the app's claim on the delivery comes first) until the front has answered the
    // form (after 2.5 s): the app decides only after that. A fixed pause would be outlasted by a slow delivery;
    // writes only, since a pause of all commands cannot be lifted early.
    const pauser = redisServer().connect();
    await pauser.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    let submitted: Awaited<ReturnType<SlackWorld['slack']['submitView']>>;
    try {
      submitted = await world.slack.submitView({
        user: ALICE,
        viewId: modal.view.id,
        values: planValues({ plan_version: input('') }),
      });
    } finally {
      await pauser.call('CLIENT', 'UNPAUSE');
      pauser.disconnect();
    }
    expect(submitted.status).toBe(200);
    expect(submitted.errors).toBeUndefined();
    expect(world.standIn.views.top(ALICE)).toBeUndefined();

    const told = await waitFor('the private answer', () =>
      world.standIn.ephemerals(ALICE).find((e) => e.text.startsWith('⌛')),
    );
    expect(world.standIn.ephemerals(ALICE).filter((e) => e.text.startsWith('⌛'))).toHaveLength(1);
    expect(told.channel).toBe(INCIDENTS);
    expect(told.text).toMatch(/not accepted; nothing was recorded/);
    expect(told.text).toMatch(/version/i);
    const redis = redisServer().connect();
    expect(await redis.keys(`${world.prefix}*:stream:*`)).toEqual([]);
    redis.disconnect();
  }, 30_000);
});
