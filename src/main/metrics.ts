import type { Config } from '../config/load.ts';
import type { Locks } from '../jobs/locks.ts';
import type { JobQueues } from '../jobs/queues.ts';
import type { Metrics, Platform, ScrapeSources } from '../metrics/metrics.ts';
import { slackMethodOf } from '../metrics/metrics.ts';
import type { CommandHandler } from '../service/handler.ts';
import type { EventStore } from '../service/ports.ts';

/** A scrape looks at the phases of this many open hotfixes at most (the oldest: stuck ones are old). */
export const OPEN_PHASES_READ = 200;
/** …and at the locks of this many configured services at most. */
const LOCKS_READ = 200;

/**
 * What a scrape reads from Redis, its cost capped: BullMQ's counts (one script per queue), the open hotfixes
 * (one read of the open set, then a short catch-up read per hotfix looked at: the handler keeps folded states)
 * and one lock read per configured service.
 */
export const scrapeSources = (deps: {
  readonly store: Pick<EventStore, 'listOpen'>;
  readonly handler: Pick<CommandHandler, 'state'>;
  readonly queues: Pick<JobQueues, 'pipeline' | 'timers'>;
  readonly locks: Pick<Locks, 'holder'>;
  readonly config: () => Config;
}): ScrapeSources => ({
  async jobCounts() {
    const count = async (queue: JobQueues['pipeline'] | JobQueues['timers']) => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
    };
    const [pipeline, timers] = await Promise.all([count(deps.queues.pipeline), count(deps.queues.timers)]);
    return { pipeline, timers };
  },
  async openHotfixes() {
    const open = await deps.store.listOpen();
    const states = await Promise.all(open.slice(0, OPEN_PHASES_READ).map((id) => deps.handler.state(id)));
    const byPhase: Record<string, number> = {};
    for (const { phase } of states) byPhase[phase] = (byPhase[phase] ?? 0) + 1;
    return { total: open.length, byPhase };
  },
  async locksHeld() {
    const services = Object.keys(deps.config().services).slice(0, LOCKS_READ);
    const holders = await Promise.all(services.map((service) => deps.locks.holder(service)));
    return Object.fromEntries(services.map((service, i) => [service, holders[i] !== null]));
  },
});

/** The notifier's `observeLag`, into `metrics` under `platform`, when there are metrics. */
export const notifierLag = (
  metrics: Pick<Metrics, 'notifierLag'> | undefined,
  platform: Platform,
): { observeLag?: (what: 'card' | 'line', seconds: number) => void } =>
  metrics === undefined
    ? {}
    : { observeLag: (what, seconds) => metrics.notifierLag(platform, what, seconds) };

type Fetch = typeof globalThis.fetch;

/**
 * A `fetch` for @slack/web-api's WebClient (and Bolt's, through its clientOptions) that counts every HTTP call
 * to Slack by Web API method and status: retries and 429s each count, since each is a call Slack saw.
 */
export const countedSlackFetch =
  (metrics: Pick<Metrics, 'chatCall'>, inner: Fetch = globalThis.fetch): Fetch =>
  async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = slackMethodOf(url);
    try {
      const response = await inner(input, init);
      metrics.chatCall('slack', method, response.status);
      return response;
    } catch (error) {
      metrics.chatCall('slack', method, (error as Error).name === 'AbortError' ? 'timeout' : 'error');
      throw error;
    }
  };
