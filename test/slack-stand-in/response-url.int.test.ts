import { describe, expect, it } from 'vitest';
import { ALICE, INCIDENTS, sections, useStandIn } from './helpers.ts';

const { standIn, client, clock } = useStandIn();

/** What Bolt's respond() does: POST JSON to the absolute response_url. */
const respond = async (url: string, message: object) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('response_url', () => {
  it('answers a slash command privately by default, or in the channel when asked', async () => {
    const url = standIn().newResponseUrl({ channel: INCIDENTS, user: ALICE });
    expect(url).toMatch(new RegExp(`^${standIn().origin}/response/`));

    expect(await respond(url, { text: 'Usage: /hotfix start [issue-id]' })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(standIn().ephemerals(ALICE)).toEqual([
      expect.objectContaining({
        channel: INCIDENTS,
        text: 'Usage: /hotfix start [issue-id]',
        source: 'response_url',
      }),
    ]);
    expect(standIn().messages(INCIDENTS)).toEqual([]);

    await respond(url, { response_type: 'in_channel', text: 'HF-2 started', blocks: sections(1) });
    expect(standIn().messages(INCIDENTS)).toEqual([
      expect.objectContaining({ text: 'HF-2 started', user: 'U0HOTFIXBOT' }),
    ]);
    expect(
      standIn()
        .calls.filter((call) => call.kind === 'response_url')
        .map((call) => call.status),
    ).toEqual([200, 200]);
  });

  it('replaces or deletes the message a button was on', async () => {
    const { ts } = await client().chat.postMessage({
      channel: INCIDENTS,
      text: 'Approve?',
      blocks: sections(2),
    });
    const url = standIn().newResponseUrl({ channel: INCIDENTS, user: ALICE, messageTs: ts as string });
    await respond(url, { replace_original: true, text: 'Approved by Alice' });
    expect(standIn().message(INCIDENTS, ts as string)).toMatchObject({ text: 'Approved by Alice' });
    expect(standIn().message(INCIDENTS, ts as string)?.blocks).toBeUndefined();

    await respond(url, { delete_original: true });
    expect(standIn().messages(INCIDENTS)).toEqual([]);
  });

  it('replaces an ephemeral message in place for its user', async () => {
    const { message_ts } = await client().chat.postEphemeral({
      channel: INCIDENTS,
      user: ALICE,
      text: 'Vote?',
    });
    const url = standIn().newResponseUrl({
      channel: INCIDENTS,
      user: ALICE,
      messageTs: message_ts as string,
      ephemeral: true,
    });
    await respond(url, { replace_original: 'true', text: 'Your vote: for' });
    expect(
      standIn()
        .ephemerals(ALICE)
        .map((e) => e.text),
    ).toEqual(['Your vote: for']);
  });

  it('works 5 times within 30 minutes, refuses bad payloads with 4xx', async () => {
    const url = standIn().newResponseUrl({ channel: INCIDENTS, user: ALICE });
    expect(await respond(url, { text: '' })).toEqual({ status: 400, body: { ok: false, error: 'no_text' } });
    expect(await respond(url, { text: 'x', blocks: sections(51) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_blocks' },
    });
    expect(await respond(url, { replace_original: true, text: 'no source message' })).toMatchObject({
      status: 404,
    });
    for (let i = 0; i < 5; i += 1) expect((await respond(url, { text: `reply ${i}` })).status).toBe(200);
    expect(await respond(url, { text: 'sixth' })).toEqual({
      status: 404,
      body: { ok: false, error: 'used_url' },
    });

    const later = standIn().newResponseUrl({ channel: INCIDENTS, user: ALICE });
    clock.advance(30 * 60 * 1000 + 1);
    expect(await respond(later, { text: 'too late' })).toEqual({
      status: 404,
      body: { ok: false, error: 'expired_url' },
    });
    expect(standIn().ephemerals(ALICE)).toHaveLength(5);
  });
});
