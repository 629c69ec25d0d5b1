import type { Logger } from 'pino';
import type { ChatPlatform } from '../domain/hotfix/plan.ts';
import type { ChatSurface, Notifier } from '../notify/notifier.ts';
import { createNotifier } from '../notify/notifier.ts';
import type { PlatformSettings } from '../notify/platforms.ts';
import { visibilityOn } from '../notify/platforms.ts';
import type { Clock } from '../service/ports.ts';
import { createFeedConsumer } from '../store/feed.ts';
import type { Engine } from './engine.ts';
import { notifierLag } from './metrics.ts';
import { connectRedis } from './redis-connection.ts';

const SWEEP_EVERY_MS = 30_000;
/** Feed entries a crashed replica took and never acknowledged are taken over after this long. */
const STALE_FEED_MS = 60_000;

export interface NotifierLoop {
  close(): Promise<void>;
}

/**
 * Feeds a notifier from the global feed through its own consumer group (`notify-slack`, `notify-teams`: each
 * surface reads every entry, replicas of one surface share them) and sweeps open hotfixes now and again, so
 * what a crash or an outage left unsent is sent. One surface's trouble never holds the other's feed.
 */
export const startNotifierLoop = async (input: {
  readonly notifier: Notifier;
  /** The surface's name, in the group's name and the log. */
  readonly name: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly clock: Clock;
  readonly replica: string;
  readonly log: Logger;
}): Promise<NotifierLoop> => {
  const { notifier, name, clock, log } = input;
  // A blocking feed read holds its connection: the feed gets one of its own.
  const feedRedis = await connectRedis(input.redisUrl, { service: true });
  feedRedis.on('error', (error) =>
    log.warn({ err: error.message }, `redis (${name} feed) problem; retrying`),
  );
  const feed = createFeedConsumer({
    redis: feedRedis,
    prefix: input.prefix,
    group: `notify-${name}`,
    consumer: input.replica,
    onCorrupt: (error) =>
      log.error({ err: error.message, feedId: error.feedId }, 'corrupt feed entry skipped'),
  });
  await feed.ensureGroup('$');
  let stopped = false;
  let claimedStaleAt = Number.NEGATIVE_INFINITY;
  const loop = (async () => {
    while (!stopped) {
      try {
        // Entries go stale only after a minute: looking for them on every read would cost a round trip per event.
        const now = clock.now().getTime();
        const stale = now - claimedStaleAt >= STALE_FEED_MS / 2 ? await feed.claimStale(STALE_FEED_MS) : [];
        if (stale.length < 100) claimedStaleAt = now;
        const entries = [...stale, ...(await feed.read({ count: 100, blockMs: 1000 }))];
        if (entries.length === 0) continue;
        await notifier.syncEntries(entries);
        await feed.ack(entries.map((e) => e.feedId));
      } catch (error) {
        if (stopped) return;
        log.warn({ err: String(error) }, `${name} feed read failed; retrying`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  const sweep = () =>
    notifier.sweep().catch((error: unknown) => log.warn({ err: String(error) }, `${name} sweep failed`));
  void sweep();
  const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  timer.unref();

  return {
    async close() {
      stopped = true;
      clearInterval(timer);
      notifier.stop();
      // Let a sync in flight finish before Redis goes away.
      await notifier.idle();
      feedRedis.disconnect();
      await loop;
    },
  };
};

/** A platform's notifier, running: `idle` waits until it has nothing running or scheduled (tests, shutdown). */
export interface PlatformNotifier {
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The notifier projecting the global feed onto one platform's surface, fed by its own loop: the hotfixes that
 * platform shows (`mirror`, the plan's platforms), its notifier lag measured, its progress its own.
 */
export const startPlatformNotifier = async (input: {
  readonly platform: ChatPlatform;
  readonly surface: ChatSurface;
  readonly engine: Pick<Engine, 'store' | 'redis' | 'prefix' | 'clock' | 'metrics'>;
  readonly config: () => PlatformSettings;
  readonly redisUrl: string;
  readonly replica: string;
  readonly log: Logger;
}): Promise<PlatformNotifier> => {
  const { platform, engine, replica, log } = input;
  const { redis, prefix, clock } = engine;
  const notifier = createNotifier({
    surface: input.surface,
    store: engine.store,
    redis,
    prefix,
    replica,
    clock,
    visibility: visibilityOn(platform, input.config),
    log,
    ...notifierLag(engine.metrics, platform),
  });
  const loop = await startNotifierLoop({
    notifier,
    name: platform,
    redisUrl: input.redisUrl,
    prefix,
    clock,
    replica,
    log,
  });
  return { idle: () => notifier.idle(), close: () => loop.close() };
};
