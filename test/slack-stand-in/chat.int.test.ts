import { describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, INCIDENTS, QUIET, TOKEN, sections, slackError, useStandIn } from './helpers.ts';

const { standIn, client } = useStandIn();

describe('chat methods through the real WebClient', () => {
  it('posts, edits in place and threads replies, with ever-growing ts', async () => {
    const slack = client();
    const card = await slack.chat.postMessage({
      channel: INCIDENTS,
      text: 'HF-1 planned',
      blocks: sections(2),
    });
    expect(card).toMatchObject({
      ok: true,
      channel: INCIDENTS,
      message: { text: 'HF-1 planned', bot_id: 'B0HOTFIXBOT' },
    });
    expect(card.ts).toMatch(/^\d{10}\.\d{6}$/);

    const first = await slack.chat.postMessage({
      channel: INCIDENTS,
      thread_ts: card.ts,
      text: 'plan edited',
    });
    const second = await slack.chat.postMessage({
      channel: INCIDENTS,
      thread_ts: card.ts,
      text: 'approved by bob',
    });
    expect(Number(first.ts)).toBeGreaterThan(Number(card.ts));
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.thread_ts).toBe(card.ts);

    const edited = await slack.chat.update({
      channel: INCIDENTS,
      ts: card.ts as string,
      text: 'HF-1 approved',
      blocks: sections(1),
    });
    expect(edited).toMatchObject({ ok: true, channel: INCIDENTS, ts: card.ts, text: 'HF-1 approved' });

    const parent = standIn().message(INCIDENTS, card.ts as string);
    expect(parent).toMatchObject({
      text: 'HF-1 approved',
      reply_count: 2,
      latest_reply: second.ts,
      thread_ts: card.ts,
    });
    expect(parent?.blocks).toHaveLength(1);
    expect(
      standIn()
        .thread(INCIDENTS, card.ts as string)
        .map((m) => m.text),
    ).toEqual(['HF-1 approved', 'plan edited', 'approved by bob']);
    expect(standIn().messages(INCIDENTS)).toHaveLength(3);
  });

  it('updating with text only drops the old blocks; with neither it is refused', async () => {
    const slack = client();
    const { ts } = await slack.chat.postMessage({ channel: INCIDENTS, text: 'card', blocks: sections(3) });
    await slack.chat.update({ channel: INCIDENTS, ts: ts as string, text: 'plain now' });
    expect(standIn().message(INCIDENTS, ts as string)?.blocks).toBeUndefined();
    expect(await slackError(slack.apiCall('chat.update', { channel: INCIDENTS, ts }))).toBe('no_text');
  });

  it('keeps an ephemeral message for its user only', async () => {
    const slack = client();
    const answer = await slack.chat.postEphemeral({
      channel: INCIDENTS,
      user: ALICE,
      text: 'only you can approve as dev',
    });
    expect(answer.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(standIn().ephemerals(ALICE)).toEqual([
      expect.objectContaining({ channel: INCIDENTS, user: ALICE, text: 'only you can approve as dev' }),
    ]);
    expect(standIn().ephemerals(BOB)).toEqual([]);
    expect(standIn().messages(INCIDENTS)).toEqual([]);
    // An ephemeral message is not a channel message: chat.update cannot find it.
    expect(
      await slackError(slack.chat.update({ channel: INCIDENTS, ts: answer.message_ts as string, text: 'x' })),
    ).toBe('message_not_found');
  });

  it('refuses what Slack refuses', async () => {
    const slack = client();
    expect(await slackError(slack.chat.postMessage({ channel: 'C0NOWHERE', text: 'hi' }))).toBe(
      'channel_not_found',
    );
    expect(await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: '' }))).toBe('no_text');
    expect(await slackError(slack.chat.postMessage({ channel: QUIET, text: 'hi' }))).toBe('not_in_channel');
    expect(
      await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: 'x', thread_ts: '1.000100' })),
    ).toBe('thread_not_found');
    expect(
      await slackError(slack.chat.update({ channel: INCIDENTS, ts: '1700000000.000100', text: 'x' })),
    ).toBe('message_not_found');
    expect(
      await slackError(slack.chat.update({ channel: 'C0NOWHERE', ts: '1700000000.000100', text: 'x' })),
    ).toBe('channel_not_found');
    expect(
      await slackError(slack.chat.postEphemeral({ channel: INCIDENTS, user: 'U0NOBODY', text: 'x' })),
    ).toBe('user_not_found');
    expect(await slackError(slack.chat.delete({ channel: INCIDENTS, ts: '1700000000.000100' }))).toBe(
      'message_not_found',
    );
  });

  it('refuses oversized blocks and text, naming the offending field', async () => {
    const slack = client();
    const tooMany = slack.chat.postMessage({ channel: INCIDENTS, text: 'card', blocks: sections(51) });
    expect(await slackError(tooMany)).toBe('invalid_blocks');
    expect(standIn().callsTo('chat.postMessage').at(-1)?.response).toMatchObject({
      response_metadata: { messages: ['[ERROR] must be less than 51 items [json-pointer:/blocks]'] },
    });
    await slack.chat.postMessage({ channel: INCIDENTS, text: 'card', blocks: sections(50) });

    const longHeader = [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }];
    expect(
      await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: 'h', blocks: longHeader })),
    ).toBe('invalid_blocks');
    expect(await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: 'x'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
    const duplicateIds = [...sections(1), ...sections(1)];
    expect(
      await slackError(slack.chat.postMessage({ channel: INCIDENTS, text: 'd', blocks: duplicateIds })),
    ).toBe('invalid_blocks');
    expect(standIn().messages(INCIDENTS)).toHaveLength(1);
  });

  it('deletes the bot’s own messages and gives permalinks', async () => {
    const slack = client();
    const { ts } = await slack.chat.postMessage({ channel: INCIDENTS, text: 'card' });
    const reply = await slack.chat.postMessage({ channel: INCIDENTS, text: 'line', thread_ts: ts as string });
    const link = await slack.chat.getPermalink({ channel: INCIDENTS, message_ts: reply.ts as string });
    expect(link.permalink).toBe(
      `https://hotfix-playground.slack.com/archives/${INCIDENTS}/p${(reply.ts as string).replace('.', '')}?thread_ts=${ts}&cid=${INCIDENTS}`,
    );
    await slack.chat.delete({ channel: INCIDENTS, ts: reply.ts as string });
    expect(standIn().message(INCIDENTS, ts as string)?.reply_count).toBeUndefined();

    const mine = standIn().postAsUser({ channel: INCIDENTS, user: CAROL, text: 'deploying?' });
    expect(await slackError(slack.chat.update({ channel: INCIDENTS, ts: mine.ts, text: 'x' }))).toBe(
      'cant_update_message',
    );
    expect(await slackError(slack.chat.delete({ channel: INCIDENTS, ts: mine.ts }))).toBe(
      'cant_delete_message',
    );
  });

  it('posts to a user id in the bot’s DM with that user', async () => {
    const answer = await client().chat.postMessage({ channel: BOB, text: 'your approval is needed' });
    expect(answer.channel).toMatch(/^D/);
    expect(standIn().channel(BOB)?.id).toBe(answer.channel);
    expect(standIn().messages(answer.channel as string)).toHaveLength(1);
  });

  it('requires a bot token', async () => {
    expect(await slackError(client({}, '').auth.test())).toBe('not_authed');
    expect(await slackError(client({}, 'xoxp-user-token').auth.test())).toBe('invalid_auth');
    expect(await slackError(client({}, 'nonsense').chat.postMessage({ channel: INCIDENTS, text: 'x' }))).toBe(
      'invalid_auth',
    );
    expect(standIn().messages(INCIDENTS)).toEqual([]);
  });

  it('accepts JSON bodies (token in the header only) and form bodies with JSON-string blocks', async () => {
    const post = (body: string, type: string, auth = true) =>
      fetch(`${standIn().url}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}) },
        body,
      }).then((r) => r.json() as Promise<Record<string, unknown>>);

    const json = await post(
      JSON.stringify({ channel: INCIDENTS, text: 'json', blocks: sections(1) }),
      'application/json; charset=utf-8',
    );
    expect(json).toMatchObject({ ok: true, message: { text: 'json', blocks: [{ block_id: 'b0' }] } });

    const form = new URLSearchParams({
      token: TOKEN,
      channel: INCIDENTS,
      text: 'form',
      blocks: JSON.stringify(sections(2)),
    });
    expect(await post(form.toString(), 'application/x-www-form-urlencoded', false)).toMatchObject({
      ok: true,
    });
    expect(standIn().callsTo('chat.postMessage').at(-1)).toMatchObject({
      token: TOKEN,
      args: { text: 'form', blocks: [{ block_id: 'b0' }, { block_id: 'b1' }] },
    });

    const tokenInJson = await post(
      JSON.stringify({ token: TOKEN, channel: INCIDENTS, text: 'x' }),
      'application/json',
      false,
    );
    expect(tokenInJson).toMatchObject({ ok: false, error: 'not_authed' });
    expect(await post('{"channel":', 'application/json')).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(standIn().calls.at(-1)).toMatchObject({
      method: 'chat.postMessage',
      response: { error: 'invalid_json' },
    });
    const badBlocks = new URLSearchParams({ token: TOKEN, channel: INCIDENTS, text: 'x', blocks: '[{' });
    expect(await post(badBlocks.toString(), 'application/x-www-form-urlencoded', false)).toMatchObject({
      ok: false,
      error: 'invalid_blocks_format',
    });
  });

  it('records unknown methods and answers unknown_method', async () => {
    const slack = client();
    expect(
      await slackError(slack.apiCall('chat.scheduleMessage', { channel: INCIDENTS, text: 'later' })),
    ).toBe('unknown_method');
    expect(standIn().callsTo('chat.scheduleMessage')).toEqual([
      expect.objectContaining({
        kind: 'api',
        token: TOKEN,
        args: expect.objectContaining({ text: 'later' }),
      }),
    ]);
  });

  it('streams changes to listeners', async () => {
    const seen: string[] = [];
    const off = standIn().on('message', (change) => seen.push(change.kind));
    const calls: string[] = [];
    const offCalls = standIn().on('call', (call) => calls.push(call.method));
    const slack = client();
    const { ts } = await slack.chat.postMessage({ channel: INCIDENTS, text: 'card' });
    await slack.chat.update({ channel: INCIDENTS, ts: ts as string, text: 'card v2' });
    await slack.chat.postEphemeral({ channel: INCIDENTS, user: ALICE, text: 'psst' });
    off();
    offCalls();
    await slack.chat.postMessage({ channel: INCIDENTS, text: 'unseen' });
    expect(seen).toEqual(['posted', 'updated', 'ephemeral_posted']);
    expect(calls).toEqual(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
  });
});
