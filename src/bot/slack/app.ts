import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import type { BotDeps } from './deps.ts';
import { oncePerDelivery } from './once-per-delivery.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommand } from './listeners/command.ts';
import { registerHome } from './listeners/home.ts';
import { registerViews } from './listeners/views.ts';

export interface SlackBotOptions {
  readonly botToken: string;
  readonly signingSecret: string;
  /** Web API base (`SLACK_API_URL`); Slack's own when absent. */
  readonly slackApiUrl?: string;
  /** Socket Mode instead of HTTP when set (`SLACK_APP_TOKEN`, xapp-…). */
  readonly appToken?: string;
}

export interface SlackBot {
  readonly app: App;
  /** The HTTP handler of `POST /slack/events` (signature checked by Bolt); absent in Socket Mode. */
  readonly requestListener?: RequestListener;
  /** Connects in Socket Mode; a no-op over HTTP (our server owns the port). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const bridgeLogger = (deps: BotDeps) => ({
  debug: () => undefined,
  info: (...msg: unknown[]) => deps.log.info({ bolt: msg.map(String).join(' ') }, 'bolt'),
  warn: (...msg: unknown[]) => deps.log.warn({ bolt: msg.map(String).join(' ') }, 'bolt'),
  error: (...msg: unknown[]) => deps.log.error({ bolt: msg.map(String).join(' ') }, 'bolt'),
  setLevel: () => undefined,
  getLevel: () => LogLevel.INFO,
  setName: () => undefined,
});

/** The Bolt app with every listener: HTTP mode behind our server, or Socket Mode with an app token. */
export const createSlackBot = (deps: BotDeps, options: SlackBotOptions): SlackBot => {
  const logger = bridgeLogger(deps);
  const clientOptions = options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {};
  const receiver = options.appToken
    ? undefined
    : new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: '/slack/events', logger });
  const app = options.appToken
    ? new App({
        token: options.botToken,
        appToken: options.appToken,
        socketMode: true,
        logger,
        clientOptions,
      })
    : new App({ token: options.botToken, receiver, logger, clientOptions });
  app.use(oncePerDelivery(deps));
  registerCommand(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerHome(app, deps);
  app.error(async (error) => {
    deps.log.error({ err: String(error) }, 'slack listener failed');
  });
  return {
    app,
    ...(receiver ? { requestListener: receiver.requestListener } : {}),
    async start() {
      if (options.appToken) await app.start();
    },
    async stop() {
      if (options.appToken) await app.stop();
    },
  };
};
