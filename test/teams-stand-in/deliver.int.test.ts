import type { Activity, ConversationReference } from 'botbuilder';
import { TurnContext } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TeamsDelivery } from '../../src/teams-stand-in/index.ts';
import { TeamsDeliveryError, createTeamsDelivery } from '../../src/teams-stand-in/index.ts';
import { APP_ID, TENANT_ID, startBot } from './bot.ts';
import { ALICE, BOB, GENERAL, INCIDENTS, card, useTeamsStandIn } from './helpers.ts';

const { standIn } = useTeamsStandIn();
let bot: Awaited<ReturnType<typeof startBot>>;
let delivery: TeamsDelivery;

beforeAll(async () => {
  bot = await startBot({ authConfig: standIn().authConfig() });
  delivery = createTeamsDelivery({ standIn: standIn(), url: bot.url });
});
afterAll(async () => bot?.stop());

const AUDIENCE = 'https://api.botframework.com';

/** The hotfix card as the bot would post it: an Execute with a Submit fallback, and a dialog opener. */
const hotfixCard = card('HF-1 awaiting approval', {
  actions: [
    {
      type: 'Action.Execute',
      title: 'Approve',
      verb: 'approve',
      data: { hotfix: 'HF-1' },
      fallback: {
        type: 'Action.Submit',
        id: 'approve-fallback',
        title: 'Approve',
        data: { verb: 'approve', hotfix: 'HF-1' },
      },
    },
    {
      type: 'Action.Submit',
      title: 'Edit plan',
      data: { msteams: { type: 'task/fetch' }, form: 'edit', hotfix: 'HF-1' },
    },
  ],
});

/** The bot starts a thread in #incidents with the card, as the product will: createConversationAsync. */
const postCard = async () => {
  let conversationId = '';
  await bot.adapter.createConversationAsync(
    APP_ID,
    'msteams',
    standIn().serviceUrl,
    AUDIENCE,
    {
      isGroup: true,
      channelData: { channel: { id: INCIDENTS } },
      activity: { type: 'message', attachments: [hotfixCard] } as Activity,
      tenantId: TENANT_ID,
      bot: { id: `28:${APP_ID}`, name: 'hotfix' },
      members: [],
    },
    async (context) => {
      conversationId = context.activity.conversation.id;
    },
  );
  // TEAMS.md: botbuilder hands back the conversation id; the root activity id is its messageid.
  const root = /;messageid=(\d+)$/.exec(conversationId)?.[1] ?? '';
  return { conversationId, root };
};

describe('deliveries into a real botbuilder CloudAdapter, and its calls back to the stand-in', () => {
  it('a mention in a channel arrives as Teams shapes it; the bot’s reply lands in the thread', async () => {
    // removeRecipientMention strips the text in place: work on a copy, so the test sees what arrived.
    bot.setLogic(async (context) => {
      await context.sendActivity(
        `heard: ${TurnContext.removeRecipientMention({ ...context.activity } as Activity)?.trim()}`,
      );
    });
    const answer = await delivery.mention({ user: ALICE, text: 'start HF-1', channel: INCIDENTS });
    expect(answer.status).toBe(200);
    expect(answer.authorization).toMatch(/^Bearer ey/);
    const sent = bot.received.at(-1);
    expect(sent).toMatchObject({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: standIn().serviceUrl,
      text: '<at>hotfix</at> start HF-1',
      from: { aadObjectId: ALICE, name: 'Alice Archer' },
      recipient: { id: `28:${APP_ID}` },
      conversation: { conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { channel: { id: INCIDENTS }, team: { id: GENERAL }, tenant: { id: TENANT_ID } },
    });
    expect(sent?.from.id).toMatch(/^29:/);
    expect(sent?.entities?.[0]).toMatchObject({ type: 'mention', mentioned: { id: `28:${APP_ID}` } });
    const [root, reply] = standIn().thread(INCIDENTS, sent?.id ?? '');
    expect(root).toMatchObject({ author: ALICE, activity: { text: '<at>hotfix</at> start HF-1' } });
    expect(reply?.activity.text).toBe('heard: start HF-1');
    expect(standIn().calls.at(-1)?.token).toBe('stand-in-outbound-token');
  });

  it('createConversationAsync, continueConversationAsync (a random reply id) and updateActivity work against it', async () => {
    const { conversationId, root } = await postCard();
    expect(conversationId).toBe(`${INCIDENTS};messageid=${root}`);
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: standIn().serviceUrl,
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', name: '' },
      bot: { id: `28:${APP_ID}`, name: 'hotfix' },
    };
    await bot.adapter.continueConversationAsync(APP_ID, reference, async (context) => {
      await context.sendActivity('HF-1: approval by Bob');
      await context.updateActivity({
        id: root,
        type: 'message',
        conversation: reference.conversation,
        attachments: [card('HF-1 approved')],
      } as Partial<Activity>);
    });
    const thread = standIn().thread(INCIDENTS, root);
    expect(thread.map((activity) => activity.activity.text ?? 'card')).toEqual([
      'card',
      'HF-1: approval by Bob',
    ]);
    expect(thread[0]?.history).toHaveLength(1);
    expect(JSON.stringify(thread[0]?.activity.attachments)).toContain('HF-1 approved');
  });

  it('an Action.Execute click is an adaptiveCard/action invoke; the bot’s answer comes back', async () => {
    const { root } = await postCard();
    const refreshed = {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { type: 'AdaptiveCard' },
    };
    bot.setLogic(async () => ({ status: 200, body: refreshed }));
    const answer = await delivery.execute({
      user: BOB,
      activityId: root,
      verb: 'approve',
      inputs: { note: 'ok' },
    });
    expect(answer).toMatchObject({ status: 200, body: refreshed });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: root,
      conversation: { id: `${INCIDENTS};messageid=${root}` },
      from: { aadObjectId: BOB },
      value: {
        action: { type: 'Action.Execute', verb: 'approve', data: { hotfix: 'HF-1', note: 'ok' } },
        trigger: 'manual',
      },
    });
  });

  it('an Action.Submit is a message with value; a dialog opener is task/fetch; a dialog submit task/submit', async () => {
    const { root } = await postCard();
    bot.setLogic(async () => undefined);
    await delivery.submit({ user: BOB, activityId: root, action: 'approve-fallback' });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'message',
      replyToId: root,
      value: { verb: 'approve', hotfix: 'HF-1' },
    });

    const dialog = { task: { type: 'continue', value: { title: 'Edit', card: card('form') } } };
    bot.setLogic(async () => ({ status: 200, body: dialog }));
    expect((await delivery.submit({ user: BOB, activityId: root, action: 'Edit plan' })).body).toEqual(
      dialog,
    );
    expect(bot.received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'task/fetch',
      value: { data: { form: 'edit', hotfix: 'HF-1', msteams: { type: 'task/fetch' } } },
    });
    await delivery.taskSubmit({ user: BOB, activityId: root, data: { form: 'edit', summary: 'new' } });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'task/submit',
      value: { data: { summary: 'new' } },
    });
  });

  it('refuses to click what the card does not have', async () => {
    const { root } = await postCard();
    await expect(delivery.execute({ user: BOB, activityId: root, verb: 'deploy' })).rejects.toThrow(
      TeamsDeliveryError,
    );
    await expect(delivery.submit({ user: BOB, activityId: '42', action: 'x' })).rejects.toThrow(
      /no activity 42/,
    );
  });

  it('a 1:1 message and the bot’s install arrive in the personal chat and the team', async () => {
    bot.setLogic(async () => undefined);
    await delivery.personal({ user: ALICE, text: 'status HF-1' });
    const chat = standIn().personalConversation(ALICE);
    expect(bot.received.at(-1)).toMatchObject({
      text: 'status HF-1',
      conversation: { id: chat.id, conversationType: 'personal', tenantId: TENANT_ID },
    });
    await delivery.botAdded({ scope: 'team' });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'conversationUpdate',
      membersAdded: [{ id: `28:${APP_ID}` }],
      conversation: { id: GENERAL },
      channelData: { eventType: 'teamMemberAdded', team: { id: GENERAL } },
    });
    await delivery.botAdded({ scope: 'personal', user: BOB });
    expect(bot.received.at(-1)?.conversation.id).toBe(standIn().personalConversation(BOB).id);
  });

  it('a delivery with a flawed token or none is refused by the bot', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const activity = {
        type: 'message',
        text: 'x',
        channelId: 'msteams',
        serviceUrl: standIn().serviceUrl,
        conversation: { id: 'a:1' },
        from: { id: '29:x' },
        recipient: { id: `28:${APP_ID}` },
      };
      expect((await delivery.raw({ activity, flaw: 'wrong-audience' })).status).toBe(401);
      expect((await delivery.raw({ activity, authorization: null })).status).toBe(401);
    } finally {
      quiet.mockRestore();
    }
  });
});
