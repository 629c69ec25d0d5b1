import { describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, INCIDENTS, TEAM, slackError, useStandIn } from './helpers.ts';

const { standIn, client } = useStandIn();

describe('workspace and conversations through the real WebClient', () => {
  it('auth.test names the bot user and the team (what Bolt reads at start)', async () => {
    expect(await client().auth.test()).toMatchObject({
      ok: true,
      team_id: TEAM,
      user_id: 'U0HOTFIXBOT',
      bot_id: 'B0HOTFIXBOT',
      url: 'https://hotfix-playground.slack.com/',
    });
  });

  it('answers users.info and pages users.list', async () => {
    const slack = client();
    expect((await slack.users.info({ user: BOB })).user).toMatchObject({
      id: BOB,
      name: 'bob',
      real_name: 'Bob Baker',
    });
    expect(await slackError(slack.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
    const ids: string[] = [];
    for await (const page of slack.paginate('users.list', { limit: 2 }))
      ids.push(...((page as { members?: { id: string }[] }).members ?? []).map((m) => m.id));
    expect(ids).toEqual([ALICE, BOB, CAROL, 'U0HOTFIXBOT']);
  });

  it('creates channels by Slack’s name rules and refuses a taken name', async () => {
    const slack = client();
    const created = await slack.conversations.create({ name: 'hotfix-hf-1' });
    expect(created.channel).toMatchObject({
      id: expect.stringMatching(/^C/),
      name: 'hotfix-hf-1',
      is_member: true,
    });
    expect(await slackError(slack.conversations.create({ name: 'hotfix-hf-1' }))).toBe('name_taken');
    expect(await slackError(slack.conversations.create({ name: 'incidents' }))).toBe('name_taken');
    expect(await slackError(slack.conversations.create({ name: 'Hotfix-HF-2' }))).toBe(
      'invalid_name_specials',
    );
    expect(await slackError(slack.conversations.create({ name: 'a'.repeat(81) }))).toBe(
      'invalid_name_maxlength',
    );
    expect(await slackError(slack.conversations.create({ name: '' }))).toBe('invalid_name_required');
    expect(await slackError(slack.conversations.create({ name: '--' }))).toBe('invalid_name_punctuation');
    const privateOne = await slack.conversations.create({ name: 'hotfix-hf-3', is_private: true });
    expect(privateOne.channel).toMatchObject({ is_private: true, is_group: true });
  });

  it('invites people, lists members and refuses repeats and strangers', async () => {
    const slack = client();
    const { channel } = await slack.conversations.create({ name: 'hotfix-hf-4' });
    const id = channel?.id as string;
    await slack.conversations.invite({ channel: id, users: `${ALICE},${BOB}` });
    expect((await slack.conversations.members({ channel: id })).members).toEqual(['U0HOTFIXBOT', ALICE, BOB]);
    expect(await slackError(slack.conversations.invite({ channel: id, users: ALICE }))).toBe(
      'already_in_channel',
    );
    expect(await slackError(slack.conversations.invite({ channel: id, users: 'U0NOBODY' }))).toBe(
      'user_not_found',
    );
    expect(await slackError(slack.conversations.invite({ channel: id, users: 'U0HOTFIXBOT' }))).toBe(
      'cant_invite_self',
    );
    expect(await slackError(slack.conversations.invite({ channel: 'C0NOWHERE', users: ALICE }))).toBe(
      'channel_not_found',
    );
    // The new channel is immediately usable for the card.
    await slack.chat.postMessage({ channel: id, text: 'HF-4 card' });
    expect(standIn().messages(id)).toHaveLength(1);
  });

  it('answers conversations.info, and reset forgets created channels', async () => {
    const slack = client();
    expect((await slack.conversations.info({ channel: INCIDENTS })).channel).toMatchObject({
      id: INCIDENTS,
      name: 'incidents',
      is_member: true,
      num_members: 4,
    });
    expect(await slackError(slack.conversations.info({ channel: 'C0NOWHERE' }))).toBe('channel_not_found');
    await slack.conversations.create({ name: 'temporary' });
    standIn().reset();
    expect(standIn().channel('temporary')).toBeUndefined();
    expect(
      standIn()
        .channels()
        .map((c) => c.id),
    ).toEqual([INCIDENTS, 'C0QUIET']);
  });
});
