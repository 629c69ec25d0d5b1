import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/main/runtime.ts';
import { startAppServer } from '../../src/main/serve.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { storeKeys } from '../../src/store/keys.ts';
import type { TeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { createTeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { deployedHistory } from '../domain/fixtures/record-histories.ts';
import { freePort, TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import { APP_ID, BOT_TOKEN } from '../teams-stand-in/bot.ts';
import { tenant } from '../teams-stand-in/helpers.ts';

const redisServer = useRedisServer();
/** The incident channel of config/hotfix.example.yml. */
const CHANNEL = '19:a1b2c3d4e5f6@thread.tacv2';
let standIn: TeamsStandIn;

beforeAll(async () => {
  standIn = createTeamsStandIn({
    tenant: { ...tenant, channels: [...(tenant.channels ?? []), { id: CHANNEL, name: 'hotfix' }] },
    botToken: BOT_TOKEN,
    rateLimits: [],
  });
  await standIn.start();
});
afterAll(async () => standIn?.stop());

/** `hotfix serve` with Teams alone, in process, its notifier posting to the stand-in. */
const serveTeams = async (notifier: boolean) => {
  const prefix = uniquePrefix('teams-notify');
  const settings = await loadSettings({
    REDIS_URL: redisServer().url,
    PORT: String(await freePort()),
    HOTFIX_CONFIG: 'config/hotfix.example.yml',
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_REDIS_PREFIX: prefix,
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    HOTFIX_TEAMS_OPENID_METADATA_URL: standIn.openIdMetadataUrl,
    HOTFIX_TEAMS_SERVICE_URL: standIn.serviceUrl,
    LOG_LEVEL: 'silent',
  });
  const app = await startAppServer({
    settings,
    processEnv: {},
    botToken: '',
    teams: { outboundToken: BOT_TOKEN },
    worker: false,
    notifier,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
  });
  const redis = redisServer().connect();
  const store = createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY });
  return { app, redis, prefix, store };
};

describe('hotfix serve with Teams: the Teams notifier in the app thread', () => {
  it('projects a hotfix started after start-up onto a thread in the incident channel', async () => {
    const { app, redis, store } = await serveTeams(true);
    try {
      let version = 0;
      for (const event of deployedHistory.slice(0, 4)) {
        const appended = await store.append('HF-42', version, [event]);
        if (!appended.ok) throw new Error('append failed');
        version = appended.version;
      }
      const thread = await waitFor('the thread with its replies', () => {
        const activities = standIn.activities(CHANNEL);
        const root = activities.find((a) => a.threadId === a.id);
        const replies = activities.filter((a) => root && a.threadId === root.id && a !== root);
        // The start, the approval, and the edit with the approvals it voided (one command: one reply).
        return root && replies.length >= 3 && { root, replies };
      });
      expect(thread.root.activity.summary).toContain('HF-42');
      expect(standIn.calls.every((call) => call.token === BOT_TOKEN)).toBe(true);
    } finally {
      await app.close();
      redis.disconnect();
    }
  });

  it('--no-notifier: no Teams notifier reads the feed', async () => {
    const { app, redis, prefix, store } = await serveTeams(false);
    try {
      await store.append('HF-43', 0, [deployedHistory[0]!]);
      const groups = (await redis.xinfo('GROUPS', storeKeys(prefix).feed)) as unknown[][];
      expect(groups.map((fields) => fields[1])).not.toContain('notify-teams');
    } finally {
      await app.close();
      redis.disconnect();
    }
  });
});
