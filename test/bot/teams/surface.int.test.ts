import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readRecord } from '../../../src/bot/common/record.ts';
import type { AdaptiveCard } from '../../../src/bot/teams/cards/adaptive.ts';
import { card, text } from '../../../src/bot/teams/cards/adaptive.ts';
import { renderHotfixCard } from '../../../src/bot/teams/cards/card.ts';
import { renderRecord, SHOW_RECORD } from '../../../src/bot/teams/cards/record.ts';
import {
  renderIssueMessage,
  renderManualStepPrompt,
  renderThreadMessage,
  renderVoteMessage,
} from '../../../src/bot/teams/cards/thread.ts';
import { lineCallOf, threadMessage } from '../../../src/bot/common/thread.ts';
import type { RateWindow } from '../../../src/bot/teams/outbox.ts';
import { createOutbox, TEAMS_RATE_LIMITS } from '../../../src/bot/teams/outbox.ts';
import { ACTIVITY_BUDGET_BYTES, cardMessage, createTeamsSurface } from '../../../src/bot/teams/surface.ts';
import { createThreadRefs } from '../../../src/bot/teams/thread-refs.ts';
import { createTeamsTransport } from '../../../src/bot/teams/transport.ts';
import { lastOfCommand } from '../../../src/domain/hotfix/attention.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../../src/domain/hotfix/state.ts';
import { createNotifier } from '../../../src/notify/notifier.ts';
import { createRedisEventStore } from '../../../src/store/redis-event-store.ts';
import type { TeamsStandIn } from '../../../src/teams-stand-in/index.ts';
import { createTeamsStandIn } from '../../../src/teams-stand-in/index.ts';
import type { StandInActivity } from '../../../src/teams-stand-in/types.ts';
import { policy } from '../../domain/fixtures/policy.ts';
import { deployedHistory, rolledBackHistory } from '../../domain/fixtures/record-histories.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/wait.ts';
import { APP_ID, BOT_TOKEN } from '../../teams-stand-in/bot.ts';
import { INCIDENTS, tenant } from '../../teams-stand-in/helpers.ts';
import { readable } from './cards/helpers.ts';
import { validateCard } from './cards/validate-card.ts';

const redisServer = useRedisServer();
/** The surface draws every card at this time, so a test can draw the card it expects. */
const DRAWN_AT = new Date('2026-12-01T10:00:00.000Z');
const config = { timezone: 'UTC', teams: { incident_channel: INCIDENTS }, services: {} };
const LOOSE: readonly RateWindow[] = [{ max: 10_000, windowMs: 1000 }];
/** A call deadline far longer than any call the stand-in answers takes, however loaded the machine. */
const ANSWERED_WITHIN_MS = 2_000;

/** Teams' rate windows, in real time: they run on the same clock as the outbox's and the notifier's timers. */
let strict: TeamsStandIn;
/** No rate windows: a whole hotfix (a hundred calls) would otherwise wait out Teams' 60 per 30 s. */
let relaxed: TeamsStandIn;
/** The stand-in the current test posts to. */
let standIn: TeamsStandIn;
const connections: Redis[] = [];
beforeAll(async () => {
  strict = createTeamsStandIn({ tenant, botToken: BOT_TOKEN });
  relaxed = createTeamsStandIn({ tenant, botToken: BOT_TOKEN, rateLimits: [] });
  await Promise.all([strict.start(), relaxed.start()]);
});
beforeEach(() => {
  standIn = relaxed;
});
afterEach(() => {
  strict.reset();
  relaxed.reset();
});
afterAll(async () => {
  await Promise.all([strict?.stop(), relaxed?.stop()]);
  await Promise.all(connections.map((c) => c.quit()));
});

const connect = () => {
  const redis = redisServer().connect();
  connections.push(redis);
  return redis;
};

/** A store, the Teams surface on the stand-in with its outbox, and a real notifier driving it. */
const setup = (
  options: { limits?: readonly RateWindow[]; blockedForMs?: number; callTimeoutMs?: number } = {},
) => {
  const prefix = uniquePrefix('teams-surface');
  const redis = connect();
  const store = createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY });
  const logged: string[] = [];
  const log = {
    warn: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
  };
  const transport = createTeamsTransport({
    appId: APP_ID,
    appPassword: 'not-used-with-a-fixed-token',
    appType: 'MultiTenant',
    outboundToken: BOT_TOKEN,
    retries: false,
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
    clock: { now: () => new Date() },
    log,
  });
  const surface = createTeamsSurface({
    transport,
    outbox: createOutbox({
      redis,
      prefix,
      clock: { now: () => new Date() },
      log,
      limits: options.limits ?? LOOSE,
      retryDelaysMs: [20, 50, 100],
      ...(options.blockedForMs === undefined ? {} : { blockedForMs: options.blockedForMs }),
    }),
    refs: createThreadRefs(redis, prefix),
    connector: { serviceUrl: standIn.serviceUrl, tenantId: tenant.tenantId, botId: `28:${APP_ID}` },
    config: () => config,
    policy: () => policy,
    clock: { now: () => DRAWN_AT },
    lockHolders: async () => ({}),
    store,
    log,
  });
  const notifier = createNotifier({
    surface,
    store,
    redis: connect(),
    prefix,
    replica: 'a',
    clock: { now: () => new Date() },
    minCardIntervalMs: 0,
    log,
  });
  const versions = new Map<string, number>();
  /**
   * Appends events to a hotfix's stream, one append per command (the events one actor caused at one instant,
   * as the service appends them), and tells the notifier after each.
   */
  const append = async (hotfixId: string, events: readonly HotfixEvent[]) => {
    for (let i = 0; i < events.length;) {
      const last = lastOfCommand(events, i);
      const version = versions.get(hotfixId) ?? 0;
      const result = await store.append(hotfixId, version, events.slice(i, last + 1));
      if (!result.ok) throw new Error(`append to ${hotfixId} failed`);
      versions.set(hotfixId, result.version);
      void notifier.sync(hotfixId);
      i = last + 1;
    }
  };
  return { prefix, redis, store, notifier, append, logged };
};

/** A history given another hotfix id. */
const as = (hotfixId: string, history: readonly HotfixEvent[]): HotfixEvent[] =>
  history.map((event) => (event.type === 'HotfixStarted' ? { ...event, id: hotfixId } : event));

/** The replies the surface owes a history, in order, each as first posted (its summary). */
const expectedReplies = async (
  hotfixId: string,
  history: readonly HotfixEvent[],
  store: Parameters<typeof readRecord>[0]['store'],
) => {
  const summaries: string[] = [];
  const prompts = new Set<string>();
  const votes = new Set<number>();
  let state: HotfixState = initialState();
  const states = history.reduce<HotfixState[]>((all, e) => [...all, evolve(all.at(-1)!, e)], [state]);
  let covered = -1;
  for (const [i, event] of history.entries()) {
    state = evolve(state, event);
    // One reply per command, with its first event worth a line: as the notifier and the surface do it.
    const last = lastOfCommand(history, i);
    const command =
      i <= covered
        ? []
        : history.slice(i, last + 1).map((e, j) => ({
            event: e,
            before: states[i + j]!,
            after: states[i + j + 1]!,
            decided: states[last + 1]!,
          }));
    const message = threadMessage(command, (item) => lineCallOf(item, policy), { stepLines: false });
    if (message) {
      summaries.push(renderThreadMessage(message, { timezone: 'UTC' }).summary);
      covered = last;
    }
    // A logged issue's message is its line.
    if (event.type === 'IssueLogged')
      summaries.push(renderIssueMessage(state, event.issueId, { timezone: 'UTC' }).summary);
    if (event.type === 'StepStarted') {
      const step = state.runs.find((r) => r.id === event.runId)?.steps.find((s) => s.key === event.step);
      if (step?.kind === 'manual' && !prompts.has(`${event.runId}:${event.step}`)) {
        prompts.add(`${event.runId}:${event.step}`);
        summaries.push(renderManualStepPrompt(state, event.runId, event.step).summary);
      }
    }
    if (event.type === 'RollbackProposed' && !votes.has(event.voteId)) {
      votes.add(event.voteId);
      summaries.push(renderVoteMessage(state, event.voteId, { policy, now: DRAWN_AT }).summary);
    }
    if (event.type === 'HotfixClosed') {
      const read = await readRecord({ store, config: () => config, policy: () => policy }, hotfixId);
      if (read === null) throw new Error('no record');
      summaries.push(renderRecord(read).summary);
    }
  }
  return { summaries, state };
};

const firstSummary = (activity: StandInActivity) =>
  (activity.history[0]?.activity ?? activity.activity).summary as string;
const cardOf = (activity: StandInActivity) =>
  (activity.activity.attachments as { content: unknown }[] | undefined)?.[0]?.content;

/** The hotfix threads in the incident channel: each root with its replies. */
const threads = () => {
  const all = standIn.activities(INCIDENTS);
  return all
    .filter((a) => a.threadId === a.id)
    .map((root) => ({ root, replies: all.filter((a) => a.threadId === root.id && a.id !== root.id) }));
};
const threadOf = (hotfixId: string) => {
  const found = threads().filter(({ root }) => (root.activity.summary as string).includes(` ${hotfixId} `));
  expect(found, `threads of ${hotfixId}`).toHaveLength(1);
  return found[0]!;
};

/** Every card the bot sent (accepted or not) passes the Adaptive Card 1.5 schema and Teams' host config. */
const expectValidCards = () => {
  const sent = standIn.calls.filter((c) => c.method === 'POST' || c.method === 'PUT');
  expect(sent.length).toBeGreaterThan(0);
  for (const call of sent) {
    const body = call.body as {
      attachments?: { content: unknown }[];
      activity?: { attachments?: { content: unknown }[] };
    };
    const attachments = body.attachments ?? body.activity?.attachments ?? [];
    expect(attachments, `${call.method} ${call.path}`).toHaveLength(1);
    expect(
      (body as { text?: string }).text ?? (body.activity as { text?: string } | undefined)?.text,
    ).toBeUndefined();
    for (const { content } of attachments) expect(validateCard(content)).toEqual([]);
  }
};

describe('Teams surface driven by the notifier, against the Bot Connector stand-in', () => {
  it('a hotfix from start to record: one thread, the card edited in place, every reply once and in order, prompt and vote edited when answered', async () => {
    const { store, notifier, append } = setup();
    await append('HF-57', rolledBackHistory);
    await notifier.idle();

    expect(threads()).toHaveLength(1);
    const { root, replies } = threadOf('HF-57');
    const { summaries, state } = await expectedReplies('HF-57', rolledBackHistory, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
    // The card shows the last state, edited in place (never a second root).
    expect(root.history.length).toBeGreaterThan(0);
    expect(cardOf(root)).toEqual(
      renderHotfixCard(state, { policy, timezone: 'UTC', now: DRAWN_AT, lockHolders: {} }).card,
    );
    // The manual step's prompt and the vote were edited once answered / closed.
    const prompt = replies.find((r) => firstSummary(r).startsWith('✋ Manual step waiting'));
    expect(prompt?.history.length).toBeGreaterThan(0);
    expect(prompt?.activity.summary).toMatch(/: succeeded$/);
    const vote = replies.find((r) => firstSummary(r).startsWith('Rollback vote #1'));
    expect(vote?.history.length).toBeGreaterThan(0);
    expect(vote?.activity.summary).toMatch(/— passed$/);
    // The record is the last reply, one card: its summary, and the whole record behind a button.
    const read = await readRecord({ store, config: () => config, policy: () => policy }, 'HF-57');
    expect(cardOf(replies.at(-1)!)).toEqual(renderRecord(read!).card);
    expectValidCards();

    // A sweep later (another replica, a restart) posts nothing more.
    const calls = standIn.calls.length;
    await notifier.sweep();
    await notifier.sync('HF-57');
    await notifier.idle();
    expect(standIn.calls.length).toBe(calls);
  });

  it('a 429 storm: every call refused for a while with Retry-After; the card catches up, no reply lost or doubled', async () => {
    const { store, notifier, append } = setup();
    const history = deployedHistory.slice(0, 40);
    await append('HF-42', history.slice(0, 2));
    await notifier.idle();
    standIn.failNext({ status: 429, retryAfter: 1 }, {}, 3);
    standIn.failNext({ status: 429, retryAfter: 0 }, {}, 30);
    await append('HF-42', history.slice(2));
    await notifier.idle();

    expect(standIn.calls.filter((c) => c.status === 429).length).toBe(33);
    const { root, replies } = threadOf('HF-42');
    const { summaries, state } = await expectedReplies('HF-42', history, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
    expect(cardOf(root)).toEqual(
      renderHotfixCard(state, { policy, timezone: 'UTC', now: DRAWN_AT, lockHolders: {} }).card,
    );
    expectValidCards();
  });

  it("a burst of hotfixes in one channel: within Teams' rate windows no 429 comes back; without the outbox's budget the stand-in's 429s are waited out", async () => {
    standIn = strict;
    for (const limits of [undefined, []] as const) {
      standIn.reset();
      const { store, notifier, append } = setup({ limits: limits ?? TEAMS_RATE_LIMITS });
      const history = deployedHistory.slice(0, 4);
      const ids = ['HF-101', 'HF-102', 'HF-103', 'HF-104'];
      await Promise.all(ids.map((id) => append(id, as(id, history))));
      await notifier.idle();

      const refused = standIn.calls.filter((c) => c.status === 429).length;
      if (limits === undefined) expect(refused).toBe(0);
      else expect(refused).toBeGreaterThan(0);
      expect(threads()).toHaveLength(ids.length);
      for (const id of ids) {
        const { root, replies } = threadOf(id);
        const { summaries, state } = await expectedReplies(id, as(id, history), store);
        expect(replies.map(firstSummary)).toEqual(summaries);
        expect(cardOf(root)).toEqual(
          renderHotfixCard(state, { policy, timezone: 'UTC', now: DRAWN_AT, lockHolders: {} }).card,
        );
      }
      expectValidCards();
    }
  });

  it('the next post refused after every reply: an event with several replies (line and prompt, vote, record) repeats none', async () => {
    const { store, notifier, append } = setup();
    const off = standIn.on('posted', (activity) => {
      if (activity.author === 'bot' && activity.threadId !== activity.id)
        standIn.failNext({ status: 429, retryAfter: 0 }, { method: 'POST' });
    });
    try {
      await append('HF-57', rolledBackHistory);
      await notifier.idle();
    } finally {
      off();
    }
    const { replies } = threadOf('HF-57');
    const { summaries } = await expectedReplies('HF-57', rolledBackHistory, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
  });

  it('a thread whose record summary an older version posted on its own gets the rest of the record, not the summary again', async () => {
    const { redis, prefix, store, notifier, append } = setup();
    // As left by a version that posted the summary, then stopped before the whole record.
    await createThreadRefs(redis, prefix).set('HF-57', 'record-summary', 'posted');
    await append('HF-57', rolledBackHistory);
    await notifier.idle();

    const { replies } = threadOf('HF-57');
    const { summaries } = await expectedReplies('HF-57', rolledBackHistory, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
    const record = cardOf(replies.at(-1)!) as AdaptiveCard;
    expect(readable({ ...record, actions: [] })).not.toMatch(/Approvals|Sign-offs|Lessons learned/);
    expect(record.actions).toEqual([expect.objectContaining({ title: SHOW_RECORD })]);
    expect(readable(record)).toContain('Deployment Documentation');
    expectValidCards();
  });

  it('412 and 502 are retried: each reply posted once, the card edited', async () => {
    const { store, notifier, append } = setup();
    const history = deployedHistory.slice(0, 12);
    await append('HF-42', history.slice(0, 1));
    await notifier.idle();
    standIn.failNext({ status: 412 }, { method: 'POST' }, 2);
    standIn.failNext({ status: 502 }, { method: 'PUT' }, 1);
    standIn.failNext({ status: 504 }, { method: 'POST' }, 1);
    await append('HF-42', history.slice(1));
    await notifier.idle();

    expect(standIn.calls.map((c) => c.status)).toEqual(expect.arrayContaining([412, 412, 502, 504]));
    const { root, replies } = threadOf('HF-42');
    const { summaries, state } = await expectedReplies('HF-42', history, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
    expect(cardOf(root)).toEqual(
      renderHotfixCard(state, { policy, timezone: 'UTC', now: DRAWN_AT, lockHolders: {} }).card,
    );
  });

  it('a thread opened with a 202 and no id is not opened again: one thread, said in the log', async () => {
    const { notifier, append, logged } = setup();
    standIn.failNext({ status: 202, withoutId: true }, { method: 'POST', path: /^\/v3\/conversations$/ });
    await append('HF-42', deployedHistory.slice(0, 6));
    await notifier.idle();
    await notifier.sweep();
    await notifier.idle();

    expect(threads()).toHaveLength(1);
    expect(standIn.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(1);
    expect(logged.join('\n')).toMatch(/gave no id back \(202\): not opening a second thread/);
  });

  it('a thread opening Teams does not answer in time is tried once more: the hotfix gets a thread, its card and replies; the first card, if Teams made it, stays behind unedited', async () => {
    // The second opening and the calls after it must not time out: at 300 ms a slow one did, and lost the hotfix.
    const { store, notifier, append, logged } = setup({ callTimeoutMs: ANSWERED_WITHIN_MS });
    const opening = { method: 'POST', path: /^\/v3\/conversations$/ } as const;
    standIn.delay(60_000, opening);
    await append('HF-42', deployedHistory.slice(0, 1));
    await waitFor('the first opening to time out', () => logged.some((l) => /trying once more/.test(l)));
    standIn.delay(0, opening);
    await append('HF-42', deployedHistory.slice(1, 4));
    await notifier.idle();
    // A tick once the thread is open: the card it opened with is edited.
    await append('HF-42', deployedHistory.slice(4, 5));
    await notifier.idle();

    // The stand-in never acted on the abandoned call; Teams might have: that card would stay, unedited.
    const used = threadOf('HF-42');
    const { summaries } = await expectedReplies('HF-42', deployedHistory.slice(0, 5), store);
    expect(used.replies.map(firstSummary)).toEqual(summaries);
    expect(used.root.history.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toMatch(/gave no id back|twice/);
  }, 20_000);

  it('a 502 on opening a thread is not retried at once (Teams may have opened it): one more try later, never a third', async () => {
    const { store, notifier, append, logged } = setup();
    standIn.failNext({ status: 502 }, { method: 'POST', path: /^\/v3\/conversations$/ });
    await append('HF-42', deployedHistory.slice(0, 1));
    await waitFor('the 502 taken as a possible opening', () =>
      logged.some((l) => /trying once more/.test(l)),
    );
    await append('HF-42', deployedHistory.slice(1, 4));
    await notifier.idle();
    await notifier.sweep();
    await notifier.idle();

    const used = threadOf('HF-42');
    const { summaries } = await expectedReplies('HF-42', deployedHistory.slice(0, 4), store);
    expect(used.replies.map(firstSummary)).toEqual(summaries);
    expect(standIn.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(2);
    expect(logged.join('\n')).not.toMatch(/twice/);
  }, 20_000);

  it('a thread opening Teams never answers in time, twice: the hotfix is lost, no third thread is opened, said in the log', async () => {
    const { redis, prefix, notifier, append, logged } = setup({ callTimeoutMs: 300 });
    standIn.delay(60_000, { method: 'POST', path: /^\/v3\/conversations$/ });
    await append('HF-42', deployedHistory.slice(0, 4));
    await notifier.idle();
    await notifier.sweep();
    await notifier.idle();

    expect(await redis.hexists(`${prefix}{hotfix}:teams:refs:HF-42`, 'lost')).toBe(1);
    expect(logged.filter((l) => /Teams did not answer in time when opening/.test(l))).toHaveLength(2);
    expect(logged.join('\n')).toMatch(/twice: not opening another/);
  }, 20_000);

  it('403 BotNotInConversationRoster: posting there stops (said once), and resumes once the block lapses', async () => {
    // A block that cannot lapse while the test looks at it (a stalled machine would let a short one run out
    // before the sync below); the test lifts it itself.
    const { redis, prefix, store, notifier, append, logged } = setup({ blockedForMs: 60_000 });
    const history = deployedHistory.slice(0, 10);
    await append('HF-42', history.slice(0, 2));
    await notifier.idle();
    standIn.failNext({ status: 403, code: 'BotNotInConversationRoster' }, { method: 'POST' });
    await append('HF-42', history.slice(2, 6));
    await waitFor('the refusal', () => logged.some((line) => line.includes('BotNotInConversationRoster')));
    // Syncs while blocked make no call at all (this one runs after those of the appends).
    await notifier.sync('HF-42');
    const refused = standIn.calls.findIndex((c) => c.status === 403);
    expect(refused).toBeGreaterThan(-1);
    expect(standIn.calls.slice(refused + 1)).toEqual([]);
    expect(logged.filter((line) => line.includes('BotNotInConversationRoster'))).toHaveLength(1);
    expect(logged.join('\n')).toMatch(/refuses the bot's posts in this conversation/);

    // The block lapses by itself (it has a time to live); lapsed now, the next sync posts the rest.
    const block = `${prefix}{hotfix}:teams:outbox:blocked:${INCIDENTS}`;
    expect(await redis.pttl(block)).toBeGreaterThan(0);
    await redis.del(block);
    await append('HF-42', history.slice(6));
    await notifier.sync('HF-42');
    // Not idle(): that would wait out the retry the block scheduled a minute ahead, which has nothing left to do.
    notifier.stop();
    const { replies } = threadOf('HF-42');
    const { summaries } = await expectedReplies('HF-42', history, store);
    expect(replies.map(firstSummary)).toEqual(summaries);
  });
});

describe('cardMessage', () => {
  it('sends a card alone; one past the size budget becomes a short card saying so', () => {
    const small = cardMessage({ card: card([text('hello')]), summary: 'hello' }, 'The card of HF-1');
    expect(small).toMatchObject({ type: 'message', summary: 'hello' });
    expect(small).not.toHaveProperty('text');

    const huge = cardMessage({ card: card([text('x'.repeat(100_000))]), summary: 'big' }, 'The card of HF-1');
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeLessThan(ACTIVITY_BUDGET_BYTES);
    const content = (huge.attachments as { content: unknown }[])[0]?.content;
    expect(validateCard(content)).toEqual([]);
    expect(JSON.stringify(content)).toContain('The card of HF-1 is too large for Teams');
  });
});
