import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackDelivery } from '../../../src/bot/slack/front.ts';
import { PAYLOAD_BOUNDS, createSlackFront } from '../../../src/bot/slack/front.ts';

const SECRET = 'front-test-secret';
const handed: SlackDelivery[] = [];
const asked: SlackDelivery[] = [];
let answerWith: unknown = { response_action: 'errors', errors: { plan_version: 'Required' } };
/** What the app side does wrong next: its hand-over throws (a clone that fails), or its answer rejects. */
let failNext: 'hand' | 'ask' | undefined;
const warned: object[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(
    createSlackFront({
      signingSecret: SECRET,
      hand: (delivery) => {
        if (failNext === 'hand') {
          failNext = undefined;
          throw new RangeError('Maximum call stack size exceeded');
        }
        handed.push(delivery);
      },
      ask: async (delivery) => {
        if (failNext === 'ask') {
          failNext = undefined;
          throw new Error('the app thread is gone');
        }
        asked.push(delivery);
        return answerWith;
      },
      log: { warn: (fields) => void warned.push(fields) },
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
const COMMAND = { command: '/hotfix', text: 'help', user_id: 'U1', channel_id: 'C1', trigger_id: 't1' };
const CLICK = { type: 'block_actions', user: { id: 'U1' }, trigger_id: 't2', actions: [{ action_id: 'a' }] };
const SUBMISSION = {
  type: 'view_submission',
  user: { id: 'U1' },
  view: { id: 'V1', callback_id: 'hotfix_plan', private_metadata: '', state: { values: {} } },
};
const click = (extra: Record<string, unknown>) => form({ payload: JSON.stringify({ ...CLICK, ...extra }) });

describe('the Slack front: checks, acks and hands over', () => {
  it('acks a command and a click at once and hands them over, retries marked', async () => {
    handed.length = 0;
    const command = await post(form(COMMAND), FORM);
    expect(command).toEqual({ status: 200, text: '' });
    const clicked = await post(click({}), FORM, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(clicked).toEqual({ status: 200, text: '' });
    expect(handed).toEqual([{ body: COMMAND }, { body: CLICK, retryNum: 1, retryReason: 'http_timeout' }]);
  });

  it('answers a modal submission with what the app decides', async () => {
    asked.length = 0;
    const submission = form({ payload: JSON.stringify(SUBMISSION) });
    const submitted = await post(submission, FORM);
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submitted.text)).toEqual(answerWith);
    answerWith = undefined;
    expect(await post(submission, FORM)).toEqual({ status: 200, text: '' });
    expect(asked).toHaveLength(2);
    // The app is told how long the front waits, so it knows when an answer can no longer be shown.
    expect(asked[0]?.answerWithinMs).toBeGreaterThan(0);
    expect(asked[0]?.answerWithinMs).toBeLessThan(3000);
  });

  it('refuses forged and stale requests with 401 and hands nothing over', async () => {
    handed.length = 0;
    const body = form(COMMAND);
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

  it('refuses absurd payloads with 400 and the reason, in JSON and in forms, and hands nothing over', async () => {
    handed.length = 0;
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const cases: [string, string, RegExp][] = [
      [
        `payload=${encodeURIComponent(`{"type":"block_actions","x":${deep(4000)}}`)}`,
        FORM,
        /nested deeper than 64/,
      ],
      [
        `{"type":"event_callback","event_id":"E","event":{"type":"m","x":${deep(70)}}}`,
        'application/json',
        /nested deeper than 64/,
      ],
      [click({ value: Array.from({ length: 5001 }, () => 0) }), FORM, /array has more than 5000 items/],
      [
        click({ value: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])) }),
        FORM,
        /more than 1000 keys/,
      ],
      [form({ ...COMMAND, text: 'x'.repeat(200_001) }), FORM, /string is longer than 200000/],
      [form({ payload: '[1,2]' }), FORM, /not a JSON object/],
      [click({ user: 'U1' }), FORM, /not a Slack request: user: /],
      [form({ payload: JSON.stringify({ ...SUBMISSION, view: { id: 'V1' } }) }), FORM, /view\.callback_id/],
      [form({ command: '/hotfix' }), FORM, /not a Slack request: text/],
      [
        JSON.stringify({ type: 'event_callback', event_id: 'E', event: 'message' }),
        'application/json',
        /event/,
      ],
      [JSON.stringify({ type: 5 }), 'application/json', /not a Slack request: type/],
    ];
    for (const [body, contentType, reason] of cases) {
      const refused = await post(body, contentType);
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(reason);
    }
    const tooBig = await post(form({ ...COMMAND, text: 'x'.repeat(PAYLOAD_BOUNDS.bytes) }), FORM);
    expect(tooBig.status).toBe(413);
    expect(handed).toEqual([]);
    expect(asked.filter((d) => d.body.type !== 'view_submission')).toEqual([]);
  });

  it('takes Slack-sized payloads: a 100-block submission with long texts and deep rich text', async () => {
    asked.length = 0;
    answerWith = undefined;
    const richText = {
      type: 'rich_text',
      elements: [
        {
          type: 'rich_text_list',
          elements: [
            {
              type: 'rich_text_section',
              elements: [{ type: 'text', text: 'x'.repeat(3000), style: { bold: true } }],
            },
          ],
        },
      ],
    };
    const blocks = Array.from({ length: 100 }, (_, i) => ({ ...richText, block_id: `b${i}` }));
    const values = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `b${i}`,
        { v: { type: 'plain_text_input', value: 'y'.repeat(3000) } },
      ]),
    );
    const big = { ...SUBMISSION, view: { ...SUBMISSION.view, blocks, state: { values } } };
    const body = form({ payload: JSON.stringify(big) });
    expect(body.length).toBeGreaterThan(600_000);
    expect(await post(body, FORM)).toEqual({ status: 200, text: '' });
    expect(asked).toHaveLength(1);
  });

  it('survives an app side that throws or rejects: the delivery is logged with its kind, the next one works', async () => {
    handed.length = 0;
    warned.length = 0;
    failNext = 'hand';
    expect(await post(click({}), FORM)).toEqual({ status: 200, text: '' });
    expect(warned).toContainEqual(expect.objectContaining({ kind: 'block_actions' }));
    failNext = 'ask';
    expect(await post(form({ payload: JSON.stringify(SUBMISSION) }), FORM)).toEqual({
      status: 200,
      text: '',
    });
    expect(warned).toContainEqual(expect.objectContaining({ kind: 'view_submission' }));
    expect(await post(form(COMMAND), FORM)).toEqual({ status: 200, text: '' });
    expect(handed).toEqual([{ body: COMMAND }]);
  });
});
