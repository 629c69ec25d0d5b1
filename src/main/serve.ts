import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { readEnv } from '../config/env.ts';
import type { PlaygroundHandler } from '../playground/index.ts';
import { PLAYGROUND_PATH } from '../playground/index.ts';
import type { SlackDelivery, SlackStandIn } from '../slack-stand-in/index.ts';
import type { CliDeps } from './commands/command.ts';
import { createSlackFront } from '../bot/slack/front.ts';
import type { Background } from './background.ts';
import { startBackground } from './background.ts';
import type { ConfigEdit } from './playground.ts';
import { preparePlayground } from './playground.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError, connectRedis, loadSettings } from './runtime.ts';
import { NO_SLACK_SECTION } from './slack.ts';

export interface ServeOptions {
  readonly worker: boolean;
  /** Project hotfixes onto Slack from this process too (default); `--no-notifier` leaves it to `hotfix worker`. */
  readonly notifier?: boolean;
  /** Playground only: changes to the bundled config before it is used (the demo shortens its waits). */
  readonly editPlaygroundConfig?: ConfigEdit;
}

export interface RunningServer {
  readonly port: number;
  readonly settings: LoadedConfig;
  /** The Slack app, the command path, the notifier and the workers, in a thread of their own. */
  readonly background: Background | undefined;
  /** Playground mode: the Slack stand-in the bot talks to, and signed deliveries into the bot. */
  readonly playground: { readonly standIn: SlackStandIn; readonly delivery: SlackDelivery } | undefined;
  readonly log: Logger;
  close(): Promise<void>;
}

/**
 * The HTTP front of the product: `/healthz`, `/readyz`, and the Slack app at `POST /slack/events`, checked and
 * acked here and handled in the app thread, which also runs the notifier (unless `--no-notifier`) and the
 * workers (unless `--no-worker`). With no bot token, playground mode: the same bot against a Slack
 * stand-in inside this process, and the page at `/playground`.
 */
export const startServer = async (options: ServeOptions, deps: CliDeps): Promise<RunningServer> => {
  const env = readEnv(deps.env);
  const log = pino({ level: env.LOG_LEVEL });
  const playground = env.SLACK_BOT_TOKEN
    ? undefined
    : await preparePlayground(deps.env, log, options.editPlaygroundConfig);
  const settings = playground?.settings ?? (await loadSettings(deps.env));
  if (settings.env.SLACK_BOT_TOKEN && !settings.config.slack) throw new StartupError([NO_SLACK_SECTION]);
  if (settings.bundled)
    log.warn({ config: settings.configPath }, 'no hotfix.yml found: using the bundled example config');
  // Readiness needs Redis; everything else runs in the app thread (background.ts).
  const redis = await connectRedis(settings.env.REDIS_URL, { service: true });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection problem; retrying'));
  const botToken = playground?.botToken ?? settings.env.SLACK_BOT_TOKEN;
  const background =
    options.worker || botToken !== undefined
      ? await startBackground(
          {
            settings,
            processEnv: deps.env,
            workers: options.worker,
            botToken,
            notifier: options.notifier ?? true,
          },
          log,
        ).catch(async (error: unknown) => {
          // Nothing may keep the process alive after a failed start: it exits with the reason.
          redis.disconnect();
          await playground?.stop();
          throw error;
        })
      : undefined;
  // Slack over HTTP: checked and acked here, handled in the app thread (Socket Mode needs no endpoint).
  const slackEvents =
    background && botToken !== undefined && settings.env.SLACK_APP_TOKEN === undefined
      ? createSlackFront({
          signingSecret: settings.env.SLACK_SIGNING_SECRET ?? '',
          hand: (delivery) => background.hand(delivery),
          ask: (delivery) => background.ask(delivery),
          log,
        })
      : undefined;
  // The playground page is mounted once the server listens (its deliveries need the port).
  const mounted: { page?: PlaygroundHandler } = {};

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (mounted.page?.(req, res)) return;
    if (req.method === 'GET' && path === '/' && mounted.page) {
      res.writeHead(302, { location: PLAYGROUND_PATH }).end();
      return;
    }
    // Bolt reads the body, checks the signature and the timestamp, and answers (401 on a bad signature).
    if (path === '/slack/events' && slackEvents) return void slackEvents(req, res);
    if (req.method === 'GET' && path === '/healthz') return reply(200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      // Ready means Redis answers: without it nothing can be decided or recorded.
      redis.ping().then(
        () => reply(200, { status: 'ready', redis: 'ok' }),
        (error: unknown) => reply(503, { status: 'not ready', redis: String(error) }),
      );
      return;
    }
    reply(404, { error: `no route for ${req.method ?? 'GET'} ${path}` });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.env.PORT, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const mountedPlayground = playground?.mount(port);
  if (mountedPlayground) mounted.page = mountedPlayground.page;
  log.info(
    {
      port,
      config: settings.configPath,
      worker: options.worker,
      notifier: options.notifier ?? true,
      playground: playground !== undefined,
    },
    `hotfix serve listening on http://localhost:${port}`,
  );
  return {
    port,
    settings,
    background,
    playground:
      playground && mountedPlayground
        ? { standIn: playground.standIn, delivery: mountedPlayground.delivery }
        : undefined,
    log,
    async close() {
      log.info('shutting down');
      mounted.page?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background?.close();
      await redis.quit();
      await playground?.stop();
    },
  };
};

/** `hotfix serve`: runs until SIGTERM/SIGINT (or `signal`), then stops taking work and shuts down cleanly. */
export const serve = async (options: ServeOptions, deps: CliDeps, signal?: AbortSignal): Promise<void> => {
  const running = await startServer(options, deps);
  if (running.playground)
    deps.stdout(
      `\nhotfix playground: open http://localhost:${running.port}${PLAYGROUND_PATH}\n` +
        `  the real bot and pipelines, Slack played locally; config ${running.settings.configPath}\n` +
        '  (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve a real Slack workspace)\n\n',
    );
  const lost = await new Promise<string | undefined>((resolve) => {
    const stop = () => resolve(undefined);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    signal?.addEventListener('abort', stop, { once: true });
    void running.background?.lost.then(resolve);
  });
  if (lost !== undefined) running.log.error(lost);
  await running.close();
  // Without its app thread the process must not look healthy: exit 1, for the supervisor to restart it.
  if (lost !== undefined) throw new StartupError([lost]);
};
