import { afterAll, describe, expect, it } from 'vitest';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import type { CardRef, ChatSurface, NotifierDeps } from '../../src/notify/notifier.ts';
import { createNotifier, RateLimited } from '../../src/notify/notifier.ts';
import { createCommandHandler } from '../../src/service/handler.ts';
import type { StoredEvent } from '../../src/service/ports.ts';
import { createFeedConsumer } from '../../src/store/feed.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { people, plan, policy } from '../domain/fixtures/policy.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();
const clock = { now: () => new Date() };
const quiet = { warn: () => {} };

/** A chat surface that records what the notifier sent, and can be told to rate-limit card edits. */
const recordingSurface = () => {
  const opened: { hotfixId: string; version: number }[] = [];
  const updates: { hotfixId: string; version: number; at: number }[] = [];
  const lines: { hotfixId: string; position: number }[] = [];
  let limitUpdates = 0;
  const surface: ChatSurface = {
    name: 'test',
    async openCard(state: HotfixState) {
      opened.push({ hotfixId: state.id, version: state.version });
      return { card: state.id };
    },
    async updateCard(ref: CardRef, state: HotfixState) {
      if (limitUpdates > 0) {
        limitUpdates--;
        throw new RateLimited(150);
      }
      updates.push({ hotfixId: ref.card ?? '', version: state.version, at: clock.now().getTime() });
    },
    async postLine(ref: CardRef, stored: StoredEvent) {
      lines.push({ hotfixId: ref.card ?? '', position: stored.position });
    },
  };
  return { surface, opened, updates, lines, rateLimit: (n: number) => (limitUpdates = n) };
};

describe('notifier', () => {
  const connections: { quit(): Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });
  const connect = () => {
    const redis = redisServer().connect();
    connections.push(redis);
    return redis;
  };

  /** A fresh prefix, a store and a command handler on it, and a recording surface. */
  const setup = () => {
    const prefix = uniquePrefix('notify');
    const store = createRedisEventStore({ redis: connect(), prefix, auditKey: TEST_AUDIT_KEY });
    const handler = createCommandHandler({
      store,
      clock,
      policy: () => policy,
      effects: { run: async () => {} },
    });
    const recorded = recordingSurface();
    /** A notifier on this setup's store and prefix (replica `a`, the recording surface, a new connection). */
    const notifierWith = (options: Partial<NotifierDeps> = {}) =>
      createNotifier({
        surface: recorded.surface,
        store,
        redis: connect(),
        prefix,
        replica: 'a',
        clock,
        log: quiet,
        ...options,
      });
    return { prefix, store, handler, recorded, notifierWith };
  };

  it('500 events over 20 hotfixes, two replicas: one card each, every line once and in order, final state shown', async () => {
    const { prefix, store, handler, recorded } = setup();
    const replicas = ['a', 'b'].map((replica) => ({
      notifier: createNotifier({
        surface: recorded.surface,
        store,
        redis: connect(),
        prefix,
        replica,
        clock,
        minCardIntervalMs: 200,
        log: quiet,
      }),
      feed: createFeedConsumer({
        redis: connect(),
        prefix,
        group: 'notify-test',
        consumer: replica,
        onCorrupt: () => {},
      }),
    }));
    await replicas[0]!.feed.ensureGroup('0');
    let writing = true;
    const consume = replicas.map(async ({ notifier, feed }) => {
      // Until the writers are done and the feed has nothing more for this replica.
      for (;;) {
        const entries = await feed.read({ count: 50, blockMs: 100 });
        if (entries.length === 0 && !writing) return;
        await notifier.syncEntries(entries);
        await feed.ack(entries.map((e) => e.feedId));
      }
    });

    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await handler.start({ ...plan, summary: `fix ${i}` }, people.requester)).hotfixId);
    // 24 more events per hotfix, the hotfixes written to concurrently: 500 events in all.
    await Promise.all(
      ids.map(async (hotfixId) => {
        for (let n = 0; n < 24; n++)
          await handler.handle(hotfixId, {
            type: 'NoteObservation',
            text: `observation ${n}`,
            by: people.support,
          });
      }),
    );
    writing = false;
    await Promise.all(consume);
    await Promise.all(replicas.map((r) => r.notifier.idle()));

    for (const hotfixId of ids) {
      expect(recorded.opened.filter((o) => o.hotfixId === hotfixId)).toHaveLength(1);
      expect(recorded.lines.filter((l) => l.hotfixId === hotfixId).map((l) => l.position)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      const shown = [
        ...recorded.opened.filter((o) => o.hotfixId === hotfixId),
        ...recorded.updates.filter((u) => u.hotfixId === hotfixId),
      ];
      expect(Math.max(...shown.map((s) => s.version))).toBe(25);
      // Card edits are coalesced: never two within the interval on one card.
      const times = recorded.updates.filter((u) => u.hotfixId === hotfixId).map((u) => u.at);
      times.slice(1).forEach((t, i) => expect(t - times[i]!).toBeGreaterThanOrEqual(200));
    }
    expect(recorded.lines).toHaveLength(500);
  });

  it('a rate limit delays only the chat output; the final card state still lands', async () => {
    const { handler, recorded, notifierWith } = setup();
    const notifier = notifierWith({ minCardIntervalMs: 50 });
    const { hotfixId } = await handler.start(plan, people.requester);
    await notifier.sync(hotfixId);
    recorded.rateLimit(3);
    const result = await handler.handle(hotfixId, {
      type: 'NoteObservation',
      text: 'slow checkout',
      by: people.support,
    });
    expect(result.events).toHaveLength(1);
    await notifier.sync(hotfixId);
    await notifier.idle();
    expect(recorded.updates.at(-1)?.version).toBe(2);
    expect(recorded.lines.map((l) => l.position)).toEqual([1, 2]);
  });

  it('the sweep repairs what nobody was told about', async () => {
    const { handler, recorded, notifierWith } = setup();
    const { hotfixId } = await handler.start(plan, people.requester);
    await handler.handle(hotfixId, { type: 'NoteObservation', text: 'after an outage', by: people.support });
    const notifier = notifierWith();
    await notifier.sweep();
    await notifier.idle();
    expect(recorded.opened).toEqual([{ hotfixId, version: 2 }]);
    expect(recorded.lines.map((l) => l.position)).toEqual([1, 2]);
  });

  it('a sweep syncs only the hotfixes behind their stream: quiet ones cost a shared read, no lease', async () => {
    const { handler, recorded, notifierWith } = setup();
    const quietOne = (await handler.start(plan, people.requester)).hotfixId;
    const busyOne = (await handler.start(plan, people.requester)).hotfixId;
    const redis = connect();
    const notifier = notifierWith({ redis });
    await notifier.sweep();
    await notifier.idle();
    expect(recorded.opened.map((o) => o.hotfixId).sort()).toEqual([quietOne, busyOne].sort());

    const leasesTaken = async () =>
      Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const before = await leasesTaken();
    await notifier.sweep();
    expect(await leasesTaken()).toBe(before);

    await handler.handle(busyOne, {
      type: 'NoteObservation',
      text: 'nobody told the notifier',
      by: people.support,
    });
    await notifier.sweep();
    await notifier.idle();
    expect(recorded.lines.filter((l) => l.hotfixId === busyOne).map((l) => l.position)).toEqual([1, 2]);
    expect(recorded.lines.filter((l) => l.hotfixId === quietOne).map((l) => l.position)).toEqual([1]);
  });

  it('a line that opens a prompt the card links to draws the card again; a crash before that is caught up', async () => {
    const { handler, recorded, notifierWith } = setup();
    // The second line "opens a prompt": the card drawn for its event could not link to it yet.
    const surface: ChatSurface = {
      ...recorded.surface,
      async postLine(ref, stored, before, after, decided, command) {
        await recorded.surface.postLine(ref, stored, before, after, decided, command);
        return { cardStale: stored.position === 2 };
      },
    };
    const drawsOf = (hotfixId: string, version: number) =>
      recorded.updates.filter((u) => u.hotfixId === hotfixId && u.version === version).length;
    const observe = (hotfixId: string) =>
      handler.handle(hotfixId, { type: 'NoteObservation', text: 'prompt', by: people.support });

    const first = (await handler.start(plan, people.requester)).hotfixId;
    // No pause between drawings: the card is drawn for the event before its line, as when it had been quiet.
    const notifier = notifierWith({ surface, minCardIntervalMs: 0 });
    await notifier.sync(first);
    await observe(first);
    await notifier.sync(first);
    await notifier.idle();
    // Drawn for the event, then once more after its line; never for a line that opened nothing.
    expect(drawsOf(first, 2)).toBe(2);
    expect(recorded.lines.filter((l) => l.hotfixId === first).map((l) => l.position)).toEqual([1, 2]);

    // A replica that dies right after the line (its redraw never comes): the sweep of another draws it.
    const second = (await handler.start(plan, people.requester)).hotfixId;
    const dying = notifierWith({ surface, minCardIntervalMs: 0 });
    await dying.sync(second);
    await observe(second);
    await dying.sync(second);
    dying.stop();
    expect(drawsOf(second, 2)).toBe(1);
    const other = notifierWith({ surface, minCardIntervalMs: 0, replica: 'b' });
    await other.sweep();
    await other.idle();
    expect(drawsOf(second, 2)).toBe(2);
    expect(recorded.lines.filter((l) => l.hotfixId === second).map((l) => l.position)).toEqual([1, 2]);
  });

  it('a thread line that failed is posted on the next sync, in order, even though the state was folded past it', async () => {
    const { handler, recorded, notifierWith } = setup();
    let failLine = 0;
    const surface: ChatSurface = {
      ...recorded.surface,
      async postLine(ref, stored, before, after, decided, command) {
        if (stored.position === failLine) {
          failLine = 0;
          throw new Error('chat is down');
        }
        return recorded.surface.postLine(ref, stored, before, after, decided, command);
      },
    };
    const notifier = notifierWith({ surface });
    const { hotfixId } = await handler.start(plan, people.requester);
    await notifier.sync(hotfixId);
    failLine = 3;
    for (const n of [1, 2, 3])
      await handler.handle(hotfixId, { type: 'NoteObservation', text: `note ${n}`, by: people.support });
    await notifier.sync(hotfixId);
    expect(recorded.lines.map((l) => l.position)).toEqual([1, 2]);
    await notifier.sync(hotfixId);
    await handler.handle(hotfixId, { type: 'NoteObservation', text: 'note 4', by: people.support });
    await notifier.sync(hotfixId);
    notifier.stop();
    expect(recorded.lines.map((l) => l.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it("one message per command: a command's later events post no line of their own, even after a failure between them", async () => {
    const { handler, notifierWith } = setup();
    /** Each message, as the event types whose lines it carries; the surface fails once on `failOn`. */
    const messages: string[][] = [];
    let failOn: string | undefined;
    const surface: ChatSurface = {
      name: 'test',
      openCard: async (state) => ({ card: state.id }),
      updateCard: async () => {},
      async postLine(_ref, stored, _before, _after, _decided, command) {
        // Like a real surface: the message goes out first, then what the event changes besides.
        if (command.length > 0) messages.push(command.map((c) => c.event.type));
        if (stored.event.type === failOn) {
          failOn = undefined;
          throw new Error('the follow-up failed');
        }
        return { covered: command.length > 0 };
      },
    };
    const notifier = notifierWith({ surface });
    const { hotfixId, state } = await handler.start(plan, people.requester);
    await handler.handle(hotfixId, {
      type: 'ApprovePlan',
      role: 'technical',
      planHash: state.planHash,
      by: people.tech1,
    });
    await notifier.sync(hotfixId);
    // An edit after an approval: PlanEdited and ApprovalsVoided, appended together by one command.
    failOn = 'ApprovalsVoided';
    await handler.handle(hotfixId, {
      type: 'EditPlan',
      plan: { ...plan, summary: 'Fix the rounding, and the tax' },
      by: people.requester,
    });
    await notifier.sync(hotfixId);
    await notifier.sync(hotfixId);
    notifier.stop();
    expect(messages).toEqual([['HotfixStarted'], ['PlanApproved'], ['PlanEdited', 'ApprovalsVoided']]);
  });
});
