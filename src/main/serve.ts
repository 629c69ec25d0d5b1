import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { readEnv } from '../config/env.ts';
import type { PlaygroundHandler } from '../playground/index.ts';
import { PLAYGROUND_PATH } from '../playground/index.ts';
import type { SlackDelivery, SlackStandIn } from '../slack-stand-in/index.ts';
import type { CliDeps } from './commands/command.ts';
import type { Engine } from './engine.ts';
import { createEngine } from './engine.ts';
import type { ConfigEdit } from './playground.ts';
import { preparePlayground } from './playground.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError, loadSettings } from './runtime.ts';
import type { RunningSlack } from './slack.ts';
import { NO_SLACK_SECTION, startSlack } from './slack.ts';

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
  readonly engine: Engine;
  readonly slack: RunningSlack | undefined;
  /** Playground mode: the Slack stand-in the bot talks to, and signed deliveries into the bot. */
  readonly playground: { readonly standIn: SlackStandIn; readonly delivery: SlackDelivery } | undefined;
  readonly log: Logger;
  close(): Promise<void>;
}

/**
 * The HTTP front of the product, with the workers in-process unless `--no-worker`: `/healthz`, `/readyz`, and
 * the Slack app at `POST /slack/events`. With no bot token, playground mode: the same bot against a Slack
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
  const engine = await createEngine({ ...settings, processEnv: deps.env, log });
  const { redis } = engine;
  if (options.worker) engine.startWorkers();
  const botToken = playground?.botToken ?? settings.env.SLACK_BOT_TOKEN;
  const slack = botToken
    ? await startSlack(settings, engine, log, botToken, { app: true, notifier: options.notifier ?? true })
    : undefined;
  const slackEvents = slack?.bot?.requestListener;
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
    engine,
    slack,
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
      await slack?.close();
      await engine.close();
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
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await running.close();
};
