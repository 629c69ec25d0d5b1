import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SlackDelivery } from '../bot/slack/front.ts';
import { deliveryKind } from '../bot/slack/front.ts';
import type { TeamsActivity } from '../bot/teams/activity.ts';
/** One ack timed by the main thread's fronts: platform, request kind, seconds (recorded by the app thread). */
export type AckSample = readonly ['slack' | 'teams', string, number];
import type { LogFormat } from './logger.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError } from './runtime.ts';

/**
 * What `hotfix serve` runs in its app thread: the Slack app (Bolt and its listeners), the Teams router, the
 * command path, the notifier and the pipeline workers, everything that follows a click. The main thread answers
 * HTTP: it checks Slack's signature or Teams' token and acks (`bot/slack/front.ts`, `main/teams.ts`), so an ack never waits behind the work of another click,
 * a card being drawn, a step's process being spawned or a garbage collection of the app's heap.
 */
export interface BackgroundInput {
  readonly settings: LoadedConfig;
  /** The environment handed to step processes. */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly workers: boolean;
  /** Slack's bot token: the app runs in the thread (and the notifier, when `notifier`). */
  readonly botToken: string | undefined;
  readonly notifier: boolean;
  /** The playground rehearsing a team's own config: `run` and `http` steps are shown, not run. */
  readonly dryRunSteps?: boolean;
  /** Teams is served: the thread routes its activities and posts the answers. */
  readonly teams?: TeamsThreadOptions | undefined;
  /** The main thread's choice (the app thread has no terminal of its own): pretty on a terminal, else JSON. */
  readonly logFormat?: LogFormat;
}

export interface TeamsThreadOptions {
  /** Tests only: outbound calls to the Bot Connector carry this token instead of one from Entra. */
  readonly outboundToken?: string | undefined;
}

export type ToThread =
  | { readonly type: 'deliver'; readonly delivery: SlackDelivery; readonly id?: number }
  /** A Teams activity, authenticated and checked on the main thread; with `id`, the front waits for the answer. */
  | { readonly type: 'teams'; readonly activity: TeamsActivity; readonly id?: number }
  /** Whether the answer to delivery `id` reached the front in time (after `answerWithinMs`, Slack saw none). */
  | { readonly type: 'heard'; readonly id: number; readonly heard: boolean }
  /** Every metric of the process in Prometheus' text format, after recording `acks` (the main thread has no registry). */
  | { readonly type: 'metrics'; readonly id: number; readonly acks: readonly AckSample[] }
  /** Acks timed by the main thread since the last batch. */
  | { readonly type: 'acks'; readonly acks: readonly AckSample[] }
  /** Whether the app thread's Redis answers: null when it does, else the problem. */
  | { readonly type: 'readiness'; readonly id: number }
  | { readonly type: 'close' };
export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly lines: readonly string[] }
  | { readonly type: 'answer'; readonly id: number; readonly body: unknown }
  | { readonly type: 'closed' };

export interface Background {
  /** Hands an acked Slack request to the app. */
  hand(delivery: SlackDelivery): void;
  /** Hands an acked Teams activity (a message) to the Teams router. */
  handTeams(activity: TeamsActivity): void;
  /**
   * Hands a Teams invoke to the router and resolves with its answer (null: it has none), or with undefined
   * after `withinMs`.
   */
  askTeams(activity: TeamsActivity, withinMs: number): Promise<unknown>;
  /**
   * Hands a Slack request to the app and resolves with its ack body (modal submissions), or with nothing after
   * its `answerWithinMs`: the app then hears that its answer came too late.
   */
  ask(delivery: SlackDelivery): Promise<unknown>;
  /** Every metric of the process as Prometheus text, after recording `acks`; undefined after `withinMs`. */
  metrics(withinMs: number, acks: readonly AckSample[]): Promise<string | undefined>;
  /** Records a batch of acks timed on the main thread. */
  recordAcks(acks: readonly AckSample[]): void;
  /** Undefined when the app thread and its Redis answer within `withinMs`, else what is wrong. */
  readiness(withinMs: number): Promise<string | undefined>;
  /** Stops taking work, lets running steps finish (HOTFIX_SHUTDOWN_GRACE), and ends the thread. */
  close(): Promise<void>;
  /** Settles with the reason if the thread ends without being closed: the process must not run on without it. */
  readonly lost: Promise<string>;
}

// The thread loads this module's sibling: compiled JavaScript under dist/ (what `hotfix` runs), or the TypeScript
// sources through tsx (development and tests; tsx is a devDependency, so it is resolved only then).
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = new URL(`./background-thread.${COMPILED ? 'js' : 'ts'}`, import.meta.url).href;
const BOOT = COMPILED
  ? `import(require('node:worker_threads').workerData.entry);`
  : `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });
`;
const bootData = () =>
  COMPILED ? { entry: ENTRY } : { entry: ENTRY, tsx: import.meta.resolve('tsx/esm/api') };

export const startBackground = async (input: BackgroundInput, log: Logger): Promise<Background> => {
  const thread = new Worker(BOOT, { eval: true, workerData: { ...input, ...bootData() } });
  let closing = false;
  let closed: (() => void) | undefined;
  let nextId = 0;
  /** Deliveries waiting for the app's answer, until their `answerWithinMs` is up. */
  const asked = new Map<
    number,
    { readonly answered: (body: unknown) => void; readonly timer: NodeJS.Timeout | undefined }
  >();
  let lose: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (lose = resolve));
  // A message the thread cannot take (one a structured clone cannot copy) is one delivery lost, not the process.
  const post = (message: ToThread): boolean => {
    try {
      thread.postMessage(message);
      return true;
    } catch (error) {
      const kind =
        message.type === 'deliver'
          ? deliveryKind(message.delivery.body)
          : message.type === 'teams'
            ? `teams ${message.activity.type.slice(0, 60)}`
            : message.type;
      log.error({ kind, err: String(error) }, 'could not hand a message to the app thread');
      return false;
    }
  };

  const started = new Promise<void>((resolve, reject) => {
    const early = (reason: string) => reject(new StartupError([`the app thread stopped: ${reason}`]));
    thread.once('error', (error) => early(error.message));
    thread.once('exit', (code) => early(`exit code ${code}`));
    thread.on('message', (message: ToMain) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new StartupError(message.lines));
      else if (message.type === 'answer') {
        const waiting = asked.get(message.id);
        asked.delete(message.id);
        clearTimeout(waiting?.timer);
        waiting?.answered(message.body);
        post({ type: 'heard', id: message.id, heard: waiting !== undefined });
      } else closed?.();
    });
  });
  try {
    await started;
  } catch (error) {
    await thread.terminate();
    throw error;
  }
  thread.removeAllListeners('error').removeAllListeners('exit');
  thread.on('error', (error) => {
    log.error({ err: error.stack ?? error.message }, 'the app thread failed');
  });
  thread.once('exit', (code) => {
    for (const { answered, timer } of asked.values()) {
      clearTimeout(timer);
      answered(undefined);
    }
    asked.clear();
    if (!closing) lose(`the app thread (Slack app, notifier, workers) ended with exit code ${code}`);
  });

  /** Posts what `message(id)` builds and waits for the thread's answer to it, or `withinMs`. */
  const ask = (message: (id: number) => ToThread, withinMs: number | undefined) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      const giveUp = () => {
        asked.delete(id);
        resolve(undefined);
      };
      const timer = withinMs === undefined ? undefined : setTimeout(giveUp, withinMs);
      asked.set(id, { answered: resolve, timer });
      if (post(message(id))) return;
      clearTimeout(timer);
      giveUp();
    });

  return {
    hand(delivery) {
      post({ type: 'deliver', delivery });
    },
    ask: (delivery) => ask((id) => ({ type: 'deliver', delivery, id }), delivery.answerWithinMs),
    handTeams(activity) {
      post({ type: 'teams', activity });
    },
    askTeams: (activity, withinMs) => ask((id) => ({ type: 'teams', activity, id }), withinMs),
    metrics: async (withinMs, acks) => {
      const text = await ask((id) => ({ type: 'metrics', id, acks }), withinMs);
      return typeof text === 'string' ? text : undefined;
    },
    recordAcks(acks) {
      post({ type: 'acks', acks });
    },
    readiness: async (withinMs) => {
      const answer = await ask((id) => ({ type: 'readiness', id }), withinMs);
      if (answer === undefined) return `the app thread did not answer within ${withinMs} ms`;
      return typeof answer === 'string' ? answer : undefined;
    },
    async close() {
      if (closing) return;
      closing = true;
      const done = new Promise<void>((resolve) => {
        closed = resolve;
        thread.once('exit', () => resolve());
      });
      post({ type: 'close' });
      await done;
      await thread.terminate();
    },
    lost,
  };
};

/** How often the main thread hands its ack timings to the app thread's registry. */
const ACK_BATCH_MS = 250;
/** A batch this large goes at once (a burst of requests between two flushes). */
const ACK_BATCH_MAX = 2_000;

/**
 * Ack timings gathered on the main thread and handed to the app thread in batches (one message per batch, not
 * per request): the main thread keeps no metrics registry of its own, so it never loads prom-client.
 */
export const createAckBatch = (background: Pick<Background, 'recordAcks'>) => {
  let pending: AckSample[] = [];
  const flush = (): AckSample[] => {
    const batch = pending;
    pending = [];
    return batch;
  };
  const timer = setInterval(() => {
    if (pending.length > 0) background.recordAcks(flush());
  }, ACK_BATCH_MS);
  timer.unref();
  return {
    add(platform: AckSample[0], kind: string, seconds: number) {
      pending.push([platform, kind, seconds]);
      if (pending.length >= ACK_BATCH_MAX) background.recordAcks(flush());
    },
    /** The acks not yet handed over (a metrics request carries them, so a scrape sees every ack before it). */
    flush,
    stop() {
      clearInterval(timer);
    },
  };
};
