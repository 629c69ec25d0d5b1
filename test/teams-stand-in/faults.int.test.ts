import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';
import { INCIDENTS, conv, message, useTeamsStandIn } from './helpers.ts';

const { standIn, client, call } = useTeamsStandIn();

const path = `/v3/conversations/${conv(INCIDENTS)}/activities`;
const send = (text: string) => call('POST', path, message(text));

describe('failures on demand', () => {
  it('the next N matching calls answer 429, 412, 502, 504 or 500; others are served', async () => {
    standIn().failNext({ status: 429, retryAfter: 3 }, { method: 'POST', conversation: INCIDENTS }, 2);
    standIn().failNext({ status: 412 }, { method: 'PUT' });
    expect(await send('a')).toMatchObject({ status: 429, retryAfter: '3' });
    expect((await call('GET', `/v3/conversations/${conv(INCIDENTS)}/members`)).status).toBe(200);
    expect((await send('b')).status).toBe(429);
    expect((await send('c')).status).toBe(201);
    expect((await call('PUT', `${path}/1`, message('x'))).status).toBe(412);
    for (const status of [502, 504, 500] as const) {
      standIn().failNext({ status }, { path: '/activities' });
      expect((await send(String(status))).status).toBe(status);
    }
    expect(
      standIn()
        .activities(INCIDENTS)
        .map((a) => a.activity.text),
    ).toEqual(['c']);
  });

  it('a failure for one thread leaves the channel’s other threads alone', async () => {
    const root = (await send('root')).body?.id as string;
    const thread = `${INCIDENTS};messageid=${root}`;
    standIn().failNext({ status: 502 }, { conversation: thread });
    expect((await send('another thread')).status).toBe(201);
    expect(
      (await call('POST', `/v3/conversations/${conv(thread)}/activities`, message('reply'))).status,
    ).toBe(502);
  });

  it('botbuilder’s connector client retries a 429 after Retry-After and then succeeds', async () => {
    standIn().failNext({ status: 429, retryAfter: 1 });
    const answer = await client(undefined, true).conversations.sendToConversation(
      INCIDENTS,
      message('later') as never,
    );
    expect(answer.id).toBeDefined();
    expect(standIn().calls.map((c) => c.status)).toEqual([429, 201]);
  });

  it('a 202 with no id: the message is there, its id is not returned', async () => {
    standIn().failNext({ status: 202, withoutId: true });
    const answer = await send('card and text');
    expect(answer).toEqual({ status: 202, retryAfter: null, body: undefined });
    expect(
      standIn()
        .activities(INCIDENTS)
        .map((a) => a.activity.text),
    ).toEqual(['card and text']);
  });

  it('a delay holds every matching call, then serves it', async () => {
    standIn().delay(300, { method: 'POST' });
    const started = performance.now();
    expect((await send('slow')).status).toBe(201);
    // Not a timing assertion on our code: the knob must actually hold the call.
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    standIn().delay(0, { method: 'POST' });
  });

  it('down: connection refused until up; or 503 for every call', async () => {
    await standIn().down();
    await expect(send('x')).rejects.toThrow();
    await standIn().up();
    expect((await send('back')).status).toBe(201);

    await standIn().down({ mode: '503' });
    expect(await send('x')).toMatchObject({ status: 503, body: { error: { code: 'ServiceUnavailable' } } });
    await standIn().up();
    expect(
      standIn()
        .activities(INCIDENTS)
        .map((a) => a.activity.text),
    ).toEqual(['back']);
  });

  it('down for a while: down at once, and comes back by itself', async () => {
    // Down at once: a window far longer than the test could stall, ended by hand (which cancels its timer).
    await standIn().down({ forMs: 60_000 });
    await expect(send('x')).rejects.toThrow();
    await standIn().up();
    // Back by itself: waited for, not asserted after a fixed pause, so a slow machine cannot fail it.
    await standIn().down({ forMs: 200 });
    await waitFor(
      'the connector back',
      async () => (await send('back again').catch(() => null))?.status === 201,
    );
    expect(
      standIn()
        .activities(INCIDENTS)
        .map((a) => a.activity.text),
    ).toEqual(['back again']);
  });
});
