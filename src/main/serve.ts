import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Env } from '../config/env.ts';
import { readEnv } from '../config/env.ts';
import type { CliDeps } from './commands/command.ts';
import { createSlackFront } from '../bot/slack/front.ts';
import { answerMetrics } from '../metrics/http.ts';
import type { Background, TeamsThreadOptions } from './background.ts';
import { createAckBatch, startBackground } from './background.ts';
import type { LogFormat } from './logger.ts';
import { createLogger, logFormatFor } from './logger.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError, loadSettings, logConfigWarnings, requireAuditKey } from './runtime.ts';
import { cannotListen } from './startup-error.ts';
import { LOCAL_MODE_WARNING, NO_SLACK_SECTION, NO_TEAMS_SECTION, teamsServed } from './chat-platforms.ts';

export interface ServeOptions {
  readonly worker: boolean;
  /** Project hotfixes onto Slack from this process too (default); `--no-notifier` leaves it to `hotfix worker`. */
  readonly notifier?: boolean;
}

/** `/readyz` answers within this even while Redis is unreachable. */
const READY_TIMEOUT_MS = 1_000;
/** `/metrics` waits this long for the app thread, which holds every metric; past it, the scrape fails (500). */
const APP_METRICS_TIMEOUT_MS = 2_000;

const LOCAL_TRY_OUT = 'for a local try-out, run hotfix playground (npm start)';

/** Why `hotfix serve` cannot serve a chat platform with this environment, or undefined when it can. */
export const missingChatCredentials = (env: Env): string | undefined => {
  if (env.SLACK_BOT_TOKEN !== undefined || teamsServed(env)) return undefined;
  return `no chat credentials: hotfix serve needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack over HTTP), SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), or MicrosoftAppId and MicrosoftAppPassword (Teams); ${LOCAL_TRY_OUT}`;
};

/** Routes in front of the app's own, e.g. the playground's guard and page; true when they answered. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface AppServerInput {
  readonly settings: LoadedConfig;
  /** The environment handed to step processes. */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** Slack's bot token; empty when Slack is not served. */
  readonly botToken: string;
  /** Teams is served at `POST /api/messages` (with the env's credentials); not served when unset. */
  readonly teams?: TeamsThreadOptions | undefined;
  readonly worker: boolean;
  readonly notifier: boolean;
  readonly dryRunSteps?: boolean;
  /** The address to listen on; every interface when unset. */
  readonly host?: string;
  readonly routes?: ExtraRoutes;
  /** Runs last on close, or when the start fails (the playground stops its stand-in and redis-server). */
  readonly cleanup?: () => Promise<void>;
  readonly log: Logger;
  /** How the app thread writes its log lines: as the main thread's (pretty on a terminal); JSON when unset. */
  readonly logFormat?: LogFormat;
}

export interface AppServer {
  readonly port: number;
  /** The IP address it listens on (`::` or `0.0.0.0` for every interface). */
  readonly address: string;
  /** The Slack app, the Teams router, the command path, the notifier and the workers, in a thread of their own. */
  readonly background: Background;
  close(): Promise<void>;
}

/**
 * The HTTP front of the product: `/healthz`, `/readyz`, the Slack app at `POST /slack/events` and the Teams bot
 * at `POST /api/messages` (when `teams` is set), checked and acked here and handled in the app thread, which also runs the notifier (unless `notifier` is false) and
 * the workers (unless `worker` is false).
 */
export const startAppServer = async (input: AppServerInput): Promise<AppServer> => {
  const { settings, botToken, log } = input;
  // Everything but HTTP runs in the app thread (background.ts), Redis and metrics included: this thread loads
  // neither ioredis nor prom-client. The thread's start fails with one line when Redis cannot be reached.
  const background = await startBackground(
    {
      settings,
      processEnv: input.processEnv,
      workers: input.worker,
      botToken,
      notifier: input.notifier,
      dryRunSteps: input.dryRunSteps ?? false,
      teams: input.teams,
      logFormat: input.logFormat ?? 'json',
    },
    log,
  ).catch(async (error: unknown) => {
    // Nothing may keep the process alive after a failed start: it exits with the reason.
    await input.cleanup?.();
    throw error;
  });
  // Acks are timed here and recorded by the app thread's registry, which serves every metric of the process.
  const acks = createAckBatch(background);
  const collectMetrics = async () => {
    const text = await background.metrics(APP_METRICS_TIMEOUT_MS, acks.flush());
    if (text === undefined) throw new Error('the app thread did not answer in time');
    return text;
  };
  // Slack over HTTP: checked and acked here, handled in the app thread (Socket Mode needs no endpoint).
  const slackEvents =
    botToken !== '' && settings.env.SLACK_APP_TOKEN === undefined
      ? createSlackFront({
          signingSecret: settings.env.SLACK_SIGNING_SECRET ?? '',
          hand: (delivery) => background.hand(delivery),
          ask: (delivery) => background.ask(delivery),
          log,
          observe: (kind, seconds) => acks.add('slack', kind, seconds),
        })
      : undefined;
  // Teams: the token, bounds and shape are checked here; messages acked at once, invokes answered by the app thread.
  // botbuilder is loaded only when Teams is served.
  const teams = input.teams ? await import('./teams.ts') : undefined;
  const teamsMessages = teams
    ? teams.createTeamsEndpoint({
        transport: teams.createTeamsTransportFromEnv(settings.env, log),
        background,
        log,
        observe: (kind, seconds) => acks.add('teams', kind, seconds),
      })
    : undefined;

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    // A request target no URL parser takes (`GET //[`) would throw in every route below: refuse it here.
    if (!URL.canParse(req.url ?? '/', 'http://localhost'))
      return reply(400, { error: 'malformed request target' });
    if (input.routes?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // Bolt reads the body, checks the signature and the timestamp, and answers (401 on a bad signature).
    if (path === '/slack/events' && slackEvents) return void slackEvents(req, res);
    if (path === '/api/messages' && teamsMessages) return void teamsMessages(req, res);
    if (req.method === 'GET' && path === '/healthz') return reply(200, { status: 'ok' });
    // Like /healthz, on the port Slack and Teams reach: behind the load balancer, route /metrics to the
    // internal network only, or set HOTFIX_METRICS_TOKEN (its labels hold no ids, but service names and counts).
    if (path === '/metrics')
      return answerMetrics(
        { collect: collectMetrics, token: settings.env.HOTFIX_METRICS_TOKEN, log },
        req,
        res,
      );
    if (req.method === 'GET' && path === '/readyz') {
      // Ready means the app thread answers and its Redis does: without it nothing can be decided or recorded.
      void background
        .readiness(READY_TIMEOUT_MS)
        .then((problem) =>
          problem === undefined
            ? reply(200, { status: 'ready', redis: 'ok' })
            : reply(503, { status: 'not ready', redis: problem }),
        );
      return;
    }
    reply(404, { error: `no route for ${req.method ?? 'GET'} ${path}` });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.env.PORT, input.host, () => resolve());
    });
  } catch (error) {
    acks.stop();
    await background.close();
    await input.cleanup?.();
    // Only the playground chooses the address (--host); serve listens on every interface.
    throw cannotListen(
      { port: settings.env.PORT, host: input.host, portVariable: 'PORT', hostSetting: '--host' },
      error,
    );
  }
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    address,
    background,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      acks.stop();
      await background.close();
      await input.cleanup?.();
    },
  };
};

export interface RunningServer extends AppServer {
  readonly settings: LoadedConfig;
  readonly log: Logger;
}

/**
 * `hotfix serve` started: a team's chat served, never anything else. Without chat credentials it stops with
 * the line saying which are missing (the local try-out is `hotfix playground`, which has its own guards).
 */
export const startServer = async (options: ServeOptions, deps: CliDeps): Promise<RunningServer> => {
  const env = readEnv(deps.env);
  const missing = missingChatCredentials(env);
  if (missing !== undefined) throw new StartupError([missing]);
  requireAuditKey(env);
  const botToken = env.SLACK_BOT_TOKEN ?? '';
  const teams = teamsServed(env);
  const logFormat = logFormatFor(process.stdout);
  const log = createLogger({ level: env.LOG_LEVEL, format: logFormat });
  const settings = await loadSettings(deps.env);
  if (botToken !== '' && !settings.config.slack) throw new StartupError([NO_SLACK_SECTION]);
  if (teams && !settings.config.teams) throw new StartupError([NO_TEAMS_SECTION]);
  if (teams && env.MicrosoftAppId === undefined) log.warn(LOCAL_MODE_WARNING);
  else if (env.HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED)
    log.warn(
      'HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED is ignored: MicrosoftAppId is set, so every Teams activity is authenticated',
    );
  if (settings.bundled)
    log.warn({ config: settings.configPath }, 'no hotfix.yml found: using the bundled example config');
  logConfigWarnings(settings, log);
  const notifier = options.notifier ?? true;
  const app = await startAppServer({
    settings,
    processEnv: deps.env,
    botToken,
    ...(teams ? { teams: {} } : {}),
    worker: options.worker,
    notifier,
    log,
    logFormat,
  });
  log.info(
    {
      port: app.port,
      config: settings.configPath,
      slack: botToken !== '',
      teams,
      worker: options.worker,
      notifier,
    },
    `hotfix serve listening on http://localhost:${app.port}`,
  );
  return {
    ...app,
    settings,
    log,
    async close() {
      log.info('shutting down');
      await app.close();
    },
  };
};

/** Runs until SIGTERM/SIGINT (or `signal`); a lost app thread ends it with exit code 1. */
export const runUntilStopped = async (
  running: { readonly background: Background; readonly log: Logger; close(): Promise<void> },
  signal?: AbortSignal,
): Promise<void> => {
  const lost = await new Promise<string | undefined>((resolve) => {
    const stop = () => resolve(undefined);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    signal?.addEventListener('abort', stop, { once: true });
    void running.background.lost.then(resolve);
  });
  if (lost !== undefined) running.log.error(lost);
  await running.close();
  // Without its app thread the process must not look healthy: exit 1, for the supervisor to restart it.
  if (lost !== undefined) throw new StartupError([lost]);
};

/** `hotfix serve`: runs until SIGTERM/SIGINT (or `signal`), then stops taking work and shuts down cleanly. */
export const serve = async (options: ServeOptions, deps: CliDeps, signal?: AbortSignal): Promise<void> =>
  runUntilStopped(await startServer(options, deps), signal);
