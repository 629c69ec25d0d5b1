import type { AnyMiddlewareArgs, Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { App, LogLevel } from '@slack/bolt';
import type { BotDeps } from './deps.ts';
import type { SlackDelivery } from './front.ts';
import { ACK_HEARD, deliveryKind } from './front.ts';
import { oncePerDelivery } from './once-per-delivery.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommand } from './listeners/command.ts';
import { registerHome } from './listeners/home.ts';
import { registerViews } from './listeners/views.ts';

export interface SlackBotOptions {
  readonly botToken: string;
  /** Web API base (`SLACK_API_URL`); Slack's own when absent. */
  readonly slackApiUrl?: string;
  /** Socket Mode when set (`SLACK_APP_TOKEN`, xapp-…); otherwise HTTP, answered by `front.ts`. */
  readonly appToken?: string;
  /** The `fetch` every Web API call of the app goes through, Bolt's own included (metrics count them). */
  readonly fetch?: WebClientOptions['fetch'];
}

export interface SlackBot {
  readonly app: App;
  /**
   * Over HTTP: runs one delivery the front (`front.ts`) checked and handed over; `answer` gets its ack body
   * (modal submissions) and says whether it reached Slack in time (listeners ask through `ACK_HEARD`).
   * Absent in Socket Mode, where Bolt's own receiver takes Slack's requests.
   */
  readonly deliver?: (delivery: SlackDelivery, answer?: (body: unknown) => Promise<boolean>) => Promise<void>;
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

/** The Bolt app with every listener: fed by the HTTP front through a receiver, or Socket Mode with an app token. */
export const createSlackBot = (deps: BotDeps, options: SlackBotOptions): SlackBot => {
  const logger = bridgeLogger(deps);
  const clientOptions: WebClientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  // The front checked the signature and acked: this receiver only passes its deliveries to the app.
  let handedTo: App | undefined;
  const receiver: Receiver = {
    init: (app) => void (handedTo = app),
    start: async () => undefined,
    stop: async () => undefined,
  };
  const app = options.appToken
    ? new App({
        token: options.botToken,
        appToken: options.appToken,
        socketMode: true,
        logger,
        clientOptions,
        extendedErrorHandler: true,
      })
    : new App({ token: options.botToken, receiver, logger, clientOptions, extendedErrorHandler: true });
  app.use(oncePerDelivery(deps));
  registerCommand(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerHome(app, deps);
  // Extended: the handler gets the delivery's body too, so the log says what kind of delivery failed.
  app.error(async ({ error, body }: { error: Error; body: AnyMiddlewareArgs['body'] }) => {
    deps.log.error(
      { kind: deliveryKind(body as unknown as Record<string, unknown>), err: String(error) },
      'slack listener failed',
    );
  });
  return {
    app,
    ...(options.appToken
      ? {}
      : {
          deliver: async (delivery: SlackDelivery, answer?: (body: unknown) => Promise<boolean>) => {
            let heard: Promise<boolean> | undefined;
            const ack = async (response?: unknown) => {
              heard ??= answer?.(response) ?? Promise.resolve(true);
              await heard;
            };
            const { answerWithinMs: _answerWithinMs, ...event } = delivery;
            try {
              await handedTo?.processEvent({
                ...event,
                ack,
                customProperties: { [ACK_HEARD]: () => heard ?? Promise.resolve(false) },
              });
            } catch (error) {
              deps.log.error(
                { kind: deliveryKind(delivery.body), err: String(error) },
                'slack delivery failed',
              );
            }
            // A delivery no listener acked (one of no interest to the bot) is answered empty.
            await ack();
          },
        }),
    async start() {
      if (options.appToken) await app.start();
    },
    async stop() {
      if (options.appToken) await app.stop();
    },
  };
};
