import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TeamsActivity } from '../../../src/bot/teams/activity.ts';
import { refFromActivity } from '../../../src/bot/teams/conversation-ref.ts';
import { createTeamsRouter, teamsHelpText } from '../../../src/bot/teams/router.ts';
import type { TeamsTransport } from '../../../src/bot/teams/transport.ts';
import { createTeamsTransport } from '../../../src/bot/teams/transport.ts';
import type { Config } from '../../../src/config/load.ts';
import type { Policy } from '../../../src/domain/hotfix/policy.ts';
import type { OpenIdStandIn, TokenFlaw } from '../../../src/teams-stand-in/openid.ts';
import { createOpenIdStandIn } from '../../../src/teams-stand-in/openid.ts';
import { startConnectorCapture } from './connector-capture.ts';

const APP_ID = '8a2f0c1e-5d7b-4e3a-9c61-2b4d6f8e0a13';
const OUTBOUND_TOKEN = 'fixed-outbound-token';
const LEAD = '6f1c0a8e-2b4d-4c55-9a1e-0d3b7c9e1f20';
const CHANNEL = '19:incidents@thread.tacv2';
const people: Config['people'] = { technical: { slack: [], teams: [LEAD] } };

let openId: OpenIdStandIn;
let connector: Awaited<ReturnType<typeof startConnectorCapture>>;
let transport: TeamsTransport;
/** Everything the transport logged, and everything written to the console (botbuilder prints there). */
let logged: string[];

beforeAll(async () => {
  openId = createOpenIdStandIn();
  await openId.start();
  connector = await startConnectorCapture();
});
afterAll(async () => {
  await connector?.stop();
  await openId?.stop();
});
beforeEach(() => {
  logged = [];
  for (const method of ['error', 'warn', 'log', 'info'] as const)
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void logged.push(args.map(String).join(' ')),
    );
  transport = createTeamsTransport({
    appId: APP_ID,
    appPassword: 'not-used-with-a-fixed-token',
    appType: 'MultiTenant',
    openIdMetadataUrl: openId.metadataUrl,
    outboundToken: OUTBOUND_TOKEN,
    clock: { now: () => new Date() },
    log: { warn: (fields, message) => void logged.push(`${message} ${JSON.stringify(fields)}`) },
  });
  connector.calls.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

const message = (text: string, overrides: Record<string, unknown> = {}) => ({
  type: 'message',
  id: '1700000000001',
  channelId: 'msteams',
  serviceUrl: connector.url,
  text,
  entities: [{ type: 'mention', text: '<at>hotfix</at>', mentioned: { id: `28:${APP_ID}`, name: 'hotfix' } }],
  from: { id: '29:lead', aadObjectId: LEAD, name: 'Lead' },
  recipient: { id: `28:${APP_ID}`, name: 'hotfix' },
  conversation: { id: `${CHANNEL};messageid=1700000000001`, conversationType: 'channel', tenantId: 'tenant' },
  channelData: { tenant: { id: 'tenant' }, channel: { id: CHANNEL } },
  ...overrides,
});

/** The router with the deps these tests reach (help, refusals, stale buttons); no hotfix is ever read. */
const router = () => {
  const claimed = new Set<string>();
  const unused = () => Promise.reject(new Error('not reached by the transport tests'));
  return createTeamsRouter({
    handler: { handle: unused, start: unused, state: unused },
    store: { load: unused, listOpen: unused, verify: unused },
    config: () => ({ people }) as Config,
    policy: () => ({ people: {} }) as unknown as Policy,
    lockHolders: async () => ({}),
    claimActivity: async (key) => !claimed.has(key) && Boolean(claimed.add(key)),
    activityDone: async () => undefined,
    clock: { now: () => new Date() },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    async reply(activity, message) {
      await transport.send(refFromActivity(activity), message);
    },
  });
};

const receive = (body: unknown, authorization?: string) =>
  transport.receive(
    { authorization, body: typeof body === 'string' ? body : JSON.stringify(body) },
    router(),
  );

const bearer = (flaw?: TokenFlaw, serviceUrl = connector.url) =>
  `Bearer ${openId.token({ appId: APP_ID, serviceUrl, ...(flaw === undefined ? {} : { flaw }) })}`;

/** Nothing that identifies a key or carries a token: PEM blocks, the JWKS modulus, a JWT. */
const expectNoKeyMaterial = () => {
  const text = logged.join('\n');
  expect(text).not.toMatch(/BEGIN (RSA )?PUBLIC KEY/);
  expect(text).not.toContain(openId.issuer.jwks().keys[0]?.n.slice(0, 40));
  expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
};

describe('Teams transport: receive', () => {
  it('answers a mention with help in the conversation, through the connector with the outbound token', async () => {
    const answer = await receive(message('<at>hotfix</at> help'), bearer());
    expect(answer).toEqual({ status: 200 });
    const [call] = await connector.received(1);
    expect(call?.method).toBe('POST');
    expect(call?.path).toMatch(
      new RegExp(`^/v3/conversations/${encodeURIComponent(`${CHANNEL};messageid=1700000000001`)}/activities`),
    );
    expect(call?.authorization).toBe(`Bearer ${OUTBOUND_TOKEN}`);
    expect(call?.body).toMatchObject({ type: 'message', text: teamsHelpText() });
    expect(teamsHelpText()).toContain('`@hotfix start [issue-id]`');
  });

  it.each([
    'wrong-audience',
    'wrong-issuer',
    'expired',
    'bad-signature',
    'missing-serviceurl',
    'unknown-key',
  ] as const)(
    'refuses a token with %s: 401 with a short body, nothing handled, no key in the logs',
    async (flaw) => {
      const answer = await receive(message('<at>hotfix</at> help'), bearer(flaw));
      expect(answer).toEqual({ status: 401, body: { error: 'unauthorized' } });
      expect(connector.calls).toEqual([]);
      expectNoKeyMaterial();
      expect(logged.join('\n')).toContain('unauthorized');
    },
  );

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ['a JWT with alg none', `Bearer ${Buffer.from('{"alg":"none","kid":"k"}').toString('base64url')}.e30.`],
  ])('refuses %s with 401', async (_what, authorization) => {
    expect(await receive(message('<at>hotfix</at> help'), authorization)).toEqual({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(connector.calls).toEqual([]);
    expectNoKeyMaterial();
  });

  it("refuses a valid token for another serviceUrl than the activity's", async () => {
    const answer = await receive(message('help'), bearer(undefined, 'https://smba.example.com/elsewhere/'));
    expect(answer.status).toBe(401);
    expect(connector.calls).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', () => '{"type":', 'the body is not JSON'],
    ['a JSON array', () => '[]', 'the body is not a JSON object'],
    ['an activity without a serviceUrl', () => ({ ...message('help'), serviceUrl: undefined }), 'serviceUrl'],
    ['an activity without a sender', () => ({ ...message('help'), from: undefined }), 'from'],
    [
      'a deeply nested value',
      () => message('help', { value: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown }),
      'nested deeper',
    ],
    [
      'a huge array',
      () => message('help', { entities: Array.from({ length: 6000 }, () => ({ type: 'x' })) }),
      'more than 5000 items',
    ],
  ])('answers %s with 400 and the reason, after the token', async (_what, body, reason) => {
    const answer = await receive(body(), bearer());
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(reason);
    expect(connector.calls).toEqual([]);
  });

  it('answers invokes it cannot read with a message for the clicker, and 501 for an invoke it does not know', async () => {
    const invoke = (name: string) => message('', { type: 'invoke', name, text: undefined, value: {} });
    expect(await receive(invoke('adaptiveCard/action'), bearer())).toMatchObject({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message' },
    });
    expect(await receive(invoke('task/fetch'), bearer())).toMatchObject({
      status: 200,
      body: { task: { type: 'message' } },
    });
    expect(await receive(invoke('task/submit'), bearer())).toMatchObject({
      body: { task: { type: 'message' } },
    });
    expect(await receive(invoke('composeExtension/query'), bearer())).toEqual({ status: 501 });
    expect(connector.calls).toEqual([]);
  });

  it('tells someone not in hotfix.yml so, privately in the invoke answer', async () => {
    const stranger = message('', {
      type: 'invoke',
      name: 'task/fetch',
      value: { data: { verb: 'hotfix.open-form', form: 'plan' } },
      from: { id: '29:eve', aadObjectId: 'eve-object-id' },
    });
    const answer = await receive(stranger, bearer());
    expect(JSON.stringify(answer.body)).toContain('not in hotfix.yml');
    expect(JSON.stringify(answer.body)).toContain('eve-object-id');
  });
});

describe('Teams transport: local mode (no app id)', () => {
  it('takes activities without a token and posts without one', async () => {
    const local = createTeamsTransport({
      appType: 'MultiTenant',
      clock: { now: () => new Date() },
      log: { warn: () => undefined },
    });
    const answer = await local.receive(
      { authorization: undefined, body: JSON.stringify(message('help')) },
      async (activity) => {
        await local.send(refFromActivity(activity), { type: 'message', text: 'hi' });
      },
    );
    expect(answer).toEqual({ status: 200 });
    const [call] = await connector.received(1);
    expect(call?.authorization).toBeUndefined();
    expect(call?.body).toMatchObject({ text: 'hi' });
  });
});

describe('Teams transport: outbound', () => {
  const address = {
    serviceUrl: '',
    conversationId: CHANNEL,
    tenantId: 'tenant',
    channelId: 'msteams',
    botId: `28:${APP_ID}`,
  };
  const at = () => ({ ...address, serviceUrl: connector.url });

  it('opens a thread in a channel and returns the root activity id Teams hides in the conversation id', async () => {
    const thread = await transport.createThread(
      {
        serviceUrl: connector.url,
        tenantId: 'tenant',
        channelId: 'msteams',
        botId: `28:${APP_ID}`,
        teamsChannelId: CHANNEL,
      },
      { type: 'message', attachments: [] },
    );
    expect(thread.conversationId).toMatch(new RegExp(`^${CHANNEL};messageid=\\d+$`));
    expect(thread.conversationId.endsWith(`;messageid=${thread.rootActivityId}`)).toBe(true);
    const [call] = connector.calls;
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v3/conversations',
      authorization: `Bearer ${OUTBOUND_TOKEN}`,
    });
    expect(call?.body).toMatchObject({
      isGroup: true,
      channelData: { channel: { id: CHANNEL } },
      tenantId: 'tenant',
    });
  });

  it('replies in a thread, updates an activity and looks up a member', async () => {
    await transport.reply(
      { ...at(), teamsChannelId: CHANNEL, threadRootId: '42' },
      { type: 'message', text: 'step 1 done' },
    );
    await transport.update(at(), '43', { type: 'message', text: 'edited' });
    expect(await transport.member(at(), '29:ada')).toEqual({
      id: '29:ada',
      aadObjectId: 'aad-of-29:ada',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect(await transport.member(at(), '29:nobody')).toBeUndefined();
    const [reply, update] = connector.calls;
    expect(reply?.path).toMatch(
      new RegExp(`^/v3/conversations/${encodeURIComponent(`${CHANNEL};messageid=42`)}/activities`),
    );
    expect(reply?.body).toMatchObject({ text: 'step 1 done' });
    expect(update).toMatchObject({
      method: 'PUT',
      path: `/v3/conversations/${encodeURIComponent(CHANNEL)}/activities/43`,
    });
    expect(update?.body).toMatchObject({ text: 'edited', id: '43' });
  });

  it('sends to a conversation and returns the new activity id', async () => {
    const sent = await transport.send(at(), { type: 'message', text: 'hello' });
    expect(sent.id).toMatch(/^\d+$/);
  });
});

// The activity type the router gets is the transport's checked one: a compile-time check that they agree.
const _typed: (activity: TeamsActivity) => unknown = router();
void _typed;
