import { afterAll, describe, expect, it } from 'vitest';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import type { CardRef, ChatSurface } from '../../src/notify/notifier.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import type { PlatformSettings } from '../../src/notify/platforms.ts';
import { visibilityOn } from '../../src/notify/platforms.ts';
import { createCommandHandler } from '../../src/service/handler.ts';
import type { StoredEvent } from '../../src/service/ports.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { people, plan, policy } from '../domain/fixtures/policy.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();
const clock = { now: () => new Date() };
const quiet = { warn: () => {} };

/** Teams' notifier as seen through a recording surface: what it opened, drew, retired and posted. */
const recordingSurface = () => {
  const log: string[] = [];
  const surface: ChatSurface = {
    name: 'teams',
    async openCard(state: HotfixState) {
      log.push(`open v${state.version}`);
      return { card: state.id };
    },
    async updateCard(_ref: CardRef, state: HotfixState) {
      log.push(`card v${state.version}`);
    },
    async postLine(_ref: CardRef, stored: StoredEvent) {
      log.push(`line ${stored.position}`);
    },
    async retireCard(_ref: CardRef, state: HotfixState, note: string) {
      log.push(`retire v${state.version}: ${note}`);
    },
  };
  return { surface, log };
};

describe('notifier: a platform that does not show a hotfix', () => {
  const connections: { quit(): Promise<unknown> }[] = [];
  afterAll(async () => void (await Promise.all(connections.map((c) => c.quit()))));
  const connect = () => {
    const redis = redisServer().connect();
    connections.push(redis);
    return redis;
  };
  let config: PlatformSettings = { slack: {}, teams: { mirror: false } };

  const setup = () => {
    const prefix = uniquePrefix('visibility');
    const store = createRedisEventStore({ redis: connect(), prefix, auditKey: TEST_AUDIT_KEY });
    const handler = createCommandHandler({
      store,
      clock,
      policy: () => policy,
      effects: { run: async () => {} },
    });
    const { surface, log } = recordingSurface();
    /** The version each of the notifier's reads started after. */
    const reads: number[] = [];
    const notifier = createNotifier({
      surface,
      store: {
        ...store,
        load: (hotfixId: string, after?: number) => {
          reads.push(after ?? 0);
          return store.load(hotfixId, after);
        },
      },
      redis: connect(),
      prefix,
      replica: 'a',
      clock,
      minCardIntervalMs: 0,
      visibility: visibilityOn('teams', () => config),
      log: quiet,
    });
    return { handler, notifier, log, reads };
  };
  const observe = (text: string) => ({ type: 'NoteObservation' as const, text, by: people.support });

  it('gets no card and keeps no progress; an edit that names it opens the card and posts the thread from the start', async () => {
    const { handler, notifier, log, reads } = setup();
    // Started in Slack, Teams does not mirror: Teams shows nothing, sweep or not.
    const { hotfixId } = await handler.start(plan, people.requester);
    await handler.handle(hotfixId, observe('first'));
    await notifier.sync(hotfixId);
    await notifier.sweep();
    await notifier.idle();
    expect(log).toEqual([]);
    // Passed over, it costs a read of its new events only.
    await handler.handle(hotfixId, observe('second'));
    reads.length = 0;
    await notifier.sync(hotfixId);
    expect(reads).toEqual([2]);

    await handler.handle(hotfixId, {
      type: 'EditPlan',
      plan: { ...plan, platforms: ['slack', 'teams'] },
      by: people.requester,
    });
    await notifier.sync(hotfixId);
    await notifier.idle();
    const version = (await handler.state(hotfixId)).version;
    expect(log).toEqual([`open v${version}`, ...Array.from({ length: version }, (_, i) => `line ${i + 1}`)]);
  });

  it('a card already shown is drawn one last time saying where to follow it, then left alone', async () => {
    const { handler, notifier, log } = setup();
    const { hotfixId } = await handler.start({ ...plan, platforms: ['teams'] }, people.requester);
    await notifier.sync(hotfixId);
    await notifier.idle();
    expect(log).toEqual(['open v1', 'line 1']);

    await handler.handle(hotfixId, {
      type: 'EditPlan',
      plan: { ...plan, platforms: ['slack'] },
      by: people.requester,
    });
    await notifier.sync(hotfixId);
    await handler.handle(hotfixId, observe('after'));
    await notifier.sync(hotfixId);
    await notifier.sweep();
    await notifier.idle();
    const retired = log.slice(2);
    expect(retired).toHaveLength(1);
    expect(retired[0]).toMatch(
      /^retire v\d+: .* is now followed in Slack \(its thread in the incident channel\)/,
    );

    // Shown again: the card is redrawn and the thread catches up from the line it stopped at.
    await handler.handle(hotfixId, {
      type: 'EditPlan',
      plan: { ...plan, platforms: ['teams'] },
      by: people.requester,
    });
    await notifier.sync(hotfixId);
    await notifier.idle();
    const { version } = await handler.state(hotfixId);
    expect(log.slice(3)).toEqual([
      `card v${version}`,
      ...Array.from({ length: version - 1 }, (_, i) => `line ${i + 2}`),
    ]);
  });

  it('a hotfix passed over is looked at again by the sweep once the config shows it (mirror turned back on)', async () => {
    const { handler, notifier, log } = setup();
    const { hotfixId } = await handler.start(plan, people.requester);
    await notifier.sweep();
    await notifier.idle();
    expect(log).toEqual([]);
    config = { slack: {}, teams: { mirror: true } };
    try {
      await notifier.sweep();
      await notifier.idle();
      expect(log).toEqual(['open v1', 'line 1']);
    } finally {
      config = { slack: {}, teams: { mirror: false } };
    }
    expect(hotfixId).toMatch(/^HF-/);
  });
});
