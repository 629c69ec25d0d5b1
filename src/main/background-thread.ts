import { parentPort, workerData } from 'node:worker_threads';
import { deliveryKind } from '../bot/slack/front.ts';
import { createMetrics } from '../metrics/metrics.ts';
import type { BackgroundInput, ToMain, ToThread } from './background.ts';
import { createEngine } from './engine.ts';
import { createLogger } from './logger.ts';
import { redisProblem } from './redis-connection.ts';
import { StartupError } from './runtime.ts';

// The app thread of `hotfix serve` (see background.ts): the Bolt app, the Teams router, the command path, the
// notifier and the workers. The main thread answers HTTP and hands Slack's requests and Teams' activities over.
/** A readiness probe's PING gets this long (the main thread waits a little longer for the answer). */
const READY_PING_MS = 800;
const port = parentPort;
if (port === null) throw new Error('background-thread.ts runs as a worker thread of hotfix serve');
const input = workerData as BackgroundInput;
const send = (message: ToMain) => port.postMessage(message);
const log = createLogger({
  level: input.settings.env.LOG_LEVEL,
  format: input.logFormat ?? 'json',
  bindings: { thread: 'app' },
});
// The process's only registry: its own metrics, the process metrics (CPU and memory are the process's; the event
// loop measured is this thread's) and the acks the main thread times and hands over in batches.
const metrics = createMetrics({
  processMetrics: true,
  services: () => Object.keys(input.settings.config.services),
});
// A promise some listener or library left without a handler is one failed piece of work: Node's default
// would end this thread, and with it the process, the running steps and every other delivery.
process.on('unhandledRejection', (reason) => {
  log.error(
    { err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) },
    'unhandled rejection',
  );
});

try {
  const engine = await createEngine({
    ...input.settings,
    processEnv: input.processEnv,
    log,
    dryRunSteps: input.dryRunSteps ?? false,
    metrics,
  });
  if (input.workers) engine.startWorkers();
  // Each platform's code (Bolt, botbuilder) is loaded only when that platform is served.
  const slack = input.botToken
    ? await (
        await import('./slack.ts')
      ).startSlack(input.settings, engine, log, input.botToken, {
        app: true,
        notifier: input.notifier,
      })
    : undefined;
  const deliver = slack?.bot?.deliver;
  const routeTeams = input.teams
    ? (await import('./teams.ts')).startTeams(input.settings, engine, log, input.teams)
    : undefined;
  const teamsNotifier =
    input.teams && input.notifier
      ? await (
          await import('./teams-notifier.ts')
        ).startTeamsNotifier(input.settings, engine, log, input.teams)
      : undefined;
  /** Answers sent to the front, until it says whether they came in time. */
  const hearing = new Map<number, (heard: boolean) => void>();
  const answer = (id: number, body: unknown) =>
    new Promise<boolean>((resolve) => {
      hearing.set(id, resolve);
      send({ type: 'answer', id, body });
    });
  port.on('message', (message: ToThread) => {
    if (message.type === 'deliver') {
      const { id, delivery } = message;
      deliver?.(delivery, id === undefined ? undefined : (body) => answer(id, body)).catch((error: unknown) =>
        log.error({ kind: deliveryKind(delivery.body), err: String(error) }, 'slack delivery failed'),
      );
      return;
    }
    if (message.type === 'teams') {
      const { id, activity } = message;
      const answered = (body: unknown) => id !== undefined && send({ type: 'answer', id, body });
      if (routeTeams === undefined) return void answered(null);
      routeTeams(activity).then(
        (answer) => answered(answer ?? null),
        (error: unknown) => {
          log.error({ type: activity.type, err: String(error) }, 'teams activity failed');
          answered(null);
        },
      );
      return;
    }
    if (message.type === 'heard') {
      hearing.get(message.id)?.(message.heard);
      hearing.delete(message.id);
      return;
    }
    if (message.type === 'acks') {
      for (const [platform, kind, seconds] of message.acks) metrics.ack(platform, kind, seconds);
      return;
    }
    if (message.type === 'readiness') {
      const { id } = message;
      void redisProblem(engine.redis, READY_PING_MS).then((problem) =>
        send({ type: 'answer', id, body: problem ?? null }),
      );
      return;
    }
    if (message.type === 'metrics') {
      const { id } = message;
      for (const [platform, kind, seconds] of message.acks) metrics.ack(platform, kind, seconds);
      metrics.registry.metrics().then(
        (text) => send({ type: 'answer', id, body: text }),
        (error: unknown) => {
          log.warn({ err: String(error) }, 'metrics could not be collected');
          send({ type: 'answer', id, body: null });
        },
      );
      return;
    }
    // Nobody will say any more whether an answer came in time: take it as heard, so no listener waits on.
    for (const resolve of hearing.values()) resolve(true);
    hearing.clear();
    void (async () => {
      try {
        await Promise.all([slack?.close(), teamsNotifier?.close()]);
        await engine.close();
      } catch (error) {
        log.warn({ err: String(error) }, 'app thread: shutdown was not clean');
      } finally {
        send({ type: 'closed' });
        port.close();
      }
    })();
  });
  send({ type: 'ready' });
} catch (error) {
  send({
    type: 'failed',
    lines:
      error instanceof StartupError ? error.lines : [error instanceof Error ? error.message : String(error)],
  });
}
