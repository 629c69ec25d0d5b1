import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { BackgroundInput, ToMain, ToThread } from './background.ts';
import { createEngine } from './engine.ts';
import { StartupError } from './runtime.ts';
import { startSlack } from './slack.ts';

// The app thread of `hotfix serve` (see background.ts): the Bolt app, the command path, the notifier and the
// workers. The main thread answers HTTP and hands Slack's requests over.
const port = parentPort;
if (port === null) throw new Error('background-thread.ts runs as a worker thread of hotfix serve');
const input = workerData as BackgroundInput;
const send = (message: ToMain) => port.postMessage(message);
const log = pino({ level: input.settings.env.LOG_LEVEL }).child({ thread: 'app' });

try {
  const engine = await createEngine({
    ...input.settings,
    processEnv: input.processEnv,
    log,
    dryRunSteps: input.dryRunSteps ?? false,
  });
  if (input.workers) engine.startWorkers();
  const slack = input.botToken
    ? await startSlack(input.settings, engine, log, input.botToken, {
        app: true,
        notifier: input.notifier,
      })
    : undefined;
  const deliver = slack?.bot?.deliver;
  port.on('message', (message: ToThread) => {
    if (message.type === 'deliver') {
      const { id } = message;
      void deliver?.(
        message.delivery,
        id === undefined ? undefined : (body) => send({ type: 'answer', id, body }),
      );
      return;
    }
    void (async () => {
      try {
        await slack?.close();
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
