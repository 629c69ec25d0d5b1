import { describe, expect, it, vi } from 'vitest';
import { ConnectorCallError } from '../../../src/bot/teams/connector-error.ts';
import { createTeamsTransport } from '../../../src/bot/teams/transport.ts';
import { patiently } from '../../helpers/wait.ts';
import { APP_ID, BOT_TOKEN, TENANT_ID } from '../../teams-stand-in/bot.ts';
import { INCIDENTS, useTeamsStandIn } from '../../teams-stand-in/helpers.ts';

const { standIn } = useTeamsStandIn();

/** A transport whose every Bot Connector request is written down, as metrics count them. */
const countingTransport = (retries: boolean, callTimeoutMs?: number) => {
  const calls: [string, number | string][] = [];
  const transport = createTeamsTransport({
    appId: APP_ID,
    appPassword: 'not-used-with-a-fixed-token',
    appType: 'MultiTenant',
    outboundToken: BOT_TOKEN,
    retries,
    ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
    clock: { now: () => new Date() },
    log: { warn: () => undefined },
    onCall: (call, status) => void calls.push([call, status]),
  });
  return { transport, calls };
};

const where = () => ({
  serviceUrl: standIn().serviceUrl,
  tenantId: TENANT_ID,
  channelId: 'msteams',
  botId: `28:${APP_ID}`,
});
const message = (text: string) => ({ type: 'message', text });

describe('Teams transport: every Bot Connector request is counted by call and status', () => {
  it('counts each request of a call, a 429 and the retry after it included', async () => {
    const { transport, calls } = countingTransport(true);
    const opened = await transport.createThread({ ...where(), teamsChannelId: INCIDENTS }, message('root'));
    standIn().failNext({ status: 429, retryAfter: 0 }, { method: 'PUT' });
    await transport.update(
      { ...where(), conversationId: `${INCIDENTS};messageid=${opened.rootActivityId}` },
      opened.rootActivityId,
      message('root, edited'),
    );
    expect(calls).toEqual([
      ['create thread', 201],
      ['update', 429],
      ['update', 200],
    ]);
  });

  it('counts a failing call once when it is not retried, and a call Teams never answers as a timeout', async () => {
    // A deadline the 503 below meets however loaded the machine (at 300 ms a slow answer became a timeout).
    const { transport, calls } = countingTransport(false, 2_000);
    standIn().failNext({ status: 503 }, { method: 'POST' });
    await expect(
      transport.send({ ...where(), conversationId: INCIDENTS }, message('hello')),
    ).rejects.toBeInstanceOf(ConnectorCallError);
    standIn().delay(5_000);
    await expect(
      transport.send({ ...where(), conversationId: INCIDENTS }, message('hello')),
    ).rejects.toMatchObject({ code: 'Timeout' });
    standIn().delay(0);
    // The aborted request settles just after the call gave up on it.
    await vi.waitFor(
      () =>
        expect(calls).toEqual([
          ['send', 503],
          ['send', 'timeout'],
        ]),
      patiently,
    );
  });
});
