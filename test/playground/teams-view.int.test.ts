import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlaygroundHandler, PlaygroundState } from '../../src/playground/index.ts';
import { createPlayground, teamsTenantFor } from '../../src/playground/index.ts';
import type { Person } from '../../src/playground/index.ts';
import { createSlackDelivery, createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import type { ActivityJson, TeamsStandIn } from '../../src/teams-stand-in/index.ts';
import { createTeamsDelivery, createTeamsStandIn } from '../../src/teams-stand-in/index.ts';

/*
 * The Teams view's server side against the Bot Connector stand-in and a small bot of canned answers (the real
 * bot plays it in the browser test): who sees an answer card, dialogs that stay open with errors, what the
 * page may and may not ask for.
 */

const CHANNEL = '19:incidents@thread.tacv2';
const ALICE_TEAMS = '00000000-0000-4000-8000-0000000a11ce';
const BOB_TEAMS = '00000000-0000-4000-8000-000000000b0b';
const DAN_TEAMS = '00000000-0000-4000-8000-000000000da4';
const people: Person[] = [
  {
    id: 'U0ALICE',
    name: 'alice',
    displayName: 'Alice',
    roles: ['technical'],
    slackId: 'U0ALICE',
    teamsId: ALICE_TEAMS,
  },
  {
    id: 'U0BOB',
    name: 'bob',
    displayName: 'Bob',
    roles: ['technical'],
    slackId: 'U0BOB',
    teamsId: BOB_TEAMS,
  },
  { id: 'U0CAROL', name: 'carol', displayName: 'Carol', roles: ['business'], slackId: 'U0CAROL' },
  { id: DAN_TEAMS, name: 'dan', displayName: 'Dan', roles: ['support'], teamsId: DAN_TEAMS },
];

const card = (...body: object[]) => ({ type: 'AdaptiveCard', version: '1.5', body });
const textBlock = (text: string) => ({ type: 'TextBlock', text });
const CARD = {
  ...card(textBlock('HF-1 · INC-1 · Planning')),
  actions: [
    { type: 'Action.Execute', title: 'Approve', verb: 'answer', data: { role: 'technical' } },
    { type: 'Action.Execute', title: 'Why', verb: 'say' },
    { type: 'Action.Submit', title: 'Edit plan…', data: { msteams: { type: 'task/fetch' }, form: 'plan' } },
    { type: 'Action.OpenUrl', title: 'Docs', url: 'https://example.org/' },
  ],
};
const DIALOG = (error?: string) =>
  card(
    { type: 'Input.Text', id: 'reason', label: 'Reason' },
    ...(error === undefined ? [] : [textBlock(`⚠️ ${error}`)]),
    { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Save', data: { form: 'plan' } }] },
  );

/** What the bot received, oldest first. */
const received: ActivityJson[] = [];

/** Canned answers, as the real bot gives them: a card for the clicker, a line, a dialog, a dialog's errors. */
const answer = (activity: ActivityJson): unknown => {
  const value = (activity.value ?? {}) as { action?: { verb?: string }; data?: Record<string, unknown> };
  if (activity.name === 'adaptiveCard/action' && value.action?.verb === 'answer') {
    const who = (activity.from as { name: string }).name;
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card(textBlock(`🔒 ${who}: Nothing was changed`)),
    };
  }
  if (activity.name === 'adaptiveCard/action')
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Because.' };
  if (activity.name === 'task/fetch')
    return { task: { type: 'continue', value: { title: 'Edit the plan', card: { content: DIALOG() } } } };
  if (activity.name === 'task/submit')
    return value.data?.reason === 'bad'
      ? {
          task: {
            type: 'continue',
            value: { title: 'Edit the plan', card: { content: DIALOG('Expected a reason.') } },
          },
        }
      : { task: { type: 'message', value: 'Plan saved.' } };
  return undefined;
};

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ActivityJson;
};

let teams: TeamsStandIn;
let bot: Server;
let server: Server;
let playground: PlaygroundHandler;
let base = '';

const listen = async (created: Server) => {
  created.listen(0, '127.0.0.1');
  await once(created, 'listening');
  return `http://127.0.0.1:${(created.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  teams = createTeamsStandIn({ tenant: teamsTenantFor(people, CHANNEL).tenant });
  await teams.start();
  bot = createServer((req, res) => {
    void readBody(req).then((activity) => {
      received.push(activity);
      const body = answer(activity);
      if (body === undefined) return void res.writeHead(200).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const botUrl = await listen(bot);
  const slack = createSlackStandIn({
    workspace: {
      teamId: 'T0PLAY',
      teamName: 'Playground',
      domain: 'playground',
      users: [{ id: 'U0ALICE', name: 'alice', real_name: 'Alice' }],
      channels: [{ id: 'C0INCIDENTS', name: 'incidents' }],
    },
  });
  playground = createPlayground({
    standIn: slack,
    delivery: createSlackDelivery({ standIn: slack, url: `${botUrl}/slack/events`, signingSecret: 'secret' }),
    people,
    channel: 'C0INCIDENTS',
    teams: {
      standIn: teams,
      delivery: createTeamsDelivery({ standIn: teams, url: `${botUrl}/api/messages` }),
      channel: CHANNEL,
    },
    log: { warn: () => undefined },
  });
  server = createServer((req, res) => {
    if (!playground(req, res)) res.writeHead(404).end('not the playground');
  });
  base = await listen(server);
});

afterAll(async () => {
  playground?.close();
  for (const running of [server, bot]) {
    if (running === undefined) continue;
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  }
  await teams?.stop();
});

/** The bot opens a thread with the card in the incident channel, as the notifier does. */
const postCard = async (): Promise<string> => {
  const response = await fetch(`${teams.serviceUrl}v3/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      isGroup: true,
      channelData: { channel: { id: CHANNEL } },
      activity: {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: CARD }],
      },
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { activityId: string }).activityId;
};

const updateCard = async (id: string, text: string) => {
  const conversation = encodeURIComponent(`${CHANNEL};messageid=${id}`);
  const response = await fetch(`${teams.serviceUrl}v3/conversations/${conversation}/activities/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { ...CARD, body: [textBlock(text)] },
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
};

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${base}/playground/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const teamsOf = async (as: string) => {
  const response = await fetch(`${base}/playground/api/state?as=${as}`);
  expect(response.status).toBe(200);
  const state = (await response.json()) as PlaygroundState;
  if (state.teams === undefined) throw new Error('no Teams view in the state');
  return state.teams;
};

const rootOf = async (as: string, id: string) => {
  const thread = (await teamsOf(as)).threads.find((t) => t.root.id === id);
  if (thread === undefined) throw new Error(`no thread ${id}`);
  return thread.root;
};

beforeEach(() => {
  teams.reset();
  received.length = 0;
});

describe('the Teams view of the playground', () => {
  it('shows the channel as each person sees it: the posted card, and who they are in Teams', async () => {
    const id = await postCard();
    const view = await teamsOf('U0ALICE');
    expect(view).toMatchObject({
      channel: { id: CHANNEL, name: 'incidents' },
      as: ALICE_TEAMS,
      bot: 'hotfix',
    });
    expect(view.threads).toHaveLength(1);
    expect(view.threads[0]?.root).toMatchObject({ id, author: { bot: true }, answered: false });
    expect(view.threads[0]?.root.attachments).toEqual([
      { contentType: 'application/vnd.microsoft.card.adaptive', content: CARD },
    ]);
    expect((await teamsOf('U0CAROL')).as).toBeUndefined();
  });

  it('sends a click as the invoke Teams sends; the answer card shows to the clicker alone, until the card is next edited', async () => {
    const id = await postCard();
    const clicked = await post('teams/act', { as: 'U0BOB', activityId: id, index: 0, inputs: {} });
    expect(clicked).toEqual({ status: 200, body: { ok: true, status: 200 } });
    expect(received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: id,
      from: { aadObjectId: BOB_TEAMS, name: 'Bob' },
      value: { action: { type: 'Action.Execute', verb: 'answer', data: { role: 'technical' } } },
    });
    const bobs = await rootOf('U0BOB', id);
    expect(bobs.answered).toBe(true);
    expect(JSON.stringify(bobs.attachments)).toContain('Bob: Nothing was changed');
    expect((await rootOf('U0ALICE', id)).answered).toBe(false);

    await updateCard(id, 'HF-1 · INC-1 · Approved');
    const after = await rootOf('U0BOB', id);
    expect(after.answered).toBe(false);
    expect(JSON.stringify(after.attachments)).toContain('Approved');
  });

  it('shows a line the app answered a click with as a notice', async () => {
    const id = await postCard();
    expect(await post('teams/act', { as: 'U0ALICE', activityId: id, index: 1, inputs: {} })).toEqual({
      status: 200,
      body: { ok: true, status: 200, notice: 'Because.' },
    });
  });

  it('opens a dialog on task/fetch, keeps it open with the errors the app answers, and closes it when the app is done', async () => {
    const id = await postCard();
    expect(await post('teams/act', { as: 'U0ALICE', activityId: id, index: 2, inputs: {} })).toMatchObject({
      status: 200,
      body: { dialog: true },
    });
    expect(received.at(-1)).toMatchObject({ name: 'task/fetch', value: { data: { form: 'plan' } } });
    expect((await teamsOf('U0ALICE')).dialog).toEqual({ title: 'Edit the plan', card: DIALOG() });
    expect((await teamsOf('U0BOB')).dialog).toBeUndefined();

    const bad = await post('teams/submit', { as: 'U0ALICE', index: 0, inputs: { reason: 'bad' } });
    expect(bad.body).toMatchObject({ ok: true, dialog: true });
    expect(received.at(-1)).toMatchObject({
      name: 'task/submit',
      replyToId: id,
      value: { data: { form: 'plan', reason: 'bad' } },
    });
    expect((await teamsOf('U0ALICE')).dialog?.card).toEqual(DIALOG('Expected a reason.'));

    const good = await post('teams/submit', { as: 'U0ALICE', index: 0, inputs: { reason: 'typo' } });
    expect(good.body).toEqual({ ok: true, status: 200, notice: 'Plan saved.' });
    expect((await teamsOf('U0ALICE')).dialog).toBeUndefined();
  });

  it('closes a dialog without telling the app, as Teams does', async () => {
    const id = await postCard();
    await post('teams/act', { as: 'U0ALICE', activityId: id, index: 2, inputs: {} });
    const before = received.length;
    expect(await post('teams/close', { as: 'U0ALICE' })).toEqual({ status: 200, body: { ok: true } });
    expect((await teamsOf('U0ALICE')).dialog).toBeUndefined();
    expect(received).toHaveLength(before);
  });

  it('sends @hotfix messages with the mention Teams puts in, in the channel or a thread; other words only reach the channel', async () => {
    const id = await postCard();
    expect((await post('teams/send', { as: 'U0ALICE', text: '@hotfix help' })).status).toBe(200);
    expect(received.at(-1)).toMatchObject({
      type: 'message',
      text: '<at>hotfix</at> help',
      entities: [{ type: 'mention', text: '<at>hotfix</at>' }, { type: 'clientInfo' }],
      conversation: { conversationType: 'channel' },
    });
    await post('teams/send', { as: 'U0BOB', text: '@hotfix status HF-1', threadId: id });
    expect(received.at(-1)).toMatchObject({ conversation: { id: `${CHANNEL};messageid=${id}` } });
    const count = received.length;
    await post('teams/send', { as: 'U0BOB', text: 'looks good to me' });
    expect(received).toHaveLength(count);
    const view = await teamsOf('U0ALICE');
    expect(view.threads.map((t) => t.root.text ?? null)).toEqual([
      null,
      '<at>hotfix</at> help',
      'looks good to me',
    ]);
    expect(view.threads[0]?.replies.map((r) => [r.author.name, r.text])).toEqual([
      ['Bob', '<at>hotfix</at> status HF-1'],
    ]);
  });

  it('refuses what Teams could not send, saying why, and the app hears nothing', async () => {
    const id = await postCard();
    const refusals: [unknown, number, RegExp][] = [
      [{ as: 'U0ALICE', activityId: id, index: 9, inputs: {} }, 400, /no action #9/],
      [
        { as: 'U0ALICE', activityId: id, index: 3, inputs: {} },
        400,
        /Action\.OpenUrl does not go to the app/,
      ],
      [{ as: 'U0ALICE', activityId: id, index: 0, inputs: { sneaky: 'x' } }, 400, /no input "sneaky"/],
      [{ as: 'U0ALICE', activityId: '123', index: 0, inputs: {} }, 400, /no message 123/],
      [{ as: 'U0CAROL', activityId: id, index: 0, inputs: {} }, 400, /carol has no Teams id/],
      [{ as: 'U0MALLORY', activityId: id, index: 0 }, 400, /unknown person "U0MALLORY"/],
      [{ as: 'U0ALICE', activityId: 'x;y', index: 0 }, 400, /activityId is malformed/],
    ];
    for (const [body, status, error] of refusals) {
      const answer = await post('teams/act', body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(String(answer.body.error)).toMatch(error);
    }
    expect((await post('teams/submit', { as: 'U0ALICE', index: 0 })).body.error).toMatch(/no dialog open/);
    expect(
      (await post('teams/send', { as: 'U0ALICE', text: '@hotfix hi', threadId: '42' })).body.error,
    ).toMatch(/no thread 42/);
    expect(received).toEqual([]);
  });

  it("plays each person's 1:1 chat with the bot: no mention needed, its cards theirs alone", async () => {
    expect((await post('teams/send', { as: 'U0ALICE', text: 'help', to: 'chat' })).status).toBe(200);
    expect(received.at(-1)).toMatchObject({
      type: 'message',
      text: 'help',
      conversation: { conversationType: 'personal' },
      from: { aadObjectId: ALICE_TEAMS },
    });
    const conversation = (received.at(-1)?.conversation as { id: string }).id;
    expect((await teamsOf('U0ALICE')).chat.map((m) => [m.author.name, m.text])).toEqual([['Alice', 'help']]);
    expect((await teamsOf('U0BOB')).chat).toEqual([]);
    expect((await teamsOf('U0ALICE')).threads).toEqual([]);

    // The bot answers in the chat with a card; Alice can click it, Bob cannot reach it.
    const sent = await fetch(
      `${teams.serviceUrl}v3/conversations/${encodeURIComponent(conversation)}/activities`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: CARD }],
        }),
      },
    );
    const { id } = (await sent.json()) as { id: string };
    expect(
      (await post('teams/act', { as: 'U0ALICE', activityId: id, index: 1, inputs: {} })).body,
    ).toMatchObject({
      notice: 'Because.',
    });
    expect(received.at(-1)).toMatchObject({ type: 'invoke', conversation: { conversationType: 'personal' } });
    const bob = await post('teams/act', { as: 'U0BOB', activityId: id, index: 1, inputs: {} });
    expect(bob.status).toBe(400);
    expect(bob.body.error).toMatch(/no message \d+ in the channel or your chat/);
    expect(
      (await post('teams/send', { as: 'U0ALICE', text: 'hi', to: 'chat', threadId: id })).body.error,
    ).toBe('a 1:1 chat has no threads');
  });

  it('lets someone only on Teams act in the Teams view, and says why they cannot act in the Slack one', async () => {
    expect((await teamsOf(DAN_TEAMS)).as).toBe(DAN_TEAMS);
    expect((await post('teams/send', { as: DAN_TEAMS, text: '@hotfix help' })).status).toBe(200);
    expect(received.at(-1)).toMatchObject({ from: { aadObjectId: DAN_TEAMS, name: 'Dan' } });
    const slack = await post('command', { as: DAN_TEAMS, text: '/hotfix help' });
    expect(slack).toEqual({
      status: 400,
      body: {
        ok: false,
        error:
          'dan has no Slack id in hotfix.yml, so they cannot act in the Slack view (give them one: people.dan.slack)',
      },
    });
  });

  it('tells the page of every change in the Teams channel (its live updates)', async () => {
    const version = async () =>
      ((await (await fetch(`${base}/playground/api/state?as=U0ALICE`)).json()) as PlaygroundState).version;
    const before = await version();
    await postCard();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await version()).toBeGreaterThan(before);
  });
});
