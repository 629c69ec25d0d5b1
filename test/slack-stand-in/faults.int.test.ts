import { WebAPIHTTPError, WebAPIRateLimitedError, WebClientEvent } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { INCIDENTS, QUIET, slackError, useStandIn } from './helpers.ts';

const { standIn, client, clock } = useStandIn({
  rateLimits: {
    'chat.update': { perMinute: 3 },
    'chat.postEphemeral': { perMinute: 1, perChannel: true },
  },
});

const rejection = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

describe('failures on demand', () => {
  it('a limit counted per channel refuses the second call in one channel, not a call in another', async () => {
    const slack = client({ rejectRateLimitedCalls: true });
    const ephemeral = (channel: string) => slack.chat.postEphemeral({ channel, user: 'U0ALICE', text: 'x' });
    await ephemeral(INCIDENTS);
    expect(await rejection(ephemeral(INCIDENTS))).toBeInstanceOf(WebAPIRateLimitedError);
    expect(await slackError(ephemeral(QUIET))).not.toBe('ratelimited');
  });

  it('a 429 with Retry-After is waited out and retried by WebClient', async () => {
    standIn().failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const slack = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const waits: number[] = [];
    slack.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));

    const answer = await slack.chat.postMessage({ channel: INCIDENTS, text: 'after the pause' });

    expect(answer.ok).toBe(true);
    expect(waits).toEqual([1]);
    expect(
      standIn()
        .callsTo('chat.postMessage')
        .map((call) => call.status),
    ).toEqual([429, 200]);
    expect(
      standIn()
        .messages(INCIDENTS)
        .map((m) => m.text),
    ).toEqual(['after the pause']);
  });

  it('rejectRateLimitedCalls surfaces the 429 with its Retry-After, and nothing is posted', async () => {
    standIn().failNext('chat.update', { status: 429, retryAfter: 7 });
    const slack = client({ rejectRateLimitedCalls: true });
    const error = await rejection(
      slack.chat.update({ channel: INCIDENTS, ts: '1700000000.000100', text: 'x' }),
    );
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(standIn().callsTo('chat.update')).toHaveLength(1);
  });

  it('a 500 is an HTTP error, retried when the client retries', async () => {
    standIn().failNext('chat.postMessage', { status: 500 });
    const error = await rejection(client().chat.postMessage({ channel: INCIDENTS, text: 'x' }));
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect((error as WebAPIHTTPError).statusCode).toBe(500);

    standIn().failNext('chat.postMessage', { status: 500 });
    const retrying = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    expect((await retrying.chat.postMessage({ channel: INCIDENTS, text: 'second try' })).ok).toBe(true);
    expect(
      standIn()
        .messages(INCIDENTS)
        .map((m) => m.text),
    ).toEqual(['second try']);
  });

  it('forces a Slack error code a given number of times, per method or for every method', async () => {
    const slack = client();
    standIn().failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    expect(await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: '1' }))).toBe(
      'channel_not_found',
    );
    expect(await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: '2' }))).toBe(
      'channel_not_found',
    );
    expect((await slack.chat.postMessage({ channel: INCIDENTS, text: '3' })).ok).toBe(true);

    standIn().failNext('*', { error: 'service_unavailable' }, Infinity);
    expect(await slackError(slack.auth.test())).toBe('service_unavailable');
    expect(
      await slackError(slack.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [] } })),
    ).toBe('service_unavailable');
    standIn().clearFailures();
    expect((await slack.auth.test()).ok).toBe(true);
  });

  it('answers 429 on its own past a configured per-minute budget, until the window moves on', async () => {
    const slack = client({ rejectRateLimitedCalls: true });
    const { ts } = await slack.chat.postMessage({ channel: INCIDENTS, text: 'card' });
    const edit = (text: string) => slack.chat.update({ channel: INCIDENTS, ts: ts as string, text });
    await edit('v1');
    clock.advance(20_000);
    await edit('v2');
    await edit('v3');
    const error = await rejection(edit('v4'));
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(40);
    clock.advance(40_000);
    expect((await edit('v5')).ok).toBe(true);
    expect(standIn().message(INCIDENTS, ts as string)?.text).toBe('v5');
  });
});
