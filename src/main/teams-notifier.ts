import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { createOutbox } from '../bot/teams/outbox.ts';
import { createServiceUrls } from '../bot/teams/service-url.ts';
import { createTeamsSurface } from '../bot/teams/surface.ts';
import { createThreadRefs } from '../bot/teams/thread-refs.ts';
import type { Env } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import type { TeamsThreadOptions } from './background.ts';
import type { Engine } from './engine.ts';
import { lockHoldersOf } from './lock-holders.ts';
import { startPlatformNotifier } from './notifier-loop.ts';
import { StartupError } from './runtime.ts';
import { countedTeamsCalls, createTeamsTransportFromEnv, NO_TEAMS_SECTION } from './teams.ts';

export interface RunningTeamsNotifier {
  /** Waits until the notifier has nothing running or scheduled (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The notifier projecting the global feed onto Teams, next to Slack's and independent of it (its own progress,
 * feed group and outbox): a Slack outage never delays Teams, nor the other way round. Runs in `hotfix serve`'s
 * app thread and in `hotfix worker`; replicas share the work.
 */
export const startTeamsNotifier = async (
  settings: { readonly env: Env; readonly config: Config; readonly policy: Policy },
  engine: Engine,
  log: Logger,
  options: TeamsThreadOptions = {},
): Promise<RunningTeamsNotifier> => {
  const { env } = settings;
  if (!settings.config.teams) throw new StartupError([NO_TEAMS_SECTION]);
  const { redis, prefix, clock } = engine;
  const replica = `${hostname()}:${process.pid}`;
  // Its own transport, failing fast: the outbox decides when to come back, botbuilder never waits inside a call.
  const transport = createTeamsTransportFromEnv(env, log, options, {
    retries: false,
    clock,
    ...countedTeamsCalls(engine.metrics),
  });
  const serviceUrls = createServiceUrls({
    redis,
    prefix,
    tenantId: env.MicrosoftAppTenantId,
    incidentChannel: () => settings.config.teams?.incident_channel,
    clock,
  });
  const surface = createTeamsSurface({
    transport,
    outbox: createOutbox({ redis, prefix, clock, log }),
    refs: createThreadRefs(redis, prefix),
    connector: {
      serviceUrl: env.HOTFIX_TEAMS_SERVICE_URL,
      ...(env.MicrosoftAppTenantId === undefined ? {} : { tenantId: env.MicrosoftAppTenantId }),
      // Teams' id of a bot is its app id behind `28:`; the local mode has no app id.
      botId: `28:${env.MicrosoftAppId ?? 'hotfix'}`,
    },
    learnedServiceUrl: serviceUrls.learned,
    config: () => settings.config,
    policy: () => settings.policy,
    clock,
    lockHolders: lockHoldersOf(engine.locks),
    store: engine.store,
    log,
  });
  return startPlatformNotifier({
    platform: 'teams',
    surface,
    engine,
    config: () => settings.config,
    redisUrl: env.REDIS_URL,
    replica,
    log,
  });
};
