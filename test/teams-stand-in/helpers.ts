import { ConnectorClient } from 'botframework-connector';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TeamsStandIn, TeamsStandInOptions } from '../../src/teams-stand-in/index.ts';
import { createTeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { APP_ID, BOT_TOKEN, TENANT_ID } from './bot.ts';

export const GENERAL = '19:general0a1b2c3d4e5f@thread.tacv2';
export const INCIDENTS = '19:incidents9f8e7d6c5b4a@thread.tacv2';
export const ALICE = '11111111-aaaa-4aaa-8aaa-111111111111';
export const BOB = '22222222-bbbb-4bbb-8bbb-222222222222';
export const CAROL = '33333333-cccc-4ccc-8ccc-333333333333';

export const tenant: TeamsStandInOptions['tenant'] = {
  tenantId: TENANT_ID,
  bot: { appId: APP_ID },
  team: { id: GENERAL, name: 'Payments', aadGroupId: '44444444-dddd-4ddd-8ddd-444444444444' },
  channels: [{ id: INCIDENTS, name: 'incidents' }],
  users: [
    { aadObjectId: ALICE, name: 'Alice Archer', email: 'alice@example.com', givenName: 'Alice' },
    { aadObjectId: BOB, name: 'Bob Baker', email: 'bob@example.com' },
    { aadObjectId: CAROL, name: 'Carol Cruz', email: 'carol@example.com' },
  ],
};

/** A clock the test moves by hand: rate windows without waiting. */
export const manualClock = (start = Date.UTC(2026, 11, 1, 9, 0, 0)) => {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
};

/** One stand-in per test file (authenticated with BOT_TOKEN unless told otherwise), reset after each test. */
export const useTeamsStandIn = (options: Partial<TeamsStandInOptions> = {}) => {
  const clock = manualClock();
  let standIn: TeamsStandIn | undefined;
  beforeAll(async () => {
    standIn = createTeamsStandIn({ tenant, clock, botToken: BOT_TOKEN, ...options });
    await standIn.start();
  });
  afterEach(async () => {
    await standIn?.up();
    standIn?.reset();
  });
  afterAll(async () => standIn?.stop());
  const get = () => {
    if (standIn === undefined) throw new Error('stand-in not started');
    return standIn;
  };
  return {
    clock,
    standIn: get,
    /** botbuilder's own connector client, with a fixed bearer token and no retries unless asked. */
    client: (token = BOT_TOKEN, retries = false) =>
      new ConnectorClient(
        {
          signRequest: (request) => {
            request.headers.set('authorization', `Bearer ${token}`);
            return Promise.resolve(request);
          },
        },
        { baseUri: get().serviceUrl, ...(retries ? {} : { noRetryPolicy: true }) },
      ),
    /** A raw connector call: status, Retry-After and parsed body; `token` null sends no Authorization. */
    async call(method: string, path: string, body?: unknown, token: string | null = BOT_TOKEN) {
      const response = await fetch(new URL(path.replace(/^\//, ''), get().serviceUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined,
      };
    },
  };
};

export const card = (text: string, extra: object = {}) => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text, wrap: true }],
    ...extra,
  },
});

export const message = (text: string) => ({ type: 'message', text });
export const cardMessage = (text: string) => ({ type: 'message', attachments: [card(text)] });

/** Encodes a conversation id into a connector path, as botbuilder does. */
export const conv = (id: string) => encodeURIComponent(id);
