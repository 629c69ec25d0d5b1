import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../helpers/redis.ts';
import type { SlackWorld } from './slack-flow.ts';
import { ALICE, INCIDENTS, startSlackWorld, waitFor } from './slack-flow.ts';

const redisServer = useRedisServer();
let world: SlackWorld;
// `hotfix serve` runs in this process: a rejection nobody handles is what would end the real process.
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', recordUnhandled);
  world = await startSlackWorld(redisServer().url, () => redisServer().connect());
}, 30_000);
afterAll(async () => {
  process.off('unhandledRejection', recordUnhandled);
  await world?.close();
});

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

interface Hostile {
  readonly contentType: string;
  readonly body: string;
}

const nested = (depth: number, open: string, close: string, inner = '0') =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Strings a careless parser trips on: NUL, lone surrogates, bidi overrides, escapes, mention syntax. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E', '\u001B[31m', '<!channel>', '%', '__proto__', ''),
  fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`),
);

/** A value of any type, to put where Slack puts something else. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 3 }),
);

const planValues = {
  plan_version: { value: { type: 'plain_text_input', value: '' } },
  plan_services: { value: { type: 'multi_static_select', selected_options: [{ value: 'api' }] } },
};
const view = (callbackId: string, metadata: Record<string, string>) => ({
  id: 'V1',
  callback_id: callbackId,
  private_metadata: JSON.stringify(metadata),
  state: { values: planValues },
});
const clickOn = (actionId: string, value: Record<string, string>) => ({
  type: 'block_actions',
  user: { id: ALICE, name: 'alice' },
  trigger_id: 't.1',
  response_url: 'http://127.0.0.1:9/nowhere',
  channel: { id: INCIDENTS },
  container: { type: 'message', message_ts: '1700000000.000100' },
  message: { ts: '1700000000.000100', text: 'HF-1 ·', blocks: [] },
  actions: [{ action_id: actionId, block_id: 'hotfix_actions:HF-1:x', value: JSON.stringify(value) }],
});
const submission = (callbackId: string, metadata: Record<string, string>) => ({
  type: 'view_submission',
  user: { id: ALICE, name: 'alice' },
  trigger_id: 't.2',
  view: view(callbackId, metadata),
});

/**
 * Payloads shaped like Slack's and aimed at our listeners (clicks, modal submissions, events) about a hotfix
 * that does not exist or with a plan that is invalid, so that none could record anything even untouched.
 */
const templates: readonly Record<string, unknown>[] = [
  clickOn('hotfix_approve', { h: 'HF-1', v: 'hash', r: 'technical' }),
  clickOn('hotfix_tick', { h: 'HF-1' }),
  clickOn('hotfix_vote_for', { h: 'HF-1', v: '1' }),
  clickOn('hotfix_step_confirm', { h: 'HF-1', v: 'api:deploy', run: 'r1' }),
  submission('hotfix_plan', { ch: INCIDENTS }),
  submission('hotfix_reject_reason', { h: 'HF-1', p: 'hash', r: 'technical', ch: INCIDENTS }),
  submission('hotfix_rollback_reason', { h: 'HF-1' }),
  {
    type: 'event_callback',
    event_id: 'Ev1',
    team_id: 'T0HOTFIX',
    event: { type: 'app_home_opened', user: ALICE, tab: 'home' },
  },
  { type: 'url_verification', challenge: 'c' },
];

type Path = readonly (string | number)[];

/** Every place in a payload, containers included: `[]` is the payload itself. */
const placesIn = (root: unknown): Path[] => {
  const places: Path[] = [];
  const pending: Path[] = [[]];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    places.push(path);
    const value = path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], root);
    if (typeof value === 'object' && value !== null)
      for (const key of Object.keys(value)) pending.push([...path, Array.isArray(value) ? Number(key) : key]);
  }
  return places.filter((path) => path.length > 0);
};

/** A Slack-shaped payload with one to three of its fields, at any depth, replaced by the wrong type. */
const wrongTypes = fc
  .tuple(
    fc.constantFrom(...templates),
    fc.array(fc.tuple(fc.nat(), wrongValue), { minLength: 1, maxLength: 3 }),
  )
  .map(([template, changes]) => {
    const payload = structuredClone(template);
    for (const [pick, value] of changes) {
      const places = placesIn(payload);
      const path = places[pick % places.length] ?? ['type'];
      const parent = path
        .slice(0, -1)
        .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], payload) as Record<
        string,
        unknown
      >;
      parent[String(path[path.length - 1])] = value;
    }
    return payload;
  });

/** Wraps a payload as Slack would send its kind: JSON for events, `payload=` for interactivity. */
const asDelivery = (payload: unknown, asForm: boolean): Hostile =>
  asForm
    ? { contentType: FORM, body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() }
    : { contentType: JSON_TYPE, body: JSON.stringify(payload) };

const deep = fc
  .tuple(fc.integer({ min: 65, max: 6000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']), fc.boolean())
  .map(([depth, [open = '[', close = ']'], asForm]): Hostile => {
    const json = `{"type":"block_actions","user":{"id":"${ALICE}"},"actions":[{"action_id":"x","value":${nested(depth, open, close)}}]}`;
    return asForm
      ? { contentType: FORM, body: `payload=${encodeURIComponent(json)}` }
      : { contentType: JSON_TYPE, body: json };
  });

const wide = fc
  .tuple(fc.integer({ min: 5001, max: 60_000 }), fc.boolean(), fc.boolean())
  .map(([count, asArray, asForm]) => {
    const many = asArray
      ? Array.from({ length: count }, () => 0)
      : Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
    return asDelivery({ type: 'event_callback', event_id: 'Ev2', event: { type: 'message', many } }, asForm);
  });

const huge = fc
  .tuple(fc.integer({ min: 200_001, max: 900_000 }), fc.constantFrom('a', '\u0000', 'é', '\uD83D\uDE00'))
  .map(([length, unit]) =>
    asDelivery(
      {
        type: 'view_submission',
        user: { id: ALICE },
        view: { id: 'V', private_metadata: unit.repeat(length) },
      },
      true,
    ),
  );

/** Slash-command form fields with junk in each, broken percent-encoding and non-JSON `payload=`. */
const brokenForm = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom('command', 'text', 'user_id', 'channel_id', 'trigger_id', 'response_url', 'payload'),
      nasty,
      { minKeys: 1 },
    ),
    fc.constantFrom(
      '',
      '%',
      '%zz',
      '%E0%A4%A',
      '&&&=',
      '=%00',
      'payload=%7B',
      'payload=[1,2]',
      'payload=null',
    ),
  )
  .map(([fields, tail]): Hostile => ({
    contentType: FORM,
    body: `${new URLSearchParams(fields as Record<string, string>).toString()}&${tail}`,
  }));

/** Well-formed slash commands whose text is anything at all. */
const commands = fc
  .tuple(
    nasty,
    fc.constantFrom('', 'start ', 'status ', 'cancel HF-1 ', 'rollback HF-1 ', 'issue HF-1 ', 'edit '),
  )
  .map(([text, prefix]): Hostile => ({
    contentType: FORM,
    body: new URLSearchParams({
      command: '/hotfix',
      text: prefix + text,
      user_id: ALICE,
      channel_id: INCIDENTS,
      trigger_id: 't.3',
      response_url: 'http://127.0.0.1:9/nowhere',
    }).toString(),
  }));

const junk = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom(FORM, JSON_TYPE, 'text/plain', ''))
  .map(([body, contentType]): Hostile => ({ contentType: contentType || FORM, body }));

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  deep,
  wide,
  huge,
  brokenForm,
  commands,
  junk,
  fc.tuple(wrongTypes, fc.boolean()).map(([payload, asForm]) => asDelivery(payload, asForm)),
  fc.tuple(wrongTypes, fc.boolean()).map(([payload, asForm]) => asDelivery(payload, asForm)),
);

/** The bot is still up and answers a person: `/hotfix help` reaches the app thread and comes back privately. */
const stillAnswers = async () => {
  expect(unhandled).toEqual([]);
  expect((await fetch(`http://127.0.0.1:${world.port}/healthz`)).status).toBe(200);
  const before = world.standIn.ephemerals(ALICE).length;
  const help = await world.slack.command({ user: ALICE, channel: INCIDENTS, text: 'help' });
  expect(help.status).toBe(200);
  await waitFor('the help answer', () => world.standIn.ephemerals(ALICE).length > before, 10_000);
};

describe('no request stops the bot', () => {
  it('answers hostile signed deliveries without going down, and records nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (delivery) => {
        const answered = await world.slack.raw(delivery);
        expect([200, 400, 413]).toContain(answered.status);
        await stillAnswers();
      }),
      { numRuns: 60 },
    );
    const redis = redisServer().connect();
    expect(await redis.keys(`${world.prefix}*:stream:*`)).toEqual([]);
    redis.disconnect();
    // Private answers to the sender are fine; nothing reaches a channel, no card is drawn or edited.
    for (const channel of world.standIn.channels().filter((c) => !c.is_im))
      expect(world.standIn.messages(channel.id)).toEqual([]);
    expect(world.standIn.callsTo('chat.update')).toEqual([]);
  }, 120_000);

  it('refuses a delivery nested thousands deep with 400 and the reason', async () => {
    const answered = await world.slack.raw({
      contentType: FORM,
      body: `payload=${encodeURIComponent(`{"type":"block_actions","actions":[${nested(4000, '[', ']')}]}`)}`,
    });
    expect(answered.status).toBe(400);
    expect(String(answered.body)).toMatch(/nested deeper than 64/);
    await stillAnswers();
  });
});
