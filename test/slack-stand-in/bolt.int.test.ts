import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageChange, ViewChange } from '../../src/slack-stand-in/index.ts';
import { ALICE, INCIDENTS, TEAM, TOKEN, modal, useStandIn } from './helpers.ts';

const { standIn } = useStandIn();
const SECRET = 'stand-in-signing-secret';

let app: App | undefined;
let events = '';

/** A slash command as Slack delivers it: form body, signed with the app's signing secret. */
const slashCommand = (fields: Record<string, string>) => {
  const body = new URLSearchParams({
    command: '/hotfix',
    team_id: TEAM,
    channel_id: INCIDENTS,
    ...fields,
  }).toString();
  // Bolt checks the timestamp against the real clock, not the stand-in's.
  const timestamp = String(Math.floor(new Date().getTime() / 1000));
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(events, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  });
};

const next = <K extends 'view' | 'message'>(event: K, kind: string) =>
  new Promise<K extends 'view' ? ViewChange : MessageChange>((resolve) => {
    const off = standIn().on(event, (change) => {
      if (change.kind !== kind) return;
      off();
      resolve(change as never);
    });
  });

beforeAll(async () => {
  app = new App({
    token: TOKEN,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn().url },
  });
  app.command('/hotfix', async ({ ack, body, client, respond }) => {
    await client.views.open({ trigger_id: body.trigger_id, view: modal('Plan a hotfix') });
    await ack();
    await respond({ text: 'Opening the plan…' });
  });
  const server = (await app.start(0)) as Server;
  events = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => app?.stop());

describe('the real Bolt app against the stand-in', () => {
  it('verifies its token, opens a modal with the trigger and answers through respond()', async () => {
    const opened = next('view', 'opened');
    const replied = next('message', 'ephemeral_posted');
    const response = await slashCommand({
      text: 'start',
      user_id: ALICE,
      trigger_id: standIn().newTriggerId(ALICE),
      response_url: standIn().newResponseUrl({ channel: INCIDENTS, user: ALICE }),
    });
    expect(response.status).toBe(200);

    expect(await opened).toMatchObject({ user: ALICE, view: { view: { title: { text: 'Plan a hotfix' } } } });
    expect(await replied).toMatchObject({ ephemeral: { user: ALICE, text: 'Opening the plan…' } });
    expect(standIn().callsTo('auth.test')).toHaveLength(1);
    expect(standIn().callsTo('views.open')[0]?.token).toBe(TOKEN);
  });
});
