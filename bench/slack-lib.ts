/**
 * Shared pieces of the Slack benchmarks (issue 4): a hotfix.yml and a stand-in workspace with a Slack section
 * and 21 technical people, Slack-signed requests, and the Block Kit payloads Slack sends for `/hotfix start`, a
 * checklist tick and an Approve click, built from the card the bot actually renders.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:http';
import type { Policy } from '../src/domain/hotfix/policy.ts';
import type { HotfixState } from '../src/domain/hotfix/state.ts';
import type { Person } from '../src/domain/hotfix/people.ts';
import { renderCard } from '../src/bot/slack/blocks/card.ts';
import type { SlackStandInOptions } from '../src/slack-stand-in/index.ts';
import { serviceBlocksOf } from './lib.ts';

export const BOT_TOKEN = 'xoxb-bench-token';
export const SIGNING_SECRET = 'bench-signing-secret';
export const TEAM_ID = 'T0BENCH';
export const INCIDENTS = 'C0INCIDENTS';
export const APP_ID = 'A0HOTFIXAPP';

/** U0TECH1 requests every hotfix; U0TECH2…U0TECH21 approve (the requester's own approval never counts). */
export const techId = (i: number): string => `U0TECH${i}`;
export const APPROVERS = Array.from({ length: 20 }, (_, i) => techId(i + 2));
export const REQUESTER: Person = { platform: 'slack', id: techId(1), name: 'tech1' };
export const MANAGER = 'U0MGR1';

export const slackWorkspace = (
  channels: SlackStandInOptions['workspace']['channels'] = [],
): SlackStandInOptions['workspace'] => ({
  teamId: TEAM_ID,
  users: [
    ...Array.from({ length: 21 }, (_, i) => ({
      id: techId(i + 1),
      name: `tech${i + 1}`,
      real_name: `Tech ${i + 1}`,
    })),
    { id: MANAGER, name: 'mia', real_name: 'Mia Manager' },
  ],
  channels: [{ id: INCIDENTS, name: 'incidents' }, ...channels],
});

/**
 * hotfix.yml for the Slack benches: the incident channel (and a channel per hotfix when asked), the 21
 * technical people and a manager, two readiness checklists, and `services` services of `steps` run steps.
 */
export const slackBenchConfig = (options: {
  services: number;
  steps: number;
  channelPerHotfix: boolean;
}): string => {
  return [
    'timezone: UTC',
    'slack:',
    `  incident_channel: ${INCIDENTS}`,
    `  channel_per_hotfix: ${options.channelPerHotfix}`,
    'people:',
    `  technical: { slack: [${Array.from({ length: 21 }, (_, i) => techId(i + 1)).join(', ')}] }`,
    `  management: { slack: [${MANAGER}] }`,
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
    ...serviceBlocksOf(options.services, options.steps),
    '',
  ].join('\n');
};

// ---------------------------------------------------------------------------------------------------------
// Requests as Slack sends them.

/** `v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))`, with the timestamp in seconds. */
export const signedHeaders = (body: string, secret = SIGNING_SECRET): OutgoingHttpHeaders => {
  const ts = Math.floor(performance.timeOrigin / 1000 + performance.now() / 1000).toString();
  const signature = createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(body),
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${signature}`,
  };
};

let triggerSerial = 0;
/** Slack's trigger id shape (`123.456.hex`); a fresh one for every request (the bot drops repeats). */
export const newTriggerId = (): string =>
  `${Math.floor(performance.timeOrigin / 1000)}.${++triggerSerial}.${randomBytes(16).toString('hex')}`;

export const slashCommandBody = (input: {
  user: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): string =>
  new URLSearchParams({
    token: 'bench-verification-token',
    team_id: TEAM_ID,
    team_domain: 'hotfix-playground',
    channel_id: INCIDENTS,
    channel_name: 'incidents',
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: '/hotfix',
    text: input.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  }).toString();

/** Where a card is: its channel and message ts, and the message as Slack would include it in a payload. */
export interface CardMessage {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** The card the bot renders for `state` (what Slack shows, and sends back inside every block_actions). */
export const cardMessage = (
  state: HotfixState,
  policy: Policy,
  where: { channel: string; ts: string },
): CardMessage => {
  const card = renderCard(state, {
    policy,
    timezone: 'UTC',
    now: new Date(state.updatedAt),
    lockHolders: {},
  });
  return { ...where, text: card.text, blocks: card.blocks as unknown as Record<string, unknown>[] };
};

interface Element {
  readonly type: string;
  readonly action_id?: string;
  readonly value?: string;
  readonly options?: readonly Record<string, unknown>[];
}

const elementsOf = (block: Record<string, unknown>): Element[] => {
  const accessory = block.accessory as Element | undefined;
  const elements = (block.elements as Element[] | undefined) ?? [];
  return [...(accessory ? [accessory] : []), ...elements];
};

/** The checkboxes of a checklist page on the card: its block id, action id and options. */
export const checklistElement = (card: CardMessage, checklist: string) => {
  for (const block of card.blocks) {
    const blockId = String(block.block_id ?? '');
    if (!blockId.startsWith('hotfix_checklist:') || !blockId.includes(`:${checklist}:`)) continue;
    const element = elementsOf(block).find((e) => e.type === 'checkboxes');
    if (element?.action_id) return { blockId, actionId: element.action_id, options: element.options ?? [] };
  }
  throw new Error(`no ${checklist} checkboxes on the card`);
};

/** The card's Approve button for `role`: block id, action id and value (`{"h":…,"v":planHash,"r":role}`). */
export const approveButton = (card: CardMessage, role: string) => {
  for (const block of card.blocks)
    for (const element of elementsOf(block)) {
      if (!element.action_id?.startsWith('hotfix_approve') || element.value === undefined) continue;
      if ((JSON.parse(element.value) as { r?: string }).r !== role) continue;
      return { blockId: String(block.block_id ?? ''), actionId: element.action_id, value: element.value };
    }
  throw new Error(`no Approve button for ${role} on the card`);
};

const actionTs = () => (performance.timeOrigin / 1000 + performance.now() / 1000).toFixed(6);

/** A block_actions payload from a click on `card` by `user`, form-encoded as Slack posts it. */
export const blockActionsBody = (input: {
  card: CardMessage;
  user: string;
  action: Record<string, unknown>;
  responseUrl: string;
  triggerId: string;
}): string => {
  const { card, user } = input;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'bench-verification-token',
    container: { type: 'message', message_ts: card.ts, channel_id: card.channel, is_ephemeral: false },
    trigger_id: input.triggerId,
    team: { id: TEAM_ID, domain: 'hotfix-playground' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: card.channel, name: 'incidents' },
    message: {
      type: 'message',
      subtype: 'bot_message',
      text: card.text,
      ts: card.ts,
      bot_id: 'B0HOTFIXBOT',
      blocks: card.blocks,
    },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [{ ...input.action, action_ts: actionTs() }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
};

// ---------------------------------------------------------------------------------------------------------
// A small HTTP client: keep-alive connections, one request → one round-trip time.

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

/** POSTs `body` to `/slack/events`; resolves with the status and the round trip (request sent → response read). */
export const post = (to: Target, body: string, headers: OutgoingHttpHeaders) =>
  new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: to.port, path: '/slack/events', method: 'POST', headers, agent: to.agent },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const t0 = performance.now();
    req.end(body);
  });

export { freePort } from '../src/main/local-redis.ts';
