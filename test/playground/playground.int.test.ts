import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlaygroundHandler, PlaygroundState } from '../../src/playground/index.ts';
import { createPlayground, workspaceFromConfig } from '../../src/playground/index.ts';
import type { SlackStandIn } from '../../src/slack-stand-in/index.ts';
import { createSlackDelivery, createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'playground-signing-secret';
const TOKEN = 'xoxb-playground-test';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';

const { workspace, people, channel } = workspaceFromConfig({
  people: {
    technical: { slack: [ALICE, BOB], teams: [] },
    business: { slack: [CAROL], teams: [] },
    management: { slack: [ALICE], teams: [] },
  },
  slack: { incident_channel: 'C0INCIDENTS', channel_per_hotfix: false },
});

const text = (value: string) => ({ type: 'plain_text' as const, text: value });

const planModal = {
  type: 'modal' as const,
  callback_id: 'plan',
  title: text('Plan a hotfix'),
  submit: text('Start'),
  close: text('Cancel'),
  blocks: [
    {
      type: 'input' as const,
      block_id: 'summary',
      label: text('Summary'),
      element: { type: 'plain_text_input' as const, action_id: 'value', multiline: true },
    },
    {
      type: 'input' as const,
      block_id: 'severity',
      label: text('Severity'),
      element: {
        type: 'static_select' as const,
        action_id: 'value',
        options: [
          { text: text('high'), value: 'high' },
          { text: text('low'), value: 'low' },
        ],
      },
    },
    {
      type: 'input' as const,
      block_id: 'who',
      optional: true,
      label: text('Technical team'),
      element: { type: 'multi_users_select' as const, action_id: 'value' },
    },
  ],
};

let standIn: SlackStandIn;
let app: App;
let server: Server;
let playground: PlaygroundHandler;
let base = '';

/** A bare Bolt app standing in for the bot: a command, a button with a role check, a modal with errors. */
const startApp = async () => {
  app = new App({
    token: TOKEN,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn.url },
  });
  app.command('/hotfix', async ({ ack, body, client }) => {
    if (body.text === 'start') {
      await client.views.open({ trigger_id: body.trigger_id, view: planModal });
      return ack();
    }
    if (body.text === 'post') {
      await ack();
      await client.chat.postMessage({
        channel: body.channel_id,
        text: 'HF-1 needs approval',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: '*HF-1* needs approval from <@U0ALICE>' } },
          {
            type: 'actions',
            block_id: 'approvals',
            elements: [
              {
                type: 'button',
                action_id: 'approve',
                text: text('Approve'),
                style: 'primary',
                value: 'HF-1',
              },
            ],
          },
        ],
      });
      return;
    }
    await ack({ text: `Sorry, I don't know "${body.text}". Try /hotfix help.` });
  });
  app.action('approve', async ({ ack, body, client, respond }) => {
    await ack();
    if (body.user.id !== ALICE) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Only technical leads approve.',
      });
      return;
    }
    const message = (body as { message?: { ts: string } }).message;
    await client.chat.update({
      channel,
      ts: message?.ts ?? '',
      text: 'HF-1 approved',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `✅ Approved by <@${body.user.id}>` } }],
    });
  });
  app.view('plan', async ({ ack, view, body, client }) => {
    const values = view.state.values;
    const summary = values.summary?.value?.value ?? '';
    if (summary.trim().length < 5) {
      await ack({
        response_action: 'errors',
        errors: { summary: 'Say what the fix changes (5 characters or more).' },
      });
      return;
    }
    await ack();
    const severity = values.severity?.value?.selected_option?.value ?? '?';
    const team = values.who?.value?.selected_users ?? [];
    await client.chat.postMessage({
      channel,
      text: `Planned by <@${body.user.id}> (${severity}): ${summary} — team ${team.map((u) => `<@${u}>`).join(' ')}`,
    });
  });
  const bolt = (await app.start(0)) as Server;
  return `http://127.0.0.1:${(bolt.address() as AddressInfo).port}/slack/events`;
};

beforeAll(async () => {
  standIn = createSlackStandIn({ workspace });
  await standIn.start();
  const events = await startApp();
  const delivery = createSlackDelivery({ standIn, url: events, signingSecret: SECRET });
  playground = createPlayground({ standIn, delivery, people, channel, log: { warn: () => undefined } });
  server = createServer((req, res) => {
    if (!playground(req, res)) res.writeHead(404).end('not the playground');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => standIn.reset());

afterAll(async () => {
  playground?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await app?.stop();
  await standIn?.stop();
});

const post = async (path: string, body: unknown, contentType = 'application/json') => {
  const response = await fetch(`${base}/playground/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const stateOf = async (as: string): Promise<PlaygroundState> => {
  const response = await fetch(`${base}/playground/api/state?as=${as}`);
  expect(response.status).toBe(200);
  return (await response.json()) as PlaygroundState;
};

/**
 * Waits until the state the page would fetch satisfies `check` (the app's Web API calls land shortly after its
 * ack), as long as any wait of the suite: 200 quick polls (2 s or so) were too few on a loaded machine.
 */
const until = (as: string, check: (state: PlaygroundState) => boolean): Promise<PlaygroundState> =>
  waitFor(`the playground state as ${as}`, async () => {
    const state = await stateOf(as);
    return check(state) && state;
  });

describe('the playground page', () => {
  it('serves the page with the people, their roles and the channel, and its script and styles', async () => {
    const page = await fetch(`${base}/playground?as=${BOB}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('data-as="U0BOB"');
    expect(html).toContain(
      '<b>alice</b> <small>U0ALICE</small><span class="roles">technical, management</span>',
    );
    expect(html).toContain('<span class="roles">business</span>');
    expect(html).toContain('#incidents');
    expect(html).toContain('Acting as <b id="acting">bob (technical)</b>');
    const script = await fetch(`${base}/playground/assets/playground.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("addEventListener('submit'");
    expect((await fetch(`${base}/playground/assets/playground.css`)).status).toBe(200);
    expect((await fetch(`${base}/playground/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('delivers a command signed; the message and its button show; a click reaches the app', async () => {
    expect(await post('command', { as: ALICE, text: '/hotfix post' })).toEqual({
      status: 200,
      body: { ok: true, status: 200 },
    });
    const posted = await until(ALICE, (s) => s.messages.length === 1);
    const message = posted.messages[0];
    expect(posted.html.channel).toContain(
      '<b>HF-1</b> needs approval from <span class="mention" data-user="U0ALICE">@alice</span>',
    );
    expect(posted.html.channel).toContain(
      'data-action-id="approve" data-block-id="approvals" data-type="button" data-act="button"',
    );

    const click = { channel, ts: message?.ts, actionId: 'approve', blockId: 'approvals' };
    expect((await post('act', { as: BOB, ...click })).status).toBe(200);
    const refused = await until(BOB, (s) => s.ephemerals.length === 1);
    expect(refused.html.channel).toContain('Only technical leads approve.');
    expect(refused.html.channel).toContain('Only visible to you');
    expect((await stateOf(ALICE)).ephemerals).toEqual([]);

    expect((await post('act', { as: ALICE, ...click })).status).toBe(200);
    const approved = await until(ALICE, (s) => s.messages[0]?.text === 'HF-1 approved');
    expect(approved.html.channel).toContain(
      '✅ Approved by <span class="mention" data-user="U0ALICE">@alice</span>',
    );
    expect(approved.html.channel).toContain('(edited)');
  });

  it("shows the app's answer to an unknown subcommand as an ephemeral for that person only", async () => {
    expect((await post('command', { as: CAROL, text: '/hotfix frobnicate' })).status).toBe(200);
    const carol = await until(CAROL, (s) => s.ephemerals.length === 1);
    expect(carol.html.channel).toContain('Sorry, I don&#39;t know &quot;frobnicate&quot;. Try /hotfix help.');
    expect((await stateOf(BOB)).html.channel).not.toContain('frobnicate');
  });

  it('opens the modal, shows field errors from the app, keeps what was typed and closes on a good submit', async () => {
    await post('command', { as: ALICE, text: '/hotfix start' });
    const opened = await until(ALICE, (s) => s.modals.length === 1);
    const viewId = opened.modals[0]?.view.id ?? '';
    expect(opened.html.modal).toContain(`data-view-id="${viewId}"`);
    expect(opened.html.modal).toContain('<option value="U0CAROL">carol</option>');
    expect((await stateOf(BOB)).modals).toEqual([]);

    const missing = await post('submit', { as: ALICE, viewId, values: { summary: { value: '' } } });
    expect(missing).toEqual({
      status: 400,
      body: {
        ok: false,
        error: 'Some fields need your attention.',
        fields: { summary: 'Please fill out this field.', severity: 'Please fill out this field.' },
      },
    });

    const tooShort = await post('submit', {
      as: ALICE,
      viewId,
      values: { summary: { value: 'bad' }, severity: { value: 'high' } },
    });
    expect(tooShort.status).toBe(200);
    expect(tooShort.body.errors).toEqual({ summary: 'Say what the fix changes (5 characters or more).' });
    const withErrors = await stateOf(ALICE);
    expect(withErrors.html.modal).toContain(
      '<div class="bk-error" role="alert" data-error-for="summary">Say what the fix changes (5 characters or more).</div>',
    );
    expect(withErrors.html.modal).toContain('>bad</textarea>');
    expect(withErrors.html.modal).toContain('<option value="high" selected>high</option>');

    const good = await post('submit', {
      as: ALICE,
      viewId,
      values: {
        summary: { value: 'Fix rounding & totals' },
        severity: { value: 'high' },
        who: { value: [BOB, CAROL] },
      },
    });
    expect(good).toEqual({ status: 200, body: { ok: true, status: 200 } });
    const planned = await until(ALICE, (s) => s.messages.length === 1);
    expect(planned.modals).toEqual([]);
    expect(planned.html.modal).toBe('');
    expect(planned.html.channel).toContain(
      'Planned by <span class="mention" data-user="U0ALICE">@alice</span> (high): Fix rounding &amp; totals — team <span class="mention" data-user="U0BOB">@bob</span> <span class="mention" data-user="U0CAROL">@carol</span>',
    );
  });

  it('closes a modal on Close', async () => {
    await post('command', { as: BOB, text: '/hotfix start' });
    const opened = await until(BOB, (s) => s.modals.length === 1);
    expect(await post('close', { as: BOB, viewId: opened.modals[0]?.view.id })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect((await stateOf(BOB)).modals).toEqual([]);
  });

  it('posts plain words as a message from the person, escaped as Slack escapes what people type', async () => {
    await post('command', { as: CAROL, text: 'hello <script>alert(1)</script> *all*' });
    const state = await stateOf(CAROL);
    expect(state.html.channel).toContain('<b class="author">carol</b>');
    expect(state.html.channel).toContain('hello &lt;script&gt;alert(1)&lt;/script&gt; <b>all</b>');
  });

  it('streams a change event when the stand-in changes', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/playground/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const read = async (until: (text: string) => boolean) => {
      while (!until(received)) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) break;
        received += decoder.decode(chunk.value);
      }
    };
    await read((t) => t.includes('event:change'));
    const before = received.length;
    await post('command', { as: CAROL, text: 'ping' });
    await read((t) => t.slice(before).includes('event:change'));
    expect(received.slice(before)).toMatch(/event:change\n(id:.*\n)?data:\d+/);
    controller.abort();
  });
});

describe('bad input from the page', () => {
  it('answers 400 with a clear message', async () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'command',
        { as: 'U0NOBODY', text: '/hotfix' },
        /unknown person "U0NOBODY": the playground knows U0ALICE, U0BOB, U0CAROL/,
      ],
      ['command', { text: '/hotfix' }, /"as" \(who is acting\) is required/],
      ['command', { as: ALICE, text: '   ' }, /type a \/hotfix command or a message/],
      ['command', { as: ALICE, text: '/deploy now' }, /\/deploy is not a valid command/],
      ['command', { as: ALICE, text: 'x', extra: 1 }, /Unrecognized key: "extra"/],
      ['act', { as: ALICE, actionId: 'approve' }, /act on a message \(channel and ts\) or on a view/],
      ['act', { as: ALICE, channel, ts: 'yesterday', actionId: 'approve' }, /ts is malformed/],
      ['act', { as: ALICE, channel, ts: '1.000100', actionId: 'approve' }, /no message 1.000100|message/],
      ['act', { as: ALICE, viewId: 'V0NOPE', actionId: 'x' }, /view V0NOPE is not open for alice/],
      ['submit', { as: ALICE, viewId: 'V0NOPE', values: {} }, /view V0NOPE is not open for alice/],
      ['submit', { as: ALICE, viewId: 'V1', values: { a: { b: 3 } } }, /values/],
      ['close', { as: ALICE }, /viewId is required/],
    ];
    for (const [path, body, message] of cases) {
      const answer = await post(path, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.error, JSON.stringify(body)).toMatch(message);
    }
  });

  it('refuses bodies that are not JSON, other methods and unknown routes', async () => {
    expect(await post('command', '{not json')).toEqual({
      status: 400,
      body: { ok: false, error: 'the body is not valid JSON' },
    });
    expect((await post('command', 'as=U0ALICE', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await fetch(`${base}/playground/api/command`)).status).toBe(405);
    expect((await fetch(`${base}/playground/api/state?as=U0NOBODY`)).status).toBe(400);
    expect((await post('explode', {})).status).toBe(404);
  });

  it('refuses a submit of a view that is no longer on top of the stack', async () => {
    await post('command', { as: ALICE, text: '/hotfix start' });
    const opened = await until(ALICE, (s) => s.modals.length === 1);
    const viewId = opened.modals[0]?.view.id ?? '';
    standIn.views.close(viewId);
    const answer = await post('submit', { as: ALICE, viewId, values: {} });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/is not open for alice/);
  });
});
