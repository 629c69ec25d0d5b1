import { describe, expect, it } from 'vitest';
import type { StandInActivity } from '../../src/teams-stand-in/index.ts';
import { APP_ID, TENANT_ID } from './bot.ts';
import { ALICE, BOB, GENERAL, INCIDENTS, cardMessage, conv, message, useTeamsStandIn } from './helpers.ts';

const { standIn, client, call } = useTeamsStandIn();

const newThread = (text: string, channel = INCIDENTS) =>
  client().conversations.createConversation({
    isGroup: true,
    channelData: { channel: { id: channel } },
    activity: cardMessage(text) as never,
    tenantId: TENANT_ID,
    bot: { id: `28:${APP_ID}`, name: 'hotfix' },
    members: [],
  });

describe('the Bot Connector REST surface, through botbuilder’s ConnectorClient', () => {
  it('POST /v3/conversations with a channel starts a thread: id 19:…;messageid=<root>, activityId <root>', async () => {
    const created = await newThread('HF-1 planned');
    expect(created.activityId).toMatch(/^\d+$/);
    expect(created.id).toBe(`${INCIDENTS};messageid=${created.activityId}`);
    const [root] = standIn().activities(INCIDENTS);
    expect(root).toMatchObject({
      id: created.activityId,
      conversation: INCIDENTS,
      threadId: created.activityId,
      author: 'bot',
    });
    expect(root?.activity).toMatchObject({
      type: 'message',
      from: { id: `28:${APP_ID}` },
      conversation: { id: created.id },
    });
  });

  it('a send to the thread id replies in the thread; a send to the channel starts another thread', async () => {
    const created = await newThread('HF-2 planned');
    const reply = await client().conversations.sendToConversation(
      created.id ?? '',
      message('deploy started') as never,
    );
    const other = await client().conversations.sendToConversation(
      INCIDENTS,
      message('unrelated post') as never,
    );

    expect(
      standIn()
        .thread(INCIDENTS, created.activityId ?? '')
        .map((a) => a.activity.text ?? 'card'),
    ).toEqual(['card', 'deploy started']);
    expect(standIn().activity(reply.id ?? '')).toMatchObject({ threadId: created.activityId });
    expect(standIn().activity(other.id ?? '')).toMatchObject({ threadId: other.id });
    expect(standIn().activities(created.id ?? '')).toHaveLength(2);
    expect(standIn().activities(INCIDENTS)).toHaveLength(3);
  });

  it('a reply to a random activity id (a continuation) lands in the conversation’s thread', async () => {
    const created = await newThread('HF-3 planned');
    const answer = await client().conversations.replyToActivity(
      created.id ?? '',
      'f3a1c0de-random-id',
      message('vote opened') as never,
    );
    expect(standIn().activity(answer.id ?? '')).toMatchObject({
      threadId: created.activityId,
      // In the thread, as Teams shows it: a reply to the root.
      activity: { text: 'vote opened', replyToId: created.activityId },
    });
  });

  it('PUT updates an activity in place and keeps its earlier versions', async () => {
    const created = await newThread('HF-4 planned');
    const id = created.activityId ?? '';
    await client().conversations.updateActivity(created.id ?? '', id, cardMessage('HF-4 approved') as never);
    await client().conversations.updateActivity(INCIDENTS, id, cardMessage('HF-4 deploying') as never);
    const stored = standIn().activity(id) as StandInActivity;
    const text = (activity: StandInActivity['activity']) =>
      (activity.attachments as { content: { body: { text: string }[] } }[])[0]?.content.body[0]?.text;
    expect(text(stored.activity)).toBe('HF-4 deploying');
    expect(stored.history.map((version) => text(version.activity))).toEqual([
      'HF-4 planned',
      'HF-4 approved',
    ]);
    expect(standIn().activities(INCIDENTS)).toHaveLength(1);
  });

  it('updating an activity that is not there is 404 ActivityNotFound, and a person’s message 403', async () => {
    const missing = await call(
      'PUT',
      `/v3/conversations/${conv(INCIDENTS)}/activities/123`,
      cardMessage('x'),
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'ActivityNotFound' } } });
    const written = standIn().postAsUser({ user: ALICE, conversation: INCIDENTS, activity: message('hi') });
    const theirs = await call(
      'PUT',
      `/v3/conversations/${conv(INCIDENTS)}/activities/${written.id}`,
      message('x'),
    );
    expect(theirs.status).toBe(403);
    expect(standIn().activity(written.id)?.activity.text).toBe('hi');
  });

  it('a 1:1 chat is created with one member and keeps its id; messages go to it', async () => {
    const alice = standIn().user(ALICE);
    const first = await client().conversations.createConversation({
      isGroup: false,
      bot: { id: `28:${APP_ID}`, name: 'hotfix' },
      members: [{ id: alice?.id ?? '', name: 'Alice' }],
      tenantId: TENANT_ID,
      channelData: { tenant: { id: TENANT_ID } },
    });
    const again = await client().conversations.createConversation({
      isGroup: false,
      bot: { id: `28:${APP_ID}`, name: 'hotfix' },
      members: [{ id: ALICE, name: 'Alice' }],
      tenantId: TENANT_ID,
      channelData: { tenant: { id: TENANT_ID } },
      activity: message('your approval is needed') as never,
    });
    expect(first.id).toMatch(/^a:1/);
    expect(again.id).toBe(first.id);
    expect(
      standIn()
        .activities(first.id ?? '')
        .map((a) => a.activity.text),
    ).toEqual(['your approval is needed']);
    expect(standIn().conversations()).toContainEqual({ id: first.id, kind: 'personal', user: ALICE });
  });

  it('members: the team for a channel, one by 29: id or object id, and pages', async () => {
    const connector = client().conversations;
    const all = await connector.getConversationMembers(INCIDENTS);
    expect(all.map((member) => member.name)).toEqual(['Alice Archer', 'Bob Baker', 'Carol Cruz']);
    const bob = standIn().user(BOB);
    expect(await connector.getConversationMember(GENERAL, bob?.id ?? '')).toMatchObject({
      id: bob?.id,
      aadObjectId: BOB,
      name: 'Bob Baker',
      email: 'bob@example.com',
      userPrincipalName: 'bob@example.com',
      tenantId: TENANT_ID,
    });
    expect((await connector.getConversationMember(GENERAL, ALICE)).name).toBe('Alice Archer');
    // botbuilder types the token as required; the first page has none.
    const page = await connector.getConversationPagedMembers(INCIDENTS, { pageSize: 2 } as never);
    expect(page.members?.map((member) => member.aadObjectId)).toEqual([ALICE, BOB]);
    const rest = await connector.getConversationPagedMembers(INCIDENTS, {
      pageSize: 2,
      continuationToken: page.continuationToken ?? '',
    });
    expect(rest.members?.map((member) => member.aadObjectId)).toEqual([
      standIn().tenant.users[2]?.aadObjectId,
    ]);
    expect(rest.continuationToken).toBeUndefined();
    const unknown = await call('GET', `/v3/conversations/${conv(INCIDENTS)}/members/29:nobody`);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'MemberNotFoundInConversation' } } });
  });

  it('a conversation the bot is not in is 404 ConversationNotFound', async () => {
    const answer = await call(
      'POST',
      `/v3/conversations/${conv('19:elsewhere@thread.tacv2')}/activities`,
      message('x'),
    );
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'ConversationNotFound' } } });
    expect(standIn().activities('19:elsewhere@thread.tacv2')).toEqual([]);
  });

  it('team details and channels', async () => {
    expect((await call('GET', `/v3/teams/${conv(GENERAL)}`)).body).toEqual({
      id: GENERAL,
      name: 'Payments',
      aadGroupId: '44444444-dddd-4ddd-8ddd-444444444444',
    });
    expect((await call('GET', `/v3/teams/${conv(GENERAL)}/conversations`)).body).toEqual({
      conversations: [{ id: GENERAL }, { id: INCIDENTS, name: 'incidents' }],
    });
  });

  it('tells listeners about posts and updates, and records every call', async () => {
    const seen: string[] = [];
    const off = [
      standIn().on('posted', (activity) => seen.push(`posted ${activity.id}`)),
      standIn().on('updated', (activity) => seen.push(`updated ${activity.id}`)),
    ];
    const created = await newThread('HF-5');
    await client().conversations.updateActivity(
      created.id ?? '',
      created.activityId ?? '',
      cardMessage('HF-5 v2') as never,
    );
    off.forEach((unsubscribe) => unsubscribe());
    expect(seen).toEqual([`posted ${created.activityId}`, `updated ${created.activityId}`]);
    expect(standIn().calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /v3/conversations 201',
      `PUT /v3/conversations/${created.id}/activities/${created.activityId} 200`,
    ]);
  });
});
