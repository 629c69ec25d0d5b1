import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { threadLine } from '../../src/bot/common/thread.ts';
import { displayName } from '../../src/domain/hotfix/people.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../src/domain/hotfix/state.ts';
import type { AppServer } from '../../src/main/serve.ts';
import { startAppServer } from '../../src/main/serve.ts';
import { loadSettings } from '../../src/main/runtime.ts';
import type { SlackDelivery, SlackStandIn, StandInMessage } from '../../src/slack-stand-in/index.ts';
import { createSlackDelivery } from '../../src/slack-stand-in/index.ts';
import { notifierKeys } from '../../src/notify/notifier.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import type { TeamsDelivery, TeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { createTeamsDelivery } from '../../src/teams-stand-in/index.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix } from '../helpers/redis.ts';
import * as slackFlow from './slack-flow.ts';
import type { SlackViews } from './slack-flow.ts';
import { planValues } from './slack-flow.ts';
import * as teamsFlow from './teams-flow.ts';
import type { TeamsViews } from './teams-flow.ts';
import { firstSummary } from './teams-flow.ts';

import { waitFor } from '../helpers/wait.ts';

export { waitFor };

/** The same four people on both platforms: their Slack member ids and their Entra object ids. */
export const PEOPLE = {
  alice: { name: 'Alice Archer', slack: slackFlow.ALICE, teams: teamsFlow.ALICE, roles: ['technical'] },
  bob: { name: 'Bob Baker', slack: slackFlow.BOB, teams: teamsFlow.BOB, roles: ['technical'] },
  carol: { name: 'Carol Cruz', slack: slackFlow.CAROL, teams: teamsFlow.CAROL, roles: ['management'] },
  dave: { name: 'Dave Dunn', slack: slackFlow.DAVE, teams: teamsFlow.DAVE, roles: ['business'] },
} as const;

/**
 * `people:` in the role form (role → ids per platform: an id on each platform counts as two people) or in the
 * persons form (one person, their roles and their id on each platform).
 */
export type PeopleForm = 'roles' | 'persons';

const peopleText = (form: PeopleForm): string => {
  const persons = Object.entries(PEOPLE);
  if (form === 'persons')
    return persons
      .map(
        ([handle, p]) =>
          `  ${handle}: { name: ${p.name}, roles: [${p.roles.join(', ')}], slack: ${p.slack}, teams: ${p.teams} }`,
      )
      .join('\n');
  const roles = [...new Set(persons.flatMap(([, p]) => p.roles))];
  return roles
    .map((role) => {
      const members = persons.filter(([, p]) => (p.roles as readonly string[]).includes(role));
      return `  ${role}: { slack: [${members.map(([, p]) => p.slack).join(', ')}], teams: [${members.map(([, p]) => p.teams).join(', ')}] }`;
    })
    .join('\n');
};

/** Slack's e2e pipeline (a manual verification step, a health monitor), with both incident channels. */
const configText = (healthUrl: string, form: PeopleForm, extra: string) => `
timezone: UTC
slack: { incident_channel: ${slackFlow.INCIDENTS} }
teams: { incident_channel: '${teamsFlow.INCIDENTS}' }
# Every line, so both threads owe the same ones (in a quiet thread a waiting manual step's start is a line on
# Teams only, where it mentions who may confirm; on Slack its prompt does).
thread: { step_lines: true }
people:
${peopleText(form)}
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
      - { name: health, check: { url: '${healthUrl}' }, every: 500ms }
${extra}`;

export interface CrossPlatformWorld {
  readonly slack: SlackViews & { readonly standIn: SlackStandIn; readonly delivery: SlackDelivery };
  readonly teams: TeamsViews & { readonly standIn: TeamsStandIn; readonly delivery: TeamsDelivery };
  readonly stepLog: string;
  eventTypes(hotfixId: string): Promise<string[]>;
  /** The hotfix's state folded from its stream. */
  state(hotfixId: string): Promise<HotfixState>;
  /** The milestone lines the stream owes each thread, oldest first, normalised (see normaliseLine). */
  expectedLines(hotfixId: string): Promise<string[]>;
  /**
   * Every message of each platform's thread (lines, prompts, votes, the record), as first posted, normalised; a
   * message of several lines as its lines.
   */
  slackTexts(hotfixId: string): string[];
  teamsTexts(hotfixId: string): string[];
  /** A notifier's progress on a hotfix, as kept in Redis (`posted`, `shown`, `hidden`…; see notifier.ts). */
  progress(surface: 'slack' | 'teams', hotfixId: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * A thread line as a person reads it, whatever the platform's markup: Slack's escaped `&amp; &lt; &gt;`, the
 * word joiner that breaks `@channel`-like words, and runs of spaces are undone, so the same line on Slack and on
 * Teams normalises to the same text.
 */
export const normaliseLine = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\u2060/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** The texts of a thread that are milestone lines (not prompts, votes or the record), in order. */
export const milestonesOf = (texts: readonly string[], expected: readonly string[]): string[] => {
  const known = new Set(expected);
  return texts.filter((text) => known.has(text));
};

/**
 * `hotfix serve` in-process with both Slack and Teams configured (each played by its stand-in), workers and
 * both notifiers on, on a private Redis. `extraConfig` is appended to hotfix.yml's text.
 */
export const startCrossPlatformWorld = async (
  redisUrl: string,
  redis: () => Redis,
  {
    form = 'roles',
    slackConfig = '',
    teamsConfig = '',
  }: {
    form?: PeopleForm;
    slackConfig?: string;
    teamsConfig?: string;
  } = {},
): Promise<CrossPlatformWorld> => {
  const slackStandIn = slackFlow.createE2ESlackStandIn();
  const teamsStandIn = teamsFlow.createE2ETeamsStandIn();
  await Promise.all([slackStandIn.start(), teamsStandIn.start()]);
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-cross-e2e-'));
  const stepLog = join(dir, 'steps.log');
  await writeFile(stepLog, '');
  const port = await freePort();
  let config = configText(`http://127.0.0.1:${port}/healthz`, form, '');
  // Extra keys of the platforms' sections (`mirror: false`…).
  if (slackConfig !== '')
    config = config.replace(
      `slack: { incident_channel: ${slackFlow.INCIDENTS} }`,
      `slack: { incident_channel: ${slackFlow.INCIDENTS}, ${slackConfig} }`,
    );
  if (teamsConfig !== '')
    config = config.replace(
      `teams: { incident_channel: '${teamsFlow.INCIDENTS}' }`,
      `teams: { incident_channel: '${teamsFlow.INCIDENTS}', ${teamsConfig} }`,
    );
  await writeFile(join(dir, 'hotfix.yml'), config);
  const prefix = uniquePrefix('cross-e2e');
  const log = process.env.TEST_LOG;
  const settings = await loadSettings({
    PORT: String(port),
    REDIS_URL: redisUrl,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: join(dir, 'hotfix.yml'),
    HOTFIX_JOB_LOCK: '2s',
    HOTFIX_SHUTDOWN_GRACE: '2s',
    SLACK_BOT_TOKEN: slackFlow.TOKEN,
    SLACK_SIGNING_SECRET: slackFlow.SECRET,
    SLACK_API_URL: slackStandIn.url,
    MicrosoftAppId: teamsFlow.APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    HOTFIX_TEAMS_OPENID_METADATA_URL: teamsStandIn.openIdMetadataUrl,
    HOTFIX_TEAMS_SERVICE_URL: teamsStandIn.serviceUrl,
    LOG_LEVEL: log ?? 'silent',
  });
  const app: AppServer = await startAppServer({
    settings,
    processEnv: { ...process.env, STEP_LOG: stepLog, STEP_FAIL: join(dir, 'fail') },
    botToken: slackFlow.TOKEN,
    teams: { outboundToken: teamsFlow.BOT_TOKEN },
    worker: true,
    notifier: true,
    host: '127.0.0.1',
    log: pino({ level: log ?? 'silent' }),
  });
  const slackDelivery = createSlackDelivery({
    standIn: slackStandIn,
    url: `http://127.0.0.1:${app.port}/slack/events`,
    signingSecret: slackFlow.SECRET,
  });
  const teamsDelivery = createTeamsDelivery({
    standIn: teamsStandIn,
    url: `http://127.0.0.1:${app.port}/api/messages`,
  });
  const connection = redis();
  const store = createRedisEventStore({ redis: connection, prefix, auditKey: TEST_AUDIT_KEY });
  const slack = { ...slackFlow.slackViews(slackStandIn), standIn: slackStandIn, delivery: slackDelivery };
  const teams = {
    ...teamsFlow.teamsViews(teamsStandIn, teamsDelivery),
    standIn: teamsStandIn,
    delivery: teamsDelivery,
  };

  const expectedLines = async (hotfixId: string): Promise<string[]> => {
    const { events } = await store.load(hotfixId);
    const lines: string[] = [];
    let state = initialState();
    for (const { event } of events) {
      const line = threadLine(event, state);
      state = evolve(state, event);
      if (line)
        lines.push(
          normaliseLine(
            `${line.emoji} ${line.actor ? `${displayName(line.actor)} ` : ''}${line.description}`,
          ),
        );
    }
    return lines;
  };

  return {
    slack,
    teams,
    stepLog,
    eventTypes: async (hotfixId) => (await store.load(hotfixId)).events.map((e) => e.event.type),
    state: async (hotfixId) => {
      const { events } = await store.load(hotfixId);
      return events.reduce((state, { event }) => evolve(state, event), initialState());
    },
    expectedLines,
    // A command's lines come as one message: one per line of its text on Slack, of its summary on Teams.
    slackTexts: (hotfixId) => slack.thread(hotfixId).flatMap((m) => m.text.split('\n').map(normaliseLine)),
    teamsTexts: (hotfixId) =>
      teams.replies(hotfixId).flatMap((a) => firstSummary(a).split(' · ').map(normaliseLine)),
    progress: (surface, hotfixId) => connection.hgetall(notifierKeys(prefix, surface).progressKey(hotfixId)),
    async close() {
      await app.close();
      connection.disconnect();
      await Promise.all([slackStandIn.stop(), teamsStandIn.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** `/hotfix start` and the plan modal in Slack; the hotfix's id once its Slack card is posted. */
export const startInSlack = async (
  w: CrossPlatformWorld,
  user: string = PEOPLE.alice.slack,
  /** Plan form values on top of the valid ones (the modal's block id → its input's state). */
  values: Readonly<Record<string, unknown>> = {},
): Promise<string> => {
  const before = w.slack.standIn.messages(slackFlow.INCIDENTS).length;
  await w.slack.delivery.command({ user, channel: slackFlow.INCIDENTS, text: 'start INC-42' });
  const modal = await waitFor('the plan modal', () => w.slack.standIn.views.top(user));
  const submitted = await w.slack.delivery.submitView({
    user,
    viewId: modal.view.id,
    values: planValues(values),
  });
  if (submitted.errors !== undefined) throw new Error(`plan refused: ${JSON.stringify(submitted.errors)}`);
  const posted = await waitFor('the Slack card', () =>
    w.slack.standIn
      .messages(slackFlow.INCIDENTS)
      .slice(before)
      .find((m) => /HF-\d+ ·/.test(m.text)),
  );
  return /HF-\d+/.exec(posted.text)?.[0] ?? '';
};

/** The action id of the Slack button labelled `label` on a message. */
export const slackButton = (message: StandInMessage | undefined, label: string): string => {
  const found = (message?.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id?: string; text?: { text?: string } }[] }).elements ?? [])
    .find((e) => e.text?.text === label)?.action_id;
  if (found === undefined) throw new Error(`no "${label}" button on ${message?.ts ?? 'no message'}`);
  return found;
};

/** `user` ticks every readiness item on the Slack card. */
export const tickAllInSlack = async (world: CrossPlatformWorld, id: string, user: string): Promise<void> => {
  for (const [checklist, n] of [
    ['code_readiness', 2],
    ['environment_readiness', 1],
  ] as const) {
    const card = world.slack.card(id);
    const blockId = (card?.blocks ?? [])
      .map((b) => (b as { block_id?: string }).block_id ?? '')
      .find((b) => b.startsWith(`hotfix_checklist:${id}:${checklist}:0`));
    await world.slack.delivery.act({
      user,
      channel: slackFlow.INCIDENTS,
      ts: card?.ts ?? '',
      actionId: 'hotfix_tick',
      ...(blockId ? { blockId } : {}),
      selected: Array.from({ length: n }, (_, i) => String(i)),
    });
  }
};
