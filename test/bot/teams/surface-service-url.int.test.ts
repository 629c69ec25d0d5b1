import { describe, expect, it } from 'vitest';
import type { TeamsActivity } from '../../../src/bot/teams/activity.ts';
import { createServiceUrls } from '../../../src/bot/teams/service-url.ts';
import { uniquePrefix, useRedisServer } from '../../helpers/redis.ts';

const redisServer = useRedisServer();
const TENANT = '0f1e2d3c-4b5a-4697-8877-665544332211';
const INCIDENTS = '19:incidents@thread.tacv2';
const EMEA = 'https://smba.trafficmanager.net/emea/';

const activity = (overrides: Partial<TeamsActivity> = {}): TeamsActivity => ({
  type: 'message',
  channelId: 'msteams',
  serviceUrl: EMEA,
  from: { id: '29:someone' },
  recipient: { id: '28:bot' },
  conversation: { id: `${INCIDENTS};messageid=17`, tenantId: TENANT },
  channelData: { tenant: { id: TENANT }, channel: { id: INCIDENTS } },
  ...overrides,
});

const urls = (tenantId: string | undefined, clock = { now: () => new Date() }) =>
  createServiceUrls({
    redis: redisServer().connect(),
    prefix: uniquePrefix('teams-service-url'),
    tenantId,
    incidentChannel: () => INCIDENTS,
    clock,
  });

describe('the Bot Connector learned from Teams', () => {
  it("is the serviceUrl of the latest activity from the bot's tenant; nothing before one", async () => {
    const learned = urls(TENANT);
    expect(await learned.learned()).toBeUndefined();
    await learned.learn(activity());
    expect(await learned.learned()).toBe(EMEA);
    // A 1:1 chat of the same tenant counts too: the tenant's region, not the channel's.
    const personal = activity({
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
      conversation: { id: 'a:1personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    });
    await learned.learn(personal);
    expect(await learned.learned()).toBe('https://smba.trafficmanager.net/amer/');
  });

  it('costs no Redis write while Teams names the same URL again; refreshed after an hour', async () => {
    let now = Date.parse('2026-12-06T03:00:00Z');
    const redis = redisServer().connect();
    const learned = urls(TENANT, { now: () => new Date(now) });
    await learned.learn(activity());
    const writes = async () =>
      Number((await redis.info('commandstats')).match(/cmdstat_set:calls=(\d+)/)?.[1] ?? 0);
    const before = await writes();
    for (let i = 0; i < 5; i++) await learned.learn(activity());
    expect(await writes()).toBe(before);
    await learned.learn(activity({ serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    expect(await writes()).toBe(before + 1);
    now += 3600_000;
    await learned.learn(activity({ serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    expect(await writes()).toBe(before + 2);
  });

  it("ignores another tenant's activities, and other channels than Teams", async () => {
    const learned = urls(TENANT);
    const elsewhere = 'https://smba.trafficmanager.net/apac/';
    await learned.learn(
      activity({
        serviceUrl: elsewhere,
        conversation: { id: 'a:1', tenantId: 'another-tenant' },
        channelData: { tenant: { id: 'another-tenant' } },
      }),
    );
    await learned.learn(activity({ serviceUrl: elsewhere, channelId: 'webchat' }));
    expect(await learned.learned()).toBeUndefined();
  });

  it('without a tenant id (a multi-tenant bot), learns only from the incident channel, where threads open', async () => {
    const learned = urls(undefined);
    await learned.learn(
      activity({
        serviceUrl: 'https://smba.trafficmanager.net/apac/',
        conversation: { id: '19:other@thread.tacv2;messageid=3', tenantId: 'another-tenant' },
        channelData: { tenant: { id: 'another-tenant' }, channel: { id: '19:other@thread.tacv2' } },
      }),
    );
    expect(await learned.learned()).toBeUndefined();
    await learned.learn(activity());
    expect(await learned.learned()).toBe(EMEA);
  });
});
