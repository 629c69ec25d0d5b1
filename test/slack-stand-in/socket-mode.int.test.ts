import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { patiently } from '../helpers/wait.ts';
import { slackError, useStandIn } from './helpers.ts';

const APP_TOKEN = 'xapp-1-stand-in-test';
const { standIn, client } = useStandIn({ appToken: APP_TOKEN });

/** Opens a connection the way an app does, and collects what Slack sends over it. */
const connect = async (url: string) => {
  const socket = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
  await once(socket, 'open');
  return { socket, received };
};

describe('Socket Mode', () => {
  it('hands out a socket URL for the app-level token only', async () => {
    expect(await slackError(client().apps.connections.open({}))).toBe('not_allowed_token_type');
    expect(await slackError(client({}, 'xapp-1-other').apps.connections.open({}))).toBe('invalid_auth');
    const opened = await client({}, APP_TOKEN).apps.connections.open({});
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\/[\w-]+$/);
  });

  it('greets with hello, sends envelopes and resolves with their acknowledgement; a URL works once', async () => {
    const { url } = await client({}, APP_TOKEN).apps.connections.open({});
    const { socket, received } = await connect(url ?? '');
    await expect.poll(() => received[0]?.type, patiently).toBe('hello');
    expect(standIn().socketMode.connections()).toBe(1);
    socket.on('message', (data) => {
      const envelope = JSON.parse(String(data)) as { envelope_id?: string; type?: string };
      if (envelope.type === 'interactive')
        socket.send(
          JSON.stringify({ envelope_id: envelope.envelope_id, payload: { response_action: 'clear' } }),
        );
    });

    // The acknowledgement ends the wait: its bound only has to outlast a stalled machine.
    const ack = await standIn().socketMode.deliver(
      'interactive',
      { type: 'view_submission' },
      { timeoutMs: patiently.timeout },
    );
    expect(ack).toEqual({ response_action: 'clear' });
    expect(received[1]).toMatchObject({
      type: 'interactive',
      accepts_response_payload: true,
      retry_attempt: 0,
    });

    // The same URL again: refused, as Slack's tickets are single-use.
    const again = new WebSocket(url ?? '');
    const [error] = (await once(again, 'error')) as [Error];
    expect(error.message).toMatch(/401/);
    socket.close();
    await expect.poll(() => standIn().socketMode.connections(), patiently).toBe(0);
  });

  it('fails a delivery nobody acknowledges, and one with no app connected', async () => {
    await expect(standIn().socketMode.deliver('events_api', {}, { timeoutMs: 100 })).rejects.toThrow(
      'no app is connected',
    );
    const { url } = await client({}, APP_TOKEN).apps.connections.open({});
    const { socket } = await connect(url ?? '');
    await expect(standIn().socketMode.deliver('events_api', {}, { timeoutMs: 100 })).rejects.toThrow(
      /did not acknowledge/,
    );
    socket.close();
  });
});
