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
    // Redis stalls for longer than the front waits (2.5 s): the app decides only after the form was answered.
    const pauser = redisServer().connect();
    await pauser.call('CLIENT', 'PAUSE', '4000', 'ALL');
    const submitted = await world.slack.submitView({
      user: ALICE,
      viewId: modal.view.id,
      values: planValues({ plan_version: input('') }),
    });
    pauser.disconnect();
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
