import { describe, expect, it } from 'vitest';
import { INCIDENTS, card, cardMessage, conv, message, useTeamsStandIn } from './helpers.ts';

const { standIn, client, call, clock } = useTeamsStandIn();

const send = (text: string, conversation = INCIDENTS) =>
  call('POST', `/v3/conversations/${conv(conversation)}/activities`, message(text));

describe('checks and limits, as Teams enforces them', () => {
  it('in authenticated mode a call without the bot token, or with another, is 401 and changes nothing', async () => {
    expect(
      (await call('POST', `/v3/conversations/${conv(INCIDENTS)}/activities`, message('x'), null)).status,
    ).toBe(401);
    expect(
      (await call('GET', `/v3/conversations/${conv(INCIDENTS)}/members`, undefined, 'stolen')).status,
    ).toBe(401);
    const error = await client('stolen')
      .conversations.sendToConversation(INCIDENTS, message('x') as never)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 401 });
    expect(standIn().activities(INCIDENTS)).toEqual([]);
  });

  it('answers 429 with Retry-After past 7 sends in a second in one conversation, not in another', async () => {
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push(await send(`line ${i}`));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    expect(answers[7]).toMatchObject({ retryAfter: '1', body: { error: { code: 'TooManyRequests' } } });
    // A thread of another channel (General) has its own budget.
    expect((await send('elsewhere', standIn().tenant.team.id)).status).toBe(201);
    expect(standIn().activities(INCIDENTS)).toHaveLength(7);
  });

  it('counts a thread’s replies and updates against its channel, 8 per 2 s and 60 per 30 s', async () => {
    const root = (await send('root')).body?.id as string;
    const thread = `${INCIDENTS};messageid=${root}`;
    for (let i = 0; i < 6; i += 1) expect((await send(`reply ${i}`, thread)).status).toBe(201);
    clock.advance(1_000);
    // 7 in the last 2 s: one more fits the 2 s window, the next does not.
    expect(
      (await call('PUT', `/v3/conversations/${conv(thread)}/activities/${root}`, cardMessage('v2'))).status,
    ).toBe(200);
    const refused = await send('one too many', thread);
    expect(refused).toMatchObject({ status: 429, retryAfter: '1' });
    for (let minute = 0; minute < 26; minute += 2) {
      clock.advance(2_000);
      for (let i = 0; i < 4; i += 1) await send(`steady ${minute} ${i}`, thread);
    }
    const calls = standIn().calls.filter((c) => c.status === 201 || c.status === 200);
    expect(calls).toHaveLength(60);
    const over = await send('61st in 30 s', thread);
    expect(over.status).toBe(429);
    expect(Number(over.retryAfter)).toBeGreaterThan(1);
    clock.advance(Number(over.retryAfter) * 1000);
    expect((await send('after the wait', thread)).status).toBe(201);
  });

  it('an activity over 100 KB is 413 MessageSizeTooBig; just under passes', async () => {
    const big = { type: 'message', attachments: [card('x'.repeat(100 * 1024))] };
    expect(await call('POST', `/v3/conversations/${conv(INCIDENTS)}/activities`, big)).toMatchObject({
      status: 413,
      body: { error: { code: 'MessageSizeTooBig' } },
    });
    const fits = { type: 'message', attachments: [card('x'.repeat(80 * 1024))] };
    expect((await call('POST', `/v3/conversations/${conv(INCIDENTS)}/activities`, fits)).status).toBe(201);
    expect(standIn().activities(INCIDENTS)).toHaveLength(1);
  });

  it('a message with neither text nor attachment, a card that is not one, or no JSON is 400', async () => {
    const path = `/v3/conversations/${conv(INCIDENTS)}/activities`;
    expect((await call('POST', path, { type: 'message' })).body).toMatchObject({
      error: { code: 'BadArgument' },
    });
    const notACard = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { body: [] } }],
    };
    expect((await call('POST', path, notACard)).status).toBe(400);
    expect((await call('POST', path, '{not json')).body).toMatchObject({ error: { code: 'BadSyntax' } });
    expect(standIn().activities(INCIDENTS)).toEqual([]);
  });
});
