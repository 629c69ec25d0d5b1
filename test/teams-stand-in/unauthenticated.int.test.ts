import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsDelivery } from '../../src/teams-stand-in/index.ts';
import { startBot } from './bot.ts';
import { ALICE, INCIDENTS, conv, message, useTeamsStandIn } from './helpers.ts';

// No botToken: the local mode, as HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED runs it.
const { standIn, call } = useTeamsStandIn({ botToken: undefined });
let bot: Awaited<ReturnType<typeof startBot>>;

beforeAll(async () => {
  bot = await startBot({ authConfig: standIn().authConfig(), appId: '' });
});
afterAll(async () => bot?.stop());

describe('unauthenticated mode', () => {
  it('connector calls need no token', async () => {
    expect(standIn().authenticated).toBe(false);
    expect(
      (await call('POST', `/v3/conversations/${conv(INCIDENTS)}/activities`, message('x'), null)).status,
    ).toBe(201);
  });

  it('deliveries carry no token, and a bot without an app id takes them and answers through the stand-in', async () => {
    bot.setLogic(async (context) => {
      await context.sendActivity('on it');
    });
    const answer = await createTeamsDelivery({ standIn: standIn(), url: bot.url }).mention({
      user: ALICE,
      text: 'help',
      channel: INCIDENTS,
    });
    expect(answer).toMatchObject({ status: 200, authorization: undefined });
    const root = bot.received.at(-1)?.id ?? '';
    expect(
      standIn()
        .thread(INCIDENTS, root)
        .map((activity) => activity.activity.text),
    ).toEqual(['<at>hotfix</at> help', 'on it']);
  });
});
