import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { readRecord } from '../../src/bot/common/record.ts';
import { renderRecord } from '../../src/bot/teams/cards/record.ts';
import { lineCallOf, threadMessage } from '../../src/bot/common/thread.ts';
import {
  renderIssueMessage,
  renderManualStepPrompt,
  renderThreadMessage,
  renderVoteMessage,
} from '../../src/bot/teams/cards/thread.ts';
import { lastOfCommand } from '../../src/domain/hotfix/attention.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../src/domain/hotfix/state.ts';
import type { LoadedConfig } from '../../src/main/runtime.ts';
import { loadSettings } from '../../src/main/runtime.ts';
import type { AppServer } from '../../src/main/serve.ts';
import { startAppServer } from '../../src/main/serve.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import type {
  ActivityJson,
  Delivered,
  StandInActivity,
  TeamsDelivery,
  TeamsStandIn,
} from '../../src/teams-stand-in/index.ts';
import { createTeamsDelivery, createTeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import type { HealthEndpoint } from './health-endpoint.ts';
import { startHealthEndpoint } from './health-endpoint.ts';

export { waitFor };

export const APP_ID = '6e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
export const BOT_TOKEN = 'teams-e2e-outbound-token';
export const GENERAL = '19:generalE2E0a1b2c3d4@thread.tacv2';
export const INCIDENTS = '19:incidentsE2E5e6f7a8b@thread.tacv2';
/** Alice (technical) plans; Bob (technical) and Carol (management) approve; Dave (business) signs off. */
export const ALICE = 'a1a1a1a1-0000-4000-8000-00000000a11c';
export const BOB = 'b0b0b0b0-0000-4000-8000-000000000b0b';
export const CAROL = 'ca20ca20-0000-4000-8000-0000000ca201';
export const DAVE = 'da7eda7e-0000-4000-8000-00000000da7e';

/**
 * A manual step after the deploy, a verification step that fails whenever `STEP_FAIL` names it (it does unless a
 * test says otherwise: `passVerification`), and a monitor of the per-hotfix health endpoint.
 */
const config = (healthUrl: string) => `
timezone: UTC
teams: { incident_channel: '${INCIDENTS}' }
people:
  technical: { teams: [${ALICE}, ${BOB}] }
  management: { teams: [${CAROL}] }
  business: { teams: [${DAVE}] }
policy:
  approvals: { technical: 1, management: 1 }
  signoffs: [technical, business]
  # 2 s: the first round of each check must report before the window closes, or the close is not clean.
  verification_period: 2s
  rollback:
    on_failure: propose
    vote: { eligible: [technical, management], quorum: 2, require: [management], expires_after: 10m }
checklists:
  code_readiness: [Tests passed, Code reviewed]
  environment_readiness: [Tool access]
services:
  api:
    deploy:
      execution:
        - { name: deploy, run: [test/fixtures/pipeline/step.sh, deploy], secret_env: [STEP_LOG, STEP_FAIL] }
        - { name: smoke, manual: Place a test order, roles: [technical] }
      verification:
        - { name: verify, run: [test/fixtures/pipeline/step.sh, verify], secret_env: [STEP_LOG, STEP_FAIL] }
    rollback:
      execution:
        - { name: revert, run: [test/fixtures/pipeline/step.sh, revert], secret_env: [STEP_LOG, STEP_FAIL] }
    monitor:
      - name: health
        check: { url: '${healthUrl}', expect: { json: [{ path: error_rate, op: lt, value: 0.05 }] } }
        every: 500ms
`;

/** What the plan dialog's inputs hold when filled in correctly. */
export const VALID_PLAN = {
  plan_issue_id: 'INC-42',
  plan_version: '2.4.1',
  plan_previous_version: '2.4.0',
  plan_summary: 'Fix the checkout total rounding',
  plan_severity: 'high',
  plan_services: 'api',
  plan_code_changes: 'PR #981 rounding fix',
};

export interface CardAction {
  readonly type: string;
  readonly title?: string;
  readonly verb?: string;
  readonly data?: Record<string, unknown>;
}
export interface Card {
  readonly body: Record<string, unknown>[];
  readonly actions?: CardAction[];
}

/** What a test reads of Teams' incident channel, and its clicks on the cards there. */
export interface TeamsViews {
  /** The thread root the notifier opened for a hotfix in the incident channel (its card, edited in place). */
  root(hotfixId: string): StandInActivity | undefined;
  /** The bot's replies in that thread, oldest first. */
  replies(hotfixId: string): StandInActivity[];
  /** The reply in the hotfix's thread once `probe` accepts one. */
  replyWhen(
    hotfixId: string,
    what: string,
    probe: (reply: StandInActivity) => boolean,
  ): Promise<StandInActivity>;
  /** The root card once `probe` holds for it. */
  rootWhen(hotfixId: string, what: string, probe: (card: Card) => boolean): Promise<StandInActivity>;
  /**
   * A person clicks the `Action.Execute` of `verb` whose data holds `match` on the card the stand-in holds for
   * `activityId` (Teams sends that button's own data).
   */
  click(input: {
    user: string;
    activityId: string;
    verb: string;
    match?: Record<string, unknown>;
  }): Promise<Delivered>;
}

export interface TeamsWorld extends TeamsViews {
  readonly standIn: TeamsStandIn;
  readonly delivery: TeamsDelivery;
  readonly settings: LoadedConfig;
  /** The Redis key prefix of this world's app (its keys are its own). */
  readonly prefix: string;
  readonly stepLog: string;
  /** What the monitor finds when it probes a hotfix's services. */
  readonly health: HealthEndpoint;
  /** Lets verification steps pass until the returned function puts the failure back. */
  passVerification(): Promise<() => Promise<void>>;
  eventTypes(hotfixId: string): Promise<string[]>;
  /** The replies the notifier owes a hotfix's stored events, in order, each as first posted (its summary). */
  expectedReplies(hotfixId: string): Promise<{ summaries: string[]; state: HotfixState }>;
  /** Every card the bot posted or updated through the Bot Connector, accepted or not. */
  sentCards(): unknown[];
  /** Whether the bot has finished handling an activity Teams delivered (its claim in Redis says done). */
  handled(activity: ActivityJson): Promise<boolean>;
  close(): Promise<void>;
}

export const cardOf = (activity: StandInActivity): Card => {
  const [attachment] = (activity.activity.attachments ?? []) as { content: Card }[];
  if (!attachment) throw new Error(`activity ${activity.id} holds no card`);
  return attachment.content;
};

/** Every action of a card, wherever it sits (actions, ActionSets, ShowCards). */
export const actionsOf = (value: unknown): CardAction[] => {
  if (Array.isArray(value)) return value.flatMap(actionsOf);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own =
    typeof object.type === 'string' && object.type.startsWith('Action.')
      ? [object as unknown as CardAction]
      : [];
  return [...own, ...Object.values(object).flatMap(actionsOf)];
};

export const firstSummary = (activity: StandInActivity): string =>
  String((activity.history[0]?.activity ?? activity.activity).summary);

/** The notice box on top of a card answered to the clicker alone (a refusal or repeat); none when it worked. */
export const noticeOf = (card: Card): string | undefined => {
  const [first] = card.body as { type: string; style?: string; items?: { text: string }[] }[];
  return first?.type === 'Container' && first.style === 'attention' ? first.items?.[0]?.text : undefined;
};

/** The e2e tests' tenant (Alice, Bob, Carol and Dave; a #incidents channel), played by the stand-in. */
export const createE2ETeamsStandIn = (): TeamsStandIn =>
  createTeamsStandIn({
    tenant: {
      tenantId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
      bot: { appId: APP_ID },
      team: { id: GENERAL, name: 'Payments', aadGroupId: '0a0b0c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' },
      channels: [{ id: INCIDENTS, name: 'incidents' }],
      users: [
        { aadObjectId: ALICE, name: 'Alice Archer', email: 'alice@example.com' },
        { aadObjectId: BOB, name: 'Bob Baker', email: 'bob@example.com' },
        { aadObjectId: CAROL, name: 'Carol Cruz', email: 'carol@example.com' },
        { aadObjectId: DAVE, name: 'Dave Dunn', email: 'dave@example.com' },
      ],
    },
    botToken: BOT_TOKEN,
  });

/** Reads the incident channel the stand-in holds; clicks go through `delivery`. */
export const teamsViews = (standIn: TeamsStandIn, delivery: TeamsDelivery): TeamsViews => {
  const root = (hotfixId: string) =>
    standIn
      .activities(INCIDENTS)
      .find((a) => a.author === 'bot' && a.threadId === a.id && firstSummary(a).includes(` ${hotfixId} ·`));
  const replies = (hotfixId: string) => {
    const found = root(hotfixId);
    return found
      ? standIn.thread(INCIDENTS, found.id).filter((a) => a.id !== found.id && a.author === 'bot')
      : [];
  };
  return {
    root,
    replies,
    replyWhen: (hotfixId, what, probe) =>
      waitFor(`${hotfixId} thread: ${what}`, () => replies(hotfixId).find(probe), 30_000),
    rootWhen: (hotfixId, what, probe) =>
      waitFor(
        `${hotfixId} card: ${what}`,
        () => {
          const found = root(hotfixId);
          return found && probe(cardOf(found)) ? found : undefined;
        },
        30_000,
      ),
    click({ user, activityId, verb, match = {} }) {
      const held = standIn.activity(activityId);
      if (!held) throw new Error(`no activity ${activityId}`);
      const action = actionsOf(held.activity.attachments).find(
        (a) =>
          a.type === 'Action.Execute' &&
          a.verb === verb &&
          Object.entries(match).every(([key, value]) => a.data?.[key] === value),
      );
      if (!action) throw new Error(`no ${verb} ${JSON.stringify(match)} on activity ${activityId}`);
      // The stand-in sends the first button of a verb; its data merged with this one's is this one's.
      return delivery.execute({ user, activityId, verb, inputs: action.data ?? {} });
    },
  };
};

/** What a test changes of the world it starts. */
export interface TeamsWorldOptions {
  /** Rewrites the e2e config (hotfix.yml) before the app reads it. */
  readonly config?: (text: string) => string;
}

/** `hotfix serve` as it runs (workers and the Teams notifier on, real Redis), Teams played by T1's stand-in. */
export const startTeamsWorld = async (
  redisUrl: string,
  redis: () => Redis,
  options: TeamsWorldOptions = {},
): Promise<TeamsWorld> => {
  const standIn = createE2ETeamsStandIn();
  await standIn.start();
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-teams-e2e-'));
  const stepLog = join(dir, 'steps.log');
  await writeFile(stepLog, '');
  const stepFail = join(dir, 'fail');
  await writeFile(stepFail, 'verify\n');
  const health = await startHealthEndpoint();
  const configText = config(health.url);
  await writeFile(join(dir, 'hotfix.yml'), options.config ? options.config(configText) : configText);
  const prefix = uniquePrefix('teams-e2e');
  const log = process.env.TEST_LOG;
  const settings = await loadSettings({
    PORT: String(await freePort()),
    REDIS_URL: redisUrl,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: join(dir, 'hotfix.yml'),
    HOTFIX_JOB_LOCK: '2s',
    HOTFIX_SHUTDOWN_GRACE: '2s',
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    HOTFIX_TEAMS_OPENID_METADATA_URL: standIn.openIdMetadataUrl,
    HOTFIX_TEAMS_SERVICE_URL: standIn.serviceUrl,
    LOG_LEVEL: log ?? 'silent',
  });
  // The outbound token is fixed (no Entra to ask offline); everything else is what `hotfix serve` starts.
  const app: AppServer = await startAppServer({
    settings,
    processEnv: { ...process.env, STEP_LOG: stepLog, STEP_FAIL: stepFail },
    botToken: '',
    teams: { outboundToken: BOT_TOKEN },
    worker: true,
    notifier: true,
    host: '127.0.0.1',
    log: pino({ level: log ?? 'silent' }),
  });
  const delivery = createTeamsDelivery({ standIn, url: `http://127.0.0.1:${app.port}/api/messages` });
  const connection = redis();
  const store = createRedisEventStore({ redis: connection, prefix, auditKey: TEST_AUDIT_KEY });

  return {
    ...teamsViews(standIn, delivery),
    standIn,
    delivery,
    settings,
    prefix,
    stepLog,
    health: health.endpoint,
    async passVerification() {
      await writeFile(stepFail, '');
      return () => writeFile(stepFail, 'verify\n');
    },
    eventTypes: async (hotfixId) => (await store.load(hotfixId)).events.map((e) => e.event.type),
    async expectedReplies(hotfixId) {
      const { events } = await store.load(hotfixId);
      const summaries: string[] = [];
      const prompts = new Set<string>();
      const votes = new Set<number>();
      let state = initialState();
      const plain = events.map((e) => e.event);
      const states = plain.reduce<HotfixState[]>((all, e) => [...all, evolve(all.at(-1)!, e)], [state]);
      let covered = -1;
      const choice = { stepLines: settings.config.thread?.step_lines ?? false };
      for (const [i, stored] of events.entries()) {
        const { event } = stored;
        state = evolve(state, event);
        // One reply per command, with its first event worth a line: as the notifier and the surface do it.
        const last = lastOfCommand(plain, i);
        const command =
          i <= covered
            ? []
            : plain.slice(i, last + 1).map((e, j) => ({
                event: e,
                before: states[i + j]!,
                after: states[i + j + 1]!,
                decided: states[last + 1]!,
              }));
        const message = threadMessage(command, (item) => lineCallOf(item, settings.policy), choice);
        if (message) {
          summaries.push(renderThreadMessage(message, { timezone: 'UTC' }).summary);
          covered = last;
        }
        // A logged issue's message is its line.
        if (event.type === 'IssueLogged')
          summaries.push(renderIssueMessage(state, event.issueId, { timezone: 'UTC' }).summary);
        if (event.type === 'StepStarted') {
          const step = state.runs.find((r) => r.id === event.runId)?.steps.find((s) => s.key === event.step);
          if (step?.kind === 'manual' && !prompts.has(`${event.runId}:${event.step}`)) {
            prompts.add(`${event.runId}:${event.step}`);
            summaries.push(renderManualStepPrompt(state, event.runId, event.step).summary);
          }
        }
        if (event.type === 'RollbackProposed' && !votes.has(event.voteId)) {
          votes.add(event.voteId);
          summaries.push(
            renderVoteMessage(state, event.voteId, { policy: settings.policy, now: new Date() }).summary,
          );
        }
        if (event.type === 'HotfixClosed') {
          const read = await readRecord(
            { store, config: () => settings.config, policy: () => settings.policy },
            hotfixId,
          );
          if (read === null) throw new Error(`no record of ${hotfixId}`);
          summaries.push(renderRecord(read).summary);
        }
      }
      return { summaries, state };
    },
    sentCards: () =>
      standIn.calls
        .filter((c) => c.method === 'POST' || c.method === 'PUT')
        .flatMap((c) => {
          const body = c.body as {
            attachments?: { content: unknown }[];
            activity?: { attachments?: { content: unknown }[] };
          };
          return (body.attachments ?? body.activity?.attachments ?? []).map((a) => a.content);
        }),
    async handled(activity) {
      const conversation = (activity.conversation as { id: string }).id;
      const hash = createHash('sha256')
        .update(`${conversation}\n${String(activity.id)}`)
        .digest('base64url');
      return (await connection.get(`${prefix}{hotfix}:teams:activity:${hash}`)) === 'done';
    },
    async close() {
      await app.close();
      connection.disconnect();
      await standIn.stop();
      await new Promise((resolve) => health.server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
};
