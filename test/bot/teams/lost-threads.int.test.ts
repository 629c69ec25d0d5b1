import { describe, expect, it } from 'vitest';
import type { TeamsActivity } from '../../../src/bot/teams/activity.ts';
import { createLostThreadAdoption } from '../../../src/bot/teams/lost-threads.ts';
import { threadRefsKey } from '../../../src/bot/teams/thread-refs.ts';
import { notifierKeys } from '../../../src/notify/notifier.ts';
import { uniquePrefix, useRedisServer } from '../../helpers/redis.ts';

const redisServer = useRedisServer();
const INCIDENTS = '19:incidents@thread.tacv2';

/** A click on the root card of a thread in the incident channel: what a lost hotfix's adoption looks for. */
const rootClick = (hotfixId: string): TeamsActivity => ({
  type: 'invoke',
  name: 'adaptiveCard/action',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:bob', aadObjectId: 'aad-bob' },
  recipient: { id: '28:bot' },
  conversation: { id: `${INCIDENTS};messageid=17`, tenantId: 'tenant' },
  replyToId: '17',
  value: {
    action: {
      type: 'Action.Execute',
      verb: 'hotfix.close',
      data: { verb: 'hotfix.close', hotfixId },
    },
  },
});

const setup = () => {
  const redis = redisServer().connect();
  const prefix = uniquePrefix('teams-lost');
  const warned: string[] = [];
  const adoption = createLostThreadAdoption({
    redis,
    prefix,
    incidentChannel: () => INCIDENTS,
    log: { info: () => undefined, warn: (_fields, message) => void warned.push(message) },
  });
  return { redis, prefix, warned, adoption, lease: notifierKeys(prefix, 'teams').leaseKey };
};

describe('adopting a lost Teams thread', () => {
  it('leaves a click on a hotfix that is not lost alone at once, even while its notifier syncs it', async () => {
    const { redis, warned, adoption, lease } = setup();
    // The notifier holds the lease: right after a click it is usually syncing that very hotfix.
    await redis.set(lease('HF-3'), 'replica-1', 'PX', 60_000);
    expect(await adoption.adopt(rootClick('HF-3'))).toBe(false);
    expect(warned).toEqual([]);
  });

  it("takes the clicked thread for a lost hotfix once its notifier's lease is free", async () => {
    const { redis, prefix, adoption } = setup();
    await redis.hset(threadRefsKey(prefix, 'HF-4'), 'lost', '2026-12-06T03:00:00Z');
    expect(await adoption.adopt(rootClick('HF-4'))).toBe(true);
    const refs = await redis.hgetall(threadRefsKey(prefix, 'HF-4'));
    expect(refs.lost).toBeUndefined();
    expect(JSON.parse(refs.thread ?? '{}')).toMatchObject({ activityId: '17', threadRootId: '17' });
  });
});
