import type { RequestListener } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readBoundedBody } from '../bot/common/payload-bounds.ts';
import type { InvokeAnswer, TeamsActivity } from '../bot/teams/activity.ts';
import { refFromActivity } from '../bot/teams/conversation-ref.ts';
import { createLostThreadAdoption } from '../bot/teams/lost-threads.ts';
import type { TeamsRoute } from '../bot/teams/router.ts';
import { createTeamsRouter } from '../bot/teams/router.ts';
import { createServiceUrls } from '../bot/teams/service-url.ts';
import { storedPromptLinks } from '../bot/teams/surface.ts';
import { createThreadRefs } from '../bot/teams/thread-refs.ts';
import type { TeamsTransport, TeamsTransportOptions } from '../bot/teams/transport.ts';
import { ACTIVITY_BOUNDS, createTeamsTransport } from '../bot/teams/transport.ts';
import type { Env } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import type { Background, TeamsThreadOptions } from './background.ts';
import type { Engine } from './engine.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { lockHoldersOf } from './lock-holders.ts';

export { LOCAL_MODE_WARNING, NO_TEAMS_SECTION, teamsServed } from './chat-platforms.ts';

/** Teams waits about 5 s for an invoke's answer ("Something went wrong" after): the app thread gets 4. */
const INVOKE_ANSWER_WITHIN_MS = 4_000;

/** The transport with the app's credentials from the environment; `calls` tunes how its outbound calls behave. */
export const createTeamsTransportFromEnv = (
  env: Env,
  log: Pick<Logger, 'warn'>,
  options: TeamsThreadOptions = {},
  calls: Partial<Pick<TeamsTransportOptions, 'retries' | 'clock' | 'onCall'>> = {},
): TeamsTransport =>
  createTeamsTransport({
    appId: env.MicrosoftAppId,
    appPassword: env.MicrosoftAppPassword,
    tenantId: env.MicrosoftAppTenantId,
    appType: env.MicrosoftAppType,
    openIdMetadataUrl: env.HOTFIX_TEAMS_OPENID_METADATA_URL,
    outboundToken: options.outboundToken,
    clock: { now: () => new Date() },
    ...calls,
    log,
  });

/** The transport's `onCall` counting each Bot Connector request in `metrics`, when there are metrics. */
export const countedTeamsCalls = (
  metrics: Pick<Metrics, 'chatCall'> | undefined,
): Partial<Pick<TeamsTransportOptions, 'onCall'>> =>
  metrics === undefined ? {} : { onCall: (call, status) => metrics.chatCall('teams', call, status) };

/** Teams may deliver an activity again for a while: remember each handled one for an hour. */
const ACTIVITY_TTL_S = 3600;
/** Handling takes milliseconds; a claim still unconfirmed after this long belonged to a process that died. */
const ACTIVITY_CLAIM_S = 30;

/** The Teams side of the app thread: the router on the engine, answering through its own transport. */
export const startTeams = (
  settings: { readonly env: Env; readonly config: Config; readonly policy: Policy },
  engine: Engine,
  log: Logger,
  options: TeamsThreadOptions = {},
): TeamsRoute => {
  const transport = createTeamsTransportFromEnv(
    settings.env,
    log,
    options,
    countedTeamsCalls(engine.metrics),
  );
  const { redis, prefix } = engine;
  const replica = `${hostname()}:${process.pid}`;
  const key = (rest: string) => `${prefix}{hotfix}:teams:${rest}`;
  const incidentChannel = () => settings.config.teams?.incident_channel;
  const serviceUrls = createServiceUrls({
    redis,
    prefix,
    tenantId: settings.env.MicrosoftAppTenantId,
    incidentChannel,
    clock: engine.clock,
  });
  const lostThreads = createLostThreadAdoption({ redis, prefix, incidentChannel, log });
  const threadRefs = createThreadRefs(redis, prefix);
  // Without an app id no token vouches for an activity's serviceUrl: nothing is learned from it.
  const authenticated = settings.env.MicrosoftAppId !== undefined;
  return createTeamsRouter({
    handler: engine.handler,
    store: engine.store,
    config: () => settings.config,
    policy: () => settings.policy,
    lockHolders: lockHoldersOf(engine.locks),
    claimActivity: async (activity) =>
      (await redis.set(key(`activity:${activity}`), replica, 'EX', ACTIVITY_CLAIM_S, 'NX')) === 'OK',
    activityDone: async (activity) =>
      void (await redis.set(key(`activity:${activity}`), 'done', 'EX', ACTIVITY_TTL_S)),
    async learnFrom(activity) {
      await Promise.all([authenticated && serviceUrls.learn(activity), lostThreads.adopt(activity)]);
    },
    clock: engine.clock,
    log,
    promptLinks: (state) => storedPromptLinks(threadRefs, state),
    async reply(activity, message) {
      await transport.send(refFromActivity(activity), message);
    },
  });
};

/** An activity's kind: its type, and an invoke's name (`invoke adaptiveCard/action`). */
const activityKind = (activity: TeamsActivity): string =>
  activity.type === 'invoke'
    ? `invoke ${String(activity.name ?? '').slice(0, 60)}`
    : activity.type.slice(0, 60);

const invokeAnswerSchema = z.object({ status: z.int().min(100).max(599), body: z.unknown().optional() });

/**
 * `POST /api/messages` on the main thread: the transport checks the token, the body's bounds and shape (401 or
 * 400, never 500); a message is acked at once and handed to the app thread; an invoke waits there for the
 * router's answer, which Teams shows the person who clicked.
 */
export const createTeamsEndpoint = (deps: {
  readonly transport: TeamsTransport;
  readonly background: Pick<Background, 'handTeams' | 'askTeams'>;
  readonly log: Pick<Logger, 'warn'>;
  /** Told how long each accepted activity took to answer, by kind (`message`, `invoke task/fetch`…): metrics. */
  readonly observe?: (kind: string, seconds: number) => void;
}): RequestListener => {
  const logic = async (activity: Parameters<Background['handTeams']>[0]): Promise<InvokeAnswer | void> => {
    if (activity.type !== 'invoke') return void deps.background.handTeams(activity);
    const answer = await deps.background.askTeams(activity, INVOKE_ANSWER_WITHIN_MS);
    if (answer === undefined) {
      deps.log.warn({ name: activity.name }, 'teams invoke: the app gave no answer in time');
      return { status: 503, body: { error: 'the bot did not answer in time' } };
    }
    const parsed = invokeAnswerSchema.safeParse(answer);
    return parsed.success ? parsed.data : undefined;
  };
  return (req, res) => {
    const reply = (status: number, body?: unknown) => {
      if (body === undefined) return void res.writeHead(status).end();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { error: 'POST only' });
    const arrived = performance.now();
    void (async () => {
      const body = await readBoundedBody(req, ACTIVITY_BOUNDS.bytes);
      if (body === null)
        return reply(413, { error: `the body is larger than ${ACTIVITY_BOUNDS.bytes} bytes` });
      const authorization = req.headers.authorization;
      // Known once the transport has checked the activity: a refused request is not a kind of activity.
      let kind: string | undefined;
      const answer = await deps.transport.receive({ authorization, body }, (activity) => {
        kind = activityKind(activity);
        return logic(activity);
      });
      reply(answer.status, answer.body);
      if (kind !== undefined) deps.observe?.(kind, (performance.now() - arrived) / 1000);
    })().catch((error: unknown) => {
      deps.log.warn({ err: String(error) }, 'teams request failed');
      if (!res.headersSent) reply(500, { error: 'the bot failed to handle this request' });
      else res.end();
    });
  };
};
