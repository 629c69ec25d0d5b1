/**
 * Shared pieces of the Teams ack benchmark (issue 12): the tenant and hotfix.yml, the three child processes it
 * runs (T1's stand-in holding the conversations and signing the deliveries, ours as `hotfix serve` runs Teams, a
 * bare botbuilder CloudAdapter app), and a paced HTTP client for `POST /api/messages`.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Person } from '../src/domain/hotfix/people.ts';
import { startAppServer } from '../src/main/serve.ts';
import { loadSettings } from '../src/main/runtime.ts';
import type { TeamsStandIn } from '../src/teams-stand-in/index.ts';
import {
  botFrameworkAuthConfig,
  createTeamsDelivery,
  createTeamsStandIn,
} from '../src/teams-stand-in/index.ts';
import { startBot } from '../test/teams-stand-in/bot.ts';
import { serviceBlocksOf } from './lib.ts';

export const APP_ID = '6c1e9b2a-3f4d-4a5b-8c7d-9e0f1a2b3c4d';
export const TENANT_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
/** What both apps' outbound calls carry; the stand-in accepts exactly this. */
export const BOT_TOKEN = 'teams-bench-outbound-token';
export const GENERAL = '19:benchgeneral0a1b2c3d@thread.tacv2';
export const INCIDENTS = '19:benchincidents4e5f6a@thread.tacv2';
/** Alice requests every hotfix and clicks every button; Bob and Carol are there for the approvals' roles. */
export const ALICE = '1a1a1a1a-aaaa-4aaa-8aaa-1a1a1a1a1a1a';
export const BOB = '2b2b2b2b-bbbb-4bbb-8bbb-2b2b2b2b2b2b';
export const CAROL = '3c3c3c3c-cccc-4ccc-8ccc-3c3c3c3c3c3c';
export const REQUESTER: Person = { platform: 'teams', id: ALICE, name: 'Alice Archer' };

export const TOGGLE_VERB = 'hotfix.toggle-item';

/**
 * Teams' per-conversation windows would answer most of the bench's 91 help replies a second with 429 (7/s per
 * channel). The bench measures the answer to Teams, not the chat output behind it, so the stand-in lets every
 * call through; ours' notifier still keeps Teams' windows in its own outbox (product code, unchanged).
 */
const UNTHROTTLED = [{ max: 1_000_000, windowMs: 1_000 }];

const tenant = {
  tenantId: TENANT_ID,
  bot: { appId: APP_ID },
  team: { id: GENERAL, name: 'Payments', aadGroupId: '4d4d4d4d-dddd-4ddd-8ddd-4d4d4d4d4d4d' },
  channels: [{ id: INCIDENTS, name: 'incidents' }],
  users: [
    { aadObjectId: ALICE, name: 'Alice Archer', email: 'alice@example.com' },
    { aadObjectId: BOB, name: 'Bob Baker', email: 'bob@example.com' },
    { aadObjectId: CAROL, name: 'Carol Cruz', email: 'carol@example.com' },
  ],
};

export const teamsBenchConfig = (): string =>
  [
    'timezone: UTC',
    `teams: { incident_channel: '${INCIDENTS}' }`,
    'people:',
    `  technical: { teams: [${ALICE}, ${BOB}] }`,
    `  management: { teams: [${CAROL}] }`,
    'policy:',
    '  approvals: { technical: 1, management: 1 }',
    '  signoffs: [technical]',
    '  verification_period: 1ms',
    '  rollback:',
    '    on_failure: off',
    'checklists:',
    '  code_readiness: [Tests passed, Reviewed]',
    '  environment_readiness: [Tool access]',
    'services:',
    ...serviceBlocksOf(1, 1),
    '',
  ].join('\n');

// ---------------------------------------------------------------------------------------------------------
// Child processes. Each is this file's caller (bench/teams-ack.ts) forked with TEAMS_BENCH_ROLE set; the parent
// talks to them over IPC.

/** A prepared delivery: the activity as T1's createTeamsDelivery posts it, and its signed Authorization. */
export interface Prepared {
  readonly body: string;
  readonly authorization: string;
}

export type StandInRequest =
  | { readonly op: 'mentions'; readonly n: number; readonly text: string }
  | {
      readonly op: 'clicks';
      readonly clicks: readonly { readonly hotfixId: string; readonly ticked: boolean }[];
    }
  | { readonly op: 'cards'; readonly hotfixIds: readonly string[] }
  | { readonly op: 'calls' };

/** What each child sends its parent once it listens. */
export interface Ready {
  readonly ready: true;
  readonly port?: number;
}

export interface StandInReady extends Ready {
  readonly serviceUrl: string;
  readonly origin: string;
  readonly openIdMetadataUrl: string;
}

/** The activity holding hotfix `id`'s card, as ours' notifier posted it (edits keep its id). */
const findCard = (standIn: TeamsStandIn, hotfixId: string): string | undefined =>
  standIn.activities(INCIDENTS).find((a) => {
    const json = JSON.stringify(a.activity);
    return a.author === 'bot' && json.includes(`"hotfixId":"${hotfixId}"`) && json.includes(TOGGLE_VERB);
  })?.id;

/**
 * The stand-in process: T1's Teams stand-in (Bot Connector + OpenID keys, authenticated). Deliveries are made by
 * T1's createTeamsDelivery pointed at a capture endpoint in this process, so the bench gets each activity and
 * its signed token before the measured window and replays the exact bytes to either app.
 */
export const runStandInHost = async (): Promise<void> => {
  const standIn = createTeamsStandIn({ tenant, botToken: BOT_TOKEN, rateLimits: UNTHROTTLED });
  await standIn.start();
  let captured: Prepared | undefined;
  const capture = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured = {
        body: Buffer.concat(chunks).toString('utf8'),
        authorization: req.headers.authorization ?? '',
      };
      res.writeHead(200).end();
    });
  });
  capture.listen(0, '127.0.0.1');
  await once(capture, 'listening');
  const delivery = createTeamsDelivery({
    standIn,
    url: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/api/messages`,
  });
  const cards = new Map<string, string>();
  const cardActivityOf = (hotfixId: string) => {
    const known = cards.get(hotfixId) ?? findCard(standIn, hotfixId);
    if (known !== undefined) cards.set(hotfixId, known);
    return known;
  };
  const take = async (deliver: () => Promise<unknown>): Promise<Prepared> => {
    captured = undefined;
    await deliver();
    if (captured === undefined) throw new Error('the delivery reached no capture');
    return captured;
  };
  const answer = async (message: StandInRequest): Promise<Record<string, unknown>> => {
    switch (message.op) {
      case 'mentions': {
        const prepared: Prepared[] = [];
        for (let i = 0; i < message.n; i++)
          prepared.push(await take(() => delivery.mention({ user: ALICE, text: message.text })));
        return { prepared };
      }
      case 'clicks': {
        const prepared: Prepared[] = [];
        for (const click of message.clicks) {
          const activityId = cardActivityOf(click.hotfixId);
          if (activityId === undefined) throw new Error(`no card of ${click.hotfixId} in the stand-in`);
          // The first toggle on the card (code_readiness item 1); `ticked` is what the card showed, which
          // alternates click after click as Teams would show it after each refresh.
          prepared.push(
            await take(() =>
              delivery.execute({
                user: ALICE,
                activityId,
                verb: TOGGLE_VERB,
                inputs: { ticked: click.ticked },
              }),
            ),
          );
        }
        return { prepared };
      }
      case 'cards':
        return { found: message.hotfixIds.filter((id) => cardActivityOf(id) !== undefined).length };
      case 'calls': {
        const byKind: Record<string, number> = {};
        for (const call of standIn.calls) {
          const kind = `${call.method} ${call.path.replace(/\/v3\/conversations\/[^/]+/, '/v3/conversations/…').replace(/activities\/[^/]+$/, 'activities/…')} ${call.status}`;
          byKind[kind] = (byKind[kind] ?? 0) + 1;
        }
        return { total: standIn.calls.length, byKind };
      }
    }
  };
  process.on('message', (message: StandInRequest & { id: number }) => {
    answer(message).then(
      (reply) => process.send?.({ id: message.id, ...reply }),
      (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
    );
  });
  process.once('SIGTERM', () => void standIn.stop().finally(() => process.exit(0)));
  const ready: StandInReady = {
    ready: true,
    serviceUrl: standIn.serviceUrl,
    origin: standIn.origin,
    openIdMetadataUrl: standIn.openIdMetadataUrl,
  };
  process.send?.(ready);
};

/**
 * Ours: what `hotfix serve` runs for Teams (startAppServer with Teams credentials: the main thread checks the
 * token and acks, the app thread runs the router, the notifier and the workers), with T5's test-only fixed
 * outbound token in place of Entra. Env: PORT, REDIS_URL, HOTFIX_CONFIG, HOTFIX_AUDIT_KEY, the stand-in's URLs.
 */
export const runOurs = async (): Promise<void> => {
  const settings = await loadSettings({
    ...process.env,
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'never-used-offline',
    LOG_LEVEL: 'warn',
  });
  const log = pino({ level: 'warn' });
  const app = await startAppServer({
    settings,
    processEnv: process.env,
    botToken: '',
    teams: { outboundToken: BOT_TOKEN },
    worker: true,
    notifier: true,
    host: '127.0.0.1',
    log,
  });
  process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
  process.send?.({ ready: true, port: app.port } satisfies Ready);
};

/** What the bare app answers every `adaptiveCard/action`: a fixed, small card. */
const FIXED_CARD = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Done.', wrap: true }],
};

/**
 * The baseline: a bare botbuilder CloudAdapter behind node:http (T1's test bot), with the same auth config
 * pointed at the same OpenID stand-in, whose logic only answers: nothing for a message (200), the fixed card
 * for an `adaptiveCard/action` invoke. Env: TEAMS_OPENID_ORIGIN (it listens on a free port and prints it).
 */
export const runBare = async (): Promise<void> => {
  const bot = await startBot({
    appId: APP_ID,
    authConfig: botFrameworkAuthConfig(process.env.TEAMS_OPENID_ORIGIN ?? ''),
    logic: (context) =>
      Promise.resolve(
        context.activity.type === 'invoke' && context.activity.name === 'adaptiveCard/action'
          ? {
              status: 200,
              body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: FIXED_CARD },
            }
          : undefined,
      ),
  });
  process.once('SIGTERM', () => void bot.stop().finally(() => process.exit(0)));
  process.send?.({ ready: true, port: Number(new URL(bot.url).port) } satisfies Ready);
};

// ---------------------------------------------------------------------------------------------------------
// The client: keep-alive connections, one request → one round trip.

export interface Target {
  readonly name: string;
  readonly port: number;
  readonly agent: Agent;
}

export const target = (name: string, port: number, connections: number): Target => ({
  name,
  port,
  agent: new Agent({ keepAlive: true, maxSockets: connections }),
});

export interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** POSTs a prepared activity to `/api/messages`; the round trip is request written → response read. */
export const postActivity = (to: Target, prepared: Prepared) =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: to.port,
        path: '/api/messages',
        method: 'POST',
        agent: to.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(prepared.body),
          authorization: prepared.authorization,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - t0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const t0 = performance.now();
    req.end(prepared.body);
  });
