import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlockAction, SlashCommand, ViewClosedAction, ViewSubmitAction } from '@slack/bolt';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlackDelivery } from '../../src/slack-stand-in/index.ts';
import { SlackDeliveryError, createSlackDelivery } from '../../src/slack-stand-in/index.ts';
import { patiently } from '../helpers/wait.ts';
import { ALICE, BOB, INCIDENTS, QUIET, TEAM, TOKEN, sections, useStandIn } from './helpers.ts';

const { standIn, client } = useStandIn();
const SECRET = 'deliver-signing-secret';

const text = (value: string) => ({ type: 'plain_text' as const, text: value });
const option = (value: string) => ({ text: text(value.toUpperCase()), value });

/** The modal `/hotfix start` opens: two inputs, a select that dispatches block_actions, notify_on_close. */
const planModal = {
  type: 'modal' as const,
  callback_id: 'plan',
  private_metadata: 'HF-1',
  notify_on_close: true,
  title: text('Plan a hotfix'),
  submit: text('Save'),
  blocks: [
    {
      type: 'input',
      block_id: 'summary',
      label: text('Summary'),
      element: { type: 'plain_text_input', action_id: 'value' },
    },
    {
      type: 'input',
      block_id: 'services',
      label: text('Services'),
      element: { type: 'checkboxes', action_id: 'pick', options: [option('api'), option('web')] },
    },
    {
      type: 'actions',
      block_id: 'more',
      elements: [{ type: 'static_select', action_id: 'severity', options: [option('sev1'), option('sev2')] }],
    },
  ] as never,
};

/** A card with a button and checkboxes, as the bot would post it. */
const card = [
  { type: 'section', block_id: 'head', text: { type: 'mrkdwn', text: '*HF-1* awaiting approval' } },
  {
    type: 'actions',
    block_id: 'card-actions',
    elements: [
      { type: 'button', action_id: 'approve', text: text('Approve'), value: 'HF-1' },
      {
        type: 'checkboxes',
        action_id: 'checks',
        options: [option('tests'), option('backup'), option('runbook')],
        initial_options: [option('tests')],
      },
    ],
  },
];

/** What the app's listeners received, in order. */
const seen = {
  commands: [] as SlashCommand[],
  actions: [] as BlockAction[],
  submissions: [] as ViewSubmitAction[],
  closed: [] as ViewClosedAction[],
  homes: [] as {
    user: string;
    tab: string | undefined;
    retryNum: number | undefined;
    retryReason: string | undefined;
  }[],
};

let app: App | undefined;
let delivery: SlackDelivery;

beforeAll(async () => {
  app = new App({
    token: TOKEN,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn().url },
  });
  app.command('/hotfix', async ({ ack, body, client: slack, respond }) => {
    seen.commands.push(body);
    switch (body.text) {
      case 'start':
        await slack.views.open({ trigger_id: body.trigger_id, view: planModal });
        await ack();
        await respond({ text: 'Opening the plan…' });
        return;
      case 'announce':
        return ack({ response_type: 'in_channel', text: 'HF-1 started' });
      case 'overflow':
        return ack({ text: 'too much', blocks: sections(51) });
      default:
        return ack({ text: 'Usage: /hotfix start' });
    }
  });
  app.action<BlockAction>('approve', async ({ ack, body, respond }) => {
    seen.actions.push(body);
    await ack();
    await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
  });
  app.action<BlockAction>({ action_id: /^(checks|severity)$/ }, async ({ ack, body }) => {
    seen.actions.push(body);
    await ack();
  });
  app.view<ViewSubmitAction>('plan', async ({ ack, body, view }) => {
    seen.submissions.push(body);
    const summary = view.state.values.summary?.value?.value;
    if (summary === undefined || summary === null || summary === '')
      return ack({ response_action: 'errors', errors: { summary: 'Say what the fix is' } });
    return ack();
  });
  app.view<ViewClosedAction>({ type: 'view_closed', callback_id: 'plan' }, async ({ ack, body }) => {
    seen.closed.push(body);
    await ack();
  });
  app.event('app_home_opened', async ({ event, context, client: slack }) => {
    seen.homes.push({
      user: event.user,
      tab: event.tab,
      retryNum: context.retryNum,
      retryReason: context.retryReason,
    });
    await slack.views.publish({ user_id: event.user, view: { type: 'home', blocks: sections(2) as never } });
  });
  const server = (await app.start(0)) as Server;
  delivery = createSlackDelivery({
    standIn: standIn(),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    signingSecret: SECRET,
  });
});

afterAll(async () => app?.stop());

beforeEach(() => {
  for (const list of Object.values(seen)) list.length = 0;
});

/** The /hotfix start modal, opened for `user` through a real command delivery. */
const openPlan = async (user = ALICE) => {
  await delivery.command({ user, channel: INCIDENTS, text: 'start' });
  // The listener answers through respond() after its ack: wait for it, so it does not outlive the test.
  await vi.waitFor(() => expect(standIn().ephemerals(user)).toHaveLength(1), patiently);
  return standIn().views.top(user)?.view.id as string;
};

const postCard = async () => {
  const { ts } = await client().chat.postMessage({ channel: INCIDENTS, text: 'HF-1', blocks: card as never });
  return ts as string;
};

describe('slash commands', () => {
  it('are verified and routed by Bolt with Slack’s fields; trigger_id opens a modal, response_url serves respond()', async () => {
    const answer = await delivery.command({ user: ALICE, channel: 'incidents', text: 'start' });
    expect(answer).toMatchObject({ status: 200, body: undefined });
    expect(seen.commands).toEqual([
      expect.objectContaining({
        command: '/hotfix',
        text: 'start',
        user_id: ALICE,
        user_name: 'alice',
        channel_id: INCIDENTS,
        channel_name: 'incidents',
        team_id: TEAM,
        api_app_id: 'A0HOTFIXAPP',
        is_enterprise_install: 'false',
        trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
        response_url: expect.stringMatching(new RegExp(`^${standIn().origin}/response/`)),
      }),
    ]);
    expect(standIn().views.top(ALICE)?.view).toMatchObject({ callback_id: 'plan', private_metadata: 'HF-1' });
    await vi.waitFor(
      () =>
        expect(standIn().ephemerals(ALICE)).toEqual([
          expect.objectContaining({ channel: INCIDENTS, text: 'Opening the plan…', source: 'response_url' }),
        ]),
      patiently,
    );
  });

  it('shows an ack body as Slack does: ephemeral by default, in the channel when asked', async () => {
    const help = await delivery.command({ user: BOB, channel: INCIDENTS, text: 'help' });
    expect(help).toMatchObject({ status: 200, body: { text: 'Usage: /hotfix start' } });
    expect(standIn().ephemerals(BOB)).toEqual([
      expect.objectContaining({ channel: INCIDENTS, user: BOB, text: 'Usage: /hotfix start', source: 'ack' }),
    ]);

    await delivery.command({ user: BOB, channel: INCIDENTS, text: 'announce' });
    expect(standIn().messages(INCIDENTS)).toEqual([
      expect.objectContaining({ text: 'HF-1 started', user: 'U0HOTFIXBOT' }),
    ]);

    const refused = await delivery.command({ user: BOB, channel: INCIDENTS, text: 'overflow' });
    expect(refused.ackError).toMatchObject({ error: 'invalid_blocks' });
    expect(standIn().ephemerals(BOB)).toHaveLength(1);
  });

  it('refuses deliveries Slack could not make, with the reason', async () => {
    await expect(delivery.command({ user: 'U0NOBODY', channel: INCIDENTS, text: 'x' })).rejects.toThrow(
      /unknown user U0NOBODY/,
    );
    await expect(delivery.command({ user: BOB, channel: QUIET, text: 'x' })).rejects.toThrow(
      /U0BOB is not a member of C0QUIET/,
    );
    await expect(delivery.command({ user: BOB, channel: 'C0NOPE', text: 'x' })).rejects.toThrow(
      SlackDeliveryError,
    );
    await expect(
      delivery.command({ user: BOB, channel: INCIDENTS, text: 'x', command: 'hotfix' }),
    ).rejects.toThrow(/a slash command such as \/hotfix/);
    expect(seen.commands).toEqual([]);
  });
});

describe('block actions', () => {
  it('send a button’s value with the message, and a response_url that replaces it', async () => {
    const ts = await postCard();
    expect(await delivery.act({ user: BOB, channel: INCIDENTS, ts, actionId: 'approve' })).toMatchObject({
      status: 200,
    });
    const [body] = seen.actions;
    expect(body).toMatchObject({
      type: 'block_actions',
      user: { id: BOB, username: 'bob', team_id: TEAM },
      team: { id: TEAM },
      container: { type: 'message', message_ts: ts, channel_id: INCIDENTS, is_ephemeral: false },
      channel: { id: INCIDENTS, name: 'incidents' },
      message: { ts, text: 'HF-1', blocks: card },
      trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
      actions: [
        {
          type: 'button',
          action_id: 'approve',
          block_id: 'card-actions',
          value: 'HF-1',
          action_ts: expect.stringMatching(/^\d+\.\d+$/),
        },
      ],
    });
    await vi.waitFor(
      () => expect(standIn().message(INCIDENTS, ts)).toMatchObject({ text: 'Approved by <@U0BOB>' }),
      patiently,
    );
  });

  it('send checkboxes’ selected options as Slack’s option objects, in the action and in state.values', async () => {
    const ts = await postCard();
    await delivery.act({
      user: ALICE,
      channel: INCIDENTS,
      ts,
      actionId: 'checks',
      selected: ['tests', 'runbook'],
    });
    const selected = [option('tests'), option('runbook')];
    expect(seen.actions[0]).toMatchObject({
      actions: [
        { type: 'checkboxes', action_id: 'checks', block_id: 'card-actions', selected_options: selected },
      ],
      state: { values: { 'card-actions': { checks: { type: 'checkboxes', selected_options: selected } } } },
    });
  });

  it('work on the user’s ephemeral messages, without the message, as Slack sends them', async () => {
    const { message_ts } = await client().chat.postEphemeral({
      channel: INCIDENTS,
      user: ALICE,
      text: 'Approve?',
      blocks: card as never,
    });
    await delivery.act({ user: ALICE, channel: INCIDENTS, ts: message_ts as string, actionId: 'approve' });
    expect(seen.actions[0]?.container).toMatchObject({ is_ephemeral: true, message_ts });
    expect(seen.actions[0]?.message).toBeUndefined();
    await vi.waitFor(
      () =>
        expect(
          standIn()
            .ephemerals(ALICE)
            .map((e) => e.text),
        ).toEqual(['Approved by <@U0ALICE>']),
      patiently,
    );
    await expect(
      delivery.act({ user: BOB, channel: INCIDENTS, ts: message_ts as string, actionId: 'approve' }),
    ).rejects.toThrow(/no message .* nor an ephemeral of U0BOB/);
  });

  it('say which element or choice does not exist', async () => {
    const ts = await postCard();
    const act = (input: Partial<Parameters<SlackDelivery['act']>[0]>) =>
      delivery.act({ user: ALICE, channel: INCIDENTS, ts, actionId: 'approve', ...input });
    await expect(act({ actionId: 'reject' })).rejects.toThrow(
      /no element with action_id 'reject' .*card-actions\/approve, card-actions\/checks/,
    );
    await expect(act({ selected: 'yes' })).rejects.toThrow(/is a button/);
    await expect(act({ actionId: 'checks', selected: ['tests', 'rollback'] })).rejects.toThrow(
      /no option with value "rollback"/,
    );
    await expect(act({ ts: '1.000001' })).rejects.toThrow(/no message 1.000001/);
    await expect(act({ viewId: 'V0NOPE' })).rejects.toThrow(/not both/);
    expect(seen.actions).toEqual([]);
  });
});

describe('views', () => {
  it('act on a modal’s select: the view with its state, kept for the submission', async () => {
    const viewId = await openPlan();
    await delivery.act({ user: ALICE, viewId, actionId: 'severity', selected: 'sev1' });
    expect(seen.actions[0]).toMatchObject({
      container: { type: 'view', view_id: viewId },
      view: {
        id: viewId,
        private_metadata: 'HF-1',
        state: { values: { more: { severity: { type: 'static_select', selected_option: option('sev1') } } } },
      },
      actions: [{ type: 'static_select', action_id: 'severity', selected_option: option('sev1') }],
    });
    expect(seen.actions[0]?.response_url).toBeUndefined();
    await expect(delivery.act({ user: ALICE, viewId, actionId: 'value' })).rejects.toThrow(
      /input block without dispatch_action/,
    );
    await expect(delivery.act({ user: BOB, viewId, actionId: 'severity', selected: 'sev2' })).rejects.toThrow(
      /not open for U0BOB/,
    );
  });

  it('submit with state values and private_metadata; errors come back, then success closes the modal', async () => {
    const viewId = await openPlan();
    await delivery.act({ user: ALICE, viewId, actionId: 'severity', selected: 'sev2' });

    const refused = await delivery.submitView({ user: ALICE, viewId, values: {} });
    expect(refused).toMatchObject({ status: 200, errors: { summary: 'Say what the fix is' } });
    expect(refused.view?.view.id).toBe(viewId);
    expect(standIn().views.top(ALICE)?.errors).toEqual({ summary: 'Say what the fix is' });
    expect(seen.submissions[0]?.view.state.values).toMatchObject({
      summary: { value: { type: 'plain_text_input', value: null } },
      services: { pick: { type: 'checkboxes', selected_options: [] } },
    });

    const saved = await delivery.submitView({
      user: ALICE,
      viewId,
      values: {
        summary: { value: { type: 'plain_text_input', value: 'Raise the payments timeout' } },
        services: { pick: ['api'] },
      },
    });
    expect(saved).toMatchObject({ status: 200, body: undefined });
    expect(saved.view).toBeUndefined();
    expect(saved.errors).toBeUndefined();
    expect(standIn().views.stack(ALICE)).toEqual([]);
    expect(seen.submissions[1]).toMatchObject({
      type: 'view_submission',
      user: { id: ALICE },
      view: {
        id: viewId,
        callback_id: 'plan',
        private_metadata: 'HF-1',
        state: {
          values: {
            summary: { value: { type: 'plain_text_input', value: 'Raise the payments timeout' } },
            services: { pick: { type: 'checkboxes', selected_options: [option('api')] } },
            more: { severity: { type: 'static_select', selected_option: option('sev2') } },
          },
        },
      },
    });
  });

  it('refuse a submission Slack could not send', async () => {
    const viewId = await openPlan();
    await expect(delivery.submitView({ user: BOB, viewId, values: {} })).rejects.toThrow(
      /no modal .* is open for U0BOB/,
    );
    await expect(
      delivery.submitView({ user: ALICE, viewId, values: { summary: { text: 'x' } } }),
    ).rejects.toThrow(/no element with action_id 'text' in block 'summary'/);
    await expect(
      delivery.submitView({ user: ALICE, viewId, values: { services: { pick: { type: 'radio_buttons' } } } }),
    ).rejects.toThrow(/is a checkboxes, not a radio_buttons/);
    expect(seen.submissions).toEqual([]);
  });

  it('close: a view_closed when the view asked for it, and the modal goes', async () => {
    const viewId = await openPlan();
    const closed = await delivery.closeView({ user: ALICE, viewId });
    expect(closed?.status).toBe(200);
    expect(standIn().views.stack(ALICE)).toEqual([]);
    expect(seen.closed).toEqual([
      expect.objectContaining({
        type: 'view_closed',
        is_cleared: false,
        user: expect.objectContaining({ id: ALICE }),
        view: expect.objectContaining({ id: viewId, private_metadata: 'HF-1' }),
      }),
    ]);
  });
});

describe('events', () => {
  it('deliver an event_callback Bolt routes; a retry carries x-slack-retry-num', async () => {
    const first = await delivery.event({
      user: ALICE,
      event: { type: 'app_home_opened', tab: 'home', channel: 'D0ALICE' },
    });
    expect(first.status).toBe(200);
    expect(first.request.payload).toMatchObject({
      type: 'event_callback',
      team_id: TEAM,
      api_app_id: 'A0HOTFIXAPP',
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
      authorizations: [expect.objectContaining({ user_id: 'U0HOTFIXBOT', is_bot: true })],
      event: { type: 'app_home_opened', user: ALICE, tab: 'home' },
    });
    await vi.waitFor(() => expect(standIn().views.home(ALICE)?.view.blocks).toHaveLength(2), patiently);

    const again = await delivery.retry(first, 2);
    expect(again.status).toBe(200);
    expect(again.request.body).toBe(first.request.body);
    expect(again.request.headers).toMatchObject({
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    });
    await vi.waitFor(() => expect(seen.homes).toHaveLength(2), patiently);
    expect(seen.homes).toEqual([
      { user: ALICE, tab: 'home', retryNum: undefined, retryReason: undefined },
      { user: ALICE, tab: 'home', retryNum: 2, retryReason: 'http_timeout' },
    ]);
  });
});

describe('signatures', () => {
  it('forged and stale requests get 401 and reach no listener', async () => {
    const genuine = await delivery.command({ user: BOB, channel: INCIDENTS, text: 'help' });
    expect(seen.commands).toHaveLength(1);
    const { body, contentType } = genuine.request;
    const now = Math.floor(new Date().getTime() / 1000);

    expect((await delivery.raw({ body, contentType, secret: 'not-the-secret' })).status).toBe(401);
    expect((await delivery.raw({ body, contentType, timestamp: now - 6 * 60 })).status).toBe(401);
    expect((await delivery.raw({ body, contentType, signature: 'v0=deadbeef' })).status).toBe(401);
    expect(seen.commands).toHaveLength(1);

    expect((await delivery.raw({ body, contentType })).status).toBe(200);
    expect(seen.commands).toHaveLength(2);
  });
});
