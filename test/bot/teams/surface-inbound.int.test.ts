import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderThreadLine } from '../../../src/bot/teams/cards/thread.ts';
import { threadRefsKey } from '../../../src/bot/teams/thread-refs.ts';
import { VERBS } from '../../../src/bot/teams/verbs.ts';
import { evolve, initialState } from '../../../src/domain/hotfix/state.ts';
import { loadSettings } from '../../../src/main/runtime.ts';
import type { AppServer } from '../../../src/main/serve.ts';
import { startAppServer } from '../../../src/main/serve.ts';
import { createRedisEventStore } from '../../../src/store/redis-event-store.ts';
import type { StandInActivity, TeamsDelivery, TeamsStandIn } from '../../../src/teams-stand-in/index.ts';
import { createTeamsDelivery, createTeamsStandIn } from '../../../src/teams-stand-in/index.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix, useRedisServer } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/wait.ts';

const APP_ID = '5c3a1e9f-7b2d-4f6a-9e8c-1d3b5a7c9e2f';
const BOT_TOKEN = 'teams-inbound-surface-token';
const GENERAL = '19:generalInbound0a1b2c@thread.tacv2';
const INCIDENTS = '19:incidentsInbound3d4e5f@thread.tacv2';
const ALICE = '11111111-aaaa-4aaa-8aaa-1111111111a1';

const CONFIG = `
timezone: UTC
teams: { incident_channel: '${INCIDENTS}' }
# A line for the start and the tick too: what the adopted thread catches up on.
thread: { step_lines: true }
people:
  technical: { teams: [${ALICE}] }
policy:
  approvals: { technical: 1 }
checklists:
  code_readiness: [Tests passed, Code reviewed]
services:
  api:
    deploy:
      execution:
        - { name: deploy, run: [test/fixtures/pipeline/step.sh, deploy] }
    rollback:
      execution:
        - { name: revert, run: [test/fixtures/pipeline/step.sh, revert] }
`;

const redisServer = useRedisServer();
let standIn: TeamsStandIn;
let delivery: TeamsDelivery;
let app: AppServer;
let dir: string;
let prefix: string;
let redis: Redis;
let store: ReturnType<typeof createRedisEventStore>;

/**
 * `hotfix serve` with its Teams notifier. Teams (the stand-in) serves its Bot Connector at /amer/ only and names
 * that in every activity; HOTFIX_TEAMS_SERVICE_URL points at /emea/ of the same host, which answers 404: a
 * thread opens only where Teams said.
 */
beforeAll(async () => {
  standIn = createTeamsStandIn({
    tenant: {
      tenantId: '0f1e2d3c-4b5a-4697-8877-665544332211',
      bot: { appId: APP_ID },
      team: { id: GENERAL, name: 'Payments', aadGroupId: '66666666-ffff-4fff-8fff-666666666666' },
      channels: [{ id: INCIDENTS, name: 'incidents' }],
      users: [{ aadObjectId: ALICE, name: 'Alice Archer', email: 'alice@example.com' }],
    },
    botToken: BOT_TOKEN,
    servicePath: '/amer/',
  });
  await standIn.start();
  dir = await mkdtemp(join(tmpdir(), 'hotfix-teams-inbound-'));
  await writeFile(join(dir, 'hotfix.yml'), CONFIG);
  prefix = uniquePrefix('teams-inbound');
  const settings = await loadSettings({
    PORT: String(await freePort()),
    REDIS_URL: redisServer().url,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: join(dir, 'hotfix.yml'),
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    HOTFIX_TEAMS_OPENID_METADATA_URL: standIn.openIdMetadataUrl,
    HOTFIX_TEAMS_SERVICE_URL: `${standIn.origin}/emea/`,
    LOG_LEVEL: 'silent',
  });
  app = await startAppServer({
    settings,
    processEnv: {},
    botToken: '',
    teams: { outboundToken: BOT_TOKEN },
    worker: false,
    notifier: true,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
  });
  delivery = createTeamsDelivery({ standIn, url: `http://127.0.0.1:${app.port}/api/messages` });
  redis = redisServer().connect();
  store = createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY });
}, 30_000);

afterEach(() => standIn.clearFailures());

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await standIn?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CardAction {
  readonly type: string;
  readonly title: string;
  readonly verb?: string;
  readonly data?: Record<string, unknown>;
}
interface Card {
  readonly actions?: CardAction[];
}
/** Every action of a card, wherever it sits (actions, ActionSets, ShowCards). */
const actionsOf = (value: unknown): CardAction[] => {
  if (Array.isArray(value)) return value.flatMap(actionsOf);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own =
    typeof object.type === 'string' && object.type.startsWith('Action.')
      ? [object as unknown as CardAction]
      : [];
  return [...own, ...Object.values(object).flatMap(actionsOf)];
};
const cardOf = (activity: StandInActivity): Card =>
  ((activity.activity.attachments ?? []) as { content: Card }[])[0]?.content ?? {};
const botActivities = () => standIn.activities(INCIDENTS).filter((a) => a.author === 'bot');
const summaryOf = (activity: StandInActivity) =>
  String((activity.history[0]?.activity ?? activity.activity).summary);

/** `@hotfix start` in the incident channel, then the plan dialog submitted: the new hotfix's id. */
const startHotfix = async (): Promise<string> => {
  const seen = botActivities().length;
  await delivery.mention({ user: ALICE, text: 'start INC-7', channel: INCIDENTS });
  // The answer with the plan form's button: an earlier hotfix's thread lines may still be arriving meanwhile.
  const start = await waitFor('the start card', () =>
    botActivities()
      .slice(seen)
      .find((a) => cardOf(a).actions?.some((action) => action.title === 'Open the plan form')),
  );
  const button = cardOf(start).actions?.[0];
  const fetched = await delivery.submit({ user: ALICE, activityId: start.id, action: button?.title ?? '' });
  const dialog = (fetched.body as { task: { value: { card: { content: Card } } } }).task.value.card.content;
  const submitted = await delivery.taskSubmit({
    user: ALICE,
    activityId: start.id,
    data: {
      ...dialog.actions?.[0]?.data,
      plan_issue_id: 'INC-7',
      plan_version: '1.0.1',
      plan_previous_version: '1.0.0',
      plan_summary: 'Fix the rounding',
      plan_severity: 'high',
      plan_services: 'api',
      plan_code_changes: 'PR #12',
    },
  });
  const hotfixId = /HF-\d+/.exec(JSON.stringify(submitted.body))?.[0];
  if (hotfixId === undefined) throw new Error(`no hotfix started: ${JSON.stringify(submitted.body)}`);
  return hotfixId;
};

/** The hotfix's card the notifier opened a thread with in the incident channel. */
const rootOf = (hotfixId: string) =>
  waitFor(`the thread of ${hotfixId}`, () =>
    botActivities().find((a) => a.threadId === a.id && summaryOf(a).includes(` ${hotfixId} ·`)),
  );

describe('Teams surface: what inbound activities teach it', () => {
  it("opens hotfix threads at the Bot Connector Teams names in its activities, not HOTFIX_TEAMS_SERVICE_URL's", async () => {
    const hotfixId = await startHotfix();
    const root = await rootOf(hotfixId);
    expect(root.conversation).toBe(INCIDENTS);
    const learned = await redis.get(`${prefix}{hotfix}:teams:service-url:incident-channel`);
    expect(learned).toBe(standIn.serviceUrl);
  });

  it('a lost thread (202 without id) is adopted when someone clicks its card: the card is redrawn and the thread catches up', async () => {
    standIn.failNext({ status: 202, withoutId: true }, { method: 'POST', path: /^\/v3\/conversations$/ });
    const hotfixId = await startHotfix();
    const root = await rootOf(hotfixId);
    await waitFor(`${hotfixId} marked lost`, () => redis.hexists(threadRefsKey(prefix, hotfixId), 'lost'));
    expect(standIn.thread(INCIDENTS, root.id).filter((a) => a.id !== root.id)).toEqual([]);

    const toggle = actionsOf(root.activity.attachments).find((a) => a.verb === VERBS.toggleItem);
    const clicked = await delivery.execute({
      user: ALICE,
      activityId: root.id,
      verb: VERBS.toggleItem,
      inputs: toggle?.data ?? {},
    });
    expect(clicked.status).toBe(200);

    const { events } = await waitFor(`${hotfixId}: the tick recorded`, async () => {
      const loaded = await store.load(hotfixId);
      return loaded.events.some((e) => e.event.type === 'ChecklistItemTicked') && loaded;
    });
    let state = initialState();
    const lines: string[] = [];
    for (const stored of events) {
      const line = renderThreadLine(stored, state, { timezone: 'UTC' });
      state = evolve(state, stored.event);
      if (line) lines.push(line.summary);
    }
    const replies = await waitFor(`${hotfixId}: the thread caught up`, () => {
      const found = standIn.thread(INCIDENTS, root.id).filter((a) => a.id !== root.id && a.author === 'bot');
      return found.length >= lines.length && found;
    });
    expect(replies.map(summaryOf)).toEqual(lines);
    await waitFor(`${hotfixId}: its card redrawn by the notifier`, () =>
      standIn.calls.some((call) => call.method === 'PUT' && call.activityId === root.id),
    );
    const refs = await redis.hgetall(threadRefsKey(prefix, hotfixId));
    expect(refs.lost).toBeUndefined();
    expect(JSON.parse(refs.thread ?? '{}')).toMatchObject({ activityId: root.id, threadRootId: root.id });
  });
});
