import { hostname } from 'node:os';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Env } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import type { SlackBot } from '../bot/slack/app.ts';
import { createSlackBot } from '../bot/slack/app.ts';
import type { MessageRefs } from '../bot/slack/surface.ts';
import { createSlackSurface, storedPromptLinks } from '../bot/slack/surface.ts';
import type { HotfixState } from '../domain/hotfix/state.ts';
import type { Engine } from './engine.ts';
import { lockHoldersOf } from './lock-holders.ts';
import { countedSlackFetch } from './metrics.ts';
import { startPlatformNotifier } from './notifier-loop.ts';
import { StartupError } from './runtime.ts';
import { NO_SLACK_SECTION } from './chat-platforms.ts';

export { NO_SLACK_SECTION } from './chat-platforms.ts';

/** Slack retries a delivery for a few minutes at most: remember each handled one for an hour. */
const DELIVERY_TTL_S = 3600;
/** Handling takes milliseconds; a claim still unconfirmed after this long belonged to a process that died. */
const DELIVERY_CLAIM_S = 30;

export interface SlackSettings {
  readonly env: Env;
  readonly config: Config;
  readonly policy: Policy;
}

export interface SlackRoles {
  /** The Bolt app (listeners, `/slack/events`). */
  readonly app: boolean;
  /** The notifier projecting the feed onto Slack (shares the work with other replicas). */
  readonly notifier: boolean;
}

export interface RunningSlack {
  readonly bot: SlackBot | undefined;
  /** Waits until the notifier has nothing running or scheduled (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Slack side of `hotfix serve`'s app thread: the Bolt app (fed by the server's front through `bot.deliver`,
 * or over Socket Mode) and the notifier that projects the global feed onto Slack, sharing work with other
 * replicas through a consumer group.
 */
export const startSlack = async (
  settings: SlackSettings,
  engine: Engine,
  log: Logger,
  botToken: string,
  roles: SlackRoles = { app: true, notifier: true },
): Promise<RunningSlack> => {
  const { env } = settings;
  if (!settings.config.slack) throw new StartupError([NO_SLACK_SECTION]);
  const { redis, prefix, clock } = engine;
  const replica = `${hostname()}:${process.pid}`;
  const key = (rest: string) => `${prefix}{hotfix}:slack:${rest}`;
  // Every Web API call, the app's (Bolt's included) and the notifier's, counted by method and status.
  const slackFetch = engine.metrics ? { fetch: countedSlackFetch(engine.metrics) } : {};
  const refs: MessageRefs = {
    get: (hotfixId, name) => redis.hget(key(`refs:${hotfixId}`), name),
    set: async (hotfixId, name, value) => void (await redis.hset(key(`refs:${hotfixId}`), name, value)),
  };
  const deps = {
    handler: engine.handler,
    store: engine.store,
    config: () => settings.config,
    policy: () => settings.policy,
    lockHolders: lockHoldersOf(engine.locks),
    claimDelivery: async (delivery: string) =>
      (await redis.set(key(`delivery:${delivery}`), replica, 'EX', DELIVERY_CLAIM_S, 'NX')) === 'OK',
    deliveryDone: async (delivery: string) =>
      void (await redis.set(key(`delivery:${delivery}`), 'done', 'EX', DELIVERY_TTL_S)),
    clock,
    log,
    promptLinks: (state: HotfixState) => storedPromptLinks(refs, state),
  };
  const bot = roles.app
    ? createSlackBot(deps, {
        botToken,
        ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
        ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
        ...slackFetch,
      })
    : undefined;
  await bot?.start();
  if (!roles.notifier)
    return { bot, idle: async () => undefined, close: async () => void (await bot?.stop()) };

  // The notifier's client gives 429s back at once: the notifier waits for that hotfix only.
  const client = new WebClient(botToken, {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200 },
    ...slackFetch,
  });
  const surface = createSlackSurface({
    ...deps,
    client,
    refs,
  });
  const notifier = await startPlatformNotifier({
    platform: 'slack',
    surface,
    engine,
    config: () => settings.config,
    redisUrl: env.REDIS_URL,
    replica,
    log,
  });

  return {
    bot,
    idle: () => notifier.idle(),
    async close() {
      await notifier.close();
      await bot?.stop();
    },
  };
};
