import { describe, expect, it } from 'vitest';
import { ConnectorCallError } from '../../../src/bot/teams/connector-error.ts';
import { threadConversationId } from '../../../src/bot/teams/conversation-ref.ts';
import type { TeamsTransport } from '../../../src/bot/teams/transport.ts';
import { createTeamsTransport } from '../../../src/bot/teams/transport.ts';
import { APP_ID, BOT_TOKEN, TENANT_ID } from '../../teams-stand-in/bot.ts';
import { INCIDENTS, useTeamsStandIn } from '../../teams-stand-in/helpers.ts';

const { standIn } = useTeamsStandIn();
/** Far past the deadline: without one, every call below would wait this long and then succeed. */
const HELD_MS = 8_000;
/** The calls Teams answers must make it too, however loaded the machine: a short deadline failed them. */
const DEADLINE_MS = 2_000;

const transportWith = (retries: boolean): TeamsTransport =>
  createTeamsTransport({
    appId: APP_ID,
    appPassword: 'not-used-with-a-fixed-token',
    appType: 'MultiTenant',
    outboundToken: BOT_TOKEN,
    retries,
    callTimeoutMs: DEADLINE_MS,
    clock: { now: () => new Date() },
    log: { warn: () => undefined },
  });

const where = () => ({
  serviceUrl: standIn().serviceUrl,
  tenantId: TENANT_ID,
  channelId: 'msteams',
  botId: `28:${APP_ID}`,
});
const message = (text: string) => ({ type: 'message', text });

const timedOut = async (what: string, call: Promise<unknown>) => {
  const error = await call.then(
    () => new Error(`${what} resolved although Teams held it`),
    (reason: unknown) => reason,
  );
  expect(error, what).toBeInstanceOf(ConnectorCallError);
  expect(error, what).toMatchObject({ status: undefined, code: 'Timeout' });
  expect((error as Error).message, what).toContain(`within ${DEADLINE_MS} ms`);
};

describe('Teams transport: every outbound call has a deadline', () => {
  it.each([
    ['fails fast (the notifier)', false],
    ['retries (the router)', true],
  ])(
    'a Bot Connector that holds each call: send, new thread, reply, update and member lookup fail as Timeout at the deadline; %s',
    async (_, retries) => {
      const transport = transportWith(retries);
      const opened = await transport.createThread({ ...where(), teamsChannelId: INCIDENTS }, message('root'));
      const thread = {
        ...where(),
        conversationId: threadConversationId(INCIDENTS, opened.rootActivityId),
        teamsChannelId: INCIDENTS,
        threadRootId: opened.rootActivityId,
      };
      standIn().delay(HELD_MS);
      await Promise.all([
        timedOut('send', transport.send({ ...where(), conversationId: INCIDENTS }, message('hello'))),
        timedOut(
          'create thread',
          transport.createThread({ ...where(), teamsChannelId: INCIDENTS }, message('second root')),
        ),
        timedOut('reply', transport.reply(thread, message('a line'))),
        timedOut('update', transport.update(thread, opened.rootActivityId, message('root, edited'))),
        timedOut('member lookup', transport.member(thread, '29:nobody')),
      ]);
      // The deadline belongs to each call: once Teams answers again, so does the transport.
      standIn().delay(0);
      expect((await transport.reply(thread, message('a line'))).id).toBeDefined();
    },
    20_000,
  );
});
