import { describe, expect, it } from 'vitest';
import type { ConversationRef } from '../../../src/bot/teams/conversation-ref.ts';
import {
  ConversationRefError,
  decodeConversationRef,
  encodeConversationRef,
  refFromActivity,
  threadConversationId,
  threadRootOf,
} from '../../../src/bot/teams/conversation-ref.ts';
import { teamsActivitySchema } from '../../../src/bot/teams/activity.ts';

const CHANNEL = '19:a1b2c3d4e5f6@thread.tacv2';
const ref: ConversationRef = {
  version: 1,
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  conversationId: `${CHANNEL};messageid=1712345678901`,
  tenantId: 'tenant-1',
  channelId: 'msteams',
  teamsChannelId: CHANNEL,
  botId: '28:bot-app-id',
  activityId: '1712345678901',
  threadRootId: '1712345678901',
};

describe('conversation reference codec', () => {
  it('round-trips through the JSON stored in Redis', () => {
    expect(decodeConversationRef(encodeConversationRef(ref))).toEqual(ref);
  });

  it('refuses text that is not JSON', () => {
    expect(() => decodeConversationRef('{not json')).toThrow(
      new ConversationRefError('a stored conversation reference is not JSON'),
    );
  });

  it.each([
    ['a missing service URL', { ...ref, serviceUrl: undefined }, 'serviceUrl'],
    [
      'a service URL that is not http(s)',
      { ...ref, serviceUrl: 'javascript:alert(1)' },
      'serviceUrl: must be an http(s) URL',
    ],
    ['an empty conversation id', { ...ref, conversationId: '' }, 'conversationId'],
    ['an unknown version', { ...ref, version: 2 }, 'version'],
    ['an unknown field', { ...ref, extra: 1 }, 'extra'],
    ['a number where an id belongs', { ...ref, botId: 28 }, 'botId'],
  ])('refuses %s, naming the field', (_what, value, named) => {
    expect(() => decodeConversationRef(JSON.stringify(value))).toThrow(ConversationRefError);
    expect(() => decodeConversationRef(JSON.stringify(value))).toThrow(named);
  });

  it('refuses to encode what it could not decode', () => {
    expect(() => encodeConversationRef({ ...ref, serviceUrl: 'ftp://x' })).toThrow(ConversationRefError);
  });

  it('builds the reference of the conversation an activity came from', () => {
    const activity = teamsActivitySchema.parse({
      type: 'message',
      serviceUrl: ref.serviceUrl,
      channelId: 'msteams',
      from: { id: '29:user', aadObjectId: 'aad-1' },
      recipient: { id: '28:bot-app-id', name: 'hotfix' },
      conversation: { id: `${CHANNEL};messageid=42`, conversationType: 'channel' },
      channelData: { tenant: { id: 'tenant-1' }, channel: { id: CHANNEL } },
    });
    expect(refFromActivity(activity)).toEqual({
      version: 1,
      serviceUrl: ref.serviceUrl,
      conversationId: `${CHANNEL};messageid=42`,
      tenantId: 'tenant-1',
      channelId: 'msteams',
      teamsChannelId: CHANNEL,
      botId: '28:bot-app-id',
    });
  });

  it("reads a thread's root from its conversation id and builds a thread's conversation id", () => {
    expect(threadRootOf(`${CHANNEL};messageid=1712345678901`)).toBe('1712345678901');
    expect(threadRootOf(CHANNEL)).toBeUndefined();
    expect(threadConversationId(CHANNEL, '77')).toBe(`${CHANNEL};messageid=77`);
    expect(threadConversationId(`${CHANNEL};messageid=1`, '77')).toBe(`${CHANNEL};messageid=77`);
  });
});
