import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { serve } from '../../src/main/serve.ts';
import type { SlackStandIn, StandInMessage } from '../../src/slack-stand-in/index.ts';
import { createSlackDelivery, createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import type { SlackDelivery } from '../../src/slack-stand-in/deliver.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import type { HealthEndpoint } from './health-endpoint.ts';
import { startHealthEndpoint } from './health-endpoint.ts';

export { waitFor };

export const TEAM = 'T0HOTFIX';
export const INCIDENTS = 'C0INCIDENTS';
/** A stakeholder channel (`slack.notify`) for the tests that configure one. */
export const STAKEHOLDERS = 'C0STAKEHOLDERS';
export const TOKEN = 'xoxb-e2e-token';
export const SECRET = 'e2e-signing-secret';
/** Alice (technical) plans; Bob (technical) and Carol (management) approve; Dave (business) signs off. */
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const CAROL = 'U0CAROL';
export const DAVE = 'U0DAVE';

const configText = (healthUrl: string) => `
timezone: UTC
slack: { incident_channel: ${INCIDENTS} }
people:
  technical: { slack: [${ALICE}, ${BOB}] }
  management: { slack: [${CAROL}] }
  business: { slack: [${DAVE}] }
policy:
  approvals: { technical: 1, management: 1 }
  signoffs: [technical, business]
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
      preparation:
        - { name: backup, run: [test/fixtures/pipeline/step.sh, backup], secret_env: [STEP_LOG, STEP_FAIL] }
      execution:
        - { name: deploy, run: [test/fixtures/pipeline/step.sh, deploy], secret_env: [STEP_LOG, STEP_FAIL] }
      verification:
        - { name: smoke, manual: Place a test order, roles: [technical] }
    rollback:
      execution:
        - { name: revert, run: [test/fixtures/pipeline/step.sh, revert], secret_env: [STEP_LOG, STEP_FAIL] }
    monitor:
      - name: health
        check: { url: '${healthUrl}', expect: { json: [{ path: error_rate, op: lt, value: 0.05 }] } }
        every: 500ms
`;

/** What a test reads of Slack: a hotfix's card and thread in the incident channel, and ephemerals. */
export interface SlackViews {
  /** The card of a hotfix in the incident channel (the bot's top-level message naming it). */
  card(hotfixId: string): StandInMessage | undefined;
  /** The card once `probe` holds for it (the notifier edits it at most once a second). */
  cardWhen(hotfixId: string, what: string, probe: (card: StandInMessage) => boolean): Promise<StandInMessage>;
  /** The replies in the card's thread. */
  thread(hotfixId: string): StandInMessage[];
  /** The block id of the first element with this action id on a message. */
  blockOf(message: StandInMessage, actionId: string): string;
  /** Ephemeral texts `user` has seen. */
  ephemerals(user: string): string[];
}

export interface SlackWorld extends SlackViews {
  readonly standIn: SlackStandIn;
  readonly slack: SlackDelivery;
  readonly url: string;
  readonly port: number;
  readonly prefix: string;
  readonly stepLog: string;
  /** What the monitor finds when it probes a hotfix's services. */
  readonly health: HealthEndpoint;
  /** The hotfix's stored event types, oldest first. */
  eventTypes(hotfixId: string): Promise<string[]>;
  close(): Promise<void>;
}

export const blockText = (message: StandInMessage): string =>
  JSON.stringify(message.blocks ?? []) + message.text;

/** The real product (`hotfix serve` in-process, workers included) wired to a Slack stand-in. */
export const APP_TOKEN = 'xapp-e2e-app-token';

/** A plain text input's state, as Slack sends it in `view.state.values`. */
export const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
/** A valid plan form (the fields the tests' config requires), with `overrides` on top. */
export const planValues = (overrides: Record<string, unknown> = {}) => ({
  plan_issue_id: input('INC-42'),
  plan_version: input('2.4.1'),
  plan_previous_version: input('2.4.0'),
  plan_summary: input('Fix the checkout total rounding'),
  plan_severity: { value: { type: 'static_select', selected_option: { value: 'high' } } },
  plan_services: { value: { type: 'multi_static_select', selected_options: [{ value: 'api' }] } },
  plan_code_changes: input('PR #981 rounding fix'),
  ...overrides,
});

/** The e2e tests' Slack workspace (Alice, Bob, Carol and Dave in #incidents), played by the stand-in. */
export const createE2ESlackStandIn = ({ socketMode = false }: { socketMode?: boolean } = {}): SlackStandIn =>
  createSlackStandIn({
    workspace: {
      teamId: TEAM,
      users: [
        { id: ALICE, name: 'alice', real_name: 'Alice Archer' },
        { id: BOB, name: 'bob', real_name: 'Bob Baker' },
        { id: CAROL, name: 'carol', real_name: 'Carol Cruz' },
        { id: DAVE, name: 'dave', real_name: 'Dave Dunn' },
      ],
      channels: [
        { id: INCIDENTS, name: 'incidents', members: [ALICE, BOB, CAROL, DAVE] },
        { id: STAKEHOLDERS, name: 'stakeholders', members: [DAVE] },
      ],
    },
    botToken: TOKEN,
    ...(socketMode ? { appToken: APP_TOKEN } : {}),
  });

/** Reads the incident channel the stand-in holds. */
export const slackViews = (standIn: SlackStandIn): SlackViews => {
  const card = (hotfixId: string) =>
    standIn
      .messages(INCIDENTS)
      .find((m) =>
        m.thread_ts === undefined || m.thread_ts === m.ts ? m.text.includes(`${hotfixId} ·`) : false,
      );
  return {
    card,
    cardWhen: (hotfixId, what, probe) =>
      waitFor(`${hotfixId} card: ${what}`, () => {
        const found = card(hotfixId);
        return found && probe(found) ? found : undefined;
      }),
    thread: (hotfixId) => {
      const root = card(hotfixId);
      return root ? standIn.thread(INCIDENTS, root.ts).slice(1) : [];
    },
    blockOf: (message, actionId) => {
      for (const block of message.blocks ?? []) {
        const elements = (
          block as { elements?: { action_id?: string }[]; accessory?: { action_id?: string } }
        ).elements;
        if (elements?.some((e) => e.action_id === actionId)) return (block as { block_id: string }).block_id;
      }
      throw new Error(`no ${actionId} on message ${message.ts}`);
    },
    ephemerals: (user) => standIn.ephemerals(user).map((e) => e.text),
  };
};

/** `socketMode`: the app connects with SLACK_APP_TOKEN and Slack's requests come over that socket. */
export const startSlackWorld = async (
  redisUrl: string,
  redis: () => Redis,
  {
    socketMode = false,
    config = (text) => text,
  }: {
    socketMode?: boolean;
    /** Changes the tests' hotfix.yml (a test's own keys). */
    config?: (text: string) => string;
  } = {},
): Promise<SlackWorld> => {
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-e2e-'));
  const stepLog = join(dir, 'steps.log');
  await writeFile(stepLog, '');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/slack/events`;
  const configFile = join(dir, 'hotfix.yml');
  const health = await startHealthEndpoint();
  await writeFile(configFile, config(configText(health.url)));
  const standIn = createE2ESlackStandIn({ socketMode });
  await standIn.start();
  const prefix = uniquePrefix('e2e');
  const abort = new AbortController();
  const env = {
    ...process.env,
    PORT: String(port),
    REDIS_URL: redisUrl,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: configFile,
    HOTFIX_JOB_LOCK: '2s',
    HOTFIX_SHUTDOWN_GRACE: '2s',
    LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: standIn.url,
    ...(socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    STEP_LOG: stepLog,
    STEP_FAIL: join(dir, 'fail'),
  };
  const running = serve(
    { worker: true },
    { env, version: 'test', stdout: () => undefined, stderr: () => undefined, setExitCode: () => undefined },
    abort.signal,
  );
  await waitFor('serve to answer', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
    } catch {
      return false;
    }
  });
  if (socketMode)
    await waitFor('the app to connect over Socket Mode', () => standIn.socketMode.connections() > 0);
  const slack = createSlackDelivery({
    standIn,
    url,
    signingSecret: SECRET,
    transport: socketMode ? 'socket' : 'http',
  });
  const store = createRedisEventStore({ redis: redis(), prefix, auditKey: TEST_AUDIT_KEY });
  return {
    ...slackViews(standIn),
    standIn,
    slack,
    url,
    port,
    prefix,
    stepLog,
    health: health.endpoint,
    eventTypes: async (hotfixId) => (await store.load(hotfixId)).events.map((e) => e.event.type),
    async close() {
      abort.abort();
      await running;
      await standIn.stop();
      await new Promise((resolve) => health.server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
};
