import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackDelivery } from '../../../src/bot/slack/front.ts';
import { createSlackFront } from '../../../src/bot/slack/front.ts';

const SECRET = 'front-test-secret';
const handed: SlackDelivery[] = [];
const asked: SlackDelivery[] = [];
let answerWith: unknown = { response_action: 'errors', errors: { plan_version: 'Required' } };
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(
    createSlackFront({
      signingSecret: SECRET,
      hand: (delivery) => void handed.push(delivery),
      ask: async (delivery) => {
        asked.push(delivery);
        return answerWith;
      },
      log: { warn: () => undefined },
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(() => void server.close());

/** Posts `body` signed as Slack signs it (or with the given signature or timestamp). */
const post = async (
  body: string,
  contentType: string,
  {
    signature,
    timestamp,
    headers = {},
  }: { signature?: string; timestamp?: number; headers?: Record<string, string> } = {},
) => {
  const ts = timestamp ?? Math.floor(new Date().getTime() / 1000);
  const signed = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature ?? signed,
      ...headers,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
};
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

describe('the Slack front: checks, acks and hands over', () => {
  it('acks a command and a click at once and hands them over, retries marked', async () => {
    handed.length = 0;
    const command = await post(form({ command: '/hotfix', text: 'help', trigger_id: 't1' }), FORM);
    expect(command).toEqual({ status: 200, text: '' });
    const click = await post(
      form({ payload: JSON.stringify({ type: 'block_actions', trigger_id: 't2' }) }),
      FORM,
      {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      },
    );
    expect(click).toEqual({ status: 200, text: '' });
    expect(handed).toEqual([
      { body: { command: '/hotfix', text: 'help', trigger_id: 't1' } },
      { body: { type: 'block_actions', trigger_id: 't2' }, retryNum: 1, retryReason: 'http_timeout' },
    ]);
  });

  it('answers a modal submission with what the app decides', async () => {
    asked.length = 0;
    const submitted = await post(form({ payload: JSON.stringify({ type: 'view_submission' }) }), FORM);
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submitted.text)).toEqual(answerWith);
    answerWith = undefined;
    expect(await post(form({ payload: JSON.stringify({ type: 'view_submission' }) }), FORM)).toEqual({
      status: 200,
      text: '',
    });
    expect(asked).toHaveLength(2);
  });

  it('refuses forged and stale requests with 401 and hands nothing over', async () => {
    handed.length = 0;
    const body = form({ command: '/hotfix', text: 'help' });
    expect((await post(body, FORM, { signature: 'v0=forged' })).status).toBe(401);
    const hourAgo = Math.floor(new Date().getTime() / 1000) - 3600;
    expect((await post(body, FORM, { timestamp: hourAgo })).status).toBe(401);
    expect(handed).toEqual([]);
  });

  it('answers URL verification, and refuses what is not a Slack request', async () => {
    const challenge = await post(
      JSON.stringify({ type: 'url_verification', challenge: 'abc' }),
      'application/json',
    );
    expect(JSON.parse(challenge.text)).toEqual({ challenge: 'abc' });
    expect((await post('payload=%7Bnot-json', FORM)).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
  });
});
